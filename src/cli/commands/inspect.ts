// canary inspect --db DIR | --node URL [FEATURE]: a persisted chain, or a running node, read
// through the contract's own views.

import path from "node:path";
import {
  CanaryClient,
  ContractError,
  ErrorCode,
  FEATURE_VIEW,
  GLOBAL_STATE,
  HISTORY_ENTRY,
  METRICS,
  POLICY,
  reasonName,
  statusName,
  toDisplay,
  type FeatureView,
  type GlobalState,
  type HistoryEntry,
  type Metrics,
} from "../../client/index.ts";
import { openChain, readModule } from "../../replay/module.ts";
import { table } from "../../replay/output.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import { INIT_HINT, int, notInitialized, rate, unknownFeature, yesNo } from "../format.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_WASM, shown } from "../paths.ts";
import { DEFAULT_URL, nodeUnreachable, nodeUrl, nodeViews, rpcFailure, unreachableError } from "../rpc.ts";
import { nodeChainDir, openChainStore } from "../store.ts";

const usage = `usage: canary inspect --db DIR [FEATURE] [--json] [--wasm PATH] [--verify-all]
       canary inspect --node URL [FEATURE] [--json]

Reads a chain persisted by \`canary replay FILE --db DIR\` at its stored height, or a running
node (\`canary node\`) at its latest block, through the contract's own views (getGlobal,
listFeatures, getFeature, getMetrics, getHistory).

  (no FEATURE)      the chain (height, state root, keys), the global state, and every
                    feature: status, rollout, window, lifetime metrics
  FEATURE           one feature: its view, policy, metrics and full history
  --json            one JSON object on stdout instead (enums by name, accounts as 0x-hex)
  --db DIR          a chain store on disk
  --node URL        a running node over JSON-RPC (\`canary node\`'s: ${DEFAULT_URL});
                    every view is read at one block (again when a block commits meanwhile)
  --wasm PATH       (--db) the module whose views read the state (default: build/canary.metered.wasm)
  --verify-all      (--db) check every block record at open, not only the latest (docs/STORE.md)

One of --db and --node. DIR may also be a node's directory (canary node --db DIR): its
DIR/chain is read; the database is opened exclusively, so stop that node first, or use
--node to read it while it runs.
Exit status: 0 shown; 1 the node could not be reached; 2 the database, the module, FEATURE
or the command line was refused.
`;

function statusText(v: FeatureView): string {
  return statusName(v.status) + (v.paused ? " (paused)" : "");
}

function historyRows(history: readonly HistoryEntry[]): string[][] {
  const rows = [["seq", "block", "from", "to", "bps", "reason", "actor"]];
  for (const h of history) {
    rows.push([
      String(h.seq),
      String(h.block),
      statusName(h.from),
      statusName(h.to),
      String(h.rolloutBps),
      h.reason === null ? "—" : reasonName(h.reason),
      h.actor ?? "onPersist",
    ]);
  }
  return rows;
}

function policyLines(v: FeatureView): string[] {
  const p = toDisplay(POLICY, v.policy) as Record<string, unknown>;
  return Object.entries(p).map(([k, x]) => `  ${k.padEnd(24)} ${typeof x === "object" ? JSON.stringify(x) : String(x)}`);
}

export const inspectCommand: Command = {
  name: "inspect",
  summary: "show a persisted chain (--db DIR) or a running node (--node URL): features, history, metrics, global state",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      db: { type: "string" },
      node: { type: "string" },
      json: { type: "boolean" },
      wasm: { type: "string" },
      "verify-all": { type: "boolean" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (values.db !== undefined && values.node !== undefined) throw new UsageError("inspect reads either --db DIR or --node URL, not both");
    if (values.node === undefined && (values.db === undefined || values.db === "")) {
      throw new UsageError("inspect needs --db DIR (a directory written by `canary replay FILE --db DIR`) or --node URL (a running `canary node`)");
    }
    if (positionals.length > 1) throw new UsageError(`inspect takes at most one FEATURE, got ${positionals.length}: ${positionals.join(" ")}`);
    const feature = positionals[0];
    const json = values.json === true;
    if (values.node !== undefined) {
      for (const f of ["wasm", "verify-all"] as const) if (values[f] !== undefined) throw new UsageError(`--${f} applies to --db only (a node reads its state with its own module)`);
      io.stdout(await inspectNode(nodeUrl(values.node), feature, json));
      return EXIT.ok;
    }
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : DEFAULT_WASM;
    const wasm = readModule(shown(wasmPath, io.cwd));
    const dir = nodeChainDir(path.resolve(io.cwd, values.db!));
    const dirShown = shown(dir, io.cwd);

    const store = await openChainStore(dir, dirShown, false, { kind: "any", verifyAll: values["verify-all"] === true });
    try {
      const height = store.height;
      const head: Head = { where: dirShown, title: `chain store ${dirShown}`, height, facts: `state root ${store.stateRoot}, ${int(store.size)} keys`, json: { db: dirShown, height, stateRoot: store.stateRoot, keys: store.size } };
      if (height < 0) {
        if (feature !== undefined) throw new CliError(`no feature ${JSON.stringify(feature)}: the chain store ${dirShown} has no blocks yet`);
        if (json) io.stdout(JSON.stringify({ type: "chain", ...head.json, global: null, features: [] }) + "\n");
        else io.stdout(`chain store ${dirShown}\n  no blocks yet (state root ${store.stateRoot})\n`);
        return EXIT.ok;
      }
      const client = new CanaryClient(openChain(wasm, store), { height });
      try {
        if (feature === undefined) io.stdout(chainText(await readChain(client), head, json));
        else {
          const data = await readFeature(client, feature);
          if (!data) throw unknownFeature(feature, `${dirShown} at height ${height}`, client.listAllFeatures().map((f) => f.name));
          io.stdout(featureText(data, head, json));
        }
        return EXIT.ok;
      } catch (e) {
        if (e instanceof ContractError) {
          throw new CliError(`the contract's views could not read ${dirShown} at height ${height}: ${e.message}`, "is this chain store written by this contract module? pass --wasm PATH to the module that wrote it");
        }
        throw e;
      }
    } finally {
      await store.close();
    }
  },
};

/** Where the views were read: a chain store or a node, at one height. */
interface Head {
  /** How messages name it: the directory or the URL. */
  where: string;
  /** The first line of the chain's text. */
  title: string;
  height: number;
  /** After the height on the second line: the state root and what else is known. */
  facts: string;
  /** The fields the JSON object starts with (after `type`). */
  json: Record<string, unknown>;
}

/** The views inspect reads: CanaryClient's (a chain store) or RpcCanaryClient's (a node, as Promises). */
interface ContractViews {
  getGlobal(): GlobalState | Promise<GlobalState>;
  listAllFeatures(): FeatureView[] | Promise<FeatureView[]>;
  getFeature(name: string): FeatureView | null | Promise<FeatureView | null>;
  getMetrics(name: string): Metrics | null | Promise<Metrics | null>;
  getAllHistory(name: string): HistoryEntry[] | Promise<HistoryEntry[]>;
}

interface ChainData {
  global: GlobalState;
  features: { view: FeatureView; metrics: Metrics | null }[];
}

interface FeatureData {
  view: FeatureView;
  metrics: Metrics;
  history: HistoryEntry[];
}

async function readChain(views: ContractViews): Promise<ChainData> {
  const global = await views.getGlobal();
  const features: ChainData["features"] = [];
  for (const view of await views.listAllFeatures()) features.push({ view, metrics: await views.getMetrics(view.name) });
  return { global, features };
}

/** One feature's view, metrics and history; null when there is no such feature. */
async function readFeature(views: ContractViews, name: string): Promise<FeatureData | null> {
  const view = await views.getFeature(name);
  if (!view) return null;
  return { view, metrics: (await views.getMetrics(name)) as Metrics, history: await views.getAllHistory(name) };
}

/**
 * Reads a node's views at one block: every `call` answers on the latest committed block, so a
 * read that saw two heights is read again (a block committed in between), a few times at most.
 */
async function inspectNode(url: string, feature: string | undefined, json: boolean): Promise<string> {
  const { rpc, client } = nodeViews(url);
  try {
    for (let attempt = 1; ; attempt++) {
      rpc.answeredAt.clear();
      let data: ChainData | FeatureData | null | "not-initialized";
      try {
        data = feature === undefined ? await readChain(client) : await readFeature(client, feature);
      } catch (e) {
        if (!(e instanceof ContractError && e.code === ErrorCode.NotInitialized)) throw e;
        data = "not-initialized";
      }
      const heights = [...rpc.answeredAt];
      if (heights.length > 1 && attempt < 5) continue;
      const height = Math.max(...heights);
      if (height < 0) {
        if (feature !== undefined) throw new CliError(`no feature ${JSON.stringify(feature)}: the node at ${rpc.url} has no blocks yet`);
        if (json) return JSON.stringify({ type: "chain", node: rpc.url, height, stateRoot: null, global: null, features: [] }) + "\n";
        return `node ${rpc.url}\n  no blocks yet\n`;
      }
      const block = (await rpc.getBlock(height)) as { stateRoot: string } | null;
      const stateRoot = block?.stateRoot ?? "—";
      const head: Head = { where: rpc.url, title: `node ${rpc.url}`, height, facts: `state root ${stateRoot}`, json: { node: rpc.url, height, stateRoot } };
      if (heights.length > 1) head.facts += ` (read over heights ${Math.min(...heights)}–${height}: blocks kept committing while it was read)`;
      if (data === "not-initialized") {
        if (feature !== undefined) throw notInitialized(feature, rpc.url, height);
        if (json) return JSON.stringify({ type: "chain", ...head.json, initialized: false, global: null, features: [] }) + "\n";
        return `${head.title}\n  height ${height}, ${head.facts}\n  the contract is not initialized (${INIT_HINT})\n`;
      }
      if (data === null) throw unknownFeature(feature!, `${rpc.url} at height ${height}`, (await client.listAllFeatures()).map((f) => f.name));
      return "view" in data ? featureText(data, head, json) : chainText(data, head, json);
    }
  } catch (e) {
    if (nodeUnreachable(e)) throw unreachableError(e, rpc.url);
    if (e instanceof ContractError) throw new CliError(`the contract's views on ${rpc.url} failed: ${e.message}`);
    if (e instanceof CliError) throw e;
    return rpcFailure(e);
  } finally {
    rpc.close();
  }
}

function chainText(data: ChainData, head: Head, json: boolean): string {
  const { global, features } = data;
  if (json) {
    return (
      JSON.stringify({
        type: "chain",
        ...head.json,
        global: toDisplay(GLOBAL_STATE, global),
        features: features.map((f) => ({ ...(toDisplay(FEATURE_VIEW, f.view) as object), metrics: f.metrics && toDisplay(METRICS, f.metrics) })),
      }) + "\n"
    );
  }
  const out: string[] = [];
  out.push(head.title);
  out.push(`  height ${head.height}, ${head.facts}`);
  out.push(`  global: paused ${yesNo(global.paused)}, halted ${yesNo(global.halted)}`);
  out.push("", `features (${features.length})`);
  if (features.length === 0) out.push("  (none)");
  else {
    const rows = [["feature", "status", "bps", "target", "window ok", "errors", "error rate", "total ops", "failed", "avg latency", "rollback"]];
    for (const { view: v, metrics: m } of features) {
      rows.push([
        v.name,
        statusText(v),
        String(v.rolloutBps),
        String(v.targetBps),
        int(v.windowSuccesses),
        int(v.windowErrors),
        rate(v.windowErrors, v.windowSuccesses),
        m ? int(m.totalOperations) : "—",
        m ? int(m.failedOps) : "—",
        m ? int(m.averageLatency) : "—",
        v.rollbackReason === null ? "—" : reasonName(v.rollbackReason),
      ]);
    }
    out.push(table(rows));
    out.push("", `  \`canary inspect ${"node" in head.json ? "--node URL" : "--db DIR"} FEATURE\` shows one feature's policy, metrics and history`);
  }
  return out.join("\n") + "\n";
}

function featureText(data: FeatureData, head: Head, json: boolean): string {
  const { view: v, metrics: m, history } = data;
  if (json) {
    return (
      JSON.stringify({
        type: "feature",
        ...head.json,
        feature: toDisplay(FEATURE_VIEW, v),
        metrics: toDisplay(METRICS, m),
        history: history.map((h) => toDisplay(HISTORY_ENTRY, h)),
      }) + "\n"
    );
  }
  const out: string[] = [];
  out.push(`${v.name}${v.description ? ` — ${v.description}` : ""}   (${head.where} at height ${head.height})`);
  out.push(`  status ${statusText(v)}, ${v.rolloutBps} bps, target ${v.targetBps} bps`);
  out.push(`  started at ${v.startBlock}, last step at ${v.lastStepBlock}, created by ${v.createdBy}`);
  out.push(`  window: ${int(v.windowSuccesses)} successes, ${int(v.windowErrors)} errors (${rate(v.windowErrors, v.windowSuccesses)})`);
  out.push(`  rollback reason: ${v.rollbackReason === null ? "—" : reasonName(v.rollbackReason)}`);
  out.push("", "metrics (lifetime)");
  out.push(
    table([
      ["total ops", "successful", "failed", "avg latency", "peak latency", "invariant checks", "failures"],
      [m.totalOperations, m.successfulOps, m.failedOps, m.averageLatency, m.peakLatency, m.invariantChecks, m.invariantFailures].map((x) => int(x)),
    ]),
  );
  out.push("", "policy");
  out.push(...policyLines(v));
  out.push("", `history (${history.length} entr${history.length === 1 ? "y" : "ies"})`);
  out.push(history.length ? table(historyRows(history)) : "  (none)");
  return out.join("\n") + "\n";
}
