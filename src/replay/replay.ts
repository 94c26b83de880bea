// replay(): runs a scenario against the real Wasm module on an in-process Chain.
//
//   block 0        init(admin), sent by admin (setup: not a tx line, not counted)
//   block h ≥ 1    the scenario's txs in order, then per traffic entry active at h:
//                  isEnabledMany (a view) and the reporter's recordBatch or recordCohorts
//                  (+ recordLatency),
//                  then onPersist (Chain.endBlock); then the expectations of height h.
//
// Output goes to `onLine` as REPLAY.md's records, in this order per height: tx lines, the
// block line (per `blocks`), expect lines; the summary last. The function returns the
// summary and what a human report needs (expectation details, faults, history, series).

import type { MethodName } from "../abi/methods.ts";
import {
  CanaryClient,
  EVENTS,
  FEATURE_VIEW,
  RESULTS,
  decodeEvent,
  decodeEventPayload,
  displayTxResult,
  toDisplay,
  type FeatureView,
  type HistoryEntry,
  type Policy,
  type TxResult,
} from "../client/index.ts";
import type { Field } from "../client/codec.ts";
import type { BlockResult } from "../host/chain.ts";
import type { ReplayChain } from "./cosmwasm.ts";
import type { Store } from "../host/store.ts";
import type { InvokeResult, RawEvent } from "../host/types.ts";
import { matches, valueText } from "./fields.ts";
import type { BlockLine, EventOut, ExposureOut, ReplayLine, SummaryLine, TxLine } from "./lines.ts";
import type { Expectation, Problem, Scenario, ScenarioBlock, ScenarioTx } from "./scenario.ts";
import { ModuleError, openChain } from "./module.ts";
import { makeTraffic, type BlockOutcome, type Population, type TrafficStream } from "./traffic.ts";

export { ModuleError };

export type BlocksMode = "all" | "changed" | "none";
export const BLOCKS_MODES: readonly BlocksMode[] = ["all", "changed", "none"];

export interface ReplayOptions {
  /** The contract module's bytes (build/canary.wasm). */
  wasm: Uint8Array;
  /**
   * The chain to replay on instead of a native Chain over `wasm` (`--target cosmwasm`: a
   * CosmWasmChain, src/replay/cosmwasm.ts). `store` and `resumeAfter` are then not used.
   */
  chain?: ReplayChain;
  /** Where the chain keeps its state (default: a fresh in-memory store). */
  store?: Store;
  /** Receives every output record as it happens. Without it no line objects are built. */
  onLine?: (line: ReplayLine) => void;
  /** Which block lines to emit: blocks whose state changed (default), all, none. */
  blocks?: BlocksMode;
  /** Record each feature's bps and window error rate at every height (for --report). */
  series?: boolean;
  /** Called about every 1 % of the run (and at the end) with the height just finished. */
  onProgress?: (height: number, until: number) => void;
  /**
   * The height of the last block already in `store` (a persisted chain being continued):
   * block 0's init and heights up to it are not run, the traffic streams are advanced past
   * them (their draws never depend on state). Default -1: a new chain. See resumeProblems.
   */
  resumeAfter?: number;
  /**
   * Called after each block's endBlock (block 0 included), before its output lines:
   * replayAsync awaits it (a persistent store commits the block there); replay calls it
   * synchronously.
   */
  afterBlock?: (block: BlockResult) => void | Promise<void>;
  /** Called after each traffic entry's draws of a block with what they were (the lab counts exposure per block). */
  onTraffic?: (height: number, feature: string, outcome: Readonly<BlockOutcome>) => void;
}

export interface ExpectOutcome {
  height: number;
  ok: boolean;
  what: string;
  expected: string;
  got: string;
}

export interface FaultRecord {
  height: number;
  /** Position in the block; -1 for onPersist. */
  index: number;
  sender: string;
  method: string;
  error: string;
  /** An expectation of that height asked for this failure. */
  expected: boolean;
  /** True for the traffic reporter's transactions. */
  traffic: boolean;
}

export interface FeatureFinal {
  view: FeatureView;
  history: HistoryEntry[];
}

/** Per feature, per height (index = height): what the report charts. */
export interface FeatureSeries {
  name: string;
  /** -1 where the feature did not exist yet. */
  status: Int8Array;
  bps: Int32Array;
  /** Window error rate in bps; NaN when the window has no samples (or no feature). */
  errorRateBps: Float64Array;
  /** The view's counters and statistic (× 10^6) at each height; NaN where no feature. */
  counters: Record<SeriesCounter, Float64Array>;
  /** The policy from each height where it was first seen (one entry more per updatePolicy). */
  policies: { height: number; policy: Policy }[];
  /**
   * The feature's synthetic traffic (all its entries), cumulative from the first tracked
   * height: calls and errors of exposed and of unexposed accounts. Absent without traffic.
   */
  traffic?: Record<TrafficCounter, Float64Array>;
}

export const SERIES_COUNTERS = ["windowSamples", "windowErrors", "runSamples", "runErrors", "baseSamples", "baseErrors", "statistic"] as const;
export type SeriesCounter = (typeof SERIES_COUNTERS)[number];
export const TRAFFIC_COUNTERS = ["exposedCalls", "exposedErrors", "unexposedCalls", "unexposedErrors"] as const;
export type TrafficCounter = (typeof TRAFFIC_COUNTERS)[number];

export interface ExposureDetail extends ExposureOut {
  /** Where a traffic regression's first regressed exposed call fell: its height and the feature's exposed calls before it (null: none). */
  regressionBegan: { height: number; exposedCalls: number } | null;
}

export interface ReplayResult {
  scenario: Scenario;
  summary: SummaryLine;
  expectations: ExpectOutcome[];
  faults: FaultRecord[];
  features: FeatureFinal[];
  exposure: ExposureDetail[];
  series?: FeatureSeries[];
  /** Gas per method over every transaction of the run (empty when the module is unmetered). */
  gas: GasRow[];
  timing: { ms: number; blocks: number; trafficCalls: number; blocksPerSecond: number; callsPerSecond: number };
}

/** Gas of one method over a run. */
export interface GasRow {
  method: string;
  calls: number;
  total: number;
  min: number;
  max: number;
  mean: number;
}

class GasStats {
  calls = 0;
  total = 0;
  min = Infinity;
  max = 0;
  add(used: number): void {
    this.calls++;
    this.total += used;
    if (used < this.min) this.min = used;
    if (used > this.max) this.max = used;
  }
}

function gasOf(table: Map<string, GasStats>, method: string): GasStats {
  let s = table.get(method);
  if (!s) table.set(method, (s = new GasStats()));
  return s;
}

function eventsOut(events: readonly RawEvent[]): EventOut[] {
  return events.map((ev) => {
    const d = decodeEvent(ev);
    return { name: d.name, data: d.data };
  });
}

function txLine(height: number, index: number, sender: string, r: TxResult): TxLine {
  return {
    type: "tx",
    height,
    index,
    sender,
    method: r.method,
    ok: r.ok,
    code: r.code,
    error: r.ok ? null : r.codeName,
    result: displayTxResult(r),
    events: r.events.map((e) => ({ name: e.name, data: e.data })),
    gas: r.gasUsed ?? null,
  };
}

export function replay(scenario: Scenario, options: ReplayOptions): ReplayResult {
  const steps = replaySteps(scenario, options);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    if (options.afterBlock?.(s.value) instanceof Promise) throw new TypeError("replay: afterBlock returned a promise (use replayAsync)");
  }
}

/** replay, awaiting `afterBlock` after every block (for a persistent store's commits). */
export async function replayAsync(scenario: Scenario, options: ReplayOptions): Promise<ReplayResult> {
  const steps = replaySteps(scenario, options);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    await options.afterBlock?.(s.value);
  }
}

/**
 * Why `scenario` cannot continue a chain whose last block is `storedHeight`: it would need
 * blocks at or below that height re-applied, or has nothing left to run. Empty when it can.
 */
export function resumeProblems(scenario: Scenario, storedHeight: number): Problem[] {
  if (storedHeight < 0) return [];
  const problems: Problem[] = [];
  if (scenario.until <= storedHeight) {
    problems.push({ path: "until", message: `until ${scenario.until} is at or below the stored height ${storedHeight}: nothing is left to replay` });
  }
  scenario.blocks.forEach((b, i) => {
    if (b.height <= storedHeight) problems.push({ path: `blocks[${i}].height`, message: `block ${b.height} is at or below the stored height ${storedHeight}` });
  });
  return problems;
}

/** The replay, one step per block: yields each block's result right after its endBlock. */
function* replaySteps(scenario: Scenario, options: ReplayOptions): Generator<BlockResult, ReplayResult, void> {
  const started = performance.now();
  const resumeAfter = options.resumeAfter ?? -1;
  const problems = resumeProblems(scenario, resumeAfter);
  if (problems.length > 0) throw new Error(`replay: cannot continue the stored chain: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  const chain: ReplayChain = options.chain ?? openChain(options.wasm, options.store);
  const client = new CanaryClient(chain);
  if (resumeAfter < 0) yield initBlock(scenario, chain, client);

  const run = new ReplayRun(scenario, options, chain, client, resumeAfter);
  for (let height = run.first; height <= scenario.until; height++) {
    const sent = run.sendBlock(height);
    const br = chain.endBlock();
    yield br;
    run.closeBlock(height, sent, br);
  }
  return run.result(started);
}

/** Block 0: init(admin), sent by admin. */
function initBlock(scenario: Scenario, chain: ReplayChain, client: CanaryClient): BlockResult {
  chain.beginBlock(0);
  const init = client.call("init", { admin: scenario.admin }, { sender: scenario.admin, height: 0 });
  if (!init.ok) throw new ModuleError(`init(admin) failed in block 0: ${init.codeName}${init.trap ? ` (${init.trap})` : ""}`);
  const br0 = chain.endBlock();
  if (!br0.onPersist.ok) throw new ModuleError("onPersist failed in block 0");
  return br0;
}

/** What one block sent: its scenario block (if any) and the results of that block's txs. */
interface SentBlock {
  block: ScenarioBlock | undefined;
  results: TxResult[];
}

/** The state of a replay past `resumeAfter`: the traffic, the counts and what is recorded. */
class ReplayRun {
  private readonly onLine: ((line: ReplayLine) => void) | undefined;
  private readonly blocksMode: BlocksMode;
  private readonly streams: TrafficStream[];
  private readonly populations: Population[];
  private readonly byHeight: Map<number, ScenarioBlock>;
  private readonly expectations: ExpectOutcome[] = [];
  private readonly faults: FaultRecord[] = [];
  private readonly gas = new Map<string, GasStats>();
  private readonly tracker: SeriesTracker | null;
  private readonly progressEvery: number;
  private txCount = 0;
  private faultCount = 0;
  private trafficCalls = 0;
  /** Position of the next transaction in the current block. */
  private index = 0;
  /** The first height this run sends. */
  readonly first: number;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: ReplayOptions,
    private readonly chain: ReplayChain,
    private readonly client: CanaryClient,
    resumeAfter: number,
  ) {
    const first = (this.first = Math.max(1, resumeAfter + 1));
    this.onLine = options.onLine;
    this.blocksMode = options.blocks ?? "changed";
    ({ streams: this.streams, populations: this.populations } = makeTraffic(scenario.seed, scenario.traffic));
    // A continued chain: advance each stream past the heights already stored.
    for (const stream of this.streams) for (let h = 1; h < first; h++) if (stream.active(h)) stream.draw();
    this.byHeight = new Map<number, ScenarioBlock>(scenario.blocks.map((b) => [b.height, b]));
    this.tracker = options.series ? new SeriesTracker(client, scenario.until, this.populations) : null;
    if (this.tracker && resumeAfter >= 0) this.tracker.adopt(client.listAllFeatures(false, { height: resumeAfter }).map((v) => v.name), resumeAfter);
    this.progressEvery = Math.max(1, Math.floor(scenario.until / 100));
  }

  /** Begins block `height` and sends its scenario transactions, then each active traffic stream's. */
  sendBlock(height: number): SentBlock {
    this.chain.beginBlock(height);
    const block = this.byHeight.get(height);
    const results: TxResult[] = [];
    this.index = 0;
    if (block) for (const tx of block.txs) results.push(this.sendTx(height, block, tx));
    for (const stream of this.streams) if (stream.active(height)) this.sendTraffic(height, stream);
    return { block, results };
  }

  private sendTx(height: number, block: ScenarioBlock, tx: ScenarioTx): TxResult {
    const gasLimit = tx.gasLimit ?? this.scenario.gasLimit;
    const signer = { sender: tx.sender, height, ...(tx.witnesses ? { witnesses: tx.witnesses } : {}), ...(gasLimit !== undefined ? { gasLimit } : {}) };
    const r = this.client.call(tx.method, tx.args, signer);
    this.ran(height, r, tx.senderLabel, faultExpected(block, this.index), false);
    return r;
  }

  /** One traffic stream's calls of this block (a view), then its reporter's reports. */
  private sendTraffic(height: number, stream: TrafficStream): void {
    stream.draw();
    const v = this.chain.view("isEnabledMany", stream.args, { height });
    const n = stream.spec.callsPerBlock;
    const o = stream.tally(v.ok && v.output.length === 4 + n ? v.output : null, 4, height);
    this.trafficCalls += n;
    this.options.onTraffic?.(height, stream.spec.feature, o);
    if (o.exposedCalls === 0) return;
    const { feature, latency, reporter, reporterLabel, report } = stream.spec;
    const gasLimit = this.scenario.gasLimit;
    const reports: [MethodName, Record<string, unknown>][] = [
      report === "cohorts"
        ? [
            "recordCohorts",
            { name: feature, canarySuccesses: o.exposedSuccesses, canaryErrors: o.exposedErrors, baseSuccesses: o.unexposedSuccesses, baseErrors: o.unexposedErrors },
          ]
        : ["recordBatch", { name: feature, successes: o.exposedSuccesses, errors: o.exposedErrors }],
    ];
    if (latency) reports.push(["recordLatency", { name: feature, value: latency.exposed }]);
    for (const [method, args] of reports) {
      const r = this.client.call(method, args, { sender: reporter, height, ...(gasLimit !== undefined ? { gasLimit } : {}) });
      this.ran(height, r, reporterLabel, false, true);
      // A report that changed the status (a rollback) ends the block's reports: the
      // reporter sees the event; a further report would only fault with FeatureDisabled.
      if (r.ok && r.rawEvents.some((ev) => ev.name === "StatusChanged")) break;
    }
  }

  /** Counts a transaction of this block, records its fault and gas, writes its line. */
  private ran(height: number, r: TxResult, sender: string, expected: boolean, traffic: boolean): void {
    const index = this.index++;
    this.txCount++;
    if (r.gasUsed !== undefined) gasOf(this.gas, r.method).add(r.gasUsed);
    if (!r.ok) {
      this.faultCount++;
      this.faults.push({ height, index, sender, method: r.method, error: r.codeName, expected, traffic });
    }
    this.onLine?.(txLine(height, index, sender, r));
  }

  /** After block `height`'s endBlock: its onPersist fault, block line, series and expectations. */
  closeBlock(height: number, { block, results }: SentBlock, br: BlockResult): void {
    if (!br.onPersist.ok) {
      this.faultCount++;
      this.faults.push({ height, index: -1, sender: "(host)", method: "onPersist", error: codeNameOf(br.onPersist), expected: false, traffic: false });
    }
    const mode = this.blocksMode;
    if (this.onLine && (mode === "all" || (mode === "changed" && br.changed))) {
      const line: BlockLine = { type: "block", height, events: eventsOut(br.onPersist.ok ? br.onPersist.events : []), stateRoot: br.stateRoot };
      this.onLine(line);
    }
    this.tracker?.after(height, br.changed, br.events);
    if (block) {
      for (const e of block.expect) {
        const outcome = check(e, height, results, br.events, this.client);
        this.expectations.push(outcome);
        this.onLine?.({ type: "expect", height, ok: outcome.ok, what: outcome.ok ? outcome.what : `${outcome.what} (got ${outcome.got})` });
      }
    }
    const until = this.scenario.until;
    if (this.options.onProgress && (height % this.progressEvery === 0 || height === until)) this.options.onProgress(height, until);
  }

  /** The summary line (written last) and the result, once every block ran (`started`: performance.now() at the start). */
  result(started: number): ReplayResult {
    const { client, scenario } = this;
    const blockCount = scenario.until - this.first + 1;
    const views = client.listAllFeatures();
    const features: FeatureFinal[] = views.map((view) => ({ view, history: client.getAllHistory(view.name) }));
    const exposure = this.populations.map(exposureOf);
    const summary: SummaryLine = {
      type: "summary",
      blocks: blockCount,
      txs: this.txCount,
      faults: this.faultCount,
      expectFailed: this.expectations.filter((e) => !e.ok).length,
      stateRoot: this.chain.stateRoot(),
      features: views.map((v) => toDisplay(FEATURE_VIEW, v)),
      exposure: exposure.map(({ feature, calls, exposedCalls, exposedAccounts, exposedErrors, unexposedCalls, unexposedErrors }) => ({
        feature,
        calls,
        exposedCalls,
        exposedAccounts,
        exposedErrors,
        unexposedCalls,
        unexposedErrors,
      })),
    };
    this.onLine?.(summary);
    const ms = performance.now() - started;
    const { expectations, faults, trafficCalls } = this;
    const timing = { ms, blocks: blockCount, trafficCalls, blocksPerSecond: blockCount / (ms / 1000), callsPerSecond: trafficCalls / (ms / 1000) };
    const result: ReplayResult = { scenario, summary, expectations, faults, features, exposure, gas: gasRows(this.gas), timing };
    if (this.tracker) result.series = this.tracker.series();
    return result;
  }
}

function gasRows(gas: Map<string, GasStats>): GasRow[] {
  return [...gas]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([method, s]) => ({ method, calls: s.calls, total: s.total, min: s.min, max: s.max, mean: Math.round(s.total / s.calls) }));
}

function codeNameOf(r: InvokeResult): string {
  return r.code === -1 ? `Fault${r.trap ? ` (${r.trap})` : ""}` : `code ${r.code}`;
}

function faultExpected(block: ScenarioBlock, index: number): boolean {
  return block.expect.some((e) => (e.kind === "fault" || (e.kind === "tx" && !e.ok)) && e.tx === index);
}

function exposureOf(p: Population): ExposureDetail {
  return {
    feature: p.feature,
    calls: p.calls,
    exposedCalls: p.exposedCalls,
    exposedAccounts: p.exposedAccounts,
    exposedErrors: p.exposedErrors,
    unexposedCalls: p.unexposedCalls,
    unexposedErrors: p.unexposedErrors,
    regressionBegan: p.regressionBegan,
  };
}

// ---------------------------------------------------------------- expectations

type Out = (ok: boolean, expected: string, got: string) => ExpectOutcome;

function check(e: Expectation, height: number, results: readonly TxResult[], events: readonly RawEvent[], client: CanaryClient): ExpectOutcome {
  const out: Out = (ok, expected, got) => ({ height, ok, what: e.what, expected, got });
  switch (e.kind) {
    case "view":
      return checkView(e, client, out);
    case "tx": {
      const r = results[e.tx]!;
      return out(r.ok === e.ok, e.ok ? "ok" : "a fault", r.ok ? "ok" : `fault ${r.codeName}`);
    }
    case "fault": {
      const r = results[e.tx]!;
      const same = e.codeName === "OutOfGas" ? r.outOfGas === true : r.code === e.code && !r.outOfGas;
      return out(!r.ok && same, `fault ${e.codeName}`, r.ok ? "ok" : `fault ${r.codeName}`);
    }
    case "event":
      return checkEvent(e, height, events, out);
  }
}

function checkView(e: Extract<Expectation, { kind: "view" }>, client: CanaryClient, out: Out): ExpectOutcome {
  const field = RESULTS[e.view] as Field;
  const expected = valueText(field, e.match, e.match);
  const r = client.tryView(e.view, e.args as never);
  if (!r.ok) return out(false, expected, `the view failed: ${r.codeName}${r.trap ? ` (${r.trap})` : ""}`);
  if (r.decodeError !== undefined) return out(false, expected, `an undecodable result: ${r.decodeError}`);
  return out(matches(field, r.result, e.match), expected, valueText(field, r.result, e.match));
}

/** Holds when an event of the block has the name (and matches); else lists those seen. */
function checkEvent(e: Extract<Expectation, { kind: "event" }>, height: number, events: readonly RawEvent[], out: Out): ExpectOutcome {
  const field = EVENTS[e.event] as Field;
  const expected = e.match ? `${e.event} ${valueText(field, e.match, e.match)}` : e.event;
  const seen: unknown[] = [];
  for (const ev of events) {
    if (ev.name !== e.event) continue;
    let data: unknown;
    try {
      data = decodeEventPayload(e.event, ev.data);
    } catch {
      continue;
    }
    if (!e.match || matches(field, data, e.match)) return out(true, expected, `${e.event} ${valueText(field, data, e.match)}`);
    seen.push(data);
  }
  const got = seen.length === 0 ? `no ${e.event} event at height ${height}` : seen.map((d) => `${e.event} ${valueText(field, d, e.match)}`).join("; ");
  return out(false, expected, got);
}

// ---------------------------------------------------------------- series for the report

class SeriesTracker {
  private readonly tracks = new Map<string, FeatureSeries>();
  private readonly populations: Map<string, Population>;

  constructor(
    private readonly client: CanaryClient,
    private readonly until: number,
    populations: readonly Population[],
  ) {
    this.populations = new Map(populations.map((p) => [p.feature, p]));
  }

  /** A continued chain: tracks the features that exist already, sampled at the stored height. */
  adopt(names: readonly string[], height: number): void {
    for (const name of names) this.track(name, height);
  }

  private track(name: string, height: number): void {
    if (this.tracks.has(name)) return;
    const n = this.until + 1;
    const nan = () => new Float64Array(n).fill(NaN);
    const s: FeatureSeries = {
      name,
      status: new Int8Array(n).fill(-1),
      bps: new Int32Array(n).fill(-1),
      errorRateBps: nan(),
      counters: Object.fromEntries(SERIES_COUNTERS.map((k) => [k, nan()])) as FeatureSeries["counters"],
      policies: [],
    };
    if (this.populations.has(name)) s.traffic = Object.fromEntries(TRAFFIC_COUNTERS.map((k) => [k, nan()])) as FeatureSeries["traffic"];
    this.tracks.set(name, s);
    this.sample(s, height);
  }

  after(height: number, changed: boolean, events: readonly RawEvent[]): void {
    for (const ev of events) {
      if (ev.name !== "FeatureCreated") continue;
      this.track((decodeEventPayload("FeatureCreated", ev.data) as { name: string }).name, height);
    }
    for (const s of this.tracks.values()) {
      if (s.status[height] !== -1) continue; // sampled just now (created in this block)
      if (changed) this.sample(s, height);
      else {
        s.status[height] = s.status[height - 1]!;
        s.bps[height] = s.bps[height - 1]!;
        s.errorRateBps[height] = s.errorRateBps[height - 1]!;
        for (const k of SERIES_COUNTERS) s.counters[k][height] = s.counters[k][height - 1]!;
      }
    }
    for (const s of this.tracks.values()) {
      const p = this.populations.get(s.name);
      if (!p || !s.traffic) continue;
      const t = s.traffic;
      t.exposedCalls[height] = p.exposedCalls;
      t.exposedErrors[height] = p.exposedErrors;
      t.unexposedCalls[height] = p.unexposedCalls;
      t.unexposedErrors[height] = p.unexposedErrors;
    }
  }

  private sample(s: FeatureSeries, height: number): void {
    const v = this.client.getFeature(s.name);
    if (!v) return;
    s.status[height] = v.status;
    s.bps[height] = v.rolloutBps;
    const samples = v.windowSuccesses + v.windowErrors;
    s.errorRateBps[height] = samples === 0n ? NaN : Number((v.windowErrors * 1_000_000n) / samples) / 100;
    const c = s.counters;
    c.windowSamples[height] = Number(samples);
    c.windowErrors[height] = Number(v.windowErrors);
    c.runSamples[height] = Number(v.runSuccesses + v.runErrors);
    c.runErrors[height] = Number(v.runErrors);
    c.baseSamples[height] = Number(v.baseSuccesses + v.baseErrors);
    c.baseErrors[height] = Number(v.baseErrors);
    c.statistic[height] = Number(v.statistic);
    const last = s.policies[s.policies.length - 1];
    if (!last || !samePolicy(last.policy, v.policy)) s.policies.push({ height, policy: v.policy });
  }

  series(): FeatureSeries[] {
    return [...this.tracks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function samePolicy(a: Policy, b: Policy): boolean {
  for (const k of Object.keys(b) as (keyof Policy)[]) {
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y) ? x.join() !== y.join() : x !== y) return false;
  }
  return true;
}
