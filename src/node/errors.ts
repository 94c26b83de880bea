// JSON-RPC error codes of the node (docs/NODE.md, "Errors").

export const RpcCode = {
  /** Invalid JSON. */
  ParseError: -32700,
  /** Not a JSON-RPC 2.0 request object; also a body over the size limit or an empty batch. */
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  /** Parameters missing or of the wrong type; a transaction field that is malformed. */
  InvalidParams: -32602,
  InternalError: -32603,
  // Application codes (outside the range JSON-RPC reserves).
  /** A signature does not verify (data.signer: its index). */
  InvalidSignature: 1001,
  /** The nonce was already used or is stale: a replay (data.expected). */
  NonceTooLow: 1002,
  /** The nonce skips ahead of the account's next nonce (data.expected). */
  NonceTooHigh: 1003,
  /** validUntilBlock is below the height at which the transaction would be included. */
  Expired: 1004,
  /** validUntilBlock is further ahead than the node allows (data.max). */
  ValidUntilTooFar: 1005,
  /** The method is not a contract method a transaction may call (onPersist, views, unknown names). */
  UnknownMethod: 1006,
  /** The transaction names another network (data.network: this node's). */
  WrongNetwork: 1007,
  /** The mempool is full: retry later. */
  MempoolFull: 1008,
  /** The node is stopping or its store failed. */
  Unavailable: 1009,
  /** `call` of a method that is not a view. */
  NotAView: 1010,
} as const;

export type RpcCodeName = keyof typeof RpcCode;

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }
}
