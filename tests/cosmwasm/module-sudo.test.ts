// The CosmWasm module's end-block hook and migrate under cw-simulate: a bounded batch per sudo
// (max_due_per_block) in due order with the rest left to the next blocks, a waiting feature
// not holding back the others, a corrupt feature skipped (the hook never fails), the worst
// sudo's gas under x/clock's 100,000 with cw-simulate's meter, and migrate (upgrade, refused
// downgrade or other contract).

import { describe, expect, it } from "vitest";
import { addr, deploy, exec, query, setHeight, setStorageValue, storageSnapshot, sudo, type Sim } from "./_module.ts";

const ADMIN = addr(1);
const STEP_POLICY = { increment_blocks: 1, min_success_count: "0", min_samples: 0, increment_bps: 1000 };
const HOOK_GAS_LIMIT = 100_000;

async function rollingOut(s: Sim, names: string[], policy: Record<string, unknown> = STEP_POLICY): Promise<void> {
  for (const name of names) {
    for (const msg of [
      { create_feature: { name, description: "", policy } },
      { start_canary: { name, bps: 1000 } },
      { start_rollout: { name, target_bps: 10000 } },
    ]) {
      const r = await exec(s, ADMIN, msg);
      expect(r.ok, r.error).toBe(true);
    }
  }
}

const bps = (s: Sim, name: string) => (query<{ rollout_bps: number }>(s, { feature: { name } }).value!).rollout_bps;
const advanced = (r: ReturnType<typeof sudo>) =>
  r.events.filter((e) => e.type.endsWith("rollout_advanced")).map((e) => e.attributes.find((a) => a.key === "name")!.value);

describe("CosmWasm module: sudo batches", () => {
  it("the default (1 per block) takes due features one block at a time, in due order", async () => {
    const s = await deploy(ADMIN);
    const names = ["d.a", "d.b", "d.c", "d.d", "d.e"];
    await rollingOut(s, names);
    const h = s.app.height as number;
    setHeight(s, h + 1);
    const order: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const r = sudo(s, { clock_end_block: {} });
      expect(r.ok, r.error).toBe(true);
      order.push(...advanced(r));
    }
    expect(order).toEqual(names);
    for (const n of names) expect(bps(s, n)).toBe(2000);
  });

  it("max_due_per_block 3: three per sudo, the rest in the next", async () => {
    const s = await deploy(ADMIN, { max_due_per_block: 3 });
    const names = Array.from({ length: 7 }, (_, i) => `m${i}`);
    await rollingOut(s, names);
    setHeight(s, (s.app.height as number) + 1);
    const batches = [sudo(s, { end_block: {} }), sudo(s, { end_block: {} }), sudo(s, { end_block: {} })].map(advanced);
    expect(batches).toEqual([["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6"]]);
  });

  it("a feature waiting for data does not hold back the features after it", async () => {
    const s = await deploy(ADMIN);
    await rollingOut(s, ["w.a"], { ...STEP_POLICY, min_samples: 1000 }); // due, waits for samples
    await rollingOut(s, ["w.b"]);
    setHeight(s, (s.app.height as number) + 1);
    expect(advanced(sudo(s, { clock_end_block: {} }))).toEqual([]); // visits w.a: waits
    expect(advanced(sudo(s, { clock_end_block: {} }))).toEqual(["w.b"]); // goes on after it
    expect(bps(s, "w.a")).toBe(1000);
  });

  it("a corrupt feature record is skipped: the sudo succeeds and the others advance", async () => {
    const s = await deploy(ADMIN, { max_due_per_block: 10 });
    await rollingOut(s, ["c.a", "c.b"]);
    setStorageValue(s, Uint8Array.from([0xd0, ...Buffer.from("c.a"), 0]), Uint8Array.from([99, 1, 2]));
    setHeight(s, (s.app.height as number) + 1);
    const r = sudo(s, { clock_end_block: {} });
    expect(r.ok, r.error).toBe(true);
    expect(advanced(r)).toEqual(["c.b"]);
    expect(r.attributes).toContainEqual({ key: "action", value: "clock_end_block" });
  });

  it("the worst sudo at the default stays under 100,000 gas (cw-simulate's meter, approximate)", async () => {
    const s = await deploy(ADMIN, {}, true);
    // a step, a final step (RollingOut → Enabled: two events), and a rollback (deadline)
    await rollingOut(s, ["g.step"]);
    await rollingOut(s, ["g.last"], { ...STEP_POLICY, increment_bps: 10000 });
    await rollingOut(s, ["g.dead"], { ...STEP_POLICY, min_samples: 1000, progress_deadline_blocks: 2 });
    setHeight(s, (s.app.height as number) + 5);
    const gas: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = sudo(s, { clock_end_block: {} });
      expect(r.ok, r.error).toBe(true);
      gas.push(r.gas);
    }
    const idle = sudo(s, { clock_end_block: {} });
    console.log(`sudo gas (cw-simulate): per batch ${gas.join(", ")}; ${idle.gas} idle`);
    for (const g of gas) expect(g).toBeLessThan(HOOK_GAS_LIMIT);
  });

  it("sudo before anything is due, and with nothing stored, succeeds", async () => {
    const s = await deploy(ADMIN);
    const before = storageSnapshot(s);
    expect(sudo(s, { cadence_end_block: {} }).ok).toBe(true);
    expect(storageSnapshot(s)).toEqual(before);
  });
});

describe("CosmWasm module: migrate", () => {
  const cw2 = (s: Sim) => JSON.parse(Buffer.from(storageSnapshot(s).get(Buffer.from("contract_info").toString("hex"))!, "hex").toString());
  const setCw2 = (s: Sim, v: unknown) => setStorageValue(s, Buffer.from("contract_info"), Buffer.from(JSON.stringify(v)));
  const migrate = (s: Sim, msg: unknown = {}) => {
    const c = s.app.wasm.getContract(s.addr) as unknown as { migrate(m: unknown, logs: unknown[]): { err: boolean; val: unknown } };
    const r = c.migrate(msg, []);
    return r.err ? { ok: false, error: String(r.val) } : { ok: true };
  };

  it("upgrades from an earlier version: keeps every feature and role, writes the new version", async () => {
    const s = await deploy(ADMIN);
    await rollingOut(s, ["keep"]);
    setCw2(s, { contract: "onchain-canary", version: "0.0.9" });
    const r = migrate(s);
    expect(r.ok, r.error).toBe(true);
    expect(cw2(s).version).not.toBe("0.0.9");
    expect(bps(s, "keep")).toBe(1000);
    expect(query(s, { has_role: { role: "admin", account: ADMIN } }).value).toBe(true);
  });

  it("the same version migrates (no-op); a newer stored version is a refused downgrade", async () => {
    const s = await deploy(ADMIN);
    expect(migrate(s).ok).toBe(true);
    setCw2(s, { contract: "onchain-canary", version: "9.0.0" });
    const before = storageSnapshot(s);
    const r = migrate(s);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^InvalidTransition: downgrade refused: stored 9\.0\.0 is newer than /);
    expect(storageSnapshot(s)).toEqual(before);
  });

  it("refuses another contract's state and unknown fields", async () => {
    const s = await deploy(ADMIN);
    expect(migrate(s, { force: true }).error).toMatch(/^BadInput: unknown field `force`/);
    setCw2(s, { contract: "crates.io:cw20-base", version: "1.0.0" });
    expect(migrate(s).error).toMatch(/^InvalidTransition: cannot migrate from contract `crates.io:cw20-base`/);
  });
});

describe("CosmWasm module: migrate over a store written by release v1", () => {
  it("keeps every feature; version 1 records read as they are (upgraded on their next write)", async () => {
    const { readFileSync } = await import("node:fs");
    const dir = new URL("../fixtures/stores/v1/", import.meta.url);
    const state = JSON.parse(readFileSync(new URL("state.json", dir), "utf8")) as { entries: [string, string][] };
    const expected = JSON.parse(readFileSync(new URL("expect.json", dir), "utf8")) as {
      names: string[];
      views: { features: Record<string, { getFeature: { status: number; rolloutBps: number; description: string } | null }> };
    };
    const s = await deploy(ADMIN);
    // The chain's store after code v1 ran (SPEC section 9 keys and values are the same on CosmWasm)
    const c = s.app.wasm.getContract(s.addr) as unknown as { getStorage(): { clear(): unknown }; setStorage(m: unknown): void; _vm?: { backend: { storage: { dict: { clear(): unknown } } } } };
    c.setStorage(c.getStorage().clear());
    if (c._vm) (c._vm.backend.storage as unknown as { dict: unknown }).dict = (c._vm.backend.storage.dict as { clear(): unknown }).clear();
    for (const [k, v] of state.entries) setStorageValue(s, Buffer.from(k, "hex"), Buffer.from(v, "hex"));
    setCw2v(s, { contract: "onchain-canary", version: "0.0.1" });
    const c2 = s.app.wasm.getContract(s.addr) as unknown as { migrate(m: unknown, logs: unknown[]): { err: boolean; val: unknown } };
    const r = c2.migrate({}, []);
    expect(r.err, String(r.val)).toBe(false);
    const listed = query<{ name: string; status: string; rollout_bps: number; description: string }[]>(s, { list_features: { limit: 100 } });
    expect(listed.ok, listed.error).toBe(true);
    const existing = expected.names.filter((n) => expected.views.features[n]?.getFeature != null);
    expect(existing.length).toBeGreaterThan(10);
    expect(listed.value!.map((f) => f.name)).toEqual(existing);
    const statuses = ["disabled", "canary", "rolling_out", "enabled", "rolled_back"];
    for (const f of listed.value!) {
      const want = expected.views.features[f.name]!.getFeature!;
      expect(f.status).toBe(statuses[want.status]);
      expect(f.rollout_bps).toBe(want.rolloutBps);
      expect(f.description).toBe(want.description);
    }
  });
});

function setCw2v(s: Sim, v: unknown): void {
  setStorageValue(s, Buffer.from("contract_info"), Buffer.from(JSON.stringify(v)));
}
