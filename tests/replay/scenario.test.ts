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
