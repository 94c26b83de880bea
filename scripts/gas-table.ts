// Measures gas per method on the metered module (typical and worst-case arguments) and prints
// a Markdown table for docs/GAS.md:  tsx scripts/gas-table.ts
//
// "typical": a short name, default policy, one account. "worst": the longest name (64
// bytes), a 256-byte description, a 32-step policy with a 64-byte salt, and the largest
// batch each view allows (1024 accounts, 100 features or entries).

import { readFileSync } from "node:fs";
import { Role } from "../assembly/shared/codes.ts";
import type { MethodName } from "../src/abi/methods.ts";
import { CanaryClient, type TxResult } from "../src/client/index.ts";
import { Chain, MemoryStore } from "../src/host/index.ts";

const wasm = new Uint8Array(readFileSync(new URL("../build/canary.metered.wasm", import.meta.url)));
const acct = (b: number) => new Uint8Array(20).fill(b);
const ADMIN = acct(0xa1), OP = acct(0x0b), REP = acct(0x7e), GUARD = acct(0x6d);

function fresh(worst: boolean) {
  const chain = new Chain(wasm, new MemoryStore());
  const client = new CanaryClient(chain, { height: () => chain.currentHeight });
  chain.beginBlock(1);
  client.init(ADMIN, ADMIN);
  client.grantRole(ADMIN, Role.Operator, OP);
  client.grantRole(ADMIN, Role.Reporter, REP);
  client.grantRole(ADMIN, Role.Guardian, GUARD);
  const name = worst ? "w".repeat(64) : "feature";
  const policy = worst
    ? { steps: Array.from({ length: 32 }, (_, i) => (i + 1) * 300), salt: "s".repeat(64), minSuccessCount: 1, minSamples: 2000, incrementBlocks: 1 }
    : { minSuccessCount: 1, minSamples: 2000, incrementBlocks: 1 };
  return { chain, client, name, policy, description: worst ? "d".repeat(256) : "typical" };
}

const rows: [string, number, number][] = [];
function gasOf(r: TxResult<unknown>, what: string): number {
  if (!r.ok) throw new Error(`${what} failed: ${r.codeName}`);
  return r.gasUsed ?? NaN;
}

function measure(worst: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const fx = fresh(worst);
  const { chain, client, name } = fx;
  const tx = (label: string, method: MethodName, args: unknown, signer: Uint8Array) => {
    const r = client.call(method, args, { sender: signer, height: chain.currentHeight });
    out.set(label, gasOf(r, label));
  };
  tx("createFeature", "createFeature", { name, description: fx.description, policy: fx.policy }, OP);
  tx("startCanary", "startCanary", { name, bps: 500 }, OP);
  tx("recordSuccess", "recordSuccess", { name }, REP);
  tx("recordError", "recordError", { name }, REP);
  tx("recordBatch", "recordBatch", { name, successes: 1000, errors: 0 }, REP);
  // On the default (Sequential) feature: the canary part moves T, the baseline part is counted.
  tx("recordCohorts", "recordCohorts", { name, canarySuccesses: 99, canaryErrors: 1, baseSuccesses: 1881, baseErrors: 19 }, REP);
  tx("recordLatency", "recordLatency", { name, value: 10 }, REP);
  tx("recordInvariant", "recordInvariant", { name, ok: true }, REP);
  tx("setOverride", "setOverride", { name, account: "0x" + "11".repeat(20), mode: "ForceOn" }, OP);
  tx("updatePolicy", "updatePolicy", { name, policy: { ...fx.policy, maxErrorRateBps: 200 } }, OP);
  tx("pause", "pause", { name }, GUARD);
  tx("resume", "resume", { name }, GUARD);
  // The halt is written into every active record: here the one feature (docs/GAS.md gives the cost per feature).
  tx("setGlobal (halt, 1 active feature)", "setGlobal", { paused: false, halted: true }, GUARD);
  tx("setGlobal (lift the halt)", "setGlobal", { paused: false, halted: false }, GUARD);
  tx("startRollout", "startRollout", { name, targetBps: 10000 }, OP);
  chain.endBlock();
  chain.beginBlock(2);
  client.call("recordBatch", { name, successes: 5000, errors: 0 }, { sender: REP, height: 2 });
  tx("processRollout (a step)", "processRollout", { name }, OP);
  tx("processRollout (not due)", "processRollout", { name }, OP);
  const accounts = Array.from({ length: worst ? 1024 : 1 }, (_, i) => "0x" + (i + 1).toString(16).padStart(40, "0"));
  for (const [label, method, args] of [
    ["isEnabled", "isEnabled", { name, account: accounts[0] }],
    [worst ? "isEnabledMany (1024)" : "isEnabledMany (1)", "isEnabledMany", { name, accounts }],
    ["getFeature", "getFeature", { name }],
    ["getHistory", "getHistory", { name, fromSeq: 0, limit: 100 }],
    ["listFeatures", "listFeatures", { startAfter: "", limit: 100, activeOnly: false }],
  ] as const) {
    out.set(label, gasOf(client.call(method, args, { sender: OP, height: 2 }), label));
  }
  const end = chain.endBlock();
  out.set("onPersist (nothing due)", end.onPersist.gasUsed ?? NaN);
  // Revision 2's Comparative analysis, on a feature of its own (a fresh chain, so the rows
  // above are unchanged): recordBatch beside recordCohorts, the latter with 64-bit counts
  // (q by one division) and with counts past 2^64 (q by the 128-bit restoring division).
  const c = fresh(worst);
  const cmp = { ...c.policy, analysis: 2 };
  const ctx = (label: string, method: MethodName, args: unknown, signer: Uint8Array) =>
    out.set(label, gasOf(c.client.call(method, args, { sender: signer, height: c.chain.currentHeight }), label));
  ctx("createFeature (Comparative)", "createFeature", { name: c.name, description: c.description, policy: cmp }, OP);
  ctx("startCanary (Comparative)", "startCanary", { name: c.name, bps: 500 }, OP);
  ctx("recordBatch (Comparative)", "recordBatch", { name: c.name, successes: 99, errors: 1 }, REP);
  ctx("recordCohorts (Comparative)", "recordCohorts", { name: c.name, canarySuccesses: 99, canaryErrors: 1, baseSuccesses: 1881, baseErrors: 19 }, REP);
  const big = (1n << 64n) - 1n;
  ctx("recordCohorts (Comparative, counts past 2^64)", "recordCohorts", { name: c.name, canarySuccesses: big - 5n, canaryErrors: 5, baseSuccesses: big, baseErrors: 20 }, REP);
  out.delete("createFeature (Comparative)");
  out.delete("startCanary (Comparative)");
  return out;
}

const typical = measure(false);
const worst = measure(true);
for (const [k, v] of typical) rows.push([k, v, worst.get(k) ?? worst.get(k.replace("(1)", "(1024)")) ?? NaN]);
for (const [k, v] of worst) if (!typical.has(k) && !typical.has(k.replace("(1024)", "(1)"))) rows.push([k, NaN, v]);
process.stdout.write("| method | typical | worst case |\n|---|---:|---:|\n");
for (const [k, a, b] of rows) process.stdout.write(`| ${k} | ${Number.isNaN(a) ? "—" : a.toLocaleString("en")} | ${Number.isNaN(b) ? "—" : b.toLocaleString("en")} |\n`);
