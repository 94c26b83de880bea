// canary lab FILE | --preset: replays a scenario many times with derived seeds and reports
// rollback statistics per traffic feature (README.md, "Rollback statistics, measured").

import { availableParallelism } from "node:os";
import path from "node:path";
import { loadScenarioFile, ScenarioLimitError } from "../../replay/load.ts";
import { readModule } from "../../replay/module.ts";
import { ScenarioError, type Scenario } from "../../replay/scenario.ts";
import { formatLab, RunsBar } from "../../lab/format.ts";
import { LabRefusal, runLab, type LabResult } from "../../lab/lab.ts";
import { LabRunError } from "../../lab/pool.ts";
import { PRESET_ROWS, presetFile, presetMarkdown, presetText, type PresetResult } from "../../lab/preset.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { PROJECT_ROOT, RELEASE_WASM, scenarioFile, shown } from "../paths.ts";

const DEFAULT_RUNS = 300;

const usage = `usage: canary lab FILE [--runs N] [--json] [--jobs J] [--seed S] [--wasm PATH]
       canary lab --preset [--runs N] [--json | --markdown] [--jobs J] [--seed S] [--wasm PATH]

Replays a scenario N times, run i with seed "S/lab/i" (S: --seed, else the scenario's seed),
on worker threads, and reports per traffic feature: runs, rollback rate with its 95 % Wilson
interval, rollback reasons, the median and 90th percentile of exposed calls before the
rollback (up to and including its block, over the runs that rolled back), the median block
of the rollback, and the final status of the runs that did not roll back. For a feature
with a regression (its traffic's \`regression:\`, from a block or after a number of exposed
calls; or a later traffic entry that raises only the new path's error rate), also the
exposed calls between its beginning and the rollback (detection delay) and the rollbacks
that came before it began.
The same N and S give the same numbers on any machine and any --jobs. Run i alone:
write seed: "S/lab/i" into the file and \`canary replay\` it.

The scenario is validated like \`canary replay\` does (REPLAY.md, the same size and YAML
limits; a FILE that does not exist may name one the package ships, e.g. lab/regression-5x). Its expectations are ignored: they are written for one seed; the lab reports,
it does not judge.

  --runs N     runs per scenario (default ${DEFAULT_RUNS}; N ≥ 1)
  --jobs J     worker threads (default: os.availableParallelism(), here ${availableParallelism()})
  --seed S     base seed (default: the scenario's)
  --json       one JSON object on stdout: {scenario, seed, runs, features: [{feature, runs,
               rolledBack, rollbackRate, rollbackRate95: [lo, hi], reasons: {name: n},
               exposedBeforeRollback: {median, p90} | null, rollbackBlock: {median, p90} | null,
               finalStatus: {name: n}, exposed: {median, p90}, regression: {from,
               exposedBefore, rolledBackBefore, caught, detectionDelay} | null}], elapsedMs}
               (--preset: {runs, elapsedMs, rows: [{id, title, target, kind, file, lab}]})
  --preset     the built-in matrix: scenarios/lab/*.yaml, each with the features threshold
               (the old default), sequential (the default policy) and comparative (r = 2,
               report: cohorts)
  --markdown   with --preset: print only the Markdown table README.md shows
  --wasm PATH  the module (default: build/canary.wasm, the release module, unmetered)

A progress bar shows on a terminal (not with --json or --markdown).
Exit status: 0 the lab ran (whatever the rollbacks); 2 the file, the module or the command
line was refused (N < 1, a scenario without traffic, an invalid scenario): nothing ran.
`;

function positiveInt(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new CliError(`${flag} must be an integer ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

/** Loads a scenario for the lab: REPLAY.md's validation, as one line when refused. */
function loadForLab(file: string, io: CliIO): Scenario {
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(scenarioFile(file, io.cwd), file);
  } catch (e) {
    if (e instanceof ScenarioLimitError) throw new CliError(e.message);
    if (e instanceof ScenarioError) {
      const first = e.message.split("\n")[0]!;
      const more = e.problems.length - 1;
      throw new CliError(`refused: ${first}${more > 0 ? ` (and ${more} more problem${more === 1 ? "" : "s"})` : ""}`, more > 0 ? `\`canary replay ${file}\` lists every problem` : undefined);
    }
    throw e;
  }
  if (scenario.traffic.length === 0) throw new CliError(`refused: ${file} has no traffic, so there is nothing to measure (the lab reports rollbacks of traffic features; add a traffic entry, REPLAY.md)`);
  return scenario;
}

export const labCommand: Command = {
  name: "lab",
  summary: "replay a scenario many times with derived seeds and report rollback statistics",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      runs: { type: "string" },
      jobs: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean" },
      preset: { type: "boolean" },
      markdown: { type: "boolean" },
      wasm: { type: "string" },
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    const preset = values.preset === true;
    if (preset && positionals.length > 0) throw new UsageError(`--preset takes no FILE, got ${positionals.join(" ")}`);
    if (!preset && positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "lab needs a scenario FILE (or --preset)" : `lab takes one FILE, got ${positionals.length}: ${positionals.join(" ")}`);
    if (values.markdown && !preset) throw new UsageError("--markdown goes with --preset");
    if (values.markdown && values.json) throw new UsageError("--markdown and --json exclude each other");
    if (values.seed === "") throw new UsageError("--seed needs a value");
    const runs = positiveInt("--runs", values.runs, DEFAULT_RUNS);
    const jobs = positiveInt("--jobs", values.jobs, availableParallelism());
    const seed = values.seed === undefined ? undefined : /^\d{1,15}$/.test(values.seed) ? Number(values.seed) : values.seed;

    // Everything is validated before a worker starts.
    const files = preset ? PRESET_ROWS.map((row) => ({ row, file: shown(presetFile(PROJECT_ROOT, row), io.cwd) })) : [{ row: undefined, file: positionals[0]! }];
    const scenarios = files.map(({ file }) => loadForLab(file, io));
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : RELEASE_WASM;
    const wasm = readModule(shown(wasmPath, io.cwd));

    const quiet = values.json === true || values.markdown === true || !io.stderrIsTTY;
    const bar = quiet ? null : new RunsBar(io.stderr);
    const total = runs * scenarios.length;
    const started = performance.now();
    const labs: LabResult[] = [];
    try {
      for (const scenario of scenarios) {
        const offset = labs.length * runs;
        labs.push(await runLab(scenario, { wasm, runs, jobs, ...(seed !== undefined ? { seed } : {}), onProgress: (d) => bar?.update(offset + d, total) }));
      }
    } catch (e) {
      if (e instanceof LabRefusal) throw new CliError(`refused: ${e.message}`);
      if (e instanceof LabRunError) throw new CliError(`run ${e.index} (seed ${JSON.stringify(e.seed)}) failed: ${e.message.split("\n")[0]}`, `replay it alone: seed: ${JSON.stringify(e.seed)} in the file, then canary replay`, e.causeName === "ModuleError" || e.causeName === "ScenarioError" ? EXIT.refused : EXIT.internal);
      throw e;
    } finally {
      bar?.done();
    }
    const elapsedMs = Math.round(performance.now() - started);

    if (!preset) {
      const lab = labs[0]!;
      io.stdout(values.json ? JSON.stringify({ ...lab, elapsedMs }) + "\n" : formatLab(lab, elapsedMs, jobs));
      return EXIT.ok;
    }
    const results: PresetResult[] = files.map(({ row }, i) => ({ row: row!, lab: labs[i]! }));
    if (values.markdown) io.stdout(presetMarkdown(results));
    else if (values.json) {
      io.stdout(JSON.stringify({ runs, elapsedMs, rows: results.map(({ row, lab }) => ({ ...row, file: `scenarios/lab/${row.id}.yaml`, lab })) }) + "\n");
    } else io.stdout(presetText(results, elapsedMs, jobs));
    return EXIT.ok;
  },
};
