// What the node's commands share: the node they talk to by default, METHOD and ARGS_JSON
// as `canary tx` and `canary call` take them, the messages for failures of the node, the
// connection or the keystore, and the views client of `inspect --node` and `watch`.

import { METHODS, type MethodName } from "../abi/methods.ts";
import { encodeArgs } from "../client/index.ts";
import { NodeRpc, RpcCanaryClient, Wallet, type AsyncCanaryClient, type CallAnswer } from "../node/client.ts";
import { RpcError, RpcCode } from "../node/errors.ts";
import { KeystoreError } from "../node/keystore.ts";
import { CliError, EXIT, UsageError } from "./errors.ts";

export const DEFAULT_PORT = 20332;
export const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/** ARGS_JSON: u64 fields may be JSON numbers (safe integers) or decimal strings. */
export function encodeJsonArgs(method: MethodName, text: string): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(text, (_k, v) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
  } catch (e) {
    throw new CliError(`ARGS_JSON is not JSON: ${(e as Error).message}`, `e.g. '{"name":"my_feature"}'`);
  }
  try {
    return encodeArgs(method, value);
  } catch (e) {
    throw new CliError(`arguments of ${method}: ${(e as Error).message}`, "see docs/ABI.md for each method's arguments (u64 values beyond 2^53 as \"123n\")");
  }
}

export function methodArg(m: string | undefined, kind: "tx" | "call"): MethodName {
  if (m === undefined) throw new UsageError("METHOD is missing");
  if (!Object.prototype.hasOwnProperty.call(METHODS, m) || m === "onPersist") {
    throw new CliError(`unknown method ${JSON.stringify(m)}`, `methods: ${Object.keys(METHODS).filter((n) => n !== "onPersist").join(", ")}`);
  }
  const view = METHODS[m as MethodName].view;
  if (kind === "tx" && view) throw new CliError(`${m} is a view`, `use: canary call ${m} ARGS_JSON`);
  if (kind === "call" && !view) throw new CliError(`${m} is not a view`, `send it: canary tx ${m} ARGS_JSON --key NAME`);
  return m as MethodName;
}

export function rpcFailure(e: unknown): never {
  if (e instanceof RpcError) throw new CliError(`the node refused it: ${e.message} (JSON-RPC error ${e.code})`);
  if (e instanceof KeystoreError) throw new CliError(e.message, e.code === "MALFORMED" ? "fix or move the file; canary never rewrites a malformed keystore" : undefined);
  if (e instanceof Error && e.message.startsWith("cannot reach the node")) throw new CliError(e.message, "start one with `canary node`, or pass --node URL");
  throw e;
}

/** --node URL: an http:// URL (the node serves plain HTTP on 127.0.0.1), or a UsageError. */
export function nodeUrl(value: string | undefined): string {
  if (value === undefined) return DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--node must be a URL such as ${DEFAULT_URL}, got ${JSON.stringify(value)}`);
  }
  if (u.protocol !== "http:") throw new UsageError(`--node must be an http:// URL such as ${DEFAULT_URL}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A NodeRpc that remembers the heights its `call` answers were read at: each call answers on
 * the latest committed block, so a read of several views is of one block only when every
 * answer names the same height.
 */
export class HeightTrackingRpc extends NodeRpc {
  readonly answeredAt = new Set<number>();

  override async call(method: string, args: Uint8Array | string, sender?: string): Promise<CallAnswer> {
    const a = await super.call(method, args, sender);
    this.answeredAt.add(a.height);
    return a;
  }
}

/** The views of a node's contract (no keys: reads only), with the heights they were read at. */
export function nodeViews(url: string): { rpc: HeightTrackingRpc; client: AsyncCanaryClient } {
  // 10 s, not NodeRpc's 30 s: a person is waiting for a view of a local node.
  const rpc = new HeightTrackingRpc(url, { timeoutMs: 10_000 });
  return { rpc, client: RpcCanaryClient(new Wallet(rpc)) };
}

/**
 * Whether `e` says the node is away (not reachable, stopping, or answering something other
 * than JSON-RPC) rather than that it refused a request.
 */
export function nodeUnreachable(e: unknown): e is Error {
  if (e instanceof RpcError) return e.code === RpcCode.Unavailable;
  return e instanceof Error && (e.message.startsWith("cannot reach the node") || /^the node at .* answered HTTP/.test(e.message));
}

/** A node that could not be read, as `inspect --node` and `watch --once` end: exit 1, the URL and the reason. */
export function unreachableError(e: Error, url: string): CliError {
  const message = e.message.includes(url) ? e.message : `the node at ${url} could not be read: ${e.message}`;
  return new CliError(message, "start one with `canary node`, or pass --node URL", EXIT.failed);
}
