// What the commands that show the contract share: numbers, rates and flags as text, the
// messages for a feature that is not there, and the hint for a contract not yet initialized.

import { CliError } from "./errors.ts";

export const int = (n: number | bigint) => n.toLocaleString("en-US");
export const yesNo = (b: boolean) => (b ? "yes" : "no");

/** errors / (errors + successes) as a percentage with two places, "—" with no samples. */
export function rate(errors: bigint, successes: bigint): string {
  const n = errors + successes;
  return n === 0n ? "—" : `${(Number((errors * 1_000_000n) / n) / 10_000).toFixed(2)} %`;
}

/** "no feature X" with the names that are there (inspect and watch). */
export function unknownFeature(name: string, where: string, names: readonly string[]): CliError {
  return new CliError(
    `no feature ${JSON.stringify(name)} in ${where}`,
    names.length ? `features there: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}` : "the chain has no features",
  );
}

export const INIT_HINT = "send init first: canary tx init '{\"admin\":\"0x…\"}' --key NAME";

/** "no feature X" on a node whose contract is not initialized yet (inspect and watch), with INIT_HINT. */
export function notInitialized(name: string, where: string, height: number): CliError {
  return new CliError(`no feature ${JSON.stringify(name)}: the contract on ${where} is not initialized (height ${height})`, INIT_HINT);
}
