// A chain state with features in every status, shared by the fuzz and fault tests.

import { expect } from "vitest";
import { Chain, ContractRuntime, MemoryStore } from "../../src/host/index.ts";
import { CanaryClient } from "../../src/client/index.ts";
import { ACCOUNTS } from "./_harness.ts";

const { ADMIN, OPERATOR, GUARDIAN, REPORTER, OUTSIDER } = ACCOUNTS as Record<string, Uint8Array>;
export const STATUS_FEATURES = ["dis", "can", "canp", "roll", "rollp", "ena", "rb", "held"];

export /** Features in every status: Disabled, Canary, paused Canary, RollingOut, paused RollingOut, Enabled, RolledBack, held Canary. */
function seededStore(runtime: ContractRuntime): { store: MemoryStore; height: number } {
  const chain = new Chain(runtime);
  const c = new CanaryClient(chain, { height: () => chain.currentHeight, throwOnError: true });
  chain.beginBlock(1);
  c.init(ADMIN!, ADMIN!);
  c.grantRole(ADMIN!, 1, OPERATOR!);
  c.grantRole(ADMIN!, 2, GUARDIAN!);
  c.grantRole(ADMIN!, 3, REPORTER!);
  const pol = { incrementBlocks: 2, incrementBps: 2500, minSamples: 1, minSuccessCount: 1n, progressDeadlineBlocks: 50 };
  for (const n of ["dis", "can", "canp", "roll", "rollp", "ena", "rb", "held"]) c.createFeature(OPERATOR!, n, n, pol);
  for (const n of ["can", "canp", "roll", "rollp", "rb", "held"]) {
    c.startCanary(OPERATOR!, n, 500);
    c.recordBatch(REPORTER!, n, 5, 0);
  }
  c.pause(GUARDIAN!, "canp");
  c.startRollout(OPERATOR!, "roll", 10000);
  c.startRollout(OPERATOR!, "rollp", 9000);
  c.pause(GUARDIAN!, "rollp");
  c.startRollout(OPERATOR!, "held", 3000);
  c.enable(OPERATOR!, "ena");
  c.rollback(GUARDIAN!, "rb", 0);
  c.setOverride(OPERATOR!, "can", OUTSIDER!, 1);
  chain.endBlock();
  for (let h = 2; h <= 6; h++) {
    chain.beginBlock(h);
    c.recordBatch(REPORTER!, "roll", 3, 0);
    c.recordBatch(REPORTER!, "held", 3, 0);
    chain.endBlock();
  }
  const f = (n: string) => c.getFeature(n, { height: 6 })!;
  expect([f("dis").status, f("can").status, f("canp").paused, f("roll").status, f("rollp").paused, f("ena").status, f("rb").status, f("held").status]).toEqual([0, 1, true, 2, true, 3, 4, 1]);
  expect(f("held").rolloutBps).toBe(3000);
  return { store: chain.store as MemoryStore, height: 6 };
}

