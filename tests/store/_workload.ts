// A deterministic chain workload for the store tests: block 0 initializes the contract, every
// later block runs a few transactions that change state (features, overrides, reports), so
// every block has writes and most change the root. Pure function of the height.

import { CanaryClient } from "../../src/client/index.ts";
import { Chain, MemoryStore, type BlockResult, type Store } from "../../src/host/index.ts";

import { releaseWasm } from "../helpers/paths.ts";

export { RELEASE_WASM as WASM_PATH, releaseWasm } from "../helpers/paths.ts";

const acct = (fill: number, i = 0): Uint8Array => {
  const a = new Uint8Array(20).fill(fill);
  a[18] = (i >> 8) & 0xff;
  a[19] = i & 0xff;
  return a;
};
export const ADMIN = acct(0xa1);
const OPS = acct(0x0b);
const MONITOR = acct(0x7e);

/** Runs block `height` of the workload on `chain` (which must be at height - 1 or fresh). */
export function runWorkloadBlock(chain: Chain, height: number): BlockResult {
  const client = new CanaryClient(chain, { height: () => chain.currentHeight });
  chain.beginBlock(height);
  if (height === 0) {
    client.init(ADMIN, ADMIN);
    client.grantRole(ADMIN, "Operator", OPS);
    client.grantRole(ADMIN, "Reporter", MONITOR);
    return chain.endBlock();
  }
  const f = `feat_${height % 7}`;
  if (height <= 7) {
    client.createFeature(OPS, f, `feature ${height}`, { incrementBlocks: 5 });
    client.startCanary(OPS, f, 100 + height * 10);
  } else {
    // Overrides add keys (state grows), reports rewrite the feature record.
    for (let i = 0; i < 4; i++) client.setOverride(OPS, f, acct(0xc0, height * 4 + i), i % 2 === 0 ? "ForceOn" : "ForceOff");
    client.recordBatch(MONITOR, f, 50 + (height % 13), height % 3);
    if (height % 11 === 0) client.startRollout(OPS, f, 10000);
    if (height % 17 === 0) client.startCanary(OPS, f, 200);
  }
  return chain.endBlock();
}

/** The state root after every block 0..to of an uninterrupted in-memory run. */
export function memoryRoots(to: number): string[] {
  const chain = new Chain(releaseWasm(), new MemoryStore());
  const roots: string[] = [];
  for (let h = 0; h <= to; h++) roots.push(runWorkloadBlock(chain, h).stateRoot);
  return roots;
}

export function newChain(store: Store): Chain {
  return new Chain(releaseWasm(), store);
}
