// canary watch [--node URL] [FEATURE] [--once] [--interval MS]: a live view of a running node's
// features, redrawn from its event stream, like `kubectl argo rollouts get rollout --watch`.
//
// Three parts: the frame (`renderFrame`: state → lines, pure, so tests need no terminal); the
// reads (the contract's views and the latest events, over JSON-RPC); and the loop that follows
// GET /events, reads the views again after a block that changed something, reconnects with
// backoff while the node is away, and draws at most once per --interval.

import { ContractError, ErrorCode, analysisName, reasonName, statusName, Status, type FeatureView, type GlobalState } from "../../client/index.ts";
import type { DisplayValue } from "../../client/codec.ts";
import { subscribeBlocks, type NodeRpc } from "../../node/client.ts";
import { pair, ruleOf } from "../../replay/report.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO, Terminal } from "../io.ts";
import { DEFAULT_URL, nodeUnreachable, nodeUrl, nodeViews, unreachableError, type HeightTrackingRpc } from "../rpc.ts";
import { int, rate, unknownFeature, yesNo } from "./inspect.ts";

const DEFAULT_INTERVAL_MS = 250;

const usage = `usage: canary watch [--node URL] [FEATURE] [--once] [--interval MS]

A live view of a running node's features (\`canary node\`), refreshed on every block from its
event stream: per feature its status, a rollout bar (rolloutBps → target), the window error
rate, the run's canary and baseline error rates, the statistic against its threshold
(Sequential: T vs h, with the floor; Comparative: S vs A; Threshold: the window error rate vs
maxErrorRateBps), pause and halt, and the height of the next step; then the node's height
and the latest events.

  FEATURE         only this feature (and its events)
  --node URL      the node (default ${DEFAULT_URL}, \`canary node\`'s)
  --once          print one frame and exit
  --interval MS   redraw at most once every MS milliseconds (default ${DEFAULT_INTERVAL_MS})

On a terminal the frame is redrawn in place, cut to the terminal's width; Ctrl-C restores the
screen and leaves the last frame. Otherwise (piped, a log) a frame is printed each time
something other than the height changed. While the node is away the view says
"reconnecting…" and tries again with backoff (0.25 s doubling to 5 s).
Exit status: 0 stopped with Ctrl-C, or --once printed; 1 --once could not reach the node;
2 FEATURE is not on the node, or bad usage.
`;

// ---------------------------------------------------------------- state

/** One event of a block in display form (decodeEvent's), with its height. */
export interface WatchEvent {
  height: number;
  name: string;
  data: { [field: string]: DisplayValue } | null;
}

/** The link to the node, as the header shows it. */
export type WatchLink =
  | { kind: "connecting" }
  | { kind: "live" }
  /** --once: one read, no stream. */
  | { kind: "once" }
  | { kind: "reconnecting"; attempt: number; retryInMs: number; reason: string };

/** The contract as last read: its global flags and the features watched. */
export interface ContractSnapshot {
  global: GlobalState;
  features: FeatureView[];
}

/** Everything a frame shows. */
export interface WatchState {
  url: string;
  /** The one FEATURE watched; undefined: every feature. */
  feature?: string;
  /** The last committed height seen; -1: none. */
  height: number;
  link: WatchLink;
  /** null before the first read. */
  contract: ContractSnapshot | "not-initialized" | null;
  /** The latest events, newest first. */
  events: WatchEvent[];
  /** A read that failed for another reason than the node being away (shown; read again on the next block). */
  problem?: string;
}

export interface FrameOptions {
  /** Columns; every line is cut to it (Infinity: no cut). */
  width: number;
  /** ANSI colours (a terminal). */
  color: boolean;
}

/** Events kept for the events line. */
export const EVENTS_KEPT = 6;

// ---------------------------------------------------------------- the frame

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Columns a line takes on a terminal: its code points without ANSI sequences. */
export function visibleWidth(line: string): number {
  return [...line.replace(ANSI, "")].length;
}

/** `line` cut to `width` columns with "…", ANSI sequences kept whole (and reset after a cut). */
export function fit(line: string, width: number): string {
  if (!Number.isFinite(width) || visibleWidth(line) <= width) return line;
  if (width < 1) return "";
  let out = "";
  let shown = 0;
  let coloured = false;
  for (let i = 0; i < line.length && shown < width - 1; ) {
    if (line[i] === "\x1b") {
      const m = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i));
      if (m) {
        out += m[0];
        coloured = true;
        i += m[0].length;
        continue;
      }
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    out += ch;
    i += ch.length;
    shown++;
  }
  return out + "…" + (coloured ? "\x1b[0m" : "");
}

type Paint = (code: string, text: string) => string;

const STATUS_COLOR: Record<number, string> = {
  [Status.Disabled]: "90",
  [Status.Canary]: "33",
  [Status.RollingOut]: "36",
  [Status.Enabled]: "32",
  [Status.RolledBack]: "31",
};

/** Cells of the rollout bar. */
const BAR_CELLS = 20;

/** [████░░░│░░] : rolloutBps filled, the target marked when it is ahead. */
function rolloutBar(v: FeatureView, paint: Paint): string {
  const full = Math.round((v.rolloutBps / 10000) * BAR_CELLS);
  const filled = v.rolloutBps > 0 ? Math.max(1, full) : 0; // any exposure shows
  const mark = v.targetBps > v.rolloutBps ? Math.max(filled, Math.round((v.targetBps / 10000) * BAR_CELLS) - 1) : -1;
  let rest = "";
  for (let i = filled; i < BAR_CELLS; i++) rest += i === mark ? "│" : "░";
  return `[${paint(STATUS_COLOR[v.status] ?? "0", "█".repeat(filled))}${rest}]`;
}

const minus = (s: string) => s.replace(/^-/, "−");

/**
 * Where the next step stands (RollingOut): due once incrementBlocks unpaused blocks passed
 * since lastStepBlock, so lastStepBlock + incrementBlocks is the earliest height (a pause
 * since then postpones it; the view does not say by how much).
 */
function nextStepText(v: FeatureView, height: number, globalPaused: boolean): string {
  if (v.paused || globalPaused) return `steps on hold (${v.paused ? "paused" : "global pause"})`;
  const due = v.lastStepBlock + v.policy.incrementBlocks;
  if (height < due) return `next step ≥ h ${int(due)} (in ${int(due - height)})`;
  const samples = v.windowSuccesses + v.windowErrors;
  const gate = BigInt(Math.max(v.policy.minSamples, 1));
  return `step due since h ${int(due)}${samples < gate ? `: waiting for ${int(gate)} window samples (${int(samples)})` : ""}`;
}

/** "1.20 % (12/1,000)": errors over samples; "—" with none. */
function rateOf(errors: bigint, successes: bigint): string {
  const n = errors + successes;
  return n === 0n ? "—" : `${rate(errors, successes)} (${int(errors)}/${int(n)})`;
}

/** The analysis line: what the policy's rule judges against its threshold (the replay report's words). */
function ruleLine(v: FeatureView, paint: Paint): string {
  const p = v.policy;
  const rule = ruleOf(p);
  // In Enabled, reports still count but no rule rolls back (SPEC section 5).
  const off = v.status === Status.Enabled ? "Enabled: no automatic rollback" : "";
  if (p.analysis !== 0 && p.analysis !== 1 && p.analysis !== 2) return `${analysisName(p.analysis)}: statistic ${minus((Number(v.statistic) / 1e6).toFixed(2))}`;
  if (rule.analysis === 0) {
    const ws = v.windowSuccesses + v.windowErrors;
    const fired = ws >= BigInt(rule.gate) && v.windowErrors * 10000n > BigInt(p.maxErrorRateBps) * ws;
    const [r, m] = ws > 0n ? pair((Number(v.windowErrors) / Number(ws)) * 100, p.maxErrorRateBps / 100) : ["—", (p.maxErrorRateBps / 100).toFixed(2)];
    const cmp = fired ? paint("31;1", ">") : "≤";
    return `Threshold: window rate ${r} % ${cmp} ${m} % (maxErrorRateBps ${p.maxErrorRateBps}) · ${off || samplesText(ws, rule.gate, "window")}`;
  }
  const [sym, th] = rule.analysis === 1 ? ["T", "h"] : ["S", "A"];
  const value = Number(v.statistic) / 1e6;
  const runSamples = v.runSuccesses + v.runErrors;
  const fired = runSamples >= BigInt(rule.gate) && value >= rule.threshold;
  const [a, b] = pair(value, rule.threshold);
  const cmp = fired ? paint("31;1", "≥") : value >= rule.threshold ? "≥" : "<";
  const floor = minus((rule.floor ?? 0).toFixed(2));
  return `${analysisName(p.analysis)}: ${sym} = ${minus(a)} ${cmp} ${th} = ${b} (floor ${floor}) · ${off || samplesText(runSamples, rule.gate, "run")}`;
}

/** The samples against minSamples: below it the rule gives no verdict. */
function samplesText(samples: bigint, gate: number, kind: "run" | "window"): string {
  return samples < BigInt(gate) ? `${int(samples)} of minSamples ${int(gate)} ${kind} samples: no verdict yet` : `${int(samples)} ${kind} samples (minSamples ${int(gate)})`;
}

function featureLines(v: FeatureView, s: WatchState, global: GlobalState, nameWidth: number, paint: Paint): string[] {
  const name = v.name.length > nameWidth ? v.name.slice(0, nameWidth - 1) + "…" : v.name.padEnd(nameWidth);
  const status = paint(STATUS_COLOR[v.status] ?? "0", statusName(v.status).padEnd(10));
  const bps = v.targetBps > v.rolloutBps ? `${v.rolloutBps} → ${v.targetBps} bps` : `${v.rolloutBps} bps`;
  const notes: string[] = [];
  if (v.paused) notes.push(paint("35", "paused"));
  const active = v.status === Status.Canary || v.status === Status.RollingOut;
  if (global.halted && active) notes.push(paint("31;1", "halted: exposes no one"));
  if (v.status === Status.RolledBack && v.rollbackReason !== null) notes.push(paint("31", reasonName(v.rollbackReason)));
  const lines = [
    `${paint("1", name)}  ${status}  ${rolloutBar(v, paint)}  ${bps}${notes.map((n) => ` · ${n}`).join("")}`,
    `    window ${rateOf(v.windowErrors, v.windowSuccesses)} · run: canary ${rateOf(v.runErrors, v.runSuccesses)} · baseline ${rateOf(v.baseErrors, v.baseSuccesses)}`,
    `    ${ruleLine(v, paint)}`,
  ];
  if (v.status === Status.RollingOut) lines.push(`    ${nextStepText(v, s.height, global.paused)}`);
  return lines;
}

const short = (account: DisplayValue | undefined) => (typeof account === "string" && account.length > 12 ? `${account.slice(0, 6)}…${account.slice(-4)}` : String(account));

/** One event as the events line shows it. */
export function eventText(e: WatchEvent): string {
  const d = e.data;
  const head = `h ${e.height} ${e.name}`;
  if (d === null) return `${head} (payload not decoded)`;
  switch (e.name) {
    case "StatusChanged":
      return `${head} ${d.name} ${d.from} → ${d.to} at ${d.rolloutBps} bps${d.reason ? ` (${d.reason})` : ""}`;
    case "RolloutAdvanced":
      return `${head} ${d.name} ${d.fromBps} → ${d.toBps} bps`;
    case "PauseChanged":
      return `${head} ${d.name} ${d.paused ? "paused" : "resumed"}`;
    case "OverrideSet":
      return `${head} ${d.name} ${short(d.account)} ${d.mode}`;
    case "GlobalChanged":
      return `${head} paused ${yesNo(d.paused === true)}, halted ${yesNo(d.halted === true)}`;
    case "RoleChanged":
      return `${head} ${d.role} ${d.granted ? "granted to" : "revoked from"} ${short(d.account)}`;
    default:
      return `${head} ${typeof d.name === "string" ? d.name : Object.values(d).map((x) => short(x)).join(" ")}`;
  }
}

function linkText(link: WatchLink, paint: Paint): string {
  switch (link.kind) {
    case "live":
      return paint("32", "● live");
    case "once":
      return "once";
    case "connecting":
      return paint("33", "connecting…");
    case "reconnecting":
      return paint("33;1", `reconnecting… (attempt ${link.attempt}, next in ${(link.retryInMs / 1000).toFixed(2)} s: ${link.reason})`);
  }
}

/** The frame for `s`: one string per line, none longer than `o.width` columns. Pure. */
export function renderFrame(s: WatchState, o: FrameOptions): string[] {
  const paint: Paint = o.color ? (code, text) => (text === "" ? "" : `\x1b[${code}m${text}\x1b[0m`) : (_code, text) => text;
  const out: string[] = [];
  out.push(`${paint("1", "canary watch")} · ${s.url} · height ${s.height < 0 ? "—" : int(s.height)} · ${linkText(s.link, paint)}`);
  const c = s.contract;
  if (c === null) out.push("(no read of the node yet)");
  else if (c === "not-initialized") out.push(`the contract is not initialized (send init first: canary tx init '{"admin":"0x…"}' --key NAME)`);
  else {
    const g = c.global;
    const flags = [
      c.global.paused ? paint("33;1", "paused: no steps anywhere") : "paused no",
      c.global.halted ? paint("31;1", "HALTED: Canary and RollingOut features expose no one") : "halted no",
    ];
    const count = s.feature === undefined ? ` · ${c.features.length} feature${c.features.length === 1 ? "" : "s"}` : "";
    out.push(`global: ${flags.join(" · ")}${count}`);
    if (s.problem !== undefined) out.push(paint("31", `the last read failed: ${s.problem}`));
    if (c.features.length === 0) {
      out.push("", s.feature !== undefined ? `no feature ${JSON.stringify(s.feature)} on this node at height ${s.height}` : "no features yet (canary tx createFeature '{\"name\":\"…\",\"description\":\"\",\"policy\":null}' --key NAME)");
    }
    // Names line up, within what leaves the rest of the first line visible.
    const longest = Math.max(0, ...c.features.map((v) => v.name.length));
    const nameWidth = Math.min(longest, Math.max(12, o.width - 56));
    for (const v of c.features) out.push("", ...featureLines(v, s, g, nameWidth, paint));
  }
  out.push("", `events: ${s.events.length === 0 ? "none yet" : s.events.map(eventText).join(" · ")}`);
  return out.map((line) => fit(line, o.width));
}

// ---------------------------------------------------------------- reads

type Views = ReturnType<typeof nodeViews>["client"];

/** getGlobal and every feature (or the one watched); "not-initialized" before init. */
async function readContract(client: Views, feature: string | undefined): Promise<ContractSnapshot | "not-initialized"> {
  try {
    const global = await client.getGlobal();
    if (feature === undefined) return { global, features: await client.listAllFeatures() };
    const v = await client.getFeature(feature);
    return { global, features: v ? [v] : [] };
  } catch (e) {
    if (e instanceof ContractError && e.code === ErrorCode.NotInitialized) return "not-initialized";
    throw e;
  }
}

/** Block spans scanned back from the height for the latest events (5,456 blocks at most). */
const EVENT_SPANS = [16, 64, 256, 1024, 4096];

/** The latest `max` events at or below `height` (of `feature` only, when given), newest first. */
async function latestEvents(rpc: NodeRpc, height: number, feature: string | undefined, max: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  let to = height;
  for (const span of EVENT_SPANS) {
    if (to < 0 || out.length >= max) break;
    const from = Math.max(0, to - span + 1);
    const got: WatchEvent[] = [];
    // A page cut off at `limit` continues at `next` (a span this short rarely needs one).
    for (let at: number | undefined = from; at !== undefined; ) {
      const r = await rpc.getEvents({ fromHeight: at, toHeight: to, limit: 10_000, ...(feature !== undefined ? { feature } : {}) });
      for (const e of r.events as WatchEvent[]) got.push({ height: e.height, name: e.name, data: e.data });
      at = r.next;
    }
    out.push(...got.reverse().slice(0, max - out.length));
    to = from - 1;
  }
  return out;
}

// ---------------------------------------------------------------- --once

/** Reads the node once and writes one frame; a node that cannot be read is a CliError (exit 1). */
export async function watchOnce(url: string, feature: string | undefined, write: (text: string) => void, o: FrameOptions): Promise<void> {
  const { rpc, client } = nodeViews(url);
  try {
    const contract = await readContract(client, feature);
    const height = Math.max(-1, ...rpc.answeredAt);
    if (feature !== undefined && contract === "not-initialized") throw new CliError(`no feature ${JSON.stringify(feature)}: the contract on ${rpc.url} is not initialized (height ${height})`);
    if (feature !== undefined && contract !== "not-initialized" && contract.features.length === 0) {
      throw unknownFeature(feature, `${rpc.url} at height ${height}`, (await client.listAllFeatures()).map((f) => f.name));
    }
    const events = height < 0 ? [] : await latestEvents(rpc, height, feature, EVENTS_KEPT);
    const state: WatchState = { url: rpc.url, height, link: { kind: "once" }, contract, events, ...(feature !== undefined ? { feature } : {}) };
    write(renderFrame(state, o).join("\n") + "\n");
  } catch (e) {
    if (nodeUnreachable(e)) throw unreachableError(e, rpc.url);
    if (e instanceof ContractError) throw new CliError(`the contract's views on ${rpc.url} failed: ${e.message}`);
    throw e;
  } finally {
    rpc.close();
  }
}

// ---------------------------------------------------------------- the live view

/** Where the live view draws. */
export interface WatchScreen {
  write(text: string): void;
  /** A terminal: redraw in place, cut to its width. Absent: print each frame that changed. */
  terminal?: Terminal;
  color: boolean;
}

export interface WatchOptions {
  url: string;
  feature?: string;
  /** At most one redraw (and read) per this many ms. */
  intervalMs: number;
}

/** The delay before reconnect attempt `n` (1, 2, …): 250 ms doubling, at most 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(250 * 2 ** Math.max(0, attempt - 1), 5000);
}

// Terminal control: the alternate screen and a hidden cursor while watching; both restored after.
const ENTER = "\x1b[?1049h\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";
const HOME = "\x1b[H";
const CLEAR_LINE_END = "\x1b[K";
const CLEAR_BELOW = "\x1b[J";

/**
 * Follows the node until `signal` aborts. Rejects only with a CliError for a FEATURE the node
 * does not have (checked at the first read); a node that is away is shown and retried.
 */
export function watchNode(o: WatchOptions, screen: WatchScreen, signal: AbortSignal): Promise<void> {
  return new LiveView(o, screen, signal).run();
}

class LiveView {
  private readonly state: WatchState;
  private readonly rpc: HeightTrackingRpc;
  private readonly client: Views;
  /** Each (re)connection's number: callbacks of an older one are ignored. */
  private generation = 0;
  private unsubscribe: (() => void) | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private drawTimer: ReturnType<typeof setTimeout> | null = null;
  /** A block changed something: read the views again at the next draw. */
  private dirty = false;
  private reading = false;
  private probing = false;
  private lastDraw = 0;
  private lastBlockAt = 0;
  private blockTimeMs = 1000;
  /** The height the last full read covered: a streamed block above it + 1 means blocks were missed. */
  private covered = -1;
  private attempt = 0;
  private everRead = false;
  private stopped = false;
  /** Not a terminal: the last printed frame's content, without the height. */
  private printed: string | null = null;
  private finish!: (error?: unknown) => void;

  constructor(
    private readonly o: WatchOptions,
    private readonly screen: WatchScreen,
    private readonly signal: AbortSignal,
  ) {
    ({ rpc: this.rpc, client: this.client } = nodeViews(o.url));
    this.state = { url: this.rpc.url, height: -1, link: { kind: "connecting" }, contract: null, events: [], ...(o.feature !== undefined ? { feature: o.feature } : {}) };
  }

  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stopResize = this.screen.terminal?.onResize(() => this.draw());
      const onAbort = () => this.finish();
      this.finish = (error?: unknown) => {
        if (this.stopped) return;
        this.stopped = true;
        this.generation++;
        this.signal.removeEventListener("abort", onAbort);
        stopResize?.();
        for (const t of this.timers) clearTimeout(t);
        if (this.drawTimer !== null) clearTimeout(this.drawTimer);
        this.unsubscribe?.();
        this.rpc.close();
        if (this.screen.terminal) {
          this.screen.write(LEAVE);
          // The last frame stays on the normal screen, as it was when watching stopped.
          if (error === undefined) this.screen.write(this.lines().join("\n") + "\n");
        }
        if (error === undefined) resolve();
        else reject(error);
      };
      if (this.signal.aborted) return this.finish();
      this.signal.addEventListener("abort", onAbort);
      if (this.screen.terminal) {
        this.screen.write(ENTER);
        this.draw();
      }
      this.every(250, () => void this.probe());
      void this.connect();
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    this.later(ms, () => {
      fn();
      if (!this.stopped) this.every(ms, fn);
    });
  }

  /** Subscribes, then reads the views and the latest events; on failure, reconnects after a backoff. */
  private async connect(): Promise<void> {
    const gen = ++this.generation;
    try {
      const info = await this.rpc.getInfo();
      if (gen !== this.generation) return;
      this.blockTimeMs = info.blockTimeMs;
      this.unsubscribe = subscribeBlocks(
        this.rpc.url,
        (b) => this.onBlock(gen, b),
        (e) => this.lost(gen, new Error(`the event stream broke: ${e instanceof Error ? e.message : String(e)}`)),
      );
      this.lastBlockAt = Date.now();
      // Heights restart with the node (an in-memory node begins at 0 again).
      this.state.height = info.height;
      await this.readAll(gen);
      if (gen !== this.generation) return;
      this.attempt = 0;
      this.state.link = { kind: "live" };
      this.draw();
    } catch (e) {
      if (gen !== this.generation) return;
      if (e instanceof CliError) return this.finish(e);
      this.lost(gen, e);
    }
  }

  /** The views and the latest events, at the node's height. */
  private async readAll(gen: number): Promise<void> {
    this.rpc.answeredAt.clear();
    const contract = await readContract(this.client, this.o.feature);
    if (gen !== this.generation) return;
    const height = Math.max(this.state.height, ...this.rpc.answeredAt);
    const f = this.o.feature;
    if (!this.everRead && f !== undefined && (contract === "not-initialized" || contract.features.length === 0)) {
      const names = contract === "not-initialized" ? [] : (await this.client.listAllFeatures()).map((v) => v.name);
      throw contract === "not-initialized" ? new CliError(`no feature ${JSON.stringify(f)}: the contract on ${this.rpc.url} is not initialized (height ${height})`) : unknownFeature(f, `${this.rpc.url} at height ${height}`, names);
    }
    const events = height < 0 ? [] : await latestEvents(this.rpc, height, f, EVENTS_KEPT);
    if (gen !== this.generation) return;
    // Views answered at two heights: read once more at the next draw.
    if (this.rpc.answeredAt.size > 1) this.dirty = true;
    this.everRead = true;
    Object.assign(this.state, { contract, events, height });
    delete this.state.problem;
    this.covered = height;
  }

  private onBlock(gen: number, b: { height: number; txs: unknown[]; events: unknown[] }): void {
    if (gen !== this.generation) return;
    this.lastBlockAt = Date.now();
    if (b.height <= this.covered) return; // already in the last full read
    if (b.height > this.covered + 1) {
      // Blocks between the read and the stream's first block: read everything again.
      this.covered = b.height;
      this.state.height = b.height;
      void this.reread(gen);
      return;
    }
    this.covered = b.height;
    this.state.height = b.height;
    const mine = (b.events as WatchEvent[]).filter((e) => this.o.feature === undefined || e.data?.name === this.o.feature);
    if (mine.length > 0) this.state.events = [...mine.map((e) => ({ height: b.height, name: e.name, data: e.data })).reverse(), ...this.state.events].slice(0, EVENTS_KEPT);
    // A block without transactions or events changed nothing but the height.
    if (b.txs.length > 0 || b.events.length > 0) this.dirty = true;
    this.schedule();
  }

  private async reread(gen: number): Promise<void> {
    try {
      await this.readAll(gen);
      if (gen === this.generation) this.schedule();
    } catch (e) {
      if (gen === this.generation) this.lost(gen, e);
    }
  }

  /** The node is away (or the stream ended): show it and try again after a backoff. */
  private lost(gen: number, e: unknown): void {
    if (gen !== this.generation || this.stopped) return;
    this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.attempt++;
    const retryInMs = backoffMs(this.attempt);
    const reason = e instanceof Error ? e.message.replace(/^cannot reach the node at \S+: /, "") : String(e);
    this.state.link = { kind: "reconnecting", attempt: this.attempt, retryInMs, reason };
    this.draw();
    this.later(retryInMs, () => void this.connect());
  }

  /**
   * GET /events ends without an error when the node stops cleanly, so a stream that has been
   * quiet for three block times (0.5–5 s) is checked: a node that does not answer, or that is
   * at another height than the stream's last block, is reconnected to.
   */
  private async probe(): Promise<void> {
    const quietFor = Math.min(Math.max(3 * this.blockTimeMs, 500), 5000);
    if (this.probing || this.state.link.kind !== "live" || Date.now() - this.lastBlockAt < quietFor) return;
    const gen = this.generation;
    this.probing = true;
    try {
      const height = await this.rpc.getHeight();
      if (gen === this.generation && height !== this.covered) this.lost(gen, new Error(`the event stream stopped at height ${this.covered} (the node is at ${height})`));
      else this.lastBlockAt = Date.now();
    } catch (e) {
      this.lost(gen, e);
    } finally {
      this.probing = false;
    }
  }

  /** A draw within --interval of the last one waits for the rest of it. */
  private schedule(): void {
    if (this.drawTimer !== null || this.stopped) return;
    const wait = Math.max(0, this.lastDraw + this.o.intervalMs - Date.now());
    this.drawTimer = setTimeout(() => {
      this.drawTimer = null;
      void this.refresh();
    }, wait);
  }

  private async refresh(): Promise<void> {
    if (this.dirty && !this.reading) {
      const gen = this.generation;
      this.dirty = false;
      this.reading = true;
      try {
        this.rpc.answeredAt.clear();
        const contract = await readContract(this.client, this.o.feature);
        if (gen !== this.generation) return;
        this.state.contract = contract;
        if (this.rpc.answeredAt.size > 1) this.dirty = true;
        delete this.state.problem;
      } catch (e) {
        if (gen !== this.generation) return;
        if (nodeUnreachable(e)) return this.lost(gen, e);
        this.state.problem = e instanceof Error ? e.message : String(e);
      } finally {
        this.reading = false;
      }
    }
    this.draw();
    if (this.dirty) this.schedule();
  }

  private width(): number {
    return this.screen.terminal ? this.screen.terminal.columns() : Infinity;
  }

  private lines(): string[] {
    return renderFrame(this.state, { width: this.width(), color: this.screen.color });
  }

  private draw(): void {
    if (this.stopped) return;
    this.lastDraw = Date.now();
    const term = this.screen.terminal;
    if (term) {
      let lines = this.lines();
      const rows = term.rows();
      if (lines.length > rows) lines = [...lines.slice(0, Math.max(0, rows - 1)), fit(`… ${lines.length - rows + 1} more lines: a taller terminal, or watch one FEATURE`, this.width())];
      this.screen.write(HOME + lines.map((l) => l + CLEAR_LINE_END).join("\n") + CLEAR_BELOW);
      return;
    }
    // Not a terminal: a frame only when what it shows changed (the height alone does not count;
    // nor do the reconnect attempts after the first).
    if (this.state.link.kind === "connecting") return;
    const { height: _height, link, ...rest } = this.state;
    const key = JSON.stringify({ link: link.kind, ...rest }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    if (key === this.printed) return;
    this.screen.write((this.printed === null ? "" : "\n") + this.lines().join("\n") + "\n");
    this.printed = key;
  }
}

// ---------------------------------------------------------------- the command

export const watchCommand: Command = {
  name: "watch",
  summary: "a live view of a running node's features: status, rollout, error rates, statistic, next step",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      node: { type: "string" },
      once: { type: "boolean" },
      interval: { type: "string" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError(`watch takes at most one FEATURE, got ${positionals.length}: ${positionals.join(" ")}`);
    const feature = positionals[0];
    const url = nodeUrl(values.node);
    let intervalMs = DEFAULT_INTERVAL_MS;
    if (values.interval !== undefined) {
      if (!/^\d+$/.test(values.interval) || Number(values.interval) < 1 || Number(values.interval) > 60_000) throw new UsageError(`--interval must be milliseconds in 1..60000, got ${JSON.stringify(values.interval)}`);
      intervalMs = Number(values.interval);
    }
    const terminal = io.stdoutTerminal;
    const color = terminal !== undefined && !process.env.NO_COLOR;
    if (values.once) {
      await watchOnce(url, feature, io.stdout, { width: terminal ? terminal.columns() : Infinity, color });
      return EXIT.ok;
    }
    const ctl = new AbortController();
    // The first Ctrl-C stops the view and restores the screen; handlers off again at once, so a second one is the default.
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      ctl.abort();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      await watchNode({ url, intervalMs, ...(feature !== undefined ? { feature } : {}) }, { write: io.stdout, color, ...(terminal ? { terminal } : {}) }, ctl.signal);
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return EXIT.ok;
  },
};
