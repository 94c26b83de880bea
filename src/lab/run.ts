// One lab run: the scenario replayed with one seed (in-memory store, expectations
// stripped), reduced to what the lab reports per traffic feature.

import { Status, decodeEventPayload } from "../client/index.ts";
import { replay } from "../replay/replay.ts";
import type { Scenario } from "../replay/scenario.ts";

/** What one run did to one traffic feature. */
export interface FeatureRun {
  feature: string;
  /** Status at the end of the run (-1: the feature never existed). */
  status: number;
  /** Height of the feature's first rollback (automatic or not), null when none. */
  rollbackHeight: number | null;
  /** Its reason (RollbackReason value), null when none or not given. */
  reason: number | null;
  /** Exposed calls up to and including the rollback's block; null when no rollback. */
  exposedBeforeRollback: number | null;
  /** Exposed calls over the whole run. */
  exposed: number;
  /** Exposed calls before the regression began (see regressionStart); null without one. */
  exposedBeforeRegression: number | null;
  /** Whether the rollback came after the regression began; null without a rollback or a regression. */
  rolledBackAfterRegression: boolean | null;
}

/** The features a scenario's traffic reports on, in order of first appearance. */
export function trafficFeatures(scenario: Scenario): string[] {
  return [...new Set(scenario.traffic.map((t) => t.feature))];
}

/**
 * Where a feature's regression begins: its traffic's `regression` (REPLAY.md: from a height,
 * or after the feature's first afterExposedCalls exposed calls), else the first traffic entry
 * (after its earliest) whose new path fails more often than the entry before it while the
 * old path does not (a rise on both paths is a shared outage, not a regression). null when
 * there is none.
 */
export function regressionStart(scenario: Scenario, feature: string): RegressionStart | null {
  const entries = scenario.traffic.filter((t) => t.feature === feature).sort((a, b) => a.from - b.from);
  for (const t of entries) {
    const r = t.regression;
    if (r?.from !== undefined) return { from: r.from };
    if (r?.afterExposedCalls !== undefined) return { afterExposedCalls: r.afterExposedCalls };
  }
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1]!.errorRateBps;
    const b = entries[i]!.errorRateBps;
    if (b.exposed > a.exposed && b.unexposed <= a.unexposed) return { from: entries[i]!.from };
  }
  return null;
}

/** A regression begins at height `from`, or after `afterExposedCalls` exposed calls. */
export type RegressionStart = { from: number; afterExposedCalls?: undefined } | { from?: undefined; afterExposedCalls: number };

/** The scenario as the lab replays it: another seed, no expectations. */
export function labScenario(scenario: Scenario, seed: string): Scenario {
  return { ...scenario, seed, blocks: scenario.blocks.map((b) => ({ ...b, expect: [] })) };
}

interface Track {
  cum: number;
  regression: RegressionStart | null;
  beforeRegression: number | null;
  rollbackHeight: number | null;
  reason: number | null;
  atRollback: number | null;
}

/** Replays `scenario` with `seed` against `wasm` and reports each traffic feature. */
export function runOnce(scenario: Scenario, wasm: Uint8Array, seed: string): FeatureRun[] {
  const features = trafficFeatures(scenario);
  const tracks = new Map<string, Track>(
    features.map((f) => [f, { cum: 0, regression: regressionStart(scenario, f), beforeRegression: null, rollbackHeight: null, reason: null, atRollback: null }]),
  );
  const result = replay(labScenario(scenario, seed), {
    wasm,
    blocks: "none",
    onTraffic(height, feature, o) {
      const t = tracks.get(feature)!;
      if (t.regression?.from !== undefined && t.beforeRegression === null && height >= t.regression.from) t.beforeRegression = t.cum;
      t.cum += o.exposedCalls;
    },
    afterBlock(br) {
      for (const ev of br.events) {
        if (ev.name !== "StatusChanged") continue;
        const d = decodeEventPayload("StatusChanged", ev.data) as { name: string; to: number; reason: number | null };
        const t = tracks.get(d.name);
        if (!t || d.to !== Status.RolledBack || t.rollbackHeight !== null) continue;
        t.rollbackHeight = br.height;
        t.reason = d.reason ?? null;
        t.atRollback = t.cum;
      }
    },
  });
  return features.map((feature) => {
    const t = tracks.get(feature)!;
    const view = result.features.find((f) => f.view.name === feature)?.view;
    const r = t.regression;
    // Before a `from` regression: the calls of the blocks before it; before an
    // afterExposedCalls one: that many (or all, when the run never got there).
    const before = r === null ? null : r.from !== undefined ? (t.beforeRegression ?? t.cum) : Math.min(r.afterExposedCalls, t.cum);
    const after = r === null || t.rollbackHeight === null ? null : r.from !== undefined ? t.rollbackHeight >= r.from : t.atRollback! > r.afterExposedCalls;
    return {
      feature,
      status: view ? view.status : -1,
      rollbackHeight: t.rollbackHeight,
      reason: t.reason,
      exposedBeforeRollback: t.atRollback,
      exposed: t.cum,
      exposedBeforeRegression: before,
      rolledBackAfterRegression: after,
    };
  });
}
