// canary inspect --db DIR [FEATURE]: a persisted chain read through the contract's own views.

import path from "node:path";
import {
  CanaryClient,
  ContractError,
  FEATURE_VIEW,
  GLOBAL_STATE,
  HISTORY_ENTRY,
  METRICS,
  POLICY,
  reasonName,
  statusName,
  toDisplay,
  type FeatureView,
  type HistoryEntry,
  type Metrics,
} from "../../client/index.ts";
import { openChain, readModule } from "../../replay/module.ts";
import { table } from "../../replay/output.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_WASM, shown } from "../paths.ts";
import { nodeChainDir, openChainStore } from "../store.ts";

const usage = `usage: canary inspect --db DIR [FEATURE] [--json] [--wasm PATH]

Reads a chain persisted by \`canary replay FILE --db DIR\` at its stored height, through the
contract's own views (getGlobal, listFeatures, getFeature, getMetrics, getHistory).

  (no FEATURE)      the chain (height, state root, keys), the global state, and every
                    feature: status, rollout, window, lifetime metrics
  FEATURE           one feature: its view, policy, metrics and full history
  --json            one JSON object on stdout instead (enums by name, accounts as 0x-hex)
  --wasm PATH       the module whose views read the state (default: build/canary.metered.wasm)
  --verify-all      check every block record at open, not only the latest (docs/STORE.md)

DIR may also be a node's directory (canary node --db DIR): its DIR/chain is read.

The database is opened exclusively: inspect a chain while no replay writes to it.
Exit status: 0 shown; 2 the database, the module or FEATURE was refused.
`;

const int = (n: number | bigint) => n.toLocaleString("en-US");
const yesNo = (b: boolean) => (b ? "yes" : "no");

function rate(errors: bigint, successes: bigint): string {
  const n = errors + successes;
  return n === 0n ? "—" : `${(Number((errors * 1_000_000n) / n) / 10_000).toFixed(2)} %`;
}

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
  summary: "show a persisted chain (--db DIR): features, history, metrics, global state",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      db: { type: "string" },
      json: { type: "boolean" },
      wasm: { type: "string" },
      "verify-all": { type: "boolean" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (values.db === undefined || values.db === "") throw new UsageError("inspect needs --db DIR (a directory written by `canary replay FILE --db DIR`)");
    if (positionals.length > 1) throw new UsageError(`inspect takes at most one FEATURE, got ${positionals.length}: ${positionals.join(" ")}`);
    const feature = positionals[0];
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : DEFAULT_WASM;
    const wasm = readModule(shown(wasmPath, io.cwd));
    const dir = nodeChainDir(path.resolve(io.cwd, values.db));
    const dirShown = shown(dir, io.cwd);

    const store = await openChainStore(dir, dirShown, false, { kind: "any", verifyAll: values["verify-all"] === true });
    try {
      const height = store.height;
      const head = { db: dirShown, height, stateRoot: store.stateRoot, keys: store.size };
      if (height < 0) {
        if (feature !== undefined) throw new CliError(`no feature ${JSON.stringify(feature)}: the chain store ${dirShown} has no blocks yet`);
        if (values.json) io.stdout(JSON.stringify({ type: "chain", ...head, global: null, features: [] }) + "\n");
        else io.stdout(`chain store ${dirShown}\n  no blocks yet (state root ${store.stateRoot})\n`);
        return EXIT.ok;
      }
      const client = new CanaryClient(openChain(wasm, store), { height });
      try {
        return feature === undefined ? showChain(client, head, values.json === true, io) : showFeature(client, head, feature, values.json === true, io);
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

interface Head {
  db: string;
  height: number;
  stateRoot: string;
  keys: number;
}

function showChain(client: CanaryClient, head: Head, json: boolean, io: CliIO): number {
  const global = client.getGlobal();
  const features = client.listAllFeatures().map((v) => ({ view: v, metrics: client.getMetrics(v.name) }));
  if (json) {
    io.stdout(
      JSON.stringify({
        type: "chain",
        ...head,
        global: toDisplay(GLOBAL_STATE, global),
        features: features.map((f) => ({ ...(toDisplay(FEATURE_VIEW, f.view) as object), metrics: f.metrics && toDisplay(METRICS, f.metrics) })),
      }) + "\n",
    );
    return EXIT.ok;
  }
  const out: string[] = [];
  out.push(`chain store ${head.db}`);
  out.push(`  height ${head.height}, state root ${head.stateRoot}, ${int(head.keys)} keys`);
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
    out.push("", "  `canary inspect --db DIR FEATURE` shows one feature's policy, metrics and history");
  }
  io.stdout(out.join("\n") + "\n");
  return EXIT.ok;
}

function showFeature(client: CanaryClient, head: Head, name: string, json: boolean, io: CliIO): number {
  const v = client.getFeature(name);
  if (!v) {
    const names = client.listAllFeatures().map((f) => f.name);
    throw new CliError(
      `no feature ${JSON.stringify(name)} in ${head.db} at height ${head.height}`,
      names.length ? `features there: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}` : "the chain has no features",
    );
  }
  const m = client.getMetrics(name) as Metrics;
  const history = client.getAllHistory(name);
  if (json) {
    io.stdout(
      JSON.stringify({
        type: "feature",
        ...head,
        feature: toDisplay(FEATURE_VIEW, v),
        metrics: toDisplay(METRICS, m),
        history: history.map((h) => toDisplay(HISTORY_ENTRY, h)),
      }) + "\n",
    );
    return EXIT.ok;
  }
  const out: string[] = [];
  out.push(`${v.name}${v.description ? ` — ${v.description}` : ""}   (${head.db} at height ${head.height})`);
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
  io.stdout(out.join("\n") + "\n");
  return EXIT.ok;
}
