// `canary replay FILE --db DIR` and `canary inspect --db DIR [FEATURE]`: persisting, continuing
// from the stored height, refusals, and a real SIGKILL of a persisting replay.

import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp.ts";
import { replay } from "../../src/replay/replay.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { LevelStore } from "../../src/store/index.ts";
import { ROOT, releaseWasm } from "../replay/helpers.ts";
import { spawnChild, waitFor } from "../store/_helpers.ts";
import { cli } from "./helpers.ts";

const tmp = tempDir("db");
let n = 0;
const newDir = () => path.join(tmp, `db${n++}`);
const fixture = (name: string) => path.join("tests", "cli", "fixtures", name);

/** The scenario replayed in memory (optionally cut at `until`): its summary. */
function memory(name: string, until?: number) {
  const sc = loadScenario(path.join(ROOT, fixture(name)));
  if (until !== undefined) sc.until = until;
  return replay(sc, { wasm: releaseWasm() });
}

async function stored(dir: string): Promise<{ height: number; stateRoot: string; roots: Map<number, string> }> {
  const s = await LevelStore.open(dir);
  try {
    const roots = new Map<number, string>();
    for await (const b of s.blocks()) roots.set(b.height, b.stateRoot);
    return { height: s.height, stateRoot: s.stateRoot, roots };
  } finally {
    await s.close();
  }
}

const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as { type: string; stateRoot: string; blocks: number };

describe("canary replay --db", () => {
  it("persists the chain: height, state root and every block's root, equal to the in-memory replay", async () => {
    const dir = newDir();
    const r = await cli(["replay", fixture("staged-full.yaml"), "--db", dir, "--json", "--blocks", "all"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; height: number; stateRoot: string });
    const summary = lines.at(-1)!;
    expect(summary.stateRoot).toBe(memory("staged-full.yaml").summary.stateRoot);
    expect(r.stderr).toMatch(/db: .* — blocks 0\.\.300 committed; height 300, state root [0-9a-f]{64}/);
    const s = await stored(dir);
    expect(s.height).toBe(300);
    expect(s.stateRoot).toBe(summary.stateRoot);
    expect(s.roots.size).toBe(301);
    for (const l of lines) if (l.type === "block") expect(s.roots.get(l.height), `block ${l.height}`).toBe(l.stateRoot);
  }, 60_000);

  it("continues an existing DIR from its stored height: two stages give the whole scenario's roots", async () => {
    const dir = newDir();
    const one = await cli(["replay", fixture("staged-1.yaml"), "--db", dir, "--json"]);
    expect(one.status, one.stderr).toBe(0);
    expect((await stored(dir)).height).toBe(120);
    const two = await cli(["replay", fixture("staged-2.yaml"), "--db", dir, "--json"]);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stderr).toContain("blocks 121..300 (continued from height 120) committed; height 300");
    const full = memory("staged-full.yaml");
    expect(summaryOf(two.stdout).stateRoot).toBe(full.summary.stateRoot);
    expect(summaryOf(two.stdout).blocks).toBe(180);
    const s = await stored(dir);
    expect(s.stateRoot).toBe(full.summary.stateRoot);
    for (const h of [0, 1, 20, 120, 121, 150, 200, 300]) expect(s.roots.get(h), `block ${h}`).toBe(memory("staged-full.yaml", h).summary.stateRoot);
  }, 60_000);

  it("refuses a scenario whose blocks lie at or below the stored height (exit 2); nothing is re-applied", async () => {
    const dir = newDir();
    expect((await cli(["replay", fixture("staged-1.yaml"), "--db", dir])).status).toBe(0);
    const before = await stored(dir);
    const r = await cli(["replay", fixture("staged-full.yaml"), "--db", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`holds a chain up to height 120; ${fixture("staged-full.yaml")} would re-apply blocks at or below it, and committed blocks are never re-applied (nothing ran)`);
    expect(r.stderr).toContain("blocks[0].height: block 1 is at or below the stored height 120");
    expect(r.stderr).toContain("blocks[1].height: block 20 is at or below the stored height 120");
    expect(r.stderr).not.toContain("blocks[2]");
    const again = await cli(["replay", fixture("staged-1.yaml"), "--db", dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("until: until 120 is at or below the stored height 120: nothing is left to replay");
    expect(await stored(dir)).toEqual(before);
  }, 60_000);

  it("refuses a directory that is not a chain store, and leaves it as it was (exit 2)", async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    const r = await cli(["replay", fixture("staged-1.yaml"), "--db", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a chain store .*nothing was changed/);
    expect(r.stderr).toContain("→ give --db a new or empty directory");
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("refuses a DIR another process has open: 'database DIR is in use by another process' (exit 2)", async () => {
    const dir = newDir();
    const holder = spawnChild("_hold_child.ts", [dir]);
    try {
      await waitFor(holder.lines, (l) => l.some((x) => x.startsWith("open")), 30_000, "the holder", holder.stderr);
      const r = await cli(["replay", fixture("staged-1.yaml"), "--db", dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`database ${dir} is in use by another process`);
      const i = await cli(["inspect", "--db", dir]);
      expect(i.status).toBe(2);
      expect(i.stderr).toContain("is in use by another process");
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exited;
    }
  }, 60_000);

  it("a persisting replay killed with SIGKILL leaves DIR at a committed block; continuing it gives the uninterrupted root", async () => {
    const dir = newDir();
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "canary.js"), "replay", fixture("long.yaml"), "--db", dir, "--json", "--blocks", "all"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
    // --json output comes in 64 KiB chunks; a few chunks in, the replay is well under way.
    const until = Date.now() + 60_000;
    while (out.length < 200_000) {
      if (Date.now() > until) throw new Error(`the replay did not get going: ${err}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(out).not.toContain('"type":"summary"');

    const s = await stored(dir);
    expect(s.height).toBeGreaterThan(1);
    expect(s.height).toBeLessThan(2500);
    const cut = memory("long.yaml", s.height);
    expect(s.stateRoot).toBe(cut.summary.stateRoot);

    const rest = await cli(["replay", fixture("long-rest.yaml"), "--db", dir, "--json", "--blocks", "none"]);
    expect(rest.status, rest.stderr).toBe(0);
    expect(summaryOf(rest.stdout).stateRoot).toBe(memory("long.yaml").summary.stateRoot);
  }, 180_000);
});

describe("canary inspect --db", () => {
  const dir = path.join(tmp, "inspect");
  const ready = cli(["replay", fixture("staged-full.yaml"), "--db", dir, "--json", "--blocks", "none"]);

  it("shows the chain, the global state and every feature through the contract's views", async () => {
    expect((await ready).status).toBe(0);
    const r = await cli(["inspect", "--db", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("height 300, state root ");
    expect(r.stdout).toContain("global: paused no, halted no");
    expect(r.stdout).toMatch(/features \(2\)/);
    expect(r.stdout).toMatch(/^ {2}second_feature +Canary +100 /m);
    expect(r.stdout).toMatch(/^ {2}staged_feature +\w+ \(paused\)/m);
  }, 60_000);

  it("--json gives one object whose values equal the in-memory replay's views", async () => {
    await ready;
    const r = await cli(["inspect", "--db", dir, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { type: string; height: number; stateRoot: string; global: unknown; features: { name: string; status: string; metrics: { totalOperations: number } }[] };
    const mem = memory("staged-full.yaml");
    expect(o.type).toBe("chain");
    expect(o.height).toBe(300);
    expect(o.stateRoot).toBe(mem.summary.stateRoot);
    expect(o.global).toEqual({ paused: false, halted: false });
    expect(o.features.map(({ metrics: _m, ...f }) => f)).toEqual(mem.summary.features);
    expect(o.features.find((f) => f.name === "staged_feature")!.metrics.totalOperations).toBeGreaterThan(0);
  }, 60_000);

  it("FEATURE shows its view, metrics and whole history (text and --json)", async () => {
    await ready;
    const r = await cli(["inspect", "--db", dir, "staged_feature"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^staged_feature — staged/);
    expect(r.stdout).toContain("metrics (lifetime)");
    expect(r.stdout).toContain("policy");
    expect(r.stdout).toMatch(/history \(\d+ entries\)/);
    const j = await cli(["inspect", "--db", dir, "staged_feature", "--json"]);
    const o = JSON.parse(j.stdout) as { type: string; feature: { name: string; paused: boolean }; history: { block: number }[] };
    const mem = memory("staged-full.yaml").features.find((f) => f.view.name === "staged_feature")!;
    expect(o.type).toBe("feature");
    expect(o.feature.paused).toBe(true);
    expect(o.history.map((h) => h.block)).toEqual(mem.history.map((h) => h.block));
  }, 60_000);

  it("an unknown FEATURE, a missing DIR or no --db: exit 2 with what to do", async () => {
    await ready;
    const unknown = await cli(["inspect", "--db", dir, "nope"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no feature "nope"');
    expect(unknown.stderr).toContain("features there: second_feature, staged_feature");
    const missing = await cli(["inspect", "--db", path.join(tmp, "missing")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no chain store at");
    expect(missing.stderr).toContain("→ write one first: canary replay FILE --db DIR");
    expect(readdirSync(tmp)).not.toContain("missing");
    const none = await cli(["inspect"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("inspect needs --db DIR");
  }, 60_000);
});
