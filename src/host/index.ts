// `onchain-canary/host`: the contract run in-process — the host runtime of SPEC section 7,
// the Chain (blocks, atomic transactions, onPersist, state root), the in-memory store and
// the LevelDB one (docs/STORE.md), the devnet node (docs/NODE.md) — and the modules the
// package ships. The tests and scripts import the host from here too.

export type { Account, CallContext, InvokeResult, Invoker, RawEvent } from "./types.ts";
export { MemoryStore, asBinary, fromBinary, isBinaryStore, toBinary, type BinaryStore, type Store, type Write } from "./store.ts";
export { Overlay } from "./overlay.ts";
export { stateRoot } from "./stateRoot.ts";
export {
  ContractRuntime,
  ACCOUNT_BYTES,
  MAX_EVENT_DATA_BYTES,
  MAX_EVENT_NAME_BYTES,
  type RuntimeOptions,
} from "./runtime.ts";
export { Chain, type BlockInput, type BlockResult, type BlockTx } from "./chain.ts";
export { readWasmInfo, type FuncSig, type WasmInfo } from "./wasmInfo.ts";

/** Paths of the modules the package ships (build/): release, metered, debug, CosmWasm. */
export { COSMWASM_WASM, DEBUG_WASM, METERED_WASM, PACKAGE_ROOT, RELEASE_WASM } from "../packageRoot.ts";

export {
  ChainStoreError,
  LevelStore,
  type BlockMeta,
  type ChainStoreErrorCode,
  type OpenOptions,
  type StoredBlock,
} from "../store/index.ts";

// startNode runs METERED_WASM unless given `wasm`.
export { CanaryNode, DEFAULT_NETWORK, startNode, type NodeOptions } from "../node/node.ts";
