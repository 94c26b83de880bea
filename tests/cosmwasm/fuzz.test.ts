// Bad input against the CosmWasm module (COSMWASM.md section 3): every malformed message —
// valid shapes with a wrong type, an out-of-range number, an unknown or a missing field, an
// unknown message, random JSON, random bytes — to execute, query and sudo is refused with an
// error starting `BadInput`, nothing traps, and the contract's storage stays byte for byte.
// Needs build/canary-cw.wasm (skipped without it).

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { METHOD_DEFS } from "../../src/abi/definition.ts";
import type { Field } from "../../src/abi/field.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { HAVE_CW, Pair, QUERY_NAMES, messageOf, snake } from "./_diff.ts";
import { bech32Of, rootOf, type Sim } from "./_sim.ts";

const RUNS = Number(process.env.CW_FUZZ_RUNS ?? 300);
const hexAcct = (b: number) => "0x" + b.toString(16).padStart(2, "0").repeat(20);
const ADMIN = hexAcct(0xa1);
const OPERATOR = hexAcct(0x0b);
const REPORTER = hexAcct(0x3e);

/** One valid message per execute and query method (for a feature "a" in Canary). */
const VALID: [MethodName, Record<string, unknown>][] = [
  ["grantRole", { role: 2, account: REPORTER }],
  ["revokeRole", { role: 2, account: REPORTER }],
  ["createFeature", { name: "b", description: "d", policy: { incrementBlocks: 3, steps: [100, 200] } }],
  ["updatePolicy", { name: "a", policy: { minSamples: 2 } }],
  ["startCanary", { name: "a", bps: 200 }],
  ["startRollout", { name: "a", targetBps: 10000 }],
  ["enable", { name: "a" }],
  ["disable", { name: "a" }],
  ["pause", { name: "a" }],
  ["resume", { name: "a" }],
  ["rollback", { name: "a", reason: 0 }],
  ["setOverride", { name: "a", account: REPORTER, mode: 1 }],
  ["setGlobal", { paused: false, halted: false }],
  ["recordSuccess", { name: "a" }],
  ["recordError", { name: "a" }],
  ["recordBatch", { name: "a", successes: 3n, errors: 0n }],
  ["recordCohorts", { name: "a", canarySuccesses: 1n, canaryErrors: 0n, baseSuccesses: 1n, baseErrors: 0n }],
  ["recordLatency", { name: "a", value: 5n }],
  ["recordInvariant", { name: "a", ok: true }],
  ["reportIncident", { name: "a", reason: 3 }],
  ["processRollout", { name: "a" }],
  ["isEnabled", { name: "a", account: REPORTER }],
  ["isEnabledMany", { name: "a", accounts: [REPORTER] }],
  ["bucketOf", { name: "a", account: REPORTER }],
  ["hasRole", { role: 1, account: REPORTER }],
  ["getFeature", { name: "a" }],
  ["getMetrics", { name: "a" }],
  ["listFeatures", { startAfter: "", limit: 10, activeOnly: false }],
  ["getHistory", { name: "a", fromSeq: 0, limit: 10 }],
  ["getGlobal", {}],
];

/** Query fields the JSON may leave out (COSMWASM.md section 3's `?`). */
const OPTIONAL_QUERY = new Set(["list_features.start_after", "list_features.limit", "list_features.active_only", "history.from_seq", "history.limit"]);

const MAX: Record<string, number> = { u8: 255, u16: 65535, u32: 4294967295 };

/** Values that are not a valid JSON value of `field`. */
function wrongValues(field: Field): unknown[] {
  if (typeof field === "string") {
    switch (field) {
      case "u8":
      case "u16":
      case "u32":
        return ["1", 1.5, -1, MAX[field]! + 1, true, null, 1e300];
      case "u64":
        return [1, "1.5", "-1", "18446744073709551616", "", " 1", "0x1", "1e3", null, true];
      case "i64":
        return [1, "1.5", "9223372036854775808", "-9223372036854775809", "", null];
      case "bool":
        return ["true", 0, 1, null];
      case "string":
        return [5, null, true, [], {}];
      case "account":
        return ["not-an-address", 5, null, bech32Of(new Uint8Array(20)).replace(/^wasm/, "cosmos"), "wasm1"];
    }
  }
  if (typeof field === "string") return [];
  if ("option" in field) return wrongValues(field.option).filter((v) => v !== null);
  if ("enum" in field) return ["Operator", "RollingOut", "unknown", 1, null, ""];
  if ("vec" in field) return ["x", 5, null, [true], [null]];
  return [5, "x", [], null];
}

interface Case {
  kind: "execute" | "query";
  what: string;
  msg: unknown;
  /** A string for policy.analysis that names no analysis. */
  analysisName?: boolean;
}

/** Every mutation of every valid message: wrong types and ranges, unknown and missing fields. */
function mutations(): Case[] {
  const out: Case[] = [];
  for (const [method, args] of VALID) {
    const kind = QUERY_NAMES[method] ? "query" : "execute";
    const msg = messageOf(method, args);
    const key = Object.keys(msg)[0]!;
    const body = msg[key] as Record<string, unknown>;
    const fields = METHOD_DEFS[method].args.struct as Record<string, Field>;
    out.push({ kind, what: `${key} + unknown field`, msg: { [key]: { ...body, zzz: 1 } } });
    out.push({ kind, what: `${key} with a second message`, msg: { ...msg, zzz_other: {} } });
    out.push({ kind, what: `${key} body not an object`, msg: { [key]: [] } });
    out.push({ kind, what: `${key} body null`, msg: { [key]: null } });
    for (const [f, type] of Object.entries(fields)) {
      const k = snake(f);
      const optional = (typeof type === "object" && "option" in type) || OPTIONAL_QUERY.has(`${key}.${k}`);
      if (!optional) {
        const { [k]: _gone, ...rest } = body;
        out.push({ kind, what: `${key} without ${k}`, msg: { [key]: rest } });
      }
      for (const v of wrongValues(type)) out.push({ kind, what: `${key}.${k} = ${JSON.stringify(v)}`, msg: { [key]: { ...body, [k]: v } } });
      // Inside the policy: each field wrong, and an unknown field.
      if (k === "policy") {
        const policy = (body.policy ?? {}) as Record<string, unknown>;
        out.push({ kind, what: `${key}.policy + unknown field`, msg: { [key]: { ...body, policy: { ...policy, zzz: 1 } } } });
        const pf = (typeof type === "object" && "option" in type ? type.option : type) as { struct: Record<string, Field> };
        for (const [pk, ptype] of Object.entries(pf.struct)) {
          for (const v of wrongValues(ptype)) {
            out.push({ kind, what: `${key}.policy.${snake(pk)} = ${JSON.stringify(v)}`, msg: { [key]: { ...body, policy: { ...policy, [snake(pk)]: v } } }, analysisName: pk === "analysis" && typeof v === "string" });
          }
        }
      }
    }
  }
  out.push({ kind: "execute", what: "unknown message", msg: { frobnicate: {} } });
  out.push({ kind: "query", what: "unknown query", msg: { frobnicate: {} } });
  out.push({ kind: "execute", what: "a query as execute", msg: { global: {} } });
  out.push({ kind: "query", what: "an execute as query", msg: { process_rollout: { name: "a" } } });
  out.push({ kind: "execute", what: "init is not a message", msg: { init: { admin: bech32Of(ADMIN) } } });
  out.push({ kind: "execute", what: "on_persist is not a message", msg: { on_persist: {} } });
  out.push({ kind: "execute", what: "empty object", msg: {} });
  out.push({ kind: "execute", what: "camelCase name", msg: { startCanary: { name: "a", bps: 1 } } });
  return out;
}

async function setUp(): Promise<{ pair: Pair; sim: Sim }> {
  const pair = await Pair.open(ADMIN);
  pair.tx(ADMIN, "grantRole", { role: 1, account: OPERATOR });
  pair.tx(ADMIN, "grantRole", { role: 3, account: REPORTER });
  pair.tx(OPERATOR, "createFeature", { name: "a", description: "", policy: { minSuccessCount: 0n } });
  pair.tx(OPERATOR, "startCanary", { name: "a", bps: 500 });
  pair.endBlock();
  pair.openBlock();
  return { pair, sim: pair.sim as Sim };
}

describe.skipIf(!HAVE_CW)("bad input to the CosmWasm module", () => {
  it("every valid message of the list is valid (the mutations start from working messages)", async () => {
    const { sim } = await setUp();
    for (const [method, args] of VALID) {
      const msg = messageOf(method, args);
      const r = QUERY_NAMES[method] ? sim.query(msg) : sim.execute(bech32Of(method.startsWith("record") || method === "reportIncident" ? REPORTER : method === "grantRole" || method === "revokeRole" ? ADMIN : OPERATOR), msg);
      if (!r.ok) expect(r.error, method).not.toMatch(/^BadInput/);
    }
  });

  it("a wrong type, an out-of-range number, an unknown or a missing field: BadInput, nothing changes", async () => {
    const { sim } = await setUp();
    let before = rootOf(sim.entries());
    const cases = mutations();
    expect(cases.length).toBeGreaterThan(300);
    const wrong: string[] = [];
    for (const c of cases) {
      const r = c.kind === "query" ? sim.query(c.msg) : sim.execute(bech32Of(ADMIN), c.msg);
      // SPEC section 2: policy fields are validated as policy, never decoded as enums — an
      // analysis string that names no analysis is InvalidPolicy (a wrong JSON type is still BadInput).
      const want = c.analysisName ? /^InvalidPolicy(:|$)/ : /^BadInput(:|$)/;
      if (r.ok || !want.test(r.error)) wrong.push(`${c.kind} ${c.what}: ${r.ok ? "ok" : r.error}`);
      const after = rootOf(sim.entries());
      if (after !== before) {
        wrong.push(`${c.kind} ${c.what}: changed storage`);
        before = after;
      }
    }
    expect(wrong).toEqual([]);
  });

  it("random JSON to execute, query and sudo: refused (BadInput), no trap, nothing changes", async () => {
    const { sim } = await setUp();
    const before = rootOf(sim.entries());
    const names = [...Object.values(QUERY_NAMES), ...VALID.map(([m]) => snake(m)), "clock_end_block", "end_block"];
    const json = fc.oneof(
      fc.jsonValue(),
      fc.record({ k: fc.constantFrom(...names), v: fc.jsonValue() }).map(({ k, v }) => ({ [k]: v })),
      fc.record({ k: fc.constantFrom(...names), v: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) }).map(({ k, v }) => ({ [k]: v })),
    );
    const wrong: string[] = [];
    fc.assert(
      fc.property(fc.constantFrom("execute", "query", "sudo"), json, (kind, msg) => {
        const r = kind === "query" ? sim.query(msg) : kind === "sudo" ? sim.sudo(msg) : sim.execute(bech32Of(ADMIN), msg);
        if (r.ok) return; // a random value that happens to be a valid message (e.g. {"global":{}})
        if (r.error.startsWith("trap") || !/^BadInput(:|$)/.test(r.error)) {
          // A valid message with a failing rule is not bad input: tell them apart by decoding
          // nothing here; a trap is always wrong.
          if (r.error.startsWith("trap") || !/^[A-Z][A-Za-z]+(:|$)/.test(r.error)) wrong.push(`${kind} ${JSON.stringify(msg)}: ${r.error}`);
        }
        expect(rootOf(sim.entries())).toBe(before);
      }),
      { numRuns: RUNS },
    );
    expect(wrong).toEqual([]);
  });

  it("random bytes as the message of execute, query and sudo: BadInput, no trap, no write", async () => {
    const { sim } = await setUp();
    const before = rootOf(sim.entries());
    // The raw path works: the bytes of a valid message are accepted.
    expect(sim.raw("query", new TextEncoder().encode('{"global":{}}'), bech32Of(ADMIN))).toMatchObject({ ok: true, trap: false });
    const wrong: string[] = [];
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
      // Valid JSON with junk around it, and invalid UTF-8 inside a string.
      fc.constantFrom('{"global":{}} x', '{"global":{}', '{"global":{}}\u0000', '{"global":{},"global":{}}', '{"enable":{"name":"a","name":"a"}}', "[]", "null", "1.5", '{"enable":{"name":"a\\ud800"}}').map((s) => new TextEncoder().encode(s)),
      fc.constant(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x7b, 0x7d, 0x7d])),
    );
    fc.assert(
      fc.property(fc.constantFrom("execute" as const, "query" as const, "sudo" as const), bytes, (kind, b) => {
        const r = sim.raw(kind, b, bech32Of(ADMIN));
        if (r.trap || r.wrote || r.ok || !/^BadInput(:|$)/.test(r.error)) wrong.push(`${kind} ${Buffer.from(b).toString("hex")}: ${JSON.stringify(r)}`);
      }),
      { numRuns: RUNS },
    );
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(rootOf(sim.entries())).toBe(before);
  });
});
