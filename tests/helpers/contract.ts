// Shared fixture for contract tests: the release module on a fresh in-memory chain, a typed
// client, named accounts with their roles granted in block 1.

import { Chain, type BlockResult } from "../../src/host/index.ts";
import { CanaryClient, type FeatureView, type Metrics } from "../../src/client/index.ts";
import { Role } from "../../assembly/shared/codes.ts";

import { releaseWasm } from "./paths.ts";

export { DEBUG_WASM, METERED_WASM, RELEASE_WASM, meteredWasm, releaseWasm } from "./paths.ts";

import { ADMIN, GUARDIAN, OPERATOR, REPORTER } from "./accounts.ts";

export { ADMIN, GUARDIAN, OPERATOR, OUTSIDER, REPORTER, account } from "./accounts.ts";

export interface Fixture {
  chain: Chain;
  client: CanaryClient;
  /** Closes the open block (running onPersist) and opens `height`. */
  goTo(height: number): void;
}

export interface ChainOptions {
  /** Reuse one instance across calls (the host's option). */
  reuse?: boolean;
  /** The module: the release build unless given (e.g. meteredWasm()). */
  wasm?: Uint8Array;
}

/** A chain with nothing on it; the client sends transactions in the chain's open block. */
export function emptyChain(options: ChainOptions = {}): Fixture {
  const { wasm = releaseWasm(), ...runtime } = options;
  const chain = new Chain(wasm, undefined, runtime);
  const client = new CanaryClient(chain, { height: () => chain.currentHeight });
  const goTo = (height: number) => {
    if (chain.currentHeight !== undefined) chain.endBlock();
    chain.beginBlock(height);
  };
  goTo(1);
  return { chain, client, goTo };
}

/** init(ADMIN) and every role granted, all in block 1. */
export function initializedChain(options: ChainOptions = {}): Fixture {
  const fx = emptyChain(options);
  const { client } = fx;
  must(client.init(ADMIN, ADMIN), "init");
  must(client.grantRole(ADMIN, Role.Operator, OPERATOR), "grant Operator");
  must(client.grantRole(ADMIN, Role.Guardian, GUARDIAN), "grant Guardian");
  must(client.grantRole(ADMIN, Role.Reporter, REPORTER), "grant Reporter");
  return fx;
}

// ------------------------------------------------------------------ results, blocks, views

/** Throws (with the code's name) unless the transaction succeeded. */
export function must(r: { ok: boolean; codeName: string; method?: string }, what = r.method ?? "call"): void {
  if (!r.ok) throw new Error(`${what} failed: ${r.codeName}`);
}

/** Ends the open block (running onPersist) and returns its result; opens `next` after it when given. */
export function endBlock(fx: Fixture, next?: number): BlockResult {
  const r = fx.chain.endBlock();
  if (next !== undefined) fx.chain.beginBlock(next);
  return r;
}

/** getFeature, failing when the feature does not exist. */
export function featureOf(client: CanaryClient, name: string): FeatureView {
  const v = client.getFeature(name);
  if (!v) throw new Error(`no feature ${name}`);
  return v;
}

/** getMetrics, failing when the feature does not exist. */
export function metricsOf(client: CanaryClient, name: string): Metrics {
  const m = client.getMetrics(name);
  if (!m) throw new Error(`no feature ${name}`);
  return m;
}
