// CanaryClient's methods over an asynchronous invoker (a node over RPC, a CosmWasm chain): the
// synchronous client runs against a recording invoker that answers from the replies received
// so far and stops at the first call it has no reply for; that call is sent, its reply
// recorded, and the method runs again — so every method, its arguments, checks and result
// types are CanaryClient's own, with no async copy of any of them.

import { CanaryClient, type ClientOptions } from "./client.ts";
import type { CallContext, InvokeResult, Invoker } from "../host/types.ts";

/** The host's Invoker, asynchronous. */
export interface AsyncInvoker {
  transact(method: string, args: Uint8Array, ctx: CallContext): Promise<InvokeResult>;
  view(method: string, args: Uint8Array, ctx?: Partial<CallContext>): Promise<InvokeResult>;
}

type AnyFn = (...a: never[]) => unknown;
type Promised<F> = F extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never;

/** CanaryClient's methods, arguments and results, as Promises. */
export type AsyncClientMethods = { [K in keyof CanaryClient as CanaryClient[K] extends AnyFn ? K : never]: Promised<CanaryClient[K]> };

/** CanaryClient members that are not methods a caller runs. */
export const NOT_METHODS = new Set(["constructor", "defaultHeight", "txHeight", "result", "context"]);

const NEED = Symbol("need an answer");

interface PendingCall {
  kind: "transact" | "view";
  method: string;
  args: Uint8Array;
  ctx: Partial<CallContext>;
}

/** Runs the CanaryClient method `name` to completion, answering its invoker calls through `invoker`. */
export async function runClientMethod(invoker: AsyncInvoker, options: ClientOptions, name: string, args: unknown[]): Promise<unknown> {
  const answers: InvokeResult[] = [];
  for (let round = 0; round < 100_000; round++) {
    let at = 0;
    let need: PendingCall | null = null;
    const answer = (kind: PendingCall["kind"], method: string, a: Uint8Array, ctx: Partial<CallContext>): InvokeResult => {
      if (at < answers.length) return answers[at++]!;
      need = { kind, method, args: a, ctx };
      throw NEED;
    };
    const recording: Invoker = {
      transact: (m, a, ctx) => answer("transact", m, a, ctx),
      view: (m, a, ctx) => answer("view", m, a, ctx ?? {}),
    };
    const client = new CanaryClient(recording, options);
    try {
      return (client as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
    } catch (e) {
      if (e !== NEED) throw e;
    }
    const c = need as unknown as PendingCall;
    answers.push(c.kind === "transact" ? await invoker.transact(c.method, c.args, c.ctx as CallContext) : await invoker.view(c.method, c.args, c.ctx));
  }
  throw new Error(`${name}: too many calls`);
}
