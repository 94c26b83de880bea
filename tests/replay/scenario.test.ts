// Scenario files: one schema for JSON and YAML, normalized for the replay, and every kind of
// invalid scenario refused before anything runs with the file, the path and what was expected.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ScenarioError, loadScenario, parseScenario } from "../../src/replay/scenario.ts";
import { fixturePath } from "./helpers.ts";

const SMALL = readFileSync(fixturePath("small.yaml"), "utf8");

/** The ScenarioError `text` raises (fails the test if it is accepted). */
function refusal(text: string, file = "s.yaml"): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

/** small.yaml with one substring replaced (which must occur). */
function variant(from: string, to: string): string {
  expect(SMALL).toContain(from);
  return SMALL.replace(from, to);
}

describe("valid scenarios", () => {
  it("takes a scenario gasLimit and a per-transaction gasLimit (docs/GAS.md)", () => {
    const s = parseScenario(SMALL.replace("until: 60", "until: 60\ngasLimit: 2000000").replace("{ sender: ops, method: startCanary,", "{ sender: ops, gasLimit: 50000, method: startCanary,"), "small.yaml");
    expect(s.gasLimit).toBe(2_000_000);
    expect(s.blocks[0]!.txs[3]!.gasLimit).toBe(50_000);
    expect(s.blocks[0]!.txs[2]!.gasLimit).toBeUndefined();
  });

  it("normalizes accounts to lower-case 0x-hex and keeps the alias for output", () => {
    const s = parseScenario(SMALL, "small.yaml");
    expect(s.admin).toBe("0x00000000000000000000000000000000000000a1");
    expect(s.adminLabel).toBe("admin");
    const tx = s.blocks[0]!.txs[0]!;
    expect(tx).toMatchObject({ sender: "0x00000000000000000000000000000000000000a1", senderLabel: "admin", method: "grantRole" });
    expect(tx.args).toEqual({ role: 1, account: "0x00000000000000000000000000000000000000a2" });
    expect(s.traffic[0]).toMatchObject({ reporter: "0x00000000000000000000000000000000000000a3", reporterLabel: "monitor" });
  });

  it("reads JSON with the same schema: enums by number or name, u64 as a decimal string", () => {
    const s = loadScenario(fixturePath("small.json"));
    expect(s.seed).toBe("one");
    expect(s.accounts.admin).toBe("0x00000000000000000000000000000000000000a1");
    const create = s.blocks[0]!.txs[0]!;
    expect((create.args.policy as Record<string, unknown>).seqInterceptPpm).toBe(4109731n);
    expect(s.blocks[0]!.expect[0]).toMatchObject({ kind: "view", match: { status: 1, policy: { analysis: 1 } } });
  });

  it("gives JSON and YAML of one scenario the same normalized form", () => {
    const yaml = parseScenario(SMALL, "small.yaml");
    const viaJson = parseScenario(JSON.stringify(parseYaml(SMALL)), "small.json");
    expect(viaJson).toEqual(yaml);
  });

  it("accepts enum values by number and accounts written as hex", () => {
    const s = parseScenario(variant("role: Operator, account: ops", 'role: 1, account: "0x00000000000000000000000000000000000000A2"'), "s.yaml");
    expect(s.blocks[0]!.txs[0]!.args).toEqual({ role: 1, account: "0x00000000000000000000000000000000000000a2" });
  });

  it("takes optional witnesses (an empty list sends an unsigned transaction)", () => {
    const s = parseScenario(variant("{ sender: ops, method: startCanary,", "{ sender: ops, witnesses: [], method: startCanary,"), "s.yaml");
    expect(s.blocks[0]!.txs[3]!.witnesses).toEqual([]);
    expect(s.blocks[0]!.txs[0]!.witnesses).toBeUndefined();
  });

  it("builds the expectation texts the expect lines print", () => {
    const s = parseScenario(SMALL, "small.yaml");
    expect(s.blocks[1]!.expect[0]!.what).toBe("tx 0 startRollout ok");
    expect(s.blocks[2]!.expect[0]!.what).toBe("event RolloutAdvanced fromBps=2000 toBps=3000");
  });
});

describe("invalid scenarios are refused with the file, the path and what was expected", () => {
  const cases: [string, string, string, RegExp][] = [
    ["an unknown alias", "role: Operator, account: ops", "role: Operator, account: opz", /^blocks\[0\]\.txs\[0\]\.args\.account$/],
    ["a bad enum name", "role: Operator", "role: operator", /^blocks\[0\]\.txs\[0\]\.args\.role$/],
    ["a bps of the wrong type", "bps: 2000", 'bps: "20 %"', /^blocks\[0\]\.txs\[3\]\.args\.bps$/],
    ["a bps out of u16 range", "bps: 2000", "bps: 70000", /^blocks\[0\]\.txs\[3\]\.args\.bps$/],
    ["an unknown method", "method: startCanary", "method: beginCanary", /^blocks\[0\]\.txs\[3\]\.method$/],
    ["onPersist (the host's, not a transaction)", "method: startCanary, args: { name: small_feature, bps: 2000 }", "method: onPersist, args: {}", /^blocks\[0\]\.txs\[3\]\.method$/],
    ["an unknown policy field", "minSamples: 10", "minSample: 10", /^blocks\[0\]\.txs\[2\]\.args\.policy\.minSample$/],
    ["an unknown argument", "bps: 2000 }", "bps: 2000, target: 1 }", /^blocks\[0\]\.txs\[3\]\.args\.target$/],
    ["a missing argument", "{ name: small_feature, bps: 2000 }", "{ name: small_feature }", /^blocks\[0\]\.txs\[3\]\.args\.bps$/],
    ["heights out of order", "height: 30", "height: 20", /^blocks\[2\]\.height$/],
    ["a height above until", "height: 30", "height: 61", /^blocks\[2\]\.height$/],
    ["height 0", "height: 1", "height: 0", /^blocks\[0\]\.height$/],
    ["a tx expectation without that tx", "{ tx: 0, ok: true }", "{ tx: 1, ok: true }", /^blocks\[1\]\.expect\[0\]\.tx$/],
    ["an unknown fault name", "{ tx: 0, ok: true }", "{ tx: 0, fault: Nope }", /^blocks\[1\]\.expect\[0\]\.fault$/],
    ["an unknown event", "event: RolloutAdvanced", "event: RolloutAdvance", /^blocks\[2\]\.expect\[0\]\.event$/],
    ["a match field the event does not have", "fromBps: 2000", "from: 2000", /^blocks\[2\]\.expect\[0\]\.match\.from$/],
    ["a shapeless expectation", "{ tx: 0, ok: true }", "{ height: 3 }", /^blocks\[1\]\.expect\[0\]$/],
    ["an unknown reporter", "reporter: monitor", "reporter: watcher", /^traffic\[0\]\.reporter$/],
    ["traffic past until", "to: 50", "to: 61", /^traffic\[0\]\.to$/],
    ["more calls per block than one isEnabledMany takes", "callsPerBlock: 50", "callsPerBlock: 2000", /^traffic\[0\]\.callsPerBlock$/],
    ["an error rate above 10000 bps", "exposed: 0,", "exposed: 10001,", /^traffic\[0\]\.errorRateBps\.exposed$/],
    ["a gas limit of 0", "{ sender: ops, method: startCanary,", "{ sender: ops, gasLimit: 0, method: startCanary,", /^blocks\[0\]\.txs\[3\]\.gasLimit$/],
    ["a scenario gas limit that is not an integer", "until: 60", "until: 60\ngasLimit: 1.5", /^gasLimit$/],
    ["an account that is not 20 bytes", '"0x00000000000000000000000000000000000000a2"', '"0x00a2"', /^accounts\.ops$/],
    ["an unknown top-level field", "until: 60", "until: 60\nuntill: 70", /^untill$/],
    ["a missing until", "until: 60\n", "", /^until$/],
    ["an unknown report kind", "reporter: monitor }", "reporter: monitor, report: both }", /^traffic\[0\]\.report$/],
    ["an outage ending before it starts", "reporter: monitor }", "reporter: monitor, outages: [{ from: 20, to: 10, addBps: 300 }] }", /^traffic\[0\]\.outages\[0\]\.to$/],
    ["an outage of 0 bps", "reporter: monitor }", "reporter: monitor, outages: [{ from: 10, to: 20, addBps: 0 }] }", /^traffic\[0\]\.outages\[0\]\.addBps$/],
    ["an outage outside the entry", "reporter: monitor }", "reporter: monitor, outages: [{ from: 40, to: 55, addBps: 300 }] }", /^traffic\[0\]\.outages\[0\]$/],
    ["an outage with an unknown field", "reporter: monitor }", "reporter: monitor, outages: [{ from: 10, to: 20, bps: 300 }] }", /^traffic\[0\]\.outages\[0\]\.(bps|addBps)$/],
    ["a regression with neither from nor afterExposedCalls", "reporter: monitor }", "reporter: monitor, regression: { exposedErrorRateBps: 500 } }", /^traffic\[0\]\.regression$/],
    ["a regression with both", "reporter: monitor }", "reporter: monitor, regression: { from: 10, afterExposedCalls: 5, exposedErrorRateBps: 500 } }", /^traffic\[0\]\.regression$/],
    ["a regression rate above 10000", "reporter: monitor }", "reporter: monitor, regression: { from: 10, exposedErrorRateBps: 20000 } }", /^traffic\[0\]\.regression\.exposedErrorRateBps$/],
    ["a regression after the entry", "reporter: monitor }", "reporter: monitor, regression: { from: 55, exposedErrorRateBps: 500 } }", /^traffic\[0\]\.regression\.from$/],
  ];

  for (const [kind, from, to, path] of cases) {
    it(`refuses ${kind}`, () => {
      const e = refusal(variant(from, to));
      expect(e.file).toBe("s.yaml");
      expect(e.problems.length).toBeGreaterThan(0);
      const p = e.problems[0]!;
      expect(p.path).toMatch(path);
      expect(p.message).toMatch(/expected|unknown/);
      expect(p.line).toBeGreaterThan(0);
      expect(e.message).toContain(`s.yaml:${p.line}: ${p.path}: `);
    });
  }

  it("says when a regression begins must be one of two things", () => {
    const p = refusal(variant("reporter: monitor }", "reporter: monitor, regression: { exposedErrorRateBps: 500 } }")).problems[0]!;
    expect(p.message).toBe("expected exactly one of from (a height) or afterExposedCalls (a number of the feature's exposed calls) saying when the regression begins, got neither");
  });
});

describe("a policy's analysis written as statistics (client/statistics.ts)", () => {
  const POLICY = "policy: { incrementBlocks: 10, minSuccessCount: 10, minSamples: 10 }";
  const withPolicy = (policy: string) => variant(POLICY, `policy: ${policy}`);
  const policyOf = (text: string) => parseScenario(text, "s.yaml").blocks[0]!.txs[2]!.args.policy as Record<string, unknown>;

  it.each([
    ["{ analysis: { sequential: { p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1 } } }", { analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 4109731n, seqFloorPpm: 8219462n }],
    ["{ analysis: { sequential: { p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, floor: 3 } } }", { analysis: 1, seqFloorPpm: 3000000n }],
    ["{ analysis: { comparative: { ratio: 2, alpha: 0.05, beta: 0.1 } }, minSamples: 50 }",
      { analysis: 2, compExcessPpm: 1000000, compLnRatioPpm: 693147, compThresholdPpm: 2890372n, compFloorPpm: 5780744n, minSamples: 50 }],
    ["{ analysis: { comparative: { ratio: 3, alpha: 0.01, beta: 0.2, floor: 0 } } }", { analysis: 2, compExcessPpm: 2000000, compLnRatioPpm: 1098612, compFloorPpm: 0n }],
    ["{ analysis: Comparative }", { analysis: 2 }],
    ["{ analysis: Sequential, seqSlopePpm: 100 }", { analysis: 1, seqSlopePpm: 100 }],
    ["{ analysis: 7 }", { analysis: 7 }],
  ])("%s → %o", (policy, fields) => {
    expect(policyOf(withPolicy(policy))).toMatchObject(fields);
  });

  it("an expectation may match a policy written the same way", () => {
    const text = variant("{ tx: 0, ok: true }", "{ view: getFeature, args: { name: small_feature }, match: { policy: { analysis: { comparative: { ratio: 2, alpha: 0.05, beta: 0.1 } } } } }");
    const e = parseScenario(text, "s.yaml").blocks[1]!.expect[0]!;
    expect(e).toMatchObject({ kind: "view", match: { policy: { analysis: 2, compLnRatioPpm: 693147, compThresholdPpm: 2890372n } } });
  });

  const refused: [string, string, RegExp, RegExp][] = [
    ["p1 not above p0", "{ analysis: { sequential: { p0: 0.02, p1: 0.01, alpha: 0.05, beta: 0.1 } } }", /\.policy\.analysis\.sequential$/, /^expected sequential parameters the contract can carry: .*need p0 < p1/],
    ["a rate in bps", "{ analysis: { sequential: { p0: 100, p1: 200, alpha: 0.05, beta: 0.1 } } }", /\.policy\.analysis\.sequential\.p0$/, /^expected a probability strictly between 0 and 1 \(0\.01 = 1 %, not bps\), got number 100$/],
    ["a missing beta", "{ analysis: { sequential: { p0: 0.01, p1: 0.02, alpha: 0.05 } } }", /\.policy\.analysis\.sequential\.beta$/, /^expected a probability/],
    ["an unknown parameter", "{ analysis: { sequential: { p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1, h: 4 } } }", /\.policy\.analysis\.sequential\.h$/, /^unknown field "h" in Sequential parameters; expected p0, p1, alpha, beta, floor$/],
    ["alpha + beta ≥ 1", "{ analysis: { comparative: { ratio: 2, alpha: 0.5, beta: 0.6 } } }", /\.policy\.analysis\.comparative$/, /alpha \+ beta < 1/],
    ["a ratio of 1", "{ analysis: { comparative: { ratio: 1, alpha: 0.05, beta: 0.1 } } }", /\.policy\.analysis\.comparative\.ratio$/, /^expected a ratio > 1 and ≤ 10/],
    ["a ratio above 10", "{ analysis: { comparative: { ratio: 12, alpha: 0.05, beta: 0.1 } } }", /\.policy\.analysis\.comparative\.ratio$/, /^expected a ratio > 1 and ≤ 10/],
    ["a ratio too close to 1 for L ≥ 1", "{ analysis: { comparative: { ratio: 1.000001, alpha: 0.05, beta: 0.1 } } }", /\.policy\.analysis\.comparative$/, /compLnRatioPpm 0/],
    ["a negative floor", "{ analysis: { comparative: { ratio: 2, alpha: 0.05, beta: 0.1, floor: -1 } } }", /\.policy\.analysis\.comparative\.floor$/, /^expected a number ≥ 0/],
    ["an unknown analysis form", "{ analysis: { cusum: { k: 1 } } }", /\.policy\.analysis$/, /^expected an analysis: Threshold, Sequential or Comparative .*got an object with cusum$/],
    ["two forms at once", "{ analysis: { sequential: {}, comparative: {} } }", /\.policy\.analysis$/, /got an object with sequential, comparative$/],
    ["a derived field written as well", "{ analysis: { sequential: { p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.1 } }, seqSlopePpm: 100 }", /\.policy\.seqSlopePpm$/, /^expected no seqSlopePpm: analysis: \{ sequential: … \} derives it/],
    ["parameters that are not an object", "{ analysis: { sequential: 0.01 } }", /\.policy\.analysis\.sequential$/, /^expected Sequential parameters \(an object with p0, p1, alpha, beta, floor\), got number 0\.01$/],
  ];
  it.each(refused)("refuses %s before anything runs, with the file, the path and what was expected", (_kind, policy, path, message) => {
    const e = refusal(withPolicy(policy));
    const p = e.problems[0]!;
    expect(p.path).toMatch(/^blocks\[0\]\.txs\[2\]\.args\.policy/);
    expect(p.path).toMatch(path);
    expect(p.message).toMatch(message);
    expect(p.line).toBe(15);
    expect(e.message).toContain(`s.yaml:15: ${p.path}: `);
  });
});

describe("traffic: report, outages, regression", () => {
  const trafficOf = (text: string) => parseScenario(text, "s.yaml").traffic[0]!;
  it("report defaults to batch; cohorts, outages and a regression are normalized", () => {
    expect(trafficOf(SMALL).report).toBe("batch");
    expect(trafficOf(SMALL).outages).toBeUndefined();
    const t = trafficOf(variant("reporter: monitor }", "reporter: monitor, report: cohorts, outages: [{ from: 10, to: 20, addBps: 300 }], regression: { afterExposedCalls: 0, exposedErrorRateBps: 500 } }"));
    expect(t).toMatchObject({ report: "cohorts", outages: [{ from: 10, to: 20, addBps: 300 }], regression: { afterExposedCalls: 0, exposedErrorRateBps: 500 } });
    expect(trafficOf(variant("reporter: monitor }", "reporter: monitor, regression: { from: 30, exposedErrorRateBps: 500 } }")).regression).toEqual({ from: 30, exposedErrorRateBps: 500 });
  });
});

describe("invalid scenarios: the messages", () => {
  it("names the alias and the known aliases for an unknown one", () => {
    const p = refusal(variant("account: ops", "account: opz")).problems[0]!;
    expect(p.message).toBe('unknown account alias "opz"; expected an account: an alias (admin, ops, monitor) or 0x + 40 hex digits');
  });

  it("says what a bps must be and what it got", () => {
    const p = refusal(variant("bps: 2000", 'bps: "20 %"')).problems[0]!;
    expect(p.message).toBe('expected u16 (an integer 0..65535), got "20 %"');
  });

  it("lists the policy fields for an unknown one", () => {
    const p = refusal(variant("minSamples: 10", "minSample: 10")).problems[0]!;
    expect(p.message).toMatch(/^unknown field "minSample"; expected one of steps, incrementBps, incrementBlocks, maxErrorRateBps, minSamples/);
  });

  it("reports every problem, not just the first", () => {
    const e = refusal(variant("role: Operator, account: ops", "role: Boss, account: opz"));
    expect(e.problems.map((p) => p.path)).toEqual(["blocks[0].txs[0].args.role", "blocks[0].txs[0].args.account"]);
  });

  it("refuses YAML and JSON syntax errors with a line", () => {
    const yaml = refusal("name: x\nblocks: [\n", "bad.yaml");
    expect(yaml.problems[0]!.message).toMatch(/^not valid YAML/);
    const json = refusal('{ "name": "x", }', "bad.json");
    expect(json.problems[0]!.message).toMatch(/^not valid JSON/);
  });

  it("refuses a missing file", () => {
    expect(() => loadScenario("/nonexistent/scenario.yaml")).toThrow(/no such file/);
  });
});
