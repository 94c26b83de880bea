// canary replay FILE: runs a scenario against the contract module and reports.

import { writeFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_MAX_SCENARIO_BYTES, loadScenarioFile, ScenarioLimitError } from "../../replay/load.ts";
import { BLOCKS_MODES, replay, replayAsync, resumeProblems, type BlocksMode, type ReplayOptions, type ReplayResult } from "../../replay/replay.ts";
import { readModule } from "../../replay/module.ts";
import { ChunkedWriter, ProgressBar, failureMessage, formatHuman, jsonLine } from "../../replay/output.ts";
import { renderReport } from "../../replay/report.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { COSMWASM_WASM, DEFAULT_WASM, scenarioFile, shown } from "../paths.ts";
import { CosmWasmChain } from "../../replay/cosmwasm.ts";
import { openChainStore, storeError } from "../store.ts";

const usage = `usage: canary replay FILE [--json] [--report FILE.html] [--blocks all|changed|none] [--wasm PATH] [--target native|cosmwasm]

Replays a scenario (JSON or YAML, see REPLAY.md) against the contract module: block 0 runs
init(admin), then every height 1..until runs the scenario's transactions, the synthetic
traffic and onPersist, and checks the expectations of that height. A FILE that does not
exist may name a scenario shipped with the package: scenarios/NAME.yaml, or just NAME.

  --json            one JSON object per line on stdout: tx, block, expect, summary
  --blocks MODE     which block lines --json writes: changed (default: blocks whose state
                    changed), all, none
  --report FILE     also write a self-contained HTML page: per feature its rollout, canary
                    against baseline error rates, the statistic against its threshold, sample
                    counts, steps and rollbacks (with the numbers that fired them), failed txs
  --wasm PATH       the module to run (default: build/canary.metered.wasm of this package:
                    the release module with gas metering; build/canary.wasm runs unmetered;
                    with --target cosmwasm: build/canary-cw.wasm)
  --target T        native (default): the host of SPEC section 7; cosmwasm: the CosmWasm
                    module in cw-simulate, every call sent as COSMWASM.md's JSON message and
                    every block ended by the sudo clock_end_block {} (docs/COSMWASM.md). Same
                    report; gas is cw-simulate's approximate gas; not with --db
  --db DIR          persist the chain in DIR (LevelDB; created when missing): its state,
                    height, and every block's state root and events, one atomic batch per
                    block. An existing DIR is continued from its stored height: the
                    scenario's blocks must all lie above it (earlier ones are refused, never
                    re-applied). Read it back with \`canary inspect --db DIR\`. A node's
                    store (canary node --db) is refused: only the node writes it.
  --verify-all      with --db: check every block record at open, not only the latest
  --max-scenario-bytes N
                    refuse scenario files over N bytes (default ${DEFAULT_MAX_SCENARIO_BYTES}, 4 MiB); YAML
                    aliases may expand to at most 1000 nodes

Exit status: 0 every expectation held; 1 an expectation failed (stderr says which);
2 the scenario, the module or the command line was refused (nothing ran).
`;

export const replayCommand: Command = {
  name: "replay",
  summary: "replay a scenario file against the contract and report",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      json: { type: "boolean" },
      report: { type: "string" },
      blocks: { type: "string" },
      wasm: { type: "string" },
      db: { type: "string" },
      "verify-all": { type: "boolean" },
      "max-scenario-bytes": { type: "string" },
      target: { type: "string" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "replay needs a scenario FILE" : `replay takes one FILE, got ${positionals.length}: ${positionals.join(" ")}`);
    if (values.db === "") throw new UsageError("--db needs a DIR");
    const blocks = (values.blocks ?? "changed") as BlocksMode;
    if (!BLOCKS_MODES.includes(blocks)) throw new UsageError(`--blocks must be one of ${BLOCKS_MODES.join(", ")}, got ${JSON.stringify(values.blocks)}`);
    if (values.report !== undefined && values.report === "") throw new UsageError("--report needs a FILE.html");
    const target = values.target ?? "native";
    if (target !== "native" && target !== "cosmwasm") throw new UsageError(`--target must be native or cosmwasm, got ${JSON.stringify(values.target)}`);
    if (target === "cosmwasm" && values.db !== undefined) throw new UsageError("--db works with the native target only (--target cosmwasm replays in memory)");

    const file = positionals[0]!;
    const maxBytes = values["max-scenario-bytes"] === undefined ? DEFAULT_MAX_SCENARIO_BYTES : Number(values["max-scenario-bytes"]);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || !/^\d+$/.test(values["max-scenario-bytes"] ?? "1")) throw new UsageError(`--max-scenario-bytes must be a positive integer, got ${JSON.stringify(values["max-scenario-bytes"])}`);
    let scenario;
    try {
      scenario = loadScenarioFile(scenarioFile(file, io.cwd), file, { maxBytes });
    } catch (e) {
      if (e instanceof ScenarioLimitError) throw new CliError(e.message);
      throw e;
    }
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : target === "cosmwasm" ? COSMWASM_WASM : DEFAULT_WASM;
    const wasm = readModule(shown(wasmPath, io.cwd));
    const chain = target === "cosmwasm" ? await CosmWasmChain.open(wasm) : undefined;

    // --db: open (or create) the chain store and check that the scenario continues it.
    const dbDir = values.db !== undefined ? path.resolve(io.cwd, values.db) : undefined;
    const dbShown = dbDir !== undefined ? shown(dbDir, io.cwd) : "";
    const store = dbDir !== undefined ? await openChainStore(dbDir, dbShown, true, { kind: "replay", verifyAll: values["verify-all"] === true }) : undefined;
    if (store && store.height >= 0) {
      const problems = resumeProblems(scenario, store.height);
      if (problems.length > 0) {
        await store.close();
        throw new CliError(
          `${dbShown} holds a chain up to height ${store.height}; ${file} would re-apply blocks at or below it, and committed blocks are never re-applied (nothing ran):\n` +
            problems.map((p) => `  ${file}: ${p.path}: ${p.message}`).join("\n"),
          `replay into ${dbShown} only a scenario whose blocks and until lie above ${store.height}, or use a new --db DIR`,
        );
      }
    }

    const writer = values.json ? new ChunkedWriter(io.stdout) : null;
    const bar = io.stderrIsTTY ? new ProgressBar(io.stderr) : null;
    const options: ReplayOptions = {
      wasm,
      ...(chain ? { chain } : {}),
      blocks,
      series: values.report !== undefined,
      ...(writer ? { onLine: (l) => writer.line(jsonLine(l)) } : {}),
      ...(bar ? { onProgress: (h, until) => bar.update(h, until) } : {}),
    };
    let result: ReplayResult;
    const resumedFrom = store ? store.height : -1;
    try {
      if (store) {
        // Each block is committed (one LevelDB batch) before the next one runs.
        result = await replayAsync(scenario, { ...options, store, resumeAfter: store.height, afterBlock: (br) => store.commitBlock(br).then(() => {}) });
      } else result = replay(scenario, options);
    } catch (e) {
      throw storeError(e, dbShown);
    } finally {
      writer?.flush();
      bar?.done();
      await store?.close();
    }
    if (store) {
      const ran = resumedFrom < 0 ? `blocks 0..${store.height}` : `blocks ${resumedFrom + 1}..${store.height} (continued from height ${resumedFrom})`;
      io.stderr(`db: ${dbShown} — ${ran} committed; height ${store.height}, state root ${store.stateRoot}\n`);
    }

    if (values.report !== undefined) {
      const out = path.resolve(io.cwd, values.report);
      try {
        writeFileSync(out, renderReport(result));
      } catch (e) {
        throw new CliError(`cannot write the report ${values.report}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "give --report a path in a writable directory");
      }
      io.stderr(`report: ${shown(out, io.cwd)}\n`);
    }
    if (!writer) io.stdout(formatHuman(result));
    const failed = result.expectations.filter((e) => !e.ok);
    for (const e of failed) io.stderr(failureMessage(e));
    if (failed.length > 0) {
      io.stderr(`${failed.length} of ${result.expectations.length} expectation(s) failed\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};
