// canary replay FILE: runs a scenario against the contract module and reports.

import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadScenario } from "../../replay/scenario.ts";
import { BLOCKS_MODES, replay, type BlocksMode } from "../../replay/replay.ts";
import { readModule } from "../../replay/module.ts";
import { ChunkedWriter, ProgressBar, failureMessage, formatHuman, jsonLine } from "../../replay/output.ts";
import { renderReport } from "../../replay/report.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_WASM, shown } from "../paths.ts";

const usage = `usage: canary replay FILE [--json] [--report FILE.html] [--blocks all|changed|none] [--wasm PATH]

Replays a scenario (JSON or YAML, see REPLAY.md) against the contract module: block 0 runs
init(admin), then every height 1..until runs the scenario's transactions, the synthetic
traffic and onPersist, and checks the expectations of that height.

  --json            one JSON object per line on stdout: tx, block, expect, summary
  --blocks MODE     which block lines --json writes: changed (default: blocks whose state
                    changed), all, none
  --report FILE     also write a self-contained HTML page charting each feature's rollout
                    bps and window error rate per block, steps and rollbacks marked
  --wasm PATH       the module to run (default: build/canary.wasm of this checkout)
  --db DIR          not yet supported (persisted chains come with \`canary inspect\`)

Exit status: 0 every expectation held; 1 an expectation failed (stderr says which);
2 the scenario, the module or the command line was refused (nothing ran).
`;

export const replayCommand: Command = {
  name: "replay",
  summary: "replay a scenario file against the contract and report",
  usage,
  run(argv: string[], io: CliIO): number {
    const { values, positionals } = parseCommandLine(argv, {
      json: { type: "boolean" },
      report: { type: "string" },
      blocks: { type: "string" },
      wasm: { type: "string" },
      db: { type: "string" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "replay needs a scenario FILE" : `replay takes one FILE, got ${positionals.length}: ${positionals.join(" ")}`);
    if (values.db !== undefined) {
      throw new CliError(
        "--db is not yet supported: the replay runs on a fresh in-memory chain",
        "drop --db; two replays of one scenario can already be compared by the summary's stateRoot",
      );
    }
    const blocks = (values.blocks ?? "changed") as BlocksMode;
    if (!BLOCKS_MODES.includes(blocks)) throw new UsageError(`--blocks must be one of ${BLOCKS_MODES.join(", ")}, got ${JSON.stringify(values.blocks)}`);
    if (values.report !== undefined && values.report === "") throw new UsageError("--report needs a FILE.html");

    const file = positionals[0]!;
    const scenario = loadScenario(path.resolve(io.cwd, file), file);
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : DEFAULT_WASM;
    const wasm = readModule(shown(wasmPath, io.cwd));

    const writer = values.json ? new ChunkedWriter(io.stdout) : null;
    const bar = io.stderrIsTTY ? new ProgressBar(io.stderr) : null;
    let result;
    try {
      result = replay(scenario, {
        wasm,
        blocks,
        series: values.report !== undefined,
        ...(writer ? { onLine: (l) => writer.line(jsonLine(l)) } : {}),
        ...(bar ? { onProgress: (h, until) => bar.update(h, until) } : {}),
      });
    } finally {
      writer?.flush();
      bar?.done();
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
