// Reading a scenario file with limits (docs/REPLAY-NOTES.md, "Limits"): a size cap checked
// before a byte is read, and YAML alias expansion bounded, so a huge file or an alias bomb
// ("billion laughs") is refused within milliseconds and bounded memory instead of running
// V8 out of heap.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseDocument } from "yaml";
import { parseScenario, ScenarioError, type Scenario } from "./scenario.ts";

/** Default cap on a scenario file's size (the flagship scenario is ~3 KB). */
export const DEFAULT_MAX_SCENARIO_BYTES = 4 * 1024 * 1024;
/** YAML alias nodes a scenario may expand to (the `yaml` package's maxAliasCount). */
export const MAX_ALIAS_COUNT = 1000;

/** A scenario refused for a limit: `limit` names it. */
export class ScenarioLimitError extends Error {
  constructor(
    readonly file: string,
    readonly limit: "max-scenario-bytes" | "max-alias-count",
    message: string,
  ) {
    super(message);
    this.name = "ScenarioLimitError";
  }
}

/** Reads and validates a scenario file within the limits; `shownAs` names it in messages. */
export function loadScenarioFile(file: string, shownAs = file, options: { maxBytes?: number } = {}): Scenario {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SCENARIO_BYTES;
  let text: string;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(shownAs, [{ path: "", message: code === "ENOENT" ? "no such file" : `cannot read the file: ${code ?? (e as Error).message}` }]);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw tooBig(shownAs, size, maxBytes);
    // Read at most maxBytes + 1 (a file growing while read is still capped).
    const buf = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > maxBytes) throw tooBig(shownAs, n, maxBytes);
    text = buf.toString("utf8", 0, n);
  } catch (e) {
    if (e instanceof ScenarioLimitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(shownAs, [{ path: "", message: `cannot read the file: ${code ?? (e as Error).message}` }]);
  } finally {
    closeSync(fd);
  }
  // Aliases (`*name`) are expanded when the document becomes data: bound that first.
  if (text.includes("*")) {
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length === 0) {
      try {
        doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        if (e instanceof ReferenceError || /alias/i.test((e as Error).message)) {
          throw new ScenarioLimitError(shownAs, "max-alias-count", `${shownAs}: its YAML aliases expand past ${MAX_ALIAS_COUNT} nodes (the limit on alias expansion; an alias bomb?), refused`);
        }
        throw e;
      }
    }
  }
  return parseScenario(text, shownAs);
}

function tooBig(shownAs: string, size: number, max: number): ScenarioLimitError {
  return new ScenarioLimitError(shownAs, "max-scenario-bytes", `${shownAs} is ${size} bytes, over the ${max}-byte limit on scenario files (--max-scenario-bytes N raises it), refused`);
}
