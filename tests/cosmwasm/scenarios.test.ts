// Every shipped scenario (scenarios/*.yaml, traffic included) through the native host and the
// CosmWasm module in cw-simulate: the same outcomes, results, events and storage after every
// call and block (tests/cosmwasm/_diff.ts). Without build/canary-cw.wasm (branch cwa not
// merged yet) the CosmWasm side is the stub of _stub.ts: the harness runs, the module is not
// tested.

import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { HAVE_CW } from "./_diff.ts";
import { StubSim } from "./_stub.ts";
import { runScenarioBoth } from "./_scenario.ts";

const DIR = resolve(import.meta.dirname, "../../scenarios");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
/** CW_SCENARIO_BLOCKS caps each scenario's heights (a quick local run); default: all of them. */
const CAP = Number(process.env.CW_SCENARIO_BLOCKS ?? Infinity);

describe(`every shipped scenario, native vs ${HAVE_CW ? "the CosmWasm module" : "the stub (no build/canary-cw.wasm)"}`, () => {
  it("ships scenarios", () => expect(FILES.length).toBeGreaterThanOrEqual(8));
  for (const f of FILES) {
    it(f, async () => {
      const run = await runScenarioBoth(resolve(DIR, f), HAVE_CW ? undefined : new StubSim(), CAP);
      expect(run.blocks).toBeGreaterThan(0);
      expect(run.calls).toBeGreaterThan(0);
    }, 120_000);
  }
});
