// `onchain-canary`: what an application needs to talk to the canary contract — the typed
// client (Borsh codec, schemas, events, error codes, enums, the statistics helpers of the
// rollback rules: src/client) — and to a devnet node over JSON-RPC (NodeRpc, Wallet,
// RpcCanaryClient, subscribeBlocks, keys, the keystore and signed transactions: src/node),
// since that is where an application finds the contract. Nothing here loads a module, opens a
// store or starts a server: running the contract in-process (the host, the stores, the node
// itself) is `onchain-canary/host`; the OpenFeature provider and reporter are
// `onchain-canary/openfeature`.

export * from "./client/index.ts";

/** The Invoker a CanaryClient calls (the host's Chain is one; src/host/types.ts). */
export type { Account, CallContext, InvokeResult, Invoker, RawEvent } from "./host/types.ts";

export {
  NodeRpc,
  RpcCanaryClient,
  RpcInvoker,
  Wallet,
  subscribeBlocks,
  type AsyncCanaryClient,
  type AsyncInvoker,
  type CallAnswer,
  type KeySigner,
  type NodeInfo,
  type RpcOptions,
  type TxAnswer,
} from "./node/client.ts";
export { RpcCode, RpcError, type RpcCodeName } from "./node/errors.ts";
export { NodeKey, PUBKEY_BYTES, SIGNATURE_BYTES, accountOf, verificationScript, verifySignature } from "./node/keys.ts";
export { MAX_SIGNERS, TX_VERSION, TxFormatError, parseTx, signTx, signingPayload, txHash, txToJson, type Tx, type TxJson } from "./node/tx.ts";
export { KEYSTORE_FORMAT, KEYSTORE_VERSION, Keystore, KeystoreError, defaultKeystorePath } from "./node/keystore.ts";
export type { BlockRecord, EventRecord, TxRecord } from "./node/records.ts";
