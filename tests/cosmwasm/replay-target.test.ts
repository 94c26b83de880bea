// `canary replay --target cosmwasm FILE` gives the native target's report: the `--json`
// lines of shipped scenarios are equal line by line (tx lines with results, errors and events;
// block lines with their state roots; expectations; the summary), except `gas`, whose units
// differ (the native metered module's gas table against cw-simulate's approximate gas; both
// present). A replay through the library checks every message it sends against schema/.

import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { tempDir } from "../helpers/temp.ts";
import { join } from "node:path";
import { cli } from "../cli/helpers.ts";
import { loadScenarioFile } from "../../src/replay/load.ts";
import { replay } from "../../src/replay/replay.ts";
import { CosmWasmChain } from "../../src/replay/cosmwasm.ts";
import { checkMessage } from "./_schema.ts";

const root = join(import.meta.dirname, "..", "..");

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const withoutGas = (l: Record<string, unknown>): Record<string, unknown> => {
  const { gas: _gas, ...rest } = l;
  return rest;
};

describe("replay --target cosmwasm", () => {
  it.each(["scenarios/invariant-violation.yaml", "scenarios/global-halt-resume.yaml"])(
    "%s: the same --json report as the native target",
    async (file) => {
      const native = await cli(["replay", file, "--json", "--blocks", "all"]);
      const cw = await cli(["replay", file, "--json", "--blocks", "all", "--target", "cosmwasm"]);
      expect(native.status, native.stderr).toBe(0);
      expect(cw.status, cw.stderr).toBe(0);
      const a = lines(native.stdout);
      const b = lines(cw.stdout);
      expect(b.length).toBe(a.length);
      expect(b.map(withoutGas)).toEqual(a.map(withoutGas));
      // Gas is reported by both, in their own units.
      const tx = b.find((l) => l.type === "tx");
      expect(typeof tx?.gas).toBe("number");
      expect(a.at(-1)!.stateRoot).toBe(b.at(-1)!.stateRoot);
    },
    120_000,
  );

  it("every message a replay sends (instantiate, execute, query, sudo) validates against schema/", async () => {
    const chain = await CosmWasmChain.open(new Uint8Array(readFileSync(join(root, "build/canary-cw.wasm"))));
    const conn = chain.connection;
    const seen = new Set<string>();
    const wrap = <K extends "execute" | "query" | "sudo" | "instantiate">(kind: K) => {
      const orig = conn[kind].bind(conn) as (...a: unknown[]) => unknown;
      (conn as unknown as Record<string, unknown>)[kind] = (...a: unknown[]) => {
        const msg = (kind === "execute" || kind === "instantiate" ? a[1] : a[0]) as Record<string, unknown>;
        checkMessage(kind, msg);
        seen.add(kind === "instantiate" ? kind : `${kind}:${Object.keys(msg)[0]}`);
        return orig(...a);
      };
    };
    for (const k of ["execute", "query", "sudo", "instantiate"] as const) wrap(k);
    const scenario = loadScenarioFile(join(root, "scenarios/invariant-violation.yaml"), "invariant-violation.yaml");
    const r = replay(scenario, { wasm: new Uint8Array(), chain });
    expect(r.summary.expectFailed).toBe(0);
    expect([...seen].sort()).toEqual(expect.arrayContaining(["instantiate", "execute:grant_role", "execute:create_feature", "query:is_enabled_many", "query:feature", "query:list_features", "query:history", "sudo:clock_end_block"]));
  }, 60_000);

  it("refuses --db and an unknown target before anything runs", async () => {
    expect((await cli(["replay", "scenarios/invariant-violation.yaml", "--target", "cosmwasm", "--db", "x"])).status).toBe(2);
    expect((await cli(["replay", "scenarios/invariant-violation.yaml", "--target", "evm"])).status).toBe(2);
  });
  it("a message with non-ASCII text (UTF-8 in the JSON) replays as natively (cw-simulate patch P3 in SimConnection)", async () => {
    const dir = tempDir();
    const file = join(dir, "utf8.yaml");
    writeFileSync(
      file,
      [
        "name: utf8",
        "seed: 1",
        "accounts: { ops: \"0x00000000000000000000000000000000000000c2\" }",
        "admin: ops",
        "until: 3",
        "blocks:",
        "  - height: 1",
        "    txs:",
        "      - { sender: ops, method: createFeature, args: { name: uber, description: \"Übergang — 変化\" } }",
        "    expect:",
        "      - { view: getFeature, args: { name: uber }, match: { description: \"Übergang — 変化\" } }",
      ].join("\n") + "\n",
    );
    const native = await cli(["replay", file, "--json"]);
    const cw = await cli(["replay", file, "--json", "--target", "cosmwasm"]);
    expect(native.status, native.stderr).toBe(0);
    expect(cw.status, cw.stderr).toBe(0);
    expect(lines(cw.stdout).map(withoutGas)).toEqual(lines(native.stdout).map(withoutGas));
  }, 120_000);
  it("features due in the same block step in the same block as natively (the replay instantiates with max_due_per_block 100)", async () => {
    const dir = tempDir();
    const file = join(dir, "due.yaml");
    const policy = "{ incrementBlocks: 5, incrementBps: 2500, minSamples: 0, minSuccessCount: 0 }";
    writeFileSync(
      file,
      [
        "name: two-due",
        "seed: 1",
        "accounts: { ops: \"0x00000000000000000000000000000000000000c2\" }",
        "admin: ops",
        "until: 30",
        "blocks:",
        "  - height: 1",
        "    txs:",
        ...["a", "b", "c"].flatMap((n) => [
          `      - { sender: ops, method: createFeature, args: { name: ${n}, description: "", policy: ${policy} } }`,
          `      - { sender: ops, method: startCanary, args: { name: ${n}, bps: 100 } }`,
          `      - { sender: ops, method: startRollout, args: { name: ${n}, targetBps: 10000 } }`,
        ]),
        "  - height: 30",
        "    expect:",
        ...["a", "b", "c"].map((n) => `      - { view: getFeature, args: { name: ${n} }, match: { status: Enabled } }`),
      ].join("\n") + "\n",
    );
    const native = await cli(["replay", file, "--json", "--blocks", "all"]);
    const cw = await cli(["replay", file, "--json", "--blocks", "all", "--target", "cosmwasm"]);
    expect(native.status, native.stderr).toBe(0);
    expect(cw.status, cw.stderr).toBe(0);
    expect(lines(cw.stdout).map(withoutGas)).toEqual(lines(native.stdout).map(withoutGas));
  }, 120_000);
});
