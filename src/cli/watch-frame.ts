// The frame of `canary watch`: what it shows (WatchState) and how (renderFrame, a pure
// function of the state: lines of text, cut to a width, coloured or not), so it is tested
// without a terminal. The command and its loop are in commands/watch.ts.

import { analysisName, reasonName, statusName, Status, type FeatureView, type GlobalState } from "../client/index.ts";
import type { DisplayValue } from "../client/codec.ts";
import { isLive } from "../client/enums.ts";
import { pair, ruleOf } from "../replay/report.ts";
import { INIT_HINT, int, rate, yesNo } from "./format.ts";

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
  const active = isLive(v.status);
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
  else if (c === "not-initialized") out.push(`the contract is not initialized (${INIT_HINT})`);
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
