// canary watch [--node URL] [FEATURE] [--once] [--interval MS]: a live view of a running node's
// features, redrawn from its event stream, like `kubectl argo rollouts get rollout --watch`.
//
// The frame is ../watch-frame.ts (state → lines, pure). Here: the reads (the contract's views
// and the latest events, over JSON-RPC), --once, and the loop that follows GET /events, reads
// the views again after a block that changed something, reconnects with backoff while the
// node is away, and draws at most once per --interval.

import { ContractError, ErrorCode } from "../../client/index.ts";
import { subscribeBlocks, type NodeRpc } from "../../node/client.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import { notInitialized, unknownFeature } from "../format.ts";
import type { CliIO, Terminal } from "../io.ts";
import { DEFAULT_URL, nodeUnreachable, nodeUrl, nodeViews, unreachableError, type HeightTrackingRpc } from "../rpc.ts";
import { EVENTS_KEPT, fit, renderFrame, type ContractSnapshot, type FrameOptions, type WatchEvent, type WatchState } from "../watch-frame.ts";

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

/** One read of the node: the contract's views, the height they were read at, the latest events. */
interface WatchRead {
  contract: ContractSnapshot | "not-initialized";
  height: number;
  events: WatchEvent[];
}

/** What a read asks its reader, after the views answered (blocks may have streamed in meanwhile). */
interface ReadContext {
  /** A height already seen: the read's height is at least this. */
  floor(): number;
  /** Whether a FEATURE the node does not have (or a contract not initialized) is a CliError. */
  checkFeature(): boolean;
  /** false: a newer read took this one's place; it stops and gives null. */
  current(): boolean;
}

/**
 * The views (every feature or the one watched) and the latest events of a node, for `--once`
 * and the live view: the height is the highest the views answered at (at least `floor()`);
 * a FEATURE the node does not have is a CliError when `checkFeature()`.
 */
async function readWatchState(rpc: HeightTrackingRpc, client: Views, feature: string | undefined, ctx: ReadContext): Promise<WatchRead | null> {
  rpc.answeredAt.clear();
  const contract = await readContract(client, feature);
  if (!ctx.current()) return null;
  const height = Math.max(ctx.floor(), ...rpc.answeredAt);
  if (ctx.checkFeature() && feature !== undefined && (contract === "not-initialized" || contract.features.length === 0)) {
    if (contract === "not-initialized") throw notInitialized(feature, rpc.url, height);
    throw unknownFeature(feature, `${rpc.url} at height ${height}`, (await client.listAllFeatures()).map((v) => v.name));
  }
  const events = height < 0 ? [] : await latestEvents(rpc, height, feature, EVENTS_KEPT);
  if (!ctx.current()) return null;
  return { contract, height, events };
}

// ---------------------------------------------------------------- --once

/** --once: no height seen before, every read is the current one, FEATURE is checked. */
const ONCE: ReadContext = { floor: () => -1, checkFeature: () => true, current: () => true };

/** Reads the node once and writes one frame; a node that cannot be read is a CliError (exit 1). */
export async function watchOnce(url: string, feature: string | undefined, write: (text: string) => void, o: FrameOptions): Promise<void> {
  const { rpc, client } = nodeViews(url);
  try {
    // ONCE's read is always current: never null.
    const { contract, height, events } = (await readWatchState(rpc, client, feature, ONCE))!;
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
  /** Reads of the views in flight (a later read waits for them). */
  private reads = 0;
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
    const read = await readWatchState(this.rpc, this.client, this.o.feature, {
      // Streamed blocks may have moved the height on while the views were read.
      floor: () => this.state.height,
      // FEATURE is checked at the first read only: a feature gone later is shown, not an exit.
      checkFeature: () => !this.everRead,
      current: () => gen === this.generation,
    });
    if (read === null) return;
    const { contract, events, height } = read;
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
    this.reads++;
    try {
      await this.readAll(gen);
      if (gen === this.generation) this.schedule();
    } catch (e) {
      if (gen === this.generation) this.lost(gen, e);
    } finally {
      this.reads--;
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
   * A node that stops cleanly ends GET /events, which subscribeBlocks reports as an error ("the
   * node ended the event stream") and lost() handles; a node that hangs, with the stream left
   * open, says nothing. So a stream that has been quiet for three block times (0.5–5 s) is
   * checked: a node that does not answer, or that is at another height than the stream's last
   * block, is reconnected to.
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
    if (this.dirty && this.reads === 0) {
      const gen = this.generation;
      this.dirty = false;
      this.reads++;
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
        this.reads--;
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
    // nor do the reconnect attempts after the first), and not while the views are being read
    // (the events of a block would show before the state they changed).
    if (this.state.link.kind === "connecting" || this.reads > 0) return;
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
