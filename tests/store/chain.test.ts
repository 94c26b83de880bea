// A contract chain on a LevelStore: resume at the stored height, and crash safety with a real
// child process killed by SIGKILL mid-replay.

import path from "node:path";
import { describe, expect, it } from "vitest";
import { CanaryClient } from "../../src/client/index.ts";
import { stateRoot } from "../../src/host/stateRoot.ts";
import { ChainStoreError, LevelStore } from "../../src/store/index.ts";
import { spawnChild, tempDir, waitFor } from "./_helpers.ts";
import { memoryRoots, newChain, runWorkloadBlock } from "./_workload.ts";

const UNTIL = 1500;
const roots = memoryRoots(UNTIL);

describe("resume", () => {
  it("a chain persisted to height h reopens at h with the same root and continues from h + 1 as an uninterrupted run", async () => {
    const dir = path.join(tempDir(), "db");
    let store = await LevelStore.open(dir, { create: true });
    let chain = newChain(store);
    for (let h = 0; h <= 120; h++) await store.commitBlock(runWorkloadBlock(chain, h));
    expect(store.stateRoot).toBe(roots[120]);
    await store.close();

    store = await LevelStore.open(dir);
    expect(store.height).toBe(120);
    expect(store.stateRoot).toBe(roots[120]);
    expect(stateRoot(store)).toBe(roots[120]);
    chain = newChain(store);
    expect(chain.stateRoot()).toBe(roots[120]);
    // the contract reads the persisted state through its own views
    const client = new CanaryClient(chain, { height: store.height });
    expect(client.listAllFeatures().map((f) => f.name)).toEqual(["feat_0", "feat_1", "feat_2", "feat_3", "feat_4", "feat_5", "feat_6"]);

    // blocks at or below the stored height are refused before anything runs
    for (const h of [0, 120]) {
      expect(() => store.checkNextHeight(h)).toThrow(ChainStoreError);
      expect(() => store.checkNextHeight(h)).toThrow(`block ${h} is at or below the stored height 120`);
    }
    // and a block re-run anyway is refused at commit, its writes undone, nothing re-applied
    const before = stateRoot(store);
    const again = runWorkloadBlock(chain, 121); // the chain itself only knows heights it ran
    await store.commitBlock(again);
    const stale = runWorkloadBlock(newChain(store), 100);
    const err = await store.commitBlock(stale).catch((e: unknown) => e);
    expect((err as ChainStoreError).code).toBe("HEIGHT");
    expect(store.height).toBe(121);
    expect(stateRoot(store)).toBe(roots[121]);
    expect(before).toBe(roots[120]);

    chain = newChain(store);
    for (let h = 122; h <= 200; h++) {
      const br = runWorkloadBlock(chain, h);
      expect(br.stateRoot).toBe(roots[h]);
      await store.commitBlock(br);
    }
    await store.close();
    store = await LevelStore.open(dir);
    try {
      expect(store.height).toBe(200);
      expect(store.stateRoot).toBe(roots[200]);
      let n = 0;
      for await (const b of store.blocks()) {
        expect(b.stateRoot).toBe(roots[b.height]);
        n++;
      }
      expect(n).toBe(201);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe("crash safety", () => {
  // Kill points: early, mid and late in the run, each after at least that many commits.
  for (const killAfter of [40, 400, 900]) {
    it(`a replay killed with SIGKILL after ≥ ${killAfter} commits reopens at its last committed block with the uninterrupted run's root`, async () => {
      const dir = path.join(tempDir("crash"), "db");
      const run = spawnChild("_crash_child.ts", [dir, String(UNTIL)]);
      await waitFor(run.lines, (l) => l.length >= killAfter, 60_000, `${killAfter} commits`, run.stderr);
      // Kill while it is writing: a short random delay lands the signal anywhere in a block.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 7)));
      run.child.kill("SIGKILL");
      const { signal } = await run.exited;
      expect(signal).toBe("SIGKILL");
      expect(run.lines).not.toContain("done");
      const printed = Number(run.lines.filter((l) => l.startsWith("committed ")).at(-1)!.split(" ")[1]);

      let store = await LevelStore.open(dir);
      try {
        // Everything acknowledged is there; at most the block in flight may be too.
        expect(store.height).toBeGreaterThanOrEqual(printed);
        expect(store.height).toBeLessThanOrEqual(printed + 1);
        expect(store.stateRoot).toBe(roots[store.height]);
        expect(stateRoot(store)).toBe(roots[store.height]);
        const b = await store.block(store.height);
        expect(b!.stateRoot).toBe(roots[store.height]);
        expect(await store.block(store.height + 1)).toBeUndefined();
      } finally {
        await store.close();
      }

      // Resuming finishes the replay with the uninterrupted run's final root.
      const rest = spawnChild("_crash_child.ts", [dir, String(UNTIL)]);
      const done = await rest.exited;
      expect(done.code, rest.stderr()).toBe(0);
      expect(rest.lines.at(-1)).toBe("done");
      store = await LevelStore.open(dir);
      try {
        expect(store.height).toBe(UNTIL);
        expect(store.stateRoot).toBe(roots[UNTIL]);
      } finally {
        await store.close();
      }
    }, 120_000);
  }
});
