// The real `canary` launcher (bin/canary.js, tsx registered) as a child process: what a user
// runs. The in-process tests (cli.test.ts) cover the rest.
import { describe, expect, it } from "vitest";
import { canary } from "../replay/helpers.ts";

describe("bin/canary.js", () => {
  it("replays the flagship scenario with exit 0", () => {
    const r = canary(["replay", "scenarios/vita-recovery-rollout.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/vita_recovery_v2 +Enabled +10000 +10000 +10 /);
    expect(r.stdout).toContain("expectations: 10 passed, 0 failed");
  }, 120_000);

  it("prints the same summary line as the golden transcript with --json --blocks none", () => {
    const r = canary(["replay", "scenarios/vita-recovery-rollout.yaml", "--json", "--blocks", "none"]);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trimEnd().split("\n").at(-1)!);
    expect(summary.type).toBe("summary");
    // Same state root twice through the real CLI.
    const again = JSON.parse(canary(["replay", "scenarios/vita-recovery-rollout.yaml", "--json", "--blocks", "none"]).stdout.trimEnd().split("\n").at(-1)!);
    expect(again).toEqual(summary);
  }, 120_000);

  it("exits 1 naming the failed expectation", () => {
    const r = canary(["replay", "tests/replay/fixtures/false-expectation.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("expectation failed at height 30: getFeature small_feature status=RollingOut rolloutBps=5000");
  }, 120_000);

  it("exits 2 naming the path of an invalid scenario", () => {
    const r = canary(["replay", "tests/replay/fixtures/invalid-bps.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("blocks[1].txs[0].args.bps");
  }, 120_000);

  it("exits 2 naming the path of a policy's analysis written wrong, and what was expected", () => {
    const r = canary(["replay", "tests/cli/fixtures/invalid-analysis.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("tests/cli/fixtures/invalid-analysis.yaml:13: blocks[0].txs[1].args.policy.analysis.sequential.p1: expected a probability strictly between 0 and 1 (0.01 = 1 %, not bps), got number 200");
  }, 120_000);

  it("canary bucket vita_recovery_v2 0x00…00 prints 6765", () => {
    const r = canary(["bucket", "vita_recovery_v2", "0x0000000000000000000000000000000000000000"]);
    expect(r).toEqual({ status: 0, stdout: "6765\n", stderr: "" });
  }, 120_000);
});
