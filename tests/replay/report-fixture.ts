// Fabricated replay results for the report's unit tests: per-block series built by hand
// (no module), so the page can be checked against numbers known in advance.

import { DEFAULT_POLICY, Status, type FeatureView, type HistoryEntry, type Policy } from "../../src/client/index.ts";
import { SERIES_COUNTERS, TRAFFIC_COUNTERS, type FaultRecord, type FeatureFinal, type FeatureSeries, type ReplayResult } from "../../src/replay/replay.ts";

/** Deterministic uniform numbers in [0, 1) (an LCG: good enough for fabricated traffic). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export interface FabricatedFeature {
  name: string;
  policy: Partial<Policy>;
  /** Rolled back at this height (ErrorRate); the statistic is forced to `stat` there. */
  rollbackAt?: number;
  /** The view at the rollback: statistic × 10^6, run samples and errors, baseline samples and errors, window samples and errors. */
  at?: { statistic: number; runSamples: number; runErrors: number; baseSamples: number; baseErrors: number; windowSamples: number; windowErrors: number };
  /** Error rates of the exposed and unexposed paths. */
  exposedRate: number;
  unexposedRate: number;
  /** recordCohorts (baseline counted in the view) or recordBatch only. */
  cohorts: boolean;
  traffic: boolean;
}

const ACCOUNTS = { ops: "0x00000000000000000000000000000000000000c2", monitor: "0x00000000000000000000000000000000000000c3" };

/**
 * One feature: created at 1, Canary 500 bps from 1, RollingOut from 200 (+1000 bps every 100
 * blocks), 200 calls per block, statistic moved per block like the policy's analysis would
 * (floating point, clamped at the floor), rolled back at `rollbackAt` when given.
 */
export function fabricate(until: number, spec: FabricatedFeature, seed = 7): { series: FeatureSeries; final: FeatureFinal } {
  const n = until + 1;
  const nan = () => new Float64Array(n).fill(NaN);
  const policy = { ...DEFAULT_POLICY, ...spec.policy } as Policy;
  const s: FeatureSeries = {
    name: spec.name,
    status: new Int8Array(n).fill(-1),
    bps: new Int32Array(n).fill(-1),
    errorRateBps: nan(),
    counters: Object.fromEntries(SERIES_COUNTERS.map((k) => [k, nan()])) as FeatureSeries["counters"],
    policies: [{ height: 1, policy }],
  };
  if (spec.traffic) s.traffic = Object.fromEntries(TRAFFIC_COUNTERS.map((k) => [k, nan()])) as FeatureSeries["traffic"];
  const history: HistoryEntry[] = [];
  const entry = (block: number, from: number, to: number, bps: number, reason: number | null = null, actor: string | null = ACCOUNTS.ops) =>
    history.push({ seq: history.length, block, from, to, rolloutBps: bps, reason, actor });
  entry(1, Status.Disabled, Status.Canary, 500);
  const u = rng(seed);
  let status: number = Status.Canary;
  let bps = 500;
  let ws = 0, we = 0, rs = 0, re = 0, bs = 0, be = 0, stat = 0;
  const t = { ec: 0, ee: 0, uc: 0, ue: 0 };
  const slope = policy.seqSlopePpm / 1e6;
  for (let h = 1; h <= until; h++) {
    if (status === Status.Canary && h === 200) {
      status = Status.RollingOut;
      entry(h, Status.Canary, Status.RollingOut, bps);
      ws = we = 0;
    } else if (status === Status.RollingOut && h > 200 && (h - 200) % 100 === 0) {
      bps = Math.min(10000, bps + 1000);
      status = bps === 10000 ? Status.Enabled : Status.RollingOut;
      entry(h, Status.RollingOut, status, bps);
      ws = we = 0;
    }
    if (status !== Status.RolledBack && h >= 2) {
      let ec = 0, ee = 0, uc = 0, ue = 0;
      for (let i = 0; i < 200; i++) {
        if (u() * 10000 < bps) {
          ec++;
          if (u() < spec.exposedRate) ee++;
        } else {
          uc++;
          if (u() < spec.unexposedRate) ue++;
        }
      }
      Object.assign(t, { ec: t.ec + ec, ee: t.ee + ee, uc: t.uc + uc, ue: t.ue + ue });
      ws += ec; we += ee; rs += ec; re += ee;
      if (spec.cohorts) { bs += uc; be += ue; }
      if (policy.analysis === 1) stat = Math.max(stat + ee - slope * ec, -Number(policy.seqFloorPpm) / 1e6);
      else if (policy.analysis === 2 && spec.cohorts && ec > 0 && uc > 0 && ee + ue > 0) {
        const r = 1 + policy.compExcessPpm / 1e6;
        stat = Math.max(stat + ee * Math.log(r) - (ee + ue) * Math.log(1 + (r - 1) * (ec / (ec + uc))), -Number(policy.compFloorPpm) / 1e6);
      }
    }
    if (h === spec.rollbackAt) {
      const a = spec.at!;
      stat = a.statistic / 1e6;
      ({ runSamples: rs, runErrors: re, baseSamples: bs, baseErrors: be, windowSamples: ws, windowErrors: we } = a);
      status = Status.RolledBack;
      bps = 0;
      entry(h, Status.RollingOut, Status.RolledBack, 0, 1, ACCOUNTS.monitor);
    }
    s.status[h] = status;
    s.bps[h] = bps;
    s.errorRateBps[h] = ws === 0 ? NaN : Math.floor((we * 1e6) / ws) / 100;
    const c = s.counters;
    c.windowSamples[h] = ws; c.windowErrors[h] = we; c.runSamples[h] = rs; c.runErrors[h] = re;
    c.baseSamples[h] = bs; c.baseErrors[h] = be; c.statistic[h] = Math.round(stat * 1e6);
    if (s.traffic) {
      s.traffic.exposedCalls[h] = t.ec; s.traffic.exposedErrors[h] = t.ee;
      s.traffic.unexposedCalls[h] = t.uc; s.traffic.unexposedErrors[h] = t.ue;
    }
  }
  const view = {
    name: spec.name, description: `fabricated ${spec.name}`, status, rolloutBps: bps, targetBps: 10000, paused: false,
    startBlock: 1, lastStepBlock: 200, windowSuccesses: BigInt(ws - we), windowErrors: BigInt(we),
    rollbackReason: status === Status.RolledBack ? 1 : null, createdBy: ACCOUNTS.ops, policy,
    runSuccesses: BigInt(rs - re), runErrors: BigInt(re), baseSuccesses: BigInt(bs - be), baseErrors: BigInt(be), statistic: BigInt(Math.round(stat * 1e6)),
  } as FeatureView;
  return { series: s, final: { view, history } };
}

/** A ReplayResult around fabricated features (and faults). */
export function fabricatedResult(until: number, features: { series: FeatureSeries; final: FeatureFinal }[], faults: FaultRecord[] = []): ReplayResult {
  return {
    scenario: { name: "fabricated", seed: 1, accounts: ACCOUNTS, admin: ACCOUNTS.ops, adminLabel: "ops", until, blocks: [], traffic: [] },
    summary: { type: "summary", blocks: until, txs: 10, faults: faults.length, expectFailed: 0, stateRoot: "00".repeat(32), features: [], exposure: [] },
    expectations: [],
    faults,
    features: features.map((f) => f.final),
    exposure: [],
    series: features.map((f) => f.series),
    gas: [],
    timing: { ms: 1, blocks: until, trafficCalls: 0, blocksPerSecond: 1, callsPerSecond: 1 },
  };
}
