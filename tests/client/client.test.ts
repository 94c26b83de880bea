import { describe, expect, it } from "vitest";
import type { CallContext, InvokeResult, Invoker, RawEvent } from "../../src/host/types.ts";
import {
  CanaryClient,
  ContractError,
  DEFAULT_POLICY,
  EncodeError,
  bytesToHex,
  displayTxResult,
  encodeEvent,
  encodeFeatureView,
  encodeHistoryEntry,
  encodePolicy,
  expectOk,
  hexToBytes,
  type ClientOptions,
  type FeatureView,
} from "../../src/client/index.ts";

import { hx } from "../helpers/bytes.ts";
const acct = (b: number) => "0x" + b.toString(16).padStart(2, "0").repeat(20);
const OPS = acct(0xc2);
const ADMIN = acct(0xc1);
const ALICE = acct(0xa1);

interface Call {
  kind: "transact" | "view";
  method: string;
  args: string;
  ctx: { height?: number; sender?: string; witnesses?: string[] };
}

/** Records every call (method, args as hex, context) and answers from a queue of canned results. */
class FakeInvoker implements Invoker {
  calls: Call[] = [];
  replies: Partial<InvokeResult>[] = [];

  reply(r: Partial<InvokeResult>): this {
    this.replies.push(r);
    return this;
  }

  private answer(): InvokeResult {
    const r = this.replies.shift() ?? {};
    const code = r.code ?? 0;
    return { code, ok: r.ok ?? (code === 0 && r.trap === undefined), output: r.output ?? new Uint8Array(), events: r.events ?? [], logs: r.logs ?? [], ...(r.trap !== undefined ? { trap: r.trap } : {}) };
  }

  private record(kind: Call["kind"], method: string, args: Uint8Array, ctx: Partial<CallContext>): void {
    const c: Call["ctx"] = {};
    if (ctx.height !== undefined) c.height = ctx.height;
    if (ctx.sender !== undefined) c.sender = bytesToHex(ctx.sender);
    if (ctx.witnesses !== undefined) c.witnesses = ctx.witnesses.map(bytesToHex);
    this.calls.push({ kind, method, args: bytesToHex(args), ctx: c });
  }

  transact(method: string, args: Uint8Array, ctx: CallContext): InvokeResult {
    this.record("transact", method, args, ctx);
    return this.answer();
  }

  view(method: string, args: Uint8Array, ctx: Partial<CallContext> = {}): InvokeResult {
    this.record("view", method, args, ctx);
    return this.answer();
  }
}

/** A client over a fresh FakeInvoker; by default transactions run at height 7. */
const setup = (options: ClientOptions = { height: 7 }) => {
  const inv = new FakeInvoker();
  const client = new CanaryClient(inv, options);
  return { inv, client };
};

const FEATURE: FeatureView = {
  name: "vita",
  description: "Recovery v2",
  status: 1,
  rolloutBps: 500,
  targetBps: 0,
  paused: false,
  startBlock: 3,
  lastStepBlock: 3,
  windowSuccesses: 12n,
  windowErrors: 1n,
  rollbackReason: null,
  createdBy: OPS,
  policy: { ...DEFAULT_POLICY, steps: [500, 2500], incrementBlocks: 100 },
  runSuccesses: 40n,
  runErrors: 2n,
  baseSuccesses: 700n,
  baseErrors: 3n,
  statistic: -1234567n,
};

describe("CanaryClient encodes each call to exactly the expected bytes", () => {
  it("startCanary sends name and bps as Borsh, signed by the sender alone at the client's height", () => {
    const { inv, client } = setup();
    const r = client.startCanary(OPS, "vita", 500);
    expect(r.ok).toBe(true);
    expect(inv.calls).toEqual([
      { kind: "transact", method: "startCanary", args: "0x" + "04000000 76697461 f401".replace(/\s/g, ""), ctx: { height: 7, sender: OPS, witnesses: [OPS] } },
    ]);
  });

  it("a signer's own witnesses and height override the defaults", () => {
    const { inv, client } = setup();
    client.enable({ sender: OPS, witnesses: [ADMIN, hexToBytes(OPS)], height: 42 }, "f");
    expect(inv.calls[0]!.ctx).toEqual({ height: 42, sender: OPS, witnesses: [ADMIN, OPS] });
    expect(inv.calls[0]!.args).toBe("0x0100000066");
  });

  it("grantRole by name sends the role's u8 then the 20-byte account", () => {
    const { inv, client } = setup();
    client.grantRole(ADMIN, "Operator", OPS);
    client.revokeRole(ADMIN, 3, hexToBytes(OPS));
    expect(inv.calls.map((c) => [c.method, c.args])).toEqual([
      ["grantRole", "0x01" + OPS.slice(2)],
      ["revokeRole", "0x03" + OPS.slice(2)],
    ]);
  });

  it("createFeature sends None without a policy and Some(completed policy) with a partial one", () => {
    const { inv, client } = setup();
    client.createFeature(OPS, "ab", "é");
    client.createFeature(OPS, "ab", "é", { incrementBlocks: 100, analysis: "Sequential" });
    const head = "0x" + "02000000 6162 02000000 c3a9".replace(/\s/g, "");
    expect(inv.calls[0]!.args).toBe(head + "00");
    expect(inv.calls[1]!.args).toBe(head + "01" + bytesToHex(encodePolicy({ ...DEFAULT_POLICY, incrementBlocks: 100, analysis: 1 })).slice(2));
  });

  it("recordBatch sends u64 counts little-endian, 2^64-1 included", () => {
    const { inv, client } = setup();
    client.recordBatch(OPS, "a", 0x1234, 0xffffffffffffffffn);
    expect(inv.calls[0]!.args).toBe("0x" + "01000000 61 3412000000000000 ffffffffffffffff".replace(/\s/g, ""));
  });

  it("setOverride, setGlobal, rollback and reportIncident encode their enums and bools", () => {
    const { inv, client } = setup();
    client.setOverride(OPS, "a", ALICE, "ForceOff");
    client.setGlobal(OPS, false, true);
    client.rollback(OPS, "a");
    client.reportIncident(OPS, "a", "ConsensusFailure");
    expect(inv.calls.map((c) => c.args)).toEqual([
      "0x0100000061" + ALICE.slice(2) + "02",
      "0x0001",
      "0x010000006100",
      "0x010000006104",
    ]);
  });

  it("views send their arguments read-only: isEnabledMany, listFeatures, getHistory", () => {
    const { inv, client } = setup({});
    inv.reply({ output: hx("02000000 01 00") }).reply({ output: hx("00000000") }).reply({ output: hx("00000000") });
    expect(client.isEnabledMany("a", [ALICE, OPS])).toEqual([true, false]);
    expect(client.listFeatures({ startAfter: "a", limit: 0x1234, activeOnly: true })).toEqual([]);
    expect(client.getHistory("a", { fromSeq: 0x01020304, limit: 5 })).toEqual([]);
    expect(inv.calls).toEqual([
      { kind: "view", method: "isEnabledMany", args: "0x0100000061" + "02000000" + ALICE.slice(2) + OPS.slice(2), ctx: {} },
      { kind: "view", method: "listFeatures", args: "0x" + "01000000 61 3412 01".replace(/\s/g, ""), ctx: {} },
      { kind: "view", method: "getHistory", args: "0x" + "01000000 61 04030201 0500".replace(/\s/g, ""), ctx: {} },
    ]);
  });

  it("methods without arguments send empty input; onPersist runs with a zero sender and no witnesses", () => {
    const { inv, client } = setup();
    inv.reply({ output: hx("00 00") });
    client.getGlobal();
    client.onPersist(9);
    expect(inv.calls).toEqual([
      { kind: "view", method: "getGlobal", args: "0x", ctx: { height: 7 } },
      { kind: "transact", method: "onPersist", args: "0x", ctx: { height: 9, sender: "0x" + "00".repeat(20), witnesses: [] } },
    ]);
  });

  it("a bad argument throws EncodeError before anything is sent", () => {
    const { inv, client } = setup();
    expect(() => client.startCanary(OPS, "a", 10001.5)).toThrow(EncodeError);
    expect(() => client.grantRole(ADMIN, "operator", OPS)).toThrow(/grantRole\.role/);
    expect(() => client.enable("0x12", "a")).toThrow(EncodeError);
    expect(inv.calls).toEqual([]);
  });

  it("a transaction without any height throws instead of guessing one", () => {
    const { inv, client } = setup({});
    expect(() => client.enable(OPS, "a")).toThrow(/no block height/);
    expect(() => client.onPersist()).toThrow(/no block height/);
    const lazy = setup({ height: () => undefined });
    expect(() => lazy.client.enable(OPS, "a")).toThrow(/no block height/);
    expect(inv.calls).toEqual([]);
  });

  it("the height option may be a function read at every call", () => {
    let h = 1;
    const { inv, client } = setup({ height: () => h });
    client.enable(OPS, "a");
    h = 2;
    client.enable(OPS, "a");
    expect(inv.calls.map((c) => c.ctx.height)).toEqual([1, 2]);
  });
});

describe("CanaryClient decodes results", () => {
  it("getFeature decodes Some(FeatureView), with createdBy as 0x-hex", () => {
    const { inv, client } = setup();
    inv.reply({ output: new Uint8Array([1, ...encodeFeatureView(FEATURE)]) });
    expect(client.getFeature("vita")).toEqual(FEATURE);
    expect(inv.calls[0]).toMatchObject({ kind: "view", method: "getFeature", args: "0x0400000076697461" });
  });

  it("getFeature and getMetrics decode None as null", () => {
    const { inv, client } = setup();
    inv.reply({ output: hx("00") }).reply({ output: hx("00") });
    expect(client.getFeature("nope")).toBeNull();
    expect(client.getMetrics("nope")).toBeNull();
  });

  it("isEnabled, hasRole, bucketOf and getGlobal decode bool, bool, u16 and (paused, halted)", () => {
    const { inv, client } = setup();
    inv.reply({ output: hx("01") }).reply({ output: hx("00") }).reply({ output: hx("6d1a") }).reply({ output: hx("00 01") });
    expect(client.isEnabled("a", ALICE)).toBe(true);
    expect(client.hasRole("Reporter", ALICE)).toBe(false);
    expect(client.bucketOf("vita_recovery_v2", new Uint8Array(20))).toBe(6765);
    expect(client.getGlobal()).toEqual({ paused: false, halted: true });
  });

  it("a view with a non-zero code throws ContractError with its name", () => {
    const { inv, client } = setup();
    inv.reply({ code: 14 });
    const f = () => client.listFeatures({ limit: 0 });
    expect(f).toThrow(ContractError);
    inv.reply({ code: 2 });
    try {
      client.hasRole(0, ALICE);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 2, codeName: "NotInitialized", method: "hasRole" });
    }
  });

  it("a view whose output has trailing bytes throws instead of returning a value", () => {
    const { inv, client } = setup();
    inv.reply({ output: hx("01 00") });
    expect(() => client.isEnabled("a", ALICE)).toThrow(/trailing/);
  });

  it("listAllFeatures follows pages of 100 after the last name", () => {
    const { inv, client } = setup();
    const page = (n: number, from: number) => {
      const out = [n, 0, 0, 0];
      for (let i = 0; i < n; i++) out.push(...encodeFeatureView({ ...FEATURE, name: `f${String(from + i).padStart(3, "0")}` }));
      return new Uint8Array(out);
    };
    inv.reply({ output: page(100, 0) }).reply({ output: page(3, 100) });
    const all = client.listAllFeatures(true);
    expect(all.map((f) => f.name)).toHaveLength(103);
    expect(inv.calls[1]!.args).toBe(bytesToHex(new Uint8Array([4, 0, 0, 0, ...new TextEncoder().encode("f099"), 100, 0, 1])));
  });

  it("getAllHistory follows pages from the last seq + 1", () => {
    const { inv, client } = setup();
    const entries = (from: number, n: number) => {
      const out = [n, 0, 0, 0];
      for (let i = 0; i < n; i++) out.push(...encodeHistoryEntry({ seq: from + i, block: 1, from: 0, to: 1, rolloutBps: 0, reason: null, actor: null }));
      return new Uint8Array(out);
    };
    inv.reply({ output: entries(0, 100) }).reply({ output: entries(100, 1) });
    expect(client.getAllHistory("a")).toHaveLength(101);
    expect(inv.calls[1]!.args).toBe("0x0100000061" + "64000000" + "6400");
  });
});

describe("CanaryClient transactions report outcomes", () => {
  it("an ok transaction returns code 0 and its events decoded in display form", () => {
    const { inv, client } = setup();
    const events: RawEvent[] = [
      { name: "StatusChanged", data: encodeEvent("StatusChanged", { name: "vita", from: "Disabled", to: "Canary", rolloutBps: 500, reason: null }) },
      { name: "Custom", data: hx("ab") },
    ];
    inv.reply({ events, logs: ["hi"] });
    const r = client.startCanary(OPS, "vita", 500);
    expect(r).toMatchObject({ method: "startCanary", ok: true, code: 0, codeName: "Ok", result: null, logs: ["hi"] });
    expect(r.events).toEqual([
      { name: "StatusChanged", data: { name: "vita", from: "Disabled", to: "Canary", rolloutBps: 500, reason: null } },
      { name: "Custom", data: null, raw: "0xab" },
    ]);
    expect(r.rawEvents).toBe(events);
  });

  it("a failed transaction reports its code by name, no events, and does not throw by default", () => {
    const { inv, client } = setup();
    inv.reply({ code: 8 });
    const r = client.enable(OPS, "vita");
    expect(r).toMatchObject({ ok: false, code: 8, codeName: "InvalidTransition", events: [], result: null });
    expect(() => expectOk(r)).toThrow(/enable failed: InvalidTransition \(8\)/);
  });

  it("a trap reports code -1, Fault and the trap message", () => {
    const { inv, client } = setup();
    inv.reply({ code: -1, trap: "unreachable" });
    const r = client.recordError(OPS, "vita");
    expect(r).toMatchObject({ ok: false, code: -1, codeName: "Fault", trap: "unreachable" });
    try {
      expectOk(r);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ContractError);
      expect(e).toMatchObject({ code: -1, codeName: "Fault", trap: "unreachable" });
    }
  });

  it("with throwOnError a failed transaction throws ContractError", () => {
    const inv = new FakeInvoker().reply({ code: 4 });
    const client = new CanaryClient(inv, { height: 1, throwOnError: true });
    expect(() => client.pause(ALICE, "vita")).toThrow(expect.objectContaining({ code: 4, codeName: "Unauthorized" }));
    expect(client.pause(OPS, "vita").ok).toBe(true);
  });

  it("patchPolicy reads the current policy and changes only the named fields", () => {
    const { inv, client } = setup();
    inv.reply({ output: new Uint8Array([1, ...encodeFeatureView(FEATURE)]) });
    client.patchPolicy(OPS, "vita", { maxErrorRateBps: 50 });
    expect(inv.calls.map((c) => c.method)).toEqual(["getFeature", "updatePolicy"]);
    const expected = bytesToHex(encodePolicy({ ...FEATURE.policy, maxErrorRateBps: 50 })).slice(2);
    expect(inv.calls[1]!.args).toBe("0x0400000076697461" + expected);
  });
});

describe("CanaryClient.call (by method name, for the replay)", () => {
  it("runs views read-only and transactions signed, with enum names in args", () => {
    const { inv, client } = setup();
    inv.reply({ output: hx("01") }).reply({});
    const v = client.call("hasRole", { role: "Operator", account: OPS }, { sender: ADMIN, height: 3 });
    const t = client.call("grantRole", { role: "Guardian", account: OPS }, ADMIN);
    expect(v).toMatchObject({ ok: true, result: true });
    expect(t).toMatchObject({ ok: true, result: null });
    expect(inv.calls).toEqual([
      { kind: "view", method: "hasRole", args: "0x01" + OPS.slice(2), ctx: { height: 3, sender: ADMIN } },
      { kind: "transact", method: "grantRole", args: "0x02" + OPS.slice(2), ctx: { height: 7, sender: ADMIN, witnesses: [ADMIN] } },
    ]);
  });

  it("gives results in display form through displayTxResult", () => {
    const { inv, client } = setup();
    inv.reply({ output: new Uint8Array([1, ...encodeFeatureView({ ...FEATURE, rollbackReason: 1 })]) });
    const r = client.call("getFeature", { name: "vita" });
    expect(displayTxResult(r)).toMatchObject({ status: "Canary", rollbackReason: "ErrorRate", createdBy: OPS, windowSuccesses: 12 });
  });

  it("does not throw for a contract error or a malformed result, and refuses unknown methods and missing signers", () => {
    const { inv, client } = setup();
    inv.reply({ code: 5 }).reply({ output: hx("07") });
    expect(client.call("getMetrics", { name: "x" })).toMatchObject({ ok: false, codeName: "FeatureNotFound" });
    const bad = client.call("isEnabled", { name: "x", account: ALICE });
    expect(bad.ok).toBe(true);
    expect(bad.decodeError).toMatch(/not canonical/);
    expect(() => client.call("nope" as never, {})).toThrow(/unknown method/);
    expect(() => client.call("enable", { name: "x" })).toThrow(/needs a signer/);
  });
});
