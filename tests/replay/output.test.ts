// The human closing table, failure messages, chunked --json writing and the progress bar.
import { describe, expect, it } from "vitest";
import { ChunkedWriter, ProgressBar, failureMessage, formatHuman, table } from "../../src/replay/output.ts";
import { replay } from "../../src/replay/replay.ts";
import { loadScenario } from "../../src/replay/scenario.ts";
import { fixturePath, releaseWasm, scenarioPath } from "./helpers.ts";

describe("the closing table", () => {
  it("shows per feature the final status, bps, steps and rollbacks with reason and height", () => {
    const r = replay(loadScenario(scenarioPath("threshold-vs-sequential.yaml")), { wasm: releaseWasm() });
    const text = formatHuman(r);
    expect(text).toMatch(/^threshold-vs-sequential — seed 2024, heights 1\.\.1500\n/);
    expect(text).toMatch(/healthy_sequential +Enabled +10000 +10000 +10 +300, 400, 500, 600, …, 1200 +—/);
    expect(text).toMatch(/healthy_threshold +RolledBack +0 +10000 +8 .* ErrorRate at 1001/);
    expect(text).toMatch(/bad_threshold +RolledBack .* ErrorRate at 11/);
    expect(text).toContain("h 1200    RollingOut → Enabled at 10000 bps  (onPersist)");
    expect(text).toContain("h 1001    RollingOut → RolledBack at 0 bps, ErrorRate  (monitor)");
    expect(text).toMatch(/exposure \(synthetic traffic\)\n +feature +calls +exposed +accounts +errors +error rate +old path/);
    expect(text).toMatch(/bad_threshold +299,800 +105 +105 +5 +4\.76 %/);
    expect(text).toMatch(/healthy_comparative +Enabled +10000 +10000 +10 /);
    expect(text).toMatch(/bad_comparative +RolledBack .* ErrorRate at 14/);
    expect(text).toContain("expectations: 10 passed, 0 failed");
  }, 60_000);

  it("lists failed expectations and the scenario's faults", () => {
    const s = loadScenario(fixturePath("false-expectation.yaml"));
    s.blocks[1]!.txs.push({ sender: s.accounts.ops!, senderLabel: "ops", method: "enable", args: { name: "nope" } });
    const text = formatHuman(replay(s, { wasm: releaseWasm() }));
    expect(text).toContain("expectations: 1 passed, 1 failed\n  ✗ h 30: getFeature small_feature status=RollingOut rolloutBps=5000\n      expected status=RollingOut rolloutBps=5000\n      got      status=RollingOut rolloutBps=3000");
    expect(text).toContain("faults: 1\n  h 20 tx 1 enable by ops: FeatureNotFound\n");
  });

  it("aligns columns and right-aligns numbers", () => {
    expect(table([["a", "n"], ["long", "5"], ["b", "12,345"]], "")).toBe("a     n\nlong       5\nb     12,345");
  });
});

describe("failure messages", () => {
  it("say height, what, expected and got", () => {
    expect(failureMessage({ height: 3, ok: false, what: "tx 0 enable ok", expected: "ok", got: "fault InvalidTransition" })).toBe(
      "expectation failed at height 3: tx 0 enable ok\n  expected ok\n  got      fault InvalidTransition\n",
    );
  });
});

describe("ChunkedWriter", () => {
  it("writes whole lines in chunks, and the rest on flush", () => {
    const writes: string[] = [];
    const w = new ChunkedWriter((t) => writes.push(t), 10);
    w.line("abcd");
    w.line("efgh");
    expect(writes).toEqual(["abcd\nefgh\n"]);
    w.line("x");
    w.flush();
    w.flush();
    expect(writes).toEqual(["abcd\nefgh\n", "x\n"]);
  });
});

describe("ProgressBar", () => {
  it("stays silent for short runs", () => {
    const out: string[] = [];
    const bar = new ProgressBar((t) => out.push(t), 10, 10_000);
    bar.update(50, 100);
    bar.done();
    expect(out).toEqual([]);
  });

  it("draws on one line and erases itself for long ones", () => {
    const out: string[] = [];
    const bar = new ProgressBar((t) => out.push(t), 10, 0);
    bar.update(50, 100);
    bar.done();
    expect(out[0]).toMatch(/^\r\[#####-----\]  50 %  height 50\/100/);
    expect(out[1]).toBe("\r\x1b[2K");
  });
});
