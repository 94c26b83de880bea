// The replay library: every shipped scenario holds, runs are reproducible, output records
// are exactly REPLAY.md's, expectations report what failed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LINE_FIELDS, type ReplayLine, type TxLine } from "../../src/replay/lines.ts";
import { ModuleError } from "../../src/replay/module.ts";
import { replay, type BlocksMode, type ReplayResult } from "../../src/replay/replay.ts";
import { loadScenario, type Scenario } from "../../src/replay/scenario.ts";
import { meteredWasm } from "../helpers/paths.ts";
import { fixturePath, releaseWasm, scenarioFiles, scenarioPath } from "./helpers.ts";

function run(s: Scenario, blocks: BlocksMode = "changed"): { result: ReplayResult; lines: ReplayLine[] } {
  const lines: ReplayLine[] = [];
  const result = replay(s, { wasm: releaseWasm(), blocks, onLine: (l) => lines.push(l) });
  return { result, lines };
}

const flagship = () => loadScenario(scenarioPath("vita-recovery-rollout.yaml"));

describe("the scenarios in scenarios/", () => {
  it("are there", () => {
    expect(scenarioFiles()).toEqual(
      expect.arrayContaining([
        "bad-feature-error-rate.yaml",
        "comparative-shared-outage.yaml",
        "explicit-steps.yaml",
        "global-halt-resume.yaml",
        "held-canary-25.yaml",
        "invariant-violation.yaml",
        "threshold-vs-sequential.yaml",
        "vita-recovery-rollout.yaml",
      ]),
    );
  });

  for (const file of scenarioFiles()) {
    it(`${file} replays to its last height with every expectation holding`, () => {
      const s = loadScenario(scenarioPath(file));
      const { result } = run(s);
      const failed = result.expectations.filter((e) => !e.ok);
      expect(failed, failed.map((e) => `${e.height} ${e.what}: got ${e.got}`).join("\n")).toEqual([]);
      expect(result.expectations.length).toBeGreaterThan(0);
      expect(result.summary.blocks).toBe(s.until);
      expect(result.summary.expectFailed).toBe(0);
      // Every fault of the scenario's own transactions was asked for by an expectation.
      expect(result.faults.filter((f) => !f.expected)).toEqual([]);
    }, 60_000);
  }
});

describe("reproducibility", () => {
  it("two replays of one scenario end in the same summary and state root", () => {
    const a = run(flagship(), "all");
    const b = run(flagship(), "all");
    expect(b.result.summary).toEqual(a.result.summary);
    expect(a.result.summary.stateRoot).toMatch(/^[0-9a-f]{64}$/);
    // And the same transcript, line for line.
    expect(JSON.stringify(b.lines)).toBe(JSON.stringify(a.lines));
  }, 60_000);

  it("a different seed gives different traffic, hence another state root", () => {
    const s = flagship();
    const other = run({ ...s, seed: 43 }).result.summary;
    expect(other.stateRoot).not.toBe(run(s).result.summary.stateRoot);
  }, 60_000);

  it("matches the golden summary stored beside the flagship scenario (UPDATE_GOLDEN=1 rewrites it)", () => {
    const golden = scenarioPath("vita-recovery-rollout.golden.json");
    const summary = run(flagship()).result.summary;
    const text = JSON.stringify(summary, null, 2) + "\n";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, text);
    expect(existsSync(golden), `${golden} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/replay`).toBe(true);
    expect(JSON.parse(readFileSync(golden, "utf8"))).toEqual(JSON.parse(text));
  }, 60_000);
});

describe("--json records", () => {
  it("have exactly REPLAY.md's field names, in order, for every type", () => {
    const { lines } = run(loadScenario(fixturePath("false-expectation.yaml")), "all");
    const seen = new Set<string>();
    for (const l of lines) {
      seen.add(l.type);
      expect(Object.keys(JSON.parse(JSON.stringify(l)))).toEqual(LINE_FIELDS[l.type]);
    }
    expect([...seen].sort()).toEqual(["block", "expect", "summary", "tx"]);
  });

  it("come in REPLAY.md's order: per height tx lines, the block line, expect lines; the summary last", () => {
    const { lines } = run(loadScenario(fixturePath("small.yaml")), "all");
    const rank = { tx: 0, block: 1, expect: 2, summary: 3 } as const;
    let last: [number, number] = [0, -1];
    lines.forEach((l, i) => {
      if (l.type === "summary") {
        expect(i).toBe(lines.length - 1);
        return;
      }
      const at: [number, number] = [l.height, rank[l.type]];
      expect(at[0] > last[0] || (at[0] === last[0] && at[1] >= last[1]), `line ${i}: ${JSON.stringify(l)}`).toBe(true);
      last = at;
    });
  });

  it("tx lines carry the alias, the error name, the decoded result and display-form events", () => {
    const { lines } = run(loadScenario(scenarioPath("held-canary-25.yaml")));
    const txs = lines.filter((l): l is TxLine => l.type === "tx");
    expect(txs[0]).toEqual({
      type: "tx",
      height: 1,
      index: 0,
      sender: "committee",
      method: "grantRole",
      ok: true,
      code: 0,
      error: null,
      result: null,
      events: [{ name: "RoleChanged", data: { role: "Operator", account: "0x00000000000000000000000000000000000000c2", granted: true } }],
      gas: null, // the release module is unmetered
    });
    const batch = txs.find((l) => l.method === "recordBatch")!;
    expect(batch).toMatchObject({ height: 2, index: 0, sender: "monitor", ok: true, error: null, events: [] });
  });

  it("a failed tx line names the SPEC error", () => {
    const { lines } = run(loadScenario(scenarioPath("bad-feature-error-rate.yaml")));
    const failed = lines.find((l) => l.type === "tx" && !l.ok);
    expect(failed).toMatchObject({ type: "tx", height: 100, index: 0, sender: "ops", method: "startRollout", ok: false, code: 8, error: "InvalidTransition", result: null, events: [] });
  });

  it("a view in txs runs read-only and its tx line carries the decoded result", () => {
    const s = loadScenario(fixturePath("small.yaml"));
    s.blocks[1]!.txs.push({ sender: s.accounts.ops!, senderLabel: "ops", method: "getGlobal", args: {} });
    const { lines, result } = run(s);
    expect(lines.find((l) => l.type === "tx" && l.method === "getGlobal")).toMatchObject({ height: 20, index: 1, ok: true, result: { paused: false, halted: false } });
    expect(result.summary.faults).toBe(0);
  });

  it("the summary gives blocks, txs, faults, expectFailed, the state root, final features and exposure", () => {
    const { result, lines } = run(loadScenario(scenarioPath("bad-feature-error-rate.yaml")));
    const s = lines[lines.length - 1]!;
    expect(s).toBe(result.summary);
    expect(result.summary).toMatchObject({ type: "summary", blocks: 400, faults: 1, expectFailed: 0 });
    expect(result.summary.txs).toBe(lines.filter((l) => l.type === "tx").length);
    expect(result.summary.features).toEqual([expect.objectContaining({ name: "fast_sync", status: "RolledBack", rollbackReason: "ErrorRate", createdBy: "0x00000000000000000000000000000000000000c2" })]);
    const [e] = result.summary.exposure;
    // REPLAY.md's four (after the feature), then the baseline's two (Revision 2).
    expect(Object.keys(e!)).toEqual(["feature", "calls", "exposedCalls", "exposedAccounts", "exposedErrors", "unexposedCalls", "unexposedErrors"]);
    expect(e!.unexposedCalls).toBe(e!.calls - e!.exposedCalls);
    expect(e).toMatchObject({ feature: "fast_sync", calls: 399 * 200 });
    expect(e!.exposedAccounts).toBeLessThanOrEqual(e!.exposedCalls);
    expect(e!.exposedErrors).toBeGreaterThan(0);
  });
});

describe("--blocks", () => {
  const s = () => loadScenario(fixturePath("small.yaml"));
  const blockLines = (mode: BlocksMode) => run(s(), mode).lines.filter((l) => l.type === "block");

  it("all: one block line per height 1..until", () => {
    expect(blockLines("all").map((l) => l.height)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("changed (the default): only blocks whose state changed, each with the state root after it", () => {
    const all = blockLines("all");
    const changed = blockLines("changed");
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(all.length);
    let prev = "";
    for (const b of all) {
      const isChanged = changed.some((c) => c.height === b.height);
      expect(isChanged, `height ${b.height}`).toBe(b.stateRoot !== prev);
      prev = b.stateRoot;
    }
  });

  it("none: no block lines, same summary", () => {
    expect(blockLines("none")).toEqual([]);
    expect(run(s(), "none").result.summary).toEqual(run(s(), "all").result.summary);
  });

  it("block lines carry onPersist's events (a step), tx lines the transactions'", () => {
    const step = blockLines("changed").find((b) => b.height === 30)!;
    expect(step.events).toEqual([{ name: "RolloutAdvanced", data: { name: "small_feature", fromBps: 2000, toBps: 3000 } }]);
  });
});

describe("expectations", () => {
  it("a false one fails with its height, what, expected and got; the replay still runs to the end", () => {
    const { result, lines } = run(loadScenario(fixturePath("false-expectation.yaml")));
    expect(result.summary.expectFailed).toBe(1);
    expect(result.summary.blocks).toBe(40);
    const failed = result.expectations.filter((e) => !e.ok);
    expect(failed).toEqual([
      {
        height: 30,
        ok: false,
        what: "getFeature small_feature status=RollingOut rolloutBps=5000",
        expected: "status=RollingOut rolloutBps=5000",
        got: "status=RollingOut rolloutBps=3000",
      },
    ]);
    expect(lines.filter((l) => l.type === "expect")).toEqual([
      { type: "expect", height: 30, ok: false, what: "getFeature small_feature status=RollingOut rolloutBps=5000 (got status=RollingOut rolloutBps=3000)" },
      { type: "expect", height: 30, ok: true, what: "getFeature small_feature status=RollingOut" },
    ]);
  });

  it("tx, fault and event expectations say what happened instead", () => {
    const s = loadScenario(fixturePath("small.yaml"));
    s.blocks[1]!.expect = [
      { kind: "fault", tx: 0, code: 8, codeName: "InvalidTransition", what: "tx 0 startRollout fault InvalidTransition" },
      { kind: "tx", tx: 0, ok: false, what: "tx 0 startRollout fails" },
      { kind: "event", event: "StatusChanged", match: { to: 3 }, what: "event StatusChanged to=Enabled" },
      { kind: "event", event: "PolicyUpdated", what: "event PolicyUpdated" },
    ];
    const got = run(s).result.expectations.filter((e) => e.height === 20).map((e) => [e.ok, e.got]);
    expect(got).toEqual([
      [false, "ok"],
      [false, "ok"],
      [false, "StatusChanged to=RollingOut"],
      [false, "no PolicyUpdated event at height 20"],
    ]);
  });

  it("a view match on None and on a view that fails", () => {
    const s = loadScenario(fixturePath("small.yaml"));
    s.blocks[0]!.expect = [
      { kind: "view", view: "getFeature", args: { name: "nope" }, match: null, what: "getFeature nope = None" },
      { kind: "view", view: "getHistory", args: { name: "small_feature", fromSeq: 0, limit: 0 }, match: [], what: "getHistory small_feature 0 0 = []" },
    ];
    const [none, failing] = run(s).result.expectations;
    expect(none).toMatchObject({ ok: true, got: "None" });
    expect(failing).toMatchObject({ ok: false, got: "the view failed: LimitExceeded" });
  });
});

describe("traffic through the contract", () => {
  it("reports one recordBatch per block with exposed calls, after the scenario's txs, and none when nothing was exposed", () => {
    const { lines } = run(loadScenario(scenarioPath("global-halt-resume.yaml")));
    const batches = lines.filter((l): l is TxLine => l.type === "tx" && l.method === "recordBatch");
    const perHeight = new Map<number, number>();
    for (const b of batches) perHeight.set(b.height, (perHeight.get(b.height) ?? 0) + 1);
    expect(Math.max(...perHeight.values())).toBe(1);
    // Halted during 100..249: nobody exposed, nothing reported.
    expect([...perHeight.keys()].filter((h) => h >= 100 && h < 250)).toEqual([]);
    expect(perHeight.has(99) && perHeight.has(250)).toBe(true);
    // At 250 the resume comes first (index 0), then the report.
    expect(batches.find((b) => b.height === 250)).toMatchObject({ index: 1, sender: "monitor" });
  });

  it("counts exposure per feature: exposed share near rolloutBps, distinct accounts, errors", () => {
    const { result } = run(loadScenario(scenarioPath("held-canary-25.yaml")));
    const [e] = result.exposure;
    expect(e!.calls).toBe(799 * 200);
    // 5 % for 299 blocks, 15 % for 100, 25 % for 400: about 16 % of calls.
    const expected = (299 * 0.05 + 100 * 0.15 + 400 * 0.25) * 200;
    expect(Math.abs(e!.exposedCalls - expected) / expected).toBeLessThan(0.05);
  });

  it("sends a recordLatency after the batch when latency is given", () => {
    const { lines } = run(flagship());
    const at2 = lines.filter((l) => l.type === "tx" && l.height === 2);
    expect(at2.map((l) => (l.type === "tx" ? l.method : ""))).toEqual(["recordBatch", "recordLatency"]);
  }, 60_000);
});

describe("report: cohorts (Revision 2)", () => {
  const cohorts = () => loadScenario(fixturePath("cohorts.yaml"));

  it("sends one recordCohorts per block with exposed calls, whose counts are that block's two cohorts", () => {
    const { result, lines } = run(cohorts());
    const reports = lines.filter((l): l is TxLine => l.type === "tx" && l.sender === "monitor");
    expect(new Set(reports.map((l) => l.method))).toEqual(new Set(["recordCohorts"]));
    expect(reports.every((l) => l.ok)).toBe(true);
    expect(new Set(reports.map((l) => l.height)).size).toBe(reports.length); // one per block
    expect(reports.length).toBe(59); // at 50 % of 100 calls, every block 2..60 has exposed calls
    // The contract counted exactly what the traffic produced: canary = exposed, baseline = unexposed.
    const [e] = result.exposure;
    const v = result.features[0]!.view;
    expect(v.status).toBe(1); // a held Canary: no rollout started
    expect(Number(v.runSuccesses + v.runErrors)).toBe(e!.exposedCalls);
    expect(Number(v.runErrors)).toBe(e!.exposedErrors);
    expect(Number(v.baseSuccesses + v.baseErrors)).toBe(e!.unexposedCalls);
    expect(Number(v.baseErrors)).toBe(e!.unexposedErrors);
    expect(result.summary.exposure[0]).toMatchObject({ unexposedCalls: e!.unexposedCalls, unexposedErrors: e!.unexposedErrors });
  });

  it("is reproducible: the same transcript and state root twice", () => {
    const a = run(cohorts(), "all");
    const b = run(cohorts(), "all");
    expect(JSON.stringify(b.lines)).toBe(JSON.stringify(a.lines));
  });

  it("the same traffic reported as a batch counts no baseline (and draws the same calls)", () => {
    const s = cohorts();
    const batch = run({ ...s, traffic: s.traffic.map((t) => ({ ...t, report: "batch" as const })) }).result;
    const coh = run(s).result;
    const v = batch.features[0]!.view;
    expect(v.baseSuccesses + v.baseErrors).toBe(0n);
    expect(batch.exposure).toEqual(coh.exposure);
  });
});

describe("refusals", () => {
  it("a module that is not a contract is refused before anything runs", () => {
    expect(() => replay(loadScenario(fixturePath("small.yaml")), { wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) })).toThrow(ModuleError);
    expect(() => replay(loadScenario(fixturePath("small.yaml")), { wasm: new Uint8Array([1, 2, 3]) })).toThrow(/not a loadable contract module/);
  });
});

describe("gas (docs/GAS.md)", () => {
  const metered = () => meteredWasm().slice();
  const runMetered = (s: Scenario) => {
    const lines: ReplayLine[] = [];
    const result = replay(s, { wasm: metered(), onLine: (l) => lines.push(l) });
    return { result, lines };
  };

  it("on the metered module every tx line carries its gas, the same on every run, and the run ends at the unmetered run's state root", () => {
    const a = runMetered(loadScenario(fixturePath("small.yaml")));
    const b = runMetered(loadScenario(fixturePath("small.yaml")));
    const gasA = a.lines.filter((l): l is TxLine => l.type === "tx").map((l) => l.gas);
    expect(gasA.length).toBeGreaterThan(0);
    for (const g of gasA) expect(g).toBeGreaterThan(0);
    expect(b.lines.filter((l): l is TxLine => l.type === "tx").map((l) => l.gas)).toEqual(gasA);
    expect(a.result.summary.stateRoot).toBe(run(loadScenario(fixturePath("small.yaml"))).result.summary.stateRoot);
    const methods = a.result.gas.map((g) => g.method);
    expect(methods).toEqual(expect.arrayContaining(["createFeature", "grantRole", "recordBatch", "startCanary", "startRollout"]));
    const batch = a.result.gas.find((g) => g.method === "recordBatch")!;
    expect(batch.min).toBeLessThanOrEqual(batch.mean);
    expect(batch.mean).toBeLessThanOrEqual(batch.max);
  });

  it("a transaction whose gas limit is too small FAULTs with OutOfGas, and `fault: OutOfGas` expects exactly that", () => {
    const s = loadScenario(fixturePath("small.yaml"));
    s.blocks[0]!.txs[2]!.gasLimit = 1000; // createFeature needs about 15,000
    s.blocks[0]!.expect = [{ kind: "fault", tx: 2, code: -1, codeName: "OutOfGas", what: "tx 2 fault OutOfGas" }];
    s.blocks = s.blocks.slice(0, 1);
    s.traffic = [];
    const { result, lines } = runMetered(s);
    const line = lines.find((l): l is TxLine => l.type === "tx" && l.method === "createFeature")!;
    expect(line).toMatchObject({ ok: false, code: -1, error: "OutOfGas", gas: 1000 });
    expect(result.expectations.every((e) => e.ok)).toBe(true);
    expect(result.summary.features).toEqual([]);
  });

  it("a scenario-wide gasLimit applies to every transaction, the traffic reporter's included", () => {
    const s = loadScenario(fixturePath("small.yaml"));
    s.gasLimit = 1000;
    const { result } = runMetered(s);
    expect(result.faults.length).toBe(result.summary.txs);
    expect(result.faults.every((f) => f.error === "OutOfGas")).toBe(true);
  });
});
