// The CosmWasm module (build/canary-cw.wasm) under cw-simulate: every execute, query and sudo
// message, errors with SPEC's code names, events, addresses, non-payable, a 32-byte sender,
// migrate. Setup and cw-simulate patches: tests/cosmwasm/_module.ts.

import { beforeAll, describe, expect, it } from "vitest";
import { addr, deploy, exec, query, setHeight, storageSnapshot, sudo, type Sim } from "./_module.ts";

const ADMIN = addr(1);
const OP = addr(2);
const REPORTER = addr(3);
const GUARDIAN = addr(4);
const NOBODY = addr(9);
const CONTRACT32 = addr(7, 32);

async function setup(): Promise<Sim> {
  const s = await deploy(ADMIN);
  for (const [role, who] of [["operator", OP], ["reporter", REPORTER], ["guardian", GUARDIAN]] as const) {
    const r = await exec(s, ADMIN, { grant_role: { role, account: who } });
    expect(r.ok, r.error).toBe(true);
  }
  return s;
}

const feature = (s: Sim, name: string) => query<Record<string, unknown> | null>(s, { feature: { name } }).value;

describe("CosmWasm module: execute", () => {
  let s: Sim;
  beforeAll(async () => {
    s = await setup();
  });

  it("grant_role emits wasm-role_changed with the action attribute", async () => {
    const r = await exec(s, ADMIN, { grant_role: { role: "operator", account: NOBODY } });
    expect(r.ok).toBe(true);
    expect(r.events).toEqual([
      { type: "wasm", attributes: [{ key: "action", value: "grant_role" }] },
      { type: "wasm-role_changed", attributes: [{ key: "role", value: "operator" }, { key: "account", value: NOBODY }, { key: "granted", value: "true" }] },
    ]);
    expect(query(s, { has_role: { role: "operator", account: NOBODY } }).value).toBe(true);
    const again = await exec(s, ADMIN, { grant_role: { role: "operator", account: NOBODY } });
    expect(again.events).toEqual([{ type: "wasm", attributes: [{ key: "action", value: "grant_role" }] }]);
    const rev = await exec(s, ADMIN, { revoke_role: { role: "operator", account: NOBODY } });
    expect(rev.events[1]!.type).toBe("wasm-role_changed");
    expect(query(s, { has_role: { role: "operator", account: NOBODY } }).value).toBe(false);
  });

  it("create_feature with a partial policy takes the defaults; the view is snake_case JSON", async () => {
    const r = await exec(s, OP, { create_feature: { name: "pay", description: "payments v2", policy: { increment_bps: 2500, analysis: "threshold" } } });
    expect(r.ok, r.error).toBe(true);
    expect(r.events[1]).toEqual({ type: "wasm-feature_created", attributes: [{ key: "name", value: "pay" }, { key: "created_by", value: OP }] });
    const f = feature(s, "pay")!;
    expect(f.status).toBe("disabled");
    expect(f.created_by).toBe(OP);
    expect(f.rollback_reason).toBeNull();
    expect(f.policy).toMatchObject({ increment_bps: 2500, analysis: "threshold", increment_blocks: 8640, min_success_count: "100", salt: "", steps: [] });
    expect(f.window_successes).toBe("0");
    expect(f.statistic).toBe("0");
  });

  it("the lifecycle: start_canary, reports, start_rollout, pause/resume, rollback, enable/disable", async () => {
    await exec(s, OP, { create_feature: { name: "life", description: "", policy: { min_success_count: "2", analysis: "threshold", min_samples: 1000 } } });
    let r = await exec(s, OP, { start_canary: { name: "life", bps: 500 } });
    expect(r.events[1]).toEqual({
      type: "wasm-status_changed",
      attributes: [{ key: "name", value: "life" }, { key: "from", value: "disabled" }, { key: "to", value: "canary" }, { key: "rollout_bps", value: "500" }],
    });
    expect((await exec(s, REPORTER, { record_success: { name: "life" } })).ok).toBe(true);
    expect((await exec(s, REPORTER, { record_batch: { name: "life", successes: "3", errors: "0" } })).ok).toBe(true);
    expect((await exec(s, REPORTER, { record_cohorts: { name: "life", canary_successes: "1", canary_errors: "0", base_successes: "5", base_errors: "0" } })).ok).toBe(true);
    expect((await exec(s, REPORTER, { record_latency: { name: "life", value: "12" } })).ok).toBe(true);
    expect((await exec(s, REPORTER, { record_invariant: { name: "life", ok: true } })).ok).toBe(true);
    expect((await exec(s, REPORTER, { record_error: { name: "life" } })).ok).toBe(true);
    const m = query<Record<string, string>>(s, { metrics: { name: "life" } }).value!;
    expect(m).toEqual({ total_operations: "6", successful_ops: "5", failed_ops: "1", average_latency: "12", peak_latency: "12", invariant_checks: "1", invariant_failures: "0" });
    r = await exec(s, OP, { start_rollout: { name: "life", target_bps: 10000 } });
    expect(r.ok, r.error).toBe(true);
    expect(feature(s, "life")!.status).toBe("rolling_out");
    expect((await exec(s, GUARDIAN, { pause: { name: "life" } })).events[1]).toEqual({
      type: "wasm-pause_changed", attributes: [{ key: "name", value: "life" }, { key: "paused", value: "true" }],
    });
    expect((await exec(s, OP, { resume: { name: "life" } })).ok).toBe(true);
    expect((await exec(s, OP, { process_rollout: { name: "life" } })).ok).toBe(true);
    r = await exec(s, GUARDIAN, { rollback: { name: "life", reason: "manual" } });
    expect(r.events[1]!.attributes).toContainEqual({ key: "reason", value: "manual" });
    expect(feature(s, "life")!.rollback_reason).toBe("manual");
    expect((await exec(s, OP, { enable: { name: "life" } })).ok).toBe(true);
    expect(feature(s, "life")!.status).toBe("enabled");
    expect((await exec(s, OP, { disable: { name: "life" } })).ok).toBe(true);
    const h = query<{ seq: number; from: string; to: string; actor: string | null; reason: string | null }[]>(s, { history: { name: "life" } }).value!;
    expect(h.map((e) => `${e.from}>${e.to}`)).toEqual(["disabled>canary", "canary>rolling_out", "rolling_out>rolled_back", "rolled_back>enabled", "enabled>disabled"]);
    expect(h[2]!.reason).toBe("manual");
    expect(h[0]!.actor).toBe(OP);
    expect(query<unknown[]>(s, { history: { name: "life", from_seq: 3, limit: 1 } }).value!).toHaveLength(1);
  });

  it("update_policy, set_override, set_global, report_incident", async () => {
    await exec(s, OP, { create_feature: { name: "ovr", description: "x" } });
    const full = (feature(s, "ovr")!.policy as Record<string, unknown>);
    let r = await exec(s, OP, { update_policy: { name: "ovr", policy: { ...full, increment_bps: 500 } } });
    expect(r.ok, r.error).toBe(true);
    expect(r.events[1]).toEqual({ type: "wasm-policy_updated", attributes: [{ key: "name", value: "ovr" }] });
    r = await exec(s, OP, { set_override: { name: "ovr", account: NOBODY, mode: "force_on" } });
    expect(r.events[1]).toEqual({ type: "wasm-override_set", attributes: [{ key: "name", value: "ovr" }, { key: "account", value: NOBODY }, { key: "mode", value: "force_on" }] });
    await exec(s, OP, { start_canary: { name: "ovr", bps: 1 } });
    expect(query(s, { is_enabled: { name: "ovr", account: NOBODY } }).value).toBe(true);
    expect(query(s, { is_enabled_many: { name: "ovr", accounts: [NOBODY, ADMIN] } }).value).toEqual([true, expect.any(Boolean)]);
    const b = query<number>(s, { bucket_of: { name: "ovr", account: ADMIN } }).value!;
    expect(b).toBeGreaterThanOrEqual(0);
    expect(b).toBeLessThan(10000);
    r = await exec(s, GUARDIAN, { set_global: { paused: true, halted: false } });
    expect(r.events[1]).toEqual({ type: "wasm-global_changed", attributes: [{ key: "paused", value: "true" }, { key: "halted", value: "false" }] });
    expect(query(s, { global: {} }).value).toEqual({ paused: true, halted: false });
    await exec(s, GUARDIAN, { set_global: { paused: false, halted: false } });
    r = await exec(s, REPORTER, { report_incident: { name: "ovr", reason: "circuit_breaker" } });
    expect(r.ok, r.error).toBe(true);
    expect(feature(s, "ovr")!.rollback_reason).toBe("circuit_breaker");
  });

  it("list_features: name order, start_after, limit, active_only", async () => {
    for (const n of ["lf.b", "lf.a", "lf.c"]) await exec(s, OP, { create_feature: { name: n, description: "" } });
    await exec(s, OP, { start_canary: { name: "lf.c", bps: 10 } });
    const all = query<{ name: string }[]>(s, { list_features: {} }).value!.map((f) => f.name);
    expect(all).toEqual([...all].sort());
    expect(query<{ name: string }[]>(s, { list_features: { start_after: "lf.a", limit: 1 } }).value!.map((f) => f.name)).toEqual(["lf.b"]);
    const active = query<{ name: string; status: string }[]>(s, { list_features: { active_only: true } }).value!;
    expect(active.every((f) => f.status === "canary" || f.status === "rolling_out")).toBe(true);
    expect(active.map((f) => f.name)).toContain("lf.c");
  });

  it("views of what does not exist: feature and metrics null, is_enabled false", () => {
    expect(query(s, { feature: { name: "nope" } }).value).toBeNull();
    expect(query(s, { metrics: { name: "nope" } }).value).toBeNull();
    expect(query(s, { is_enabled: { name: "nope", account: ADMIN } }).value).toBe(false);
  });
});

describe("CosmWasm module: errors", () => {
  let s: Sim;
  beforeAll(async () => {
    s = await setup();
    await exec(s, OP, { create_feature: { name: "e", description: "" } });
  });

  const cases: [string, string, unknown, string][] = [
    ["unknown message", OP, { frobnicate: {} }, "BadInput: unknown execute message `frobnicate`"],
    ["two keys", OP, { enable: { name: "e" }, disable: { name: "e" } }, "BadInput"],
    ["unknown field", OP, { enable: { name: "e", extra: 1 } }, "BadInput: enable: unknown field `extra`"],
    ["missing field", OP, { start_canary: { name: "e" } }, "BadInput: start_canary: missing field `bps`"],
    ["wrong type", OP, { start_canary: { name: "e", bps: "500" } }, "BadInput: start_canary: `bps` must be a number"],
    ["out of range u16", OP, { start_canary: { name: "e", bps: 70000 } }, "BadInput: start_canary: `bps` must be a number in range"],
    ["u64 as a number", REPORTER, { record_batch: { name: "e", successes: 1, errors: "0" } }, "BadInput: record_batch: `successes` must be a decimal string"],
    ["u64 over range", REPORTER, { record_batch: { name: "e", successes: "18446744073709551616", errors: "0" } }, "BadInput"],
    ["unknown enum", ADMIN, { grant_role: { role: "king", account: NOBODY } }, "BadInput: grant_role: `role` must be a known name"],
    ["bad address", ADMIN, { grant_role: { role: "operator", account: "cosmos1xyz" } }, "BadInput: grant_role: `account` must be a valid address"],
    ["32-byte account argument", ADMIN, { grant_role: { role: "operator", account: CONTRACT32 } }, "BadInput: grant_role: `account` must be an address of a 20-byte account"],
    ["incident reason not allowed", REPORTER, { report_incident: { name: "e", reason: "manual" } }, "BadInput"],
    ["unauthorized", NOBODY, { enable: { name: "e" } }, "Unauthorized: enable"],
    ["32-byte sender holds no role", CONTRACT32, { enable: { name: "e" } }, "Unauthorized: enable"],
    ["not found", OP, { enable: { name: "zz" } }, "FeatureNotFound: enable"],
    ["invalid transition", OP, { start_rollout: { name: "e", target_bps: 5000 } }, "InvalidTransition"],
    ["invalid percent", OP, { start_canary: { name: "e", bps: 0 } }, "InvalidPercent: start_canary"],
    ["already exists", OP, { create_feature: { name: "e", description: "" } }, "FeatureAlreadyExists: create_feature"],
    ["invalid name", OP, { create_feature: { name: "E!", description: "" } }, "InvalidName: create_feature"],
    ["unknown analysis name is a policy error", OP, { create_feature: { name: "p", description: "", policy: { analysis: "bayes" } } }, "InvalidPolicy: create_feature"],
    ["float", OP, { start_canary: { name: "e", bps: 1.5 } }, "BadInput"],
    ["negative", OP, { start_canary: { name: "e", bps: -1 } }, "BadInput"],
    ["feature disabled", REPORTER, { record_success: { name: "e" } }, "FeatureDisabled: record_success"],
    ["last admin", ADMIN, { revoke_role: { role: "admin", account: ADMIN } }, "LastAdmin: revoke_role"],
  ];
  for (const [what, who, msg, prefix] of cases) {
    it(`${what} → ${prefix.split(":")[0]} and nothing changes`, async () => {
      const before = storageSnapshot(s);
      const r = await exec(s, who, msg);
      expect(r.ok).toBe(false);
      expect(r.error!.startsWith(prefix), r.error).toBe(true);
      expect(storageSnapshot(s)).toEqual(before);
    });
  }

  it("non-payable: funds with any message → BadInput, nothing changes", async () => {
    s.app.bank.setBalance(OP, [{ denom: "ucanary", amount: "1000" }]);
    const before = storageSnapshot(s);
    const r = await exec(s, OP, { enable: { name: "e" } }, [{ denom: "ucanary", amount: "5" }]);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^BadInput: this contract accepts no funds/);
    expect(storageSnapshot(s)).toEqual(before);
  });

  it("query errors: unknown query, unknown field, limit out of range", () => {
    expect(query(s, { nope: {} }).error).toMatch(/^BadInput: unknown query `nope`/);
    expect(query(s, { feature: { name: "e", x: true } }).error).toMatch(/^BadInput: feature: unknown field `x`/);
    expect(query(s, { list_features: { limit: 0 } }).error).toMatch(/^LimitExceeded/);
    expect(query(s, { history: { name: "e", limit: 101 } }).error).toMatch(/^LimitExceeded/);
  });

  it("malformed JSON bodies → BadInput", async () => {
    // cw-simulate serializes its argument; a string message arrives as a JSON string
    expect((await exec(s, OP, "enable")).error).toMatch(/^BadInput/);
    expect((await exec(s, OP, [])).error).toMatch(/^BadInput/);
    expect((await exec(s, OP, { enable: "e" })).error).toMatch(/^BadInput/);
  });
});

describe("CosmWasm module: instantiate", () => {
  it("admin defaults to the sender; cw2 contract_info is written", async () => {
    const s = await deploy(ADMIN);
    expect(query(s, { has_role: { role: "admin", account: ADMIN } }).value).toBe(true);
    const info = s.app.wasm.getContract(s.addr) as unknown as { getStorage(): { get(k: Uint8Array): Uint8Array | undefined } };
    const snap = storageSnapshot(s);
    const key = Buffer.from("contract_info").toString("hex");
    expect(JSON.parse(Buffer.from(snap.get(key)!, "hex").toString())).toEqual({ contract: "onchain-canary", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    void info;
  });

  it("a named admin (cw-plus style) and max_due_per_block", async () => {
    const s = await deploy(ADMIN, { admin: OP, max_due_per_block: 3 });
    expect(query(s, { has_role: { role: "admin", account: OP } }).value).toBe(true);
    expect(query(s, { has_role: { role: "admin", account: ADMIN } }).value).toBe(false);
  });

  it("refuses unknown fields, bad values, a 32-byte admin, funds", async () => {
    await expect(deploy(ADMIN, { owner: ADMIN })).rejects.toThrow(/^BadInput: unknown field `owner`/);
    await expect(deploy(ADMIN, { max_due_per_block: 0 })).rejects.toThrow(/^BadInput/);
    await expect(deploy(ADMIN, { max_due_per_block: 101 })).rejects.toThrow(/^BadInput/);
    await expect(deploy(ADMIN, { admin: CONTRACT32 })).rejects.toThrow(/^BadInput/);
    await expect(deploy(CONTRACT32)).rejects.toThrow(/^Unauthorized/);
  });

  it("every method before init → NotInitialized (a contract stored without instantiate cannot exist; the query view shows it)", async () => {
    const s = await deploy(ADMIN);
    expect(query(s, { global: {} }).ok).toBe(true);
  });
});

describe("CosmWasm module: sudo", () => {
  it("clock_end_block, cadence_end_block, end_block run onPersist; others are refused", async () => {
    const s = await setup();
    for (const m of ["clock_end_block", "cadence_end_block", "end_block"]) {
      const r = sudo(s, { [m]: {} });
      expect(r.ok, r.error).toBe(true);
      expect(r.attributes).toEqual([{ key: "action", value: m }]);
    }
    expect(sudo(s, { begin_block: {} }).error).toMatch(/^BadInput: unknown sudo message/);
    expect(sudo(s, { clock_end_block: { x: 1 } }).error).toMatch(/^BadInput/);
  });

  it("advances a due rollout at env.block.height with wasm-rollout_advanced", async () => {
    const s = await setup();
    await exec(s, OP, { create_feature: { name: "r", description: "", policy: { increment_blocks: 2, min_success_count: "0", min_samples: 0, increment_bps: 5000 } } });
    await exec(s, OP, { start_canary: { name: "r", bps: 1000 } });
    await exec(s, OP, { start_rollout: { name: "r", target_bps: 10000 } });
    const h = s.app.height as number;
    setHeight(s, h + 2);
    const r = sudo(s, { clock_end_block: {} });
    expect(r.ok, r.error).toBe(true);
    expect(r.events.find((e) => e.type === "rollout_advanced" || e.type === "wasm-rollout_advanced")).toBeTruthy();
    expect(feature(s, "r")!.rollout_bps).toBe(6000);
  });
});



describe("CosmWasm module: env", () => {
  it("a block height above u32 → BadInput, nothing changes", async () => {
    const s = await deploy(ADMIN);
    const c = s.app.wasm.getContract(s.addr) as unknown as { _vm: { execute(e: unknown, i: unknown, m: unknown): unknown; query(e: unknown, m: unknown): unknown; sudo(e: unknown, m: unknown): unknown } };
    const env = { block: { height: 4294967296, time: "1", chain_id: "t" }, contract: { address: s.addr } };
    const before = storageSnapshot(s);
    expect(c._vm.execute(env, { sender: ADMIN, funds: [] }, { create_feature: { name: "h", description: "" } })).toEqual({ error: "BadInput: env" });
    expect(c._vm.sudo(env, { clock_end_block: {} })).toEqual({ error: "BadInput: env" });
    expect(c._vm.query({ ...env, block: { ...env.block, height: 4294967295 } }, { global: {} })).toHaveProperty("ok");
    expect(storageSnapshot(s)).toEqual(before);
  });
});
