// `canary watch` and `canary inspect --node`: the frame as a pure function of the state (each
// status, pause, halt, each analysis, a cut long name), then both commands against a real
// devnet node in this process (startDevnet, 20 ms blocks): --once, a live view that prints a frame
// per change and stops on abort, a terminal view that restores the screen, reconnecting to a
// restarted node, an unknown FEATURE (exit 2) and an unreachable node (exit 1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/cli.ts";
import { CliError } from "../../src/cli/errors.ts";
import type { CliIO, Terminal } from "../../src/cli/io.ts";
import { backoffMs, watchNode } from "../../src/cli/commands/watch.ts";
import { fit, renderFrame, visibleWidth, type WatchEvent, type WatchState } from "../../src/cli/watch-frame.ts";
import { FEATURE_VIEW, Status, comparativePolicy, toDisplay, type FeatureView } from "../../src/client/index.ts";
import { startNode, type AsyncCanaryClient, type CanaryNode, type NodeKey, type NodeRpc } from "../../src/node/index.ts";
import { startDevnet } from "../helpers/devnet.ts";
import { freePort, poll } from "../helpers/process.ts";
import { tempDirHandle } from "../helpers/temp.ts";
import { view } from "../helpers/views.ts";
import { cli } from "./helpers.ts";

// ---------------------------------------------------------------- the frame

function state(features: FeatureView[], over: Partial<WatchState> & { paused?: boolean; halted?: boolean } = {}): WatchState {
  const { paused = false, halted = false, ...rest } = over;
  return { url: "http://127.0.0.1:20332", height: 120, link: { kind: "live" }, contract: { global: { paused, halted }, features }, events: [], ...rest };
}

const plain = (s: WatchState, width = Infinity) => renderFrame(s, { width, color: false });

/** The lines of the one feature in the frame (from its name to the blank line after it). */
function featureBlock(lines: string[], name: string): string[] {
  const at = lines.findIndex((l) => l.startsWith(name));
  expect(at, lines.join("\n")).toBeGreaterThan(0);
  const end = lines.indexOf("", at);
  return lines.slice(at, end);
}

describe("renderFrame: state → lines, no terminal", () => {
  const running = { status: Status.RollingOut, rolloutBps: 3000, targetBps: 7000, lastStepBlock: 100, policy: { incrementBlocks: 50 } };
  const cases: { title: string; v: FeatureView; global?: { paused?: boolean; halted?: boolean }; height?: number; has: (string | RegExp)[]; hasNot?: (string | RegExp)[] }[] = [
    { title: "Disabled: an empty bar, 0 bps, no next step", v: view(), has: [/^fast_sync {2}Disabled {4}\[░{20}\] {2}0 bps$/], hasNot: ["next step"] },
    { title: "Canary at 5 bps: any exposure shows as one cell", v: view({ status: Status.Canary, rolloutBps: 5 }), has: [/Canary {6}\[█░{19}\] {2}5 bps$/] },
    {
      title: "RollingOut: rolloutBps → target on the bar, the next step at lastStepBlock + incrementBlocks",
      v: view(running),
      has: [/RollingOut {2}\[█{6}░{7}│░{6}\] {2}3000 → 7000 bps$/, "    next step ≥ h 150 (in 30)"],
    },
    {
      title: "RollingOut past its dwell with too few window samples: the step waits for them",
      v: view({ ...running, windowSuccesses: 40n }),
      height: 200,
      has: ["    step due since h 150: waiting for 100 window samples (40)"],
    },
    { title: "RollingOut, the feature paused: steps on hold", v: view({ ...running, paused: true }), has: [/3000 → 7000 bps · paused$/, "    steps on hold (paused)"], hasNot: ["next step"] },
    { title: "RollingOut under the global pause: steps on hold", v: view(running), global: { paused: true }, has: ["global: paused: no steps anywhere · halted no · 1 feature", "    steps on hold (global pause)"] },
    { title: "halted: a Canary feature exposes no one", v: view({ status: Status.Canary, rolloutBps: 500 }), global: { halted: true }, has: [/500 bps · halted: exposes no one$/, /HALTED: Canary and RollingOut features expose no one/] },
    { title: "halted: an Enabled feature is not marked (it stays on)", v: view({ status: Status.Enabled, rolloutBps: 10000 }), global: { halted: true }, has: [/Enabled {5}\[█{20}\] {2}10000 bps$/, "Enabled: no automatic rollback"], hasNot: ["exposes no one"] },
    { title: "RolledBack: the reason", v: view({ status: Status.RolledBack, rollbackReason: 1 }), has: [/RolledBack {2}\[░{20}\] {2}0 bps · ErrorRate$/] },
    {
      title: "Sequential: T against h with the floor; at or above h with minSamples run samples",
      v: view({ status: Status.Canary, rolloutBps: 500, runSuccesses: 190n, runErrors: 10n, windowSuccesses: 190n, windowErrors: 10n, statistic: 5_000_000n }),
      has: ["    window 5.00 % (10/200) · run: canary 5.00 % (10/200) · baseline —", "    Sequential: T = 5.00 ≥ h = 4.11 (floor −8.22) · 200 run samples (minSamples 100)"],
    },
    {
      title: "Sequential below minSamples run samples: no verdict yet",
      v: view({ status: Status.Canary, rolloutBps: 500, runSuccesses: 45n, runErrors: 5n, statistic: -2_500_000n }),
      has: ["    Sequential: T = −2.50 < h = 4.11 (floor −8.22) · 50 of minSamples 100 run samples: no verdict yet"],
    },
    {
      title: "Comparative: S against A, the baseline's rate beside the canary's",
      v: view({ status: Status.Canary, rolloutBps: 1000, policy: comparativePolicy({ ratio: 2, alpha: 0.05, beta: 0.1 }), runSuccesses: 950n, runErrors: 50n, baseSuccesses: 990n, baseErrors: 10n, statistic: -1_500_000n }),
      has: ["    window — · run: canary 5.00 % (50/1,000) · baseline 1.00 % (10/1,000)", "    Comparative: S = −1.50 < A = 2.89 (floor −5.78) · 1,000 run samples (minSamples 100)"],
    },
    {
      title: "Threshold: the window rate against maxErrorRateBps",
      v: view({ status: Status.Canary, rolloutBps: 2500, policy: { analysis: 0, maxErrorRateBps: 500, minSamples: 10 }, windowSuccesses: 80n, windowErrors: 20n }),
      has: ["    Threshold: window rate 20.00 % > 5.00 % (maxErrorRateBps 500) · 100 window samples (minSamples 10)"],
    },
    {
      title: "Threshold at the limit is not above it",
      v: view({ status: Status.Canary, rolloutBps: 2500, policy: { analysis: 0, maxErrorRateBps: 500, minSamples: 10 }, windowSuccesses: 95n, windowErrors: 5n }),
      has: ["    Threshold: window rate 5.00 % ≤ 5.00 % (maxErrorRateBps 500) · 100 window samples (minSamples 10)"],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const lines = plain(state([c.v], { ...c.global, ...(c.height !== undefined ? { height: c.height } : {}) }));
      const text = lines.join("\n");
      for (const want of c.has) {
        if (typeof want === "string") expect(text).toContain(want);
        else expect(lines.some((l) => want.test(l)), `${want} in\n${text}`).toBe(true);
      }
      for (const not of c.hasNot ?? []) expect(text).not.toMatch(typeof not === "string" ? new RegExp(not.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : not);
    });
  }

  it("the header: URL, height and the link; reconnecting says so with the attempt and the reason", () => {
    expect(plain(state([]))[0]).toBe("canary watch · http://127.0.0.1:20332 · height 120 · ● live");
    const away = plain(state([], { link: { kind: "reconnecting", attempt: 3, retryInMs: 1000, reason: "connect ECONNREFUSED 127.0.0.1:20332" } }));
    expect(away[0]).toBe("canary watch · http://127.0.0.1:20332 · height 120 · reconnecting… (attempt 3, next in 1.00 s: connect ECONNREFUSED 127.0.0.1:20332)");
  });

  it("no features, an uninitialized contract, one FEATURE missing, no read yet", () => {
    expect(plain(state([])).join("\n")).toContain("no features yet");
    expect(plain(state([], { feature: "gone" })).join("\n")).toContain('no feature "gone" on this node at height 120');
    expect(plain({ ...state([]), contract: "not-initialized" })[1]).toMatch(/^the contract is not initialized \(send init first: canary tx init/);
    expect(plain({ ...state([]), contract: null, link: { kind: "connecting" } }).slice(0, 2)).toEqual(["canary watch · http://127.0.0.1:20332 · height 120 · connecting…", "(no read of the node yet)"]);
  });

  it("the events line: newest first, each event in a few words", () => {
    const events: WatchEvent[] = [
      { height: 121, name: "RolloutAdvanced", data: { name: "fast_sync", fromBps: 3000, toBps: 4000 } },
      { height: 120, name: "StatusChanged", data: { name: "fast_sync", from: "RollingOut", to: "RolledBack", rolloutBps: 0, reason: "ErrorRate" } },
      { height: 119, name: "GlobalChanged", data: { paused: false, halted: true } },
      { height: 118, name: "PauseChanged", data: { name: "fast_sync", paused: true } },
    ];
    expect(plain(state([], { events })).at(-1)).toBe(
      "events: h 121 RolloutAdvanced fast_sync 3000 → 4000 bps · h 120 StatusChanged fast_sync RollingOut → RolledBack at 0 bps (ErrorRate) · h 119 GlobalChanged paused no, halted yes · h 118 PauseChanged fast_sync paused",
    );
    expect(plain(state([])).at(-1)).toBe("events: none yet");
  });

  it("a long name is cut with … so the status stays visible; no line is wider than the terminal", () => {
    const long = "a_feature_name_of_sixty_four_bytes_which_is_the_longest_allowed_";
    expect(long.length).toBe(64);
    for (const width of [40, 60, 80]) {
      const lines = renderFrame(state([view({ name: long, status: Status.Canary, rolloutBps: 500 }), view({ name: "short" })]), { width, color: true });
      for (const l of lines) expect(visibleWidth(l), l).toBeLessThanOrEqual(width);
      const first = lines.find((l) => l.includes("a_feature"))!.replace(/\x1b\[[0-9;]*m/g, "");
      expect(first).toMatch(/^a_feature_n\S*… {2}Canary {6}\[/);
      expect(first).not.toContain(long);
    }
    // Not a terminal (width Infinity): whole names, padded to the longest.
    const wide = plain(state([view({ name: long }), view({ name: "short" })]));
    expect(wide).toContain(`${long}  Disabled    [${"░".repeat(20)}]  0 bps`);
    expect(wide).toContain(`short${" ".repeat(59)}  Disabled    [${"░".repeat(20)}]  0 bps`);
  });

  it("colour only when asked: each status its colour, a fired rule in red", () => {
    const v = view({ ...{ status: Status.RollingOut, rolloutBps: 3000, targetBps: 7000 }, runSuccesses: 190n, runErrors: 10n, statistic: 5_000_000n });
    const coloured = renderFrame(state([v]), { width: 200, color: true }).join("\n");
    expect(coloured).toContain("\x1b[36mRollingOut");
    expect(coloured).toContain("\x1b[31;1m≥\x1b[0m h = 4.11");
    expect(plain(state([v])).join("\n")).not.toContain("\x1b");
  });

  it("fit keeps ANSI sequences whole, cuts by visible columns and resets the colour", () => {
    expect(fit("\x1b[31mabcdef\x1b[0m", 4)).toBe("\x1b[31mabc…\x1b[0m");
    expect(fit("abcdef", 6)).toBe("abcdef");
    expect(fit("abcdef", 5)).toBe("abcd…");
    expect(visibleWidth(fit("██████░░░░", 5))).toBe(5);
  });

  it("reconnect backoff: 250 ms doubling, at most 5 s", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});

// ---------------------------------------------------------------- against a node

let devnet: Awaited<ReturnType<typeof startDevnet>>;
let node: CanaryNode;
let rpc: NodeRpc;
let client: AsyncCanaryClient;
let admin: NodeKey;

async function ok(p: Promise<{ codeName: string }>): Promise<void> {
  expect((await p).codeName).toBe("Ok");
}

beforeAll(async () => {
  devnet = await startDevnet({ blockTimeMs: 20 });
  ({ node, rpc, client, admin } = devnet);
  await ok(client.grantRole(admin, "Reporter", admin.accountHex));
  // alpha: Sequential, rolling out toward 50 % (the next step far away).
  await ok(client.createFeature(admin, "alpha", "the first", { minSuccessCount: 0n, incrementBlocks: 100_000, minSamples: 10 }));
  await ok(client.startCanary(admin, "alpha", 500));
  await ok(client.startRollout(admin, "alpha", 5000));
  await ok(client.recordBatch(admin, "alpha", 990n, 10n));
  // beta: Threshold, rolled back by its window rate.
  await ok(client.createFeature(admin, "beta", "", { analysis: "Threshold", maxErrorRateBps: 500, minSamples: 10 }));
  await ok(client.startCanary(admin, "beta", 2500));
  await ok(client.recordBatch(admin, "beta", 80n, 20n));
  // gamma: Comparative, with a baseline.
  await ok(client.createFeature(admin, "gamma", "", { ...comparativePolicy({ ratio: 2, alpha: 0.05, beta: 0.1 }), minSamples: 10 }));
  await ok(client.startCanary(admin, "gamma", 1000));
  await ok(client.recordCohorts(admin, "gamma", 95n, 5n, 990n, 10n));
  // delta: created only; eps: Enabled.
  await ok(client.createFeature(admin, "delta", ""));
  await ok(client.createFeature(admin, "eps", ""));
  await ok(client.enable(admin, "eps"));
}, 30_000);

afterAll(async () => {
  await devnet?.close();
});

/** What a live view wrote, as it wrote it. */
function capture(): { write: (t: string) => void; text: () => string } {
  let out = "";
  return { write: (t) => void (out += t), text: () => out };
}

describe("canary watch --once against a node", () => {
  it("prints one frame of every feature (each status and analysis) with the node's height and latest events, exit 0", async () => {
    const r = await cli(["watch", "--once", "--node", node.url]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^canary watch · ${node.url} · height \\d+ · once$`));
    expect(lines[1]).toBe("global: paused no · halted no · 5 features");
    expect(featureBlock(lines, "alpha")).toEqual([
      "alpha  RollingOut  [█░░░░░░░░│░░░░░░░░░░]  500 → 5000 bps",
      "    window 1.00 % (10/1,000) · run: canary 1.00 % (10/1,000) · baseline —",
      "    Sequential: T = −4.43 < h = 4.11 (floor −8.22) · 1,000 run samples (minSamples 10)",
      expect.stringMatching(/^ {4}next step ≥ h 100,0\d\d \(in 99,\d\d\d\)$/),
    ]);
    expect(featureBlock(lines, "beta")).toEqual([
      "beta   RolledBack  [░░░░░░░░░░░░░░░░░░░░]  0 bps · ErrorRate",
      "    window 20.00 % (20/100) · run: canary 20.00 % (20/100) · baseline —",
      "    Threshold: window rate 20.00 % > 5.00 % (maxErrorRateBps 500) · 100 window samples (minSamples 10)",
    ]);
    expect(featureBlock(lines, "gamma")[2]).toMatch(/^ {4}Comparative: S = [−\d.]+ < A = 2\.89 \(floor −5\.78\) · 100 run samples \(minSamples 10\)$/);
    expect(featureBlock(lines, "gamma")[1]).toBe("    window 5.00 % (5/100) · run: canary 5.00 % (5/100) · baseline 1.00 % (10/1,000)");
    expect(featureBlock(lines, "delta")[0]).toBe("delta  Disabled    [░░░░░░░░░░░░░░░░░░░░]  0 bps");
    expect(featureBlock(lines, "eps")[0]).toBe("eps    Enabled     [████████████████████]  10000 bps");
    expect(lines.at(-1)).toMatch(/^events: h \d+ StatusChanged eps Disabled → Enabled at 10000 bps · h \d+ FeatureCreated eps · h \d+ FeatureCreated delta · /);
    expect(r.stdout).not.toContain("\x1b"); // not a terminal: no colour
  });

  it("FEATURE: that feature and its events only", async () => {
    const r = await cli(["watch", "--once", "--node", node.url, "beta"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("beta  RolledBack");
    for (const other of ["alpha", "gamma", "delta", "eps"]) expect(r.stdout).not.toContain(other);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^events: h \d+ StatusChanged beta Canary → RolledBack at 0 bps \(ErrorRate\) · h \d+ StatusChanged beta Disabled → Canary at 2500 bps · h \d+ FeatureCreated beta$/);
  });

  it("on a terminal: coloured and cut to its width", async () => {
    let stdout = "";
    const terminal: Terminal = { columns: () => 50, rows: () => 100, onResize: () => () => {} };
    const io: CliIO = { stdout: (t) => void (stdout += t), stderr: () => {}, stderrIsTTY: true, cwd: process.cwd(), stdoutTerminal: terminal };
    expect(await runCli(["watch", "--once", "--node", node.url, "alpha"], io)).toBe(0);
    expect(stdout).toContain("\x1b[36mRollingOut");
    for (const l of stdout.trimEnd().split("\n")) expect(visibleWidth(l), l).toBeLessThanOrEqual(50);
  });

  it("an unknown FEATURE: exit 2, naming the features there", async () => {
    const r = await cli(["watch", "--once", "--node", node.url, "nope"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`no feature "nope" in ${node.url} at height \\d+`));
    expect(r.stderr).toContain("→ features there: alpha, beta, delta, eps, gamma");
    expect(r.stdout).toBe("");
  });

  it("an unreachable node: exit 1 with the URL and the reason", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await cli(["watch", "--once", "--node", url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot reach the node at ${url}: connect ECONNREFUSED`);
    expect(r.stderr).toContain("→ start one with `canary node`, or pass --node URL");
  });

  it("bad usage: exit 2", async () => {
    expect((await cli(["watch", "a", "b", "--once"])).stderr).toContain("watch takes at most one FEATURE");
    for (const args of [["--interval", "0"], ["--interval", "fast"], ["--node", "ftp://x"], ["--node", "not a url"]]) {
      const r = await cli(["watch", "--once", ...args]);
      expect(r.status, args.join(" ")).toBe(2);
    }
  });
});

describe("canary watch, live", () => {
  it("not a terminal: a frame when something changed (not for every block), none after the abort", async () => {
    const out = capture();
    const ctl = new AbortController();
    const done = watchNode({ url: node.url, feature: "delta", intervalMs: 20 }, { write: out.write, color: false }, ctl.signal);
    await poll("the first frame", () => (out.text().includes("● live") ? true : undefined), 10_000);
    expect(out.text()).toContain("delta  Disabled");
    // Idle blocks (no transactions, no events) print nothing.
    const first = out.text();
    await new Promise((r) => setTimeout(r, 300));
    expect(out.text()).toBe(first);
    await ok(client.startCanary(admin, "delta", 2000));
    await poll("a frame with delta in Canary", () => (out.text().includes("delta  Canary      [████░") ? true : undefined), 10_000);
    const frames = out.text().split(/^canary watch · /m).length - 1;
    expect(frames).toBe(2);
    expect(out.text()).toMatch(/events: h \d+ StatusChanged delta Disabled → Canary at 2000 bps · h \d+ FeatureCreated delta\n$/);
    ctl.abort();
    await done;
    const final = out.text();
    await ok(client.pause(admin, "delta"));
    await new Promise((r) => setTimeout(r, 200));
    expect(out.text()).toBe(final);
  });

  it("a terminal: the alternate screen, each frame from the top and cut to the width; the abort restores the screen and leaves the last frame", async () => {
    const out = capture();
    const ctl = new AbortController();
    let resize: () => void = () => {};
    let columns = 72;
    const terminal: Terminal = { columns: () => columns, rows: () => 200, onResize: (fn) => ((resize = fn), () => (resize = () => {})) };
    const done = watchNode({ url: node.url, intervalMs: 20 }, { write: out.write, color: true, terminal }, ctl.signal);
    await poll("a live frame", () => (out.text().includes("● live") ? true : undefined), 10_000);
    expect(out.text().startsWith("\x1b[?1049h\x1b[?25l\x1b[H")).toBe(true);
    const frames = out.text().split("\x1b[H").slice(1);
    for (const f of frames) for (const l of f.replace(/\x1b\[J.*$/s, "").split("\x1b[K\n")) expect(visibleWidth(l.replace(/\x1b\[K/g, "")), l).toBeLessThanOrEqual(72);
    columns = 40;
    resize();
    const last = out.text().split("\x1b[H").at(-1)!;
    for (const l of last.replace(/\x1b\[J.*$/s, "").split("\x1b[K\n")) expect(visibleWidth(l.replace(/\x1b\[K/g, "")), l).toBeLessThanOrEqual(40);
    ctl.abort();
    await done;
    const tail = out.text().slice(out.text().lastIndexOf("\x1b[?25h\x1b[?1049l"));
    expect(tail).toMatch(/^\x1b\[\?25h\x1b\[\?1049l\x1b\[1mcanary watch\x1b\[0m · /);
    expect(tail.endsWith("\n")).toBe(true);
  });

  it("an unknown FEATURE: exit 2 once the node answers", async () => {
    const r = await cli(["watch", "--node", node.url, "nope"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no feature "nope" in .* at height \d+/);
    await expect(watchNode({ url: node.url, feature: "nope", intervalMs: 20 }, { write: () => {}, color: false }, new AbortController().signal)).rejects.toBeInstanceOf(CliError);
  });

  it("a node that goes away: 'reconnecting…' while it is down, live again when it is back on the same port", async () => {
    const first = await startNode({ port: 0, blockTimeMs: 20 });
    const port = first.port;
    const out = capture();
    const ctl = new AbortController();
    const done = watchNode({ url: first.url, intervalMs: 20 }, { write: out.write, color: false }, ctl.signal);
    let again: CanaryNode | undefined;
    try {
      await poll("live", () => (out.text().includes("● live") ? true : undefined), 10_000);
      expect(out.text()).toContain("the contract is not initialized");
      await first.close();
      await poll("reconnecting", () => (out.text().includes("reconnecting… (attempt 1") ? true : undefined), 10_000, 20, out.text);
      again = await startNode({ port, blockTimeMs: 20 });
      const before = out.text().length;
      await poll("live again", () => (out.text().slice(before).includes("● live") ? true : undefined), 15_000, 20, out.text);
    } finally {
      ctl.abort();
      await done;
      await again?.close();
      await first.close();
    }
  }, 30_000);
});

// ---------------------------------------------------------------- inspect --node

describe("canary inspect --node", () => {
  it("shows the node's chain: height and state root at one block, the global state, every feature", async () => {
    const r = await cli(["inspect", "--node", node.url]);
    expect(r.status, r.stderr).toBe(0);
    const m = /^node (\S+)\n {2}height (\d+), state root ([0-9a-f]{64})\n/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(node.url);
    expect(((await rpc.getBlock(Number(m![2]))) as { stateRoot: string }).stateRoot).toBe(m![3]);
    expect(r.stdout).toContain("  global: paused no, halted no");
    expect(r.stdout).toContain("features (5)");
    expect(r.stdout).toMatch(/^ {2}alpha +RollingOut +500 +5000 +990 +10 +1\.00 %/m);
    expect(r.stdout).toMatch(/^ {2}beta +RolledBack +0 +0 .* ErrorRate$/m);
  });

  it("--json: the contract's views of every feature, and FEATURE: its view, metrics and history", async () => {
    const r = await cli(["inspect", "--node", node.url, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { type: string; node: string; height: number; stateRoot: string; global: unknown; features: { metrics: unknown; name: string }[] };
    expect(o.type).toBe("chain");
    expect(o.node).toBe(node.url);
    expect(o.global).toEqual({ paused: false, halted: false });
    const views = (await client.listAllFeatures()).map((v) => toDisplay(FEATURE_VIEW, v));
    // delta's pause from the live test may be newer than nothing else: compare what is settled.
    expect(o.features.map(({ metrics: _m, ...f }) => f).filter((f) => f.name !== "delta")).toEqual(views.filter((v) => (v as { name: string }).name !== "delta"));
    const f = await cli(["inspect", "--node", node.url, "alpha", "--json"]);
    const j = JSON.parse(f.stdout) as { type: string; feature: { name: string; status: string }; history: { from: string; to: string }[]; metrics: { totalOperations: number } };
    expect(j.type).toBe("feature");
    expect(j.feature).toMatchObject({ name: "alpha", status: "RollingOut" });
    expect(j.history.map((h) => `${h.from}→${h.to}`)).toEqual(["Disabled→Canary", "Canary→RollingOut"]);
    expect(j.metrics.totalOperations).toBe(1000);
    const text = await cli(["inspect", "--node", node.url, "alpha"]);
    expect(text.stdout).toMatch(new RegExp(`^alpha — the first {3}\\(${node.url} at height \\d+\\)\\n {2}status RollingOut, 500 bps, target 5000 bps`));
  });

  it("reads what --db reads: the same features and global state from a node's directory", async () => {
    const tmp = tempDirHandle("watch");
    try {
      const persistent = await startDevnet({ blockTimeMs: 20, db: tmp.dir });
      await ok(persistent.client.createFeature(persistent.admin, "kept", "on disk", { minSamples: 10 }));
      await ok(persistent.client.startCanary(persistent.admin, "kept", 700));
      const viaNode = await cli(["inspect", "--node", persistent.url, "--json"]);
      await persistent.close();
      const viaDb = await cli(["inspect", "--db", tmp.dir, "--json"]);
      expect(viaNode.status, viaNode.stderr).toBe(0);
      expect(viaDb.status, viaDb.stderr).toBe(0);
      const a = JSON.parse(viaNode.stdout);
      const b = JSON.parse(viaDb.stdout);
      expect(a.features).toEqual(b.features);
      expect(a.global).toEqual(b.global);
      expect(a.features[0]).toMatchObject({ name: "kept", status: "Canary", rolloutBps: 700 });
    } finally {
      tmp.cleanup();
    }
  });

  it("refuses --db with --node, neither, an unknown FEATURE (exit 2); an unreachable node exits 1", async () => {
    const both = await cli(["inspect", "--node", node.url, "--db", "x"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("inspect reads either --db DIR or --node URL, not both");
    const neither = await cli(["inspect"]);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain("inspect needs --db DIR");
    expect(neither.stderr).toContain("or --node URL");
    const wasm = await cli(["inspect", "--node", node.url, "--wasm", "x.wasm"]);
    expect(wasm.status).toBe(2);
    expect(wasm.stderr).toContain("--wasm applies to --db only");
    const unknown = await cli(["inspect", "--node", node.url, "nope"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`no feature "nope" in ${node.url} at height \\d+`));
    expect(unknown.stderr).toContain("features there: alpha, beta, delta, eps, gamma");
    const url = `http://127.0.0.1:${await freePort()}`;
    const away = await cli(["inspect", "--node", url]);
    expect(away.status).toBe(1);
    expect(away.stderr).toContain(`cannot reach the node at ${url}: connect ECONNREFUSED`);
  });
});
