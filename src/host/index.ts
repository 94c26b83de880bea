// The host's public API.
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
