// Shared fixture for contract tests: the release module on a fresh in-memory chain, a typed
// client, named accounts with their roles granted in block 1.

import { Chain } from "../../src/host/index.ts";
import { CanaryClient } from "../../src/client/index.ts";
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
  const must = (r: { ok: boolean; codeName: string }, what: string) => {
    if (!r.ok) throw new Error(`${what} failed: ${r.codeName}`);
  };
  must(client.init(ADMIN, ADMIN), "init");
  must(client.grantRole(ADMIN, Role.Operator, OPERATOR), "grant Operator");
  must(client.grantRole(ADMIN, Role.Guardian, GUARDIAN), "grant Guardian");
  must(client.grantRole(ADMIN, Role.Reporter, REPORTER), "grant Reporter");
  return fx;
}
