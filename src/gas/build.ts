// build/canary.metered.wasm: the release module with gas metering injected (meter.ts).
// Rebuilt only when the release module or the metering code changed (a stamp beside it).

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { meterModule } from "./meter.ts";

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface MeteredBuild {
  outFile: string;
  size: number;
  sha256: string;
  cached: boolean;
}

/** Meters `releaseFile` into `outFile` unless the stamp says it is up to date. */
export async function buildMetered(releaseFile: string, outFile: string, cache = true): Promise<MeteredBuild> {
  const release = new Uint8Array(readFileSync(releaseFile));
  const meterSource = readFileSync(fileURLToPath(new URL("./meter.ts", import.meta.url)));
  const key = sha256(`${sha256(release)} ${sha256(meterSource)}`);
  const stampFile = path.join(path.dirname(outFile), `.${path.basename(outFile)}.stamp`);
  if (cache && existsSync(outFile) && existsSync(stampFile)) {
    const [stampKey, stampOut] = readFileSync(stampFile, "utf8").trim().split(" ");
    const current = new Uint8Array(readFileSync(outFile));
    if (stampKey === key && stampOut === sha256(current)) {
      return { outFile, size: current.length, sha256: stampOut, cached: true };
    }
  }
  const { bytes } = await meterModule(release);
  writeFileSync(outFile, bytes);
  const out = sha256(bytes);
  writeFileSync(stampFile, `${key} ${out}\n`);
  return { outFile, size: bytes.length, sha256: out, cached: false };
}
