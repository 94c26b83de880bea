// The client's CosmWasm transport without a module: addresses, error codes, events and query
// answers mapped back to the client's raw form, and the typed clients (sync and async) over
// a scripted connection that records the JSON messages they send.

import { describe, expect, it } from "vitest";
import { toBech32 as cosmjsToBech32 } from "@cosmjs/encoding";
import { EVENT_DEFS } from "../../src/abi/definition.ts";
import {
  bech32Codec,
  CosmWasmCanaryClient,
  errorCode,
  fromBech32,
  queryResult,
  rawEvents,
  syncCosmWasmClient,
  toBech32,
  txResult,
  type CwQueryResult,
  type CwResult,
  type SyncCosmWasmConnection,
  type CosmWasmConnection,
} from "../../src/client/cosmwasm.ts";
import { decodeEvents } from "../../src/client/events.ts";
import { checkMessage, type MessageKind } from "./_schema.ts";

const addr = bech32Codec("wasm");
const OPS = "0x00000000000000000000000000000000000000c2";
const USER = "0x00000000000000000000000000000000000000a1";

describe("addresses", () => {
  it("bech32 is CosmJS's (the same strings both ways), for random 20-byte accounts", () => {
    for (let i = 0; i < 50; i++) {
      const b = Uint8Array.from({ length: 20 }, (_, j) => (i * 31 + j * 7) & 255);
      const s = toBech32("juno", b);
      expect(s).toBe(cosmjsToBech32("juno", b));
      expect(fromBech32(s).data).toEqual(b);
    }
  });
  it("refuses a bad checksum, another prefix, mixed case", () => {
    const s = addr.toHuman(OPS);
    expect(addr.toHex(s)).toBe(OPS);
    expect(() => addr.toHex(s.slice(0, -1) + (s.endsWith("q") ? "p" : "q"))).toThrow(/checksum/);
    expect(() => bech32Codec("juno").toHex(s)).toThrow(/prefix/);
    expect(() => addr.toHex(s.slice(0, 6) + s.slice(6).toUpperCase())).toThrow(/mixed/);
  });
});

describe("results", () => {
  it("an error naming a SPEC code is that code; any other is a FAULT with its text", () => {
    expect(errorCode("InvalidTransition: Disabled → RollingOut")).toBe(8);
    expect(errorCode("Generic error: Unauthorized: sender lacks Operator")).toBe(4);
    const r = txResult({ ok: false, error: "BadInput: unknown field" }, addr);
    expect([r.ok, r.code, r.trap]).toEqual([false, 1, undefined]);
    const t = txResult({ ok: false, error: "out of gas!" }, addr);
    expect([t.ok, t.code, t.trap]).toEqual([false, -1, "out of gas!"]);
  });

  it("wasm-<event> attributes become the SPEC event's Borsh payload; other events are ignored", () => {
    const events = rawEvents(
      [
        { type: "execute", attributes: [{ key: "_contract_address", value: "x" }] },
        { type: "wasm", attributes: [{ key: "action", value: "rollback" }] },
        {
          type: "wasm-status_changed",
          attributes: [
            { key: "_contract_address", value: "x" },
            { key: "name", value: "f" },
            { key: "from", value: "rolling_out" },
            { key: "to", value: "rolled_back" },
            { key: "rollout_bps", value: "0" },
            { key: "reason", value: "error_rate" },
          ],
        },
        { type: "wasm-override_set", attributes: [{ key: "name", value: "f" }, { key: "account", value: addr.toHuman(USER) }, { key: "mode", value: "force_on" }] },
        { type: "wasm-status_changed", attributes: [{ key: "name", value: "f" }, { key: "from", value: "disabled" }, { key: "to", value: "canary" }, { key: "rollout_bps", value: "500" }] },
      ],
      addr,
    );
    expect(decodeEvents(events).map((e) => [e.name, e.data])).toEqual([
      ["StatusChanged", { name: "f", from: "RollingOut", to: "RolledBack", rolloutBps: 0, reason: "ErrorRate" }],
      ["OverrideSet", { name: "f", account: USER, mode: "ForceOn" }],
      ["StatusChanged", { name: "f", from: "Disabled", to: "Canary", rolloutBps: 500, reason: null }],
    ]);
    expect(Object.keys(EVENT_DEFS).length).toBe(8);
  });

  it("a query's JSON answer is re-encoded as the Borsh result; a malformed one is a FAULT", () => {
    expect(queryResult("bucketOf", { ok: true, value: 42 }, addr).output).toEqual(Uint8Array.of(42, 0));
    expect(queryResult("getFeature", { ok: true, value: null }, addr).output).toEqual(Uint8Array.of(0));
    const bad = queryResult("getGlobal", { ok: true, value: { paused: 0, halted: false } }, addr);
    expect(bad.ok).toBe(false);
    expect(bad.trap).toMatch(/paused/);
  });
});

/** A scripted connection: records every message, answers from `answer`. */
function scripted(answer: (kind: MessageKind, msg: Record<string, unknown>) => CwResult | CwQueryResult) {
  const sent: [MessageKind, string, Record<string, unknown>][] = [];
  let height = 7;
  const conn: SyncCosmWasmConnection = {
    addresses: addr,
    execute: (sender, msg) => (sent.push(["execute", sender, msg as Record<string, unknown>]), answer("execute", msg as Record<string, unknown>) as CwResult),
    query: (msg) => (sent.push(["query", "", msg as Record<string, unknown>]), answer("query", msg as Record<string, unknown>) as CwQueryResult),
    sudo: (msg) => (sent.push(["sudo", "", msg as Record<string, unknown>]), answer("sudo", msg as Record<string, unknown>) as CwResult),
    instantiate: (sender, msg) => (sent.push(["instantiate", sender, msg as Record<string, unknown>]), answer("instantiate", msg as Record<string, unknown>) as CwResult),
    height: () => height,
    setHeight: (h) => {
      height = h;
    },
  };
  return { conn, sent, height: () => height };
}

describe("the typed client over a connection", () => {
  it("sends COSMWASM.md's messages (each valid against the schema) and maps answers back", () => {
    const { conn, sent, height } = scripted((kind, msg) => {
      if (kind !== "query") return { ok: true, events: [] };
      if ("is_enabled_many" in msg) return { ok: true, value: [true, false] };
      if ("list_features" in msg) return { ok: true, value: [] };
      if ("global" in msg) return { ok: true, value: { paused: false, halted: true } };
      return { ok: false, error: "BadInput: x" };
    });
    const c = syncCosmWasmClient(conn);
    expect(c.init(OPS, OPS).ok).toBe(true);
    expect(c.createFeature({ sender: OPS, height: 12 }, "f", "d", { incrementBlocks: 100 }).ok).toBe(true);
    expect(height()).toBe(12);
    c.setOverride(OPS, "f", USER, "ForceOn");
    c.recordCohorts(OPS, "f", 10n, 0, 2n ** 64n - 1n, 3);
    c.rollback(OPS, "f", "ErrorRate");
    c.onPersist(13);
    expect(c.isEnabledMany("f", [USER, OPS])).toEqual([true, false]);
    expect(c.listFeatures()).toEqual([]);
    expect(c.getGlobal()).toEqual({ paused: false, halted: true });
    expect(() => c.bucketOf("f", USER)).toThrow(/BadInput/);
    for (const [kind, , msg] of sent) checkMessage(kind, msg);
    const ops = addr.toHuman(OPS);
    expect(sent.map(([k, s, m]) => [k, s, Object.keys(m)[0]])).toEqual([
      ["instantiate", ops, "admin"],
      ["execute", ops, "create_feature"],
      ["execute", ops, "set_override"],
      ["execute", ops, "record_cohorts"],
      ["execute", ops, "rollback"],
      ["sudo", "", "clock_end_block"],
      ["query", "", "is_enabled_many"],
      ["query", "", "list_features"],
      ["query", "", "global"],
      ["query", "", "bucket_of"],
    ]);
    expect(sent[1]![2]).toMatchObject({ create_feature: { name: "f", description: "d", policy: { increment_blocks: 100, analysis: "sequential", min_success_count: "100" } } });
    expect(sent[2]![2]).toEqual({ set_override: { name: "f", account: addr.toHuman(USER), mode: "force_on" } });
    expect(sent[3]![2]).toEqual({ record_cohorts: { name: "f", canary_successes: "10", canary_errors: "0", base_successes: "18446744073709551615", base_errors: "3" } });
    expect(sent[4]![2]).toEqual({ rollback: { name: "f", reason: "error_rate" } });
    expect(sent[7]![2]).toEqual({ list_features: { start_after: "", limit: 100, active_only: false } });
  });

  it("a failed execute is the client's failed TxResult with the code; nothing throws", () => {
    const { conn } = scripted(() => ({ ok: false, error: "InvalidTransition: Disabled → RollingOut" }));
    const r = syncCosmWasmClient(conn).startRollout(OPS, "f", 10000);
    expect([r.ok, r.code, r.codeName, r.events]).toEqual([false, 8, "InvalidTransition", []]);
  });

  it("CosmWasmCanaryClient: the same methods as Promises over an async connection", async () => {
    const { conn: s, sent } = scripted((kind) => (kind === "query" ? { ok: true, value: 1234 } : { ok: true, events: [{ type: "wasm-pause_changed", attributes: [{ key: "name", value: "f" }, { key: "paused", value: "true" }] }] }));
    const conn: CosmWasmConnection = {
      addresses: addr,
      execute: async (sender, msg) => s.execute(sender, msg),
      query: async (msg) => s.query(msg),
      height: async () => 99,
    };
    const c = CosmWasmCanaryClient(conn);
    expect(await c.bucketOf("f", USER)).toBe(1234);
    const r = await c.pause(OPS, "f");
    expect(r.ok).toBe(true);
    expect(r.events).toEqual([{ name: "PauseChanged", data: { name: "f", paused: true } }]);
    expect((await c.onPersist(5)).trap).toMatch(/cannot send sudo/);
    expect(sent.map(([, , m]) => m)).toEqual([{ bucket_of: { name: "f", account: addr.toHuman(USER) } }, { pause: { name: "f" } }]);
  });
});
