// The devnet node's public API (docs/NODE.md).
export { startNode, CanaryNode, DEFAULT_NETWORK, DEFAULT_WASM, type NodeOptions } from "./node.ts";
export { RpcCode, RpcError, type RpcCodeName } from "./errors.ts";
export { NodeKey, accountOf, verificationScript, verifySignature, PUBKEY_BYTES, SIGNATURE_BYTES } from "./keys.ts";
export { parseTx, signTx, signingPayload, txHash, txToJson, TxFormatError, TX_VERSION, MAX_SIGNERS, type Tx, type TxJson } from "./tx.ts";
export { NodeRpc, Wallet, RpcInvoker, RpcCanaryClient, subscribeBlocks, parseBlockMessage, BlockMessageError, type BlockMessage, type BlockMessageEvent, type BlockStreamHandlers, type AsyncCanaryClient, type AsyncInvoker, type CallAnswer, type TxAnswer, type NodeInfo } from "./client.ts";
export type { BlockRecord, TxRecord, EventRecord } from "./records.ts";
export { Keystore, KeystoreError, defaultKeystorePath, KEYSTORE_FORMAT, KEYSTORE_VERSION } from "./keystore.ts";
