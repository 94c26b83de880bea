// A lab's results per traffic feature, computed from the runs in seed order. This is the
// `--json` schema (docs: README.md, "Rollback statistics, measured", and `canary lab --help`).

import { reasonName, statusName } from "../client/index.ts";
import { spread, wilson } from "./stats.ts";
import type { FeatureRun, RegressionStart } from "./run.ts";

export interface Spread {
  median: number;
  p90: number;
}

export interface FeatureSummary {
  feature: string;
  runs: number;
  /** Runs in which the feature was rolled back (its first rollback counts). */
  rolledBack: number;
  rollbackRate: number;
  /** 95 % Wilson interval of rollbackRate, [lo, hi]. */
  rollbackRate95: [number, number];
  /** Rollbacks by reason name (Manual, ErrorRate, …; "none" when the rollback named none). */
  reasons: Record<string, number>;
  /** Exposed calls up to and including the rollback's block, over the runs that rolled back. */
  exposedBeforeRollback: Spread | null;
  /** Block of the rollback, over the runs that rolled back. */
  rollbackBlock: Spread | null;
  /** Final status of the runs that did not roll back, by status name. */
  finalStatus: Record<string, number>;
  /** Exposed calls over the whole run, over all runs. */
  exposed: Spread;
  /** A regression (traffic's `regression`, or a later traffic entry that raises the new path's error rate only). */
  regression: RegressionSummary | null;
}

export interface RegressionSummary {
  /** It begins at block `from`, or after `afterExposedCalls` exposed calls (the other is null). */
  from: number | null;
  afterExposedCalls: number | null;
  /** Exposed calls before it began, over all runs. */
  exposedBefore: Spread;
  /** Runs rolled back before it began (false rollbacks). */
  rolledBackBefore: number;
  /** Runs rolled back after it began. */
  caught: number;
  /** Exposed calls from its beginning up to and including the rollback's block (detection delay), over the caught runs. */
  detectionDelay: Spread | null;
}

function tally(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** Summaries per feature (in the runs' feature order); `regressions` per feature name. */
export function summarize(runs: readonly FeatureRun[][], regressions: ReadonlyMap<string, RegressionStart | null>): FeatureSummary[] {
  const features = runs[0]?.map((f) => f.feature) ?? [];
  return features.map((feature, k) => {
    const of = runs.map((r) => r[k]!);
    const back = of.filter((f) => f.rollbackHeight !== null);
    const reasons: Record<string, number> = {};
    for (const f of back) tally(reasons, f.reason === null ? "none" : reasonName(f.reason));
    const finalStatus: Record<string, number> = {};
    for (const f of of) if (f.rollbackHeight === null) tally(finalStatus, f.status < 0 ? "missing" : statusName(f.status));
    const start = regressions.get(feature) ?? null;
    let regression: RegressionSummary | null = null;
    if (start !== null) {
      const before = back.filter((f) => f.rolledBackAfterRegression === false);
      const caught = back.filter((f) => f.rolledBackAfterRegression === true);
      regression = {
        from: start.from ?? null,
        afterExposedCalls: start.afterExposedCalls ?? null,
        exposedBefore: spread(of.map((f) => f.exposedBeforeRegression ?? 0))!,
        rolledBackBefore: before.length,
        caught: caught.length,
        detectionDelay: spread(caught.map((f) => f.exposedBeforeRollback! - f.exposedBeforeRegression!)),
      };
    }
    return {
      feature,
      runs: of.length,
      rolledBack: back.length,
      rollbackRate: of.length === 0 ? 0 : back.length / of.length,
      rollbackRate95: wilson(back.length, of.length),
      reasons,
      exposedBeforeRollback: spread(back.map((f) => f.exposedBeforeRollback!)),
      rollbackBlock: spread(back.map((f) => f.rollbackHeight!)),
      finalStatus,
      exposed: spread(of.map((f) => f.exposed))!,
      regression,
    };
  });
}
