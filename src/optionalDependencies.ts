// Packages that only some commands load, lazily, and that the installed package does not
// install: binaryen (94 MB; `canary verify` walks its IR) and @oraichain/cw-simulate
// (`canary replay --target cosmwasm`). package.json lists them as optional peer dependencies at
// the exact versions the tests run with; when one is missing, the command says how to get it.

import { PACKAGE_JSON } from "./packageRoot.ts";

/** An optional peer dependency a command needs is not installed. */
export class MissingDependencyError extends Error {
  constructor(
    /** The package to install. */
    readonly packageName: string,
    /** The version package.json pins it at. */
    readonly version: string,
    /** What needs it, e.g. "canary verify". */
    readonly neededBy: string,
  ) {
    super(`${neededBy} needs ${packageName}, an optional peer dependency of onchain-canary that is not installed`);
    this.name = "MissingDependencyError";
  }

  /** The command that installs it, e.g. `npm install binaryen@131.0.0-nightly.20260721`. */
  get installCommand(): string {
    return `npm install ${this.packageName}@${this.version}`;
  }
}

/** The version package.json pins `name` at (peerDependencies, else devDependencies). */
export function pinnedVersion(name: string): string {
  const version = PACKAGE_JSON.peerDependencies?.[name] ?? PACKAGE_JSON.devDependencies?.[name];
  if (version === undefined) throw new Error(`package.json names no version of ${name}`);
  return version;
}

/** `e` is Node's "cannot find package" for one of `names` (not for a file inside one, not for another package). */
function isMissingPackage(e: unknown, names: readonly string[]): boolean {
  const err = e as { code?: unknown; message?: unknown };
  if (err?.code !== "ERR_MODULE_NOT_FOUND" && err?.code !== "MODULE_NOT_FOUND") return false;
  const message = String(err.message);
  return names.some((n) => message.includes(`'${n}'`) || message.includes(`'${n}/`));
}

/**
 * Runs `load` (an import of `packageName`, or of what it brings: `provides`); if the package
 * is not installed, throws MissingDependencyError naming the pinned version.
 */
export async function importOptional<T>(packageName: string, neededBy: string, load: () => Promise<T>, provides: readonly string[] = [packageName]): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isMissingPackage(e, provides)) throw new MissingDependencyError(packageName, pinnedVersion(packageName), neededBy);
    throw e;
  }
}
