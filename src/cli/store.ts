// Opening a persisted chain (--db DIR) for a command: ChainStoreError → a CliError that says
// what to do.

import { existsSync } from "node:fs";
import path from "node:path";
import { ChainStoreError, LevelStore, type StoreKind } from "../store/index.ts";
import { CliError } from "./errors.ts";

const HINTS: Record<string, string> = {
  IN_USE: "wait until the other process (a replay, an inspect) is done with it, or use another --db DIR",
  CORRUPT: "nothing in it was changed; replay into a new --db DIR",
  NOT_A_STORE: "give --db a new or empty directory, or one written by `canary replay FILE --db DIR`",
  NOT_FOUND: "write one first: canary replay FILE --db DIR",
  VERSION: "read it with the canary version that wrote it, or replay into a new --db DIR",
  WRONG_KIND: "only the node writes a node's store (read it with canary inspect --db DIR/chain); replay into a new --db DIR",
};

/** A ChainStoreError as the CLI shows it (`dir` as the user wrote it); anything else unchanged. */
export function storeError(e: unknown, dir: string): unknown {
  if (!(e instanceof ChainStoreError)) return e;
  return new CliError(e.message.split(e.dir).join(dir), HINTS[e.code] ?? "replay into a new --db DIR");
}

export async function openChainStore(dir: string, shownDir: string, create: boolean, options: { kind?: StoreKind | "any"; verifyAll?: boolean } = {}): Promise<LevelStore> {
  try {
    return await LevelStore.open(dir, { create, ...options });
  } catch (e) {
    throw storeError(e, shownDir);
  }
}

/** A node's directory (DIR/chain and DIR/node) is read through its chain store DIR/chain. */
export function nodeChainDir(dir: string): string {
  return existsSync(path.join(dir, "chain", "CURRENT")) && existsSync(path.join(dir, "node")) && !existsSync(path.join(dir, "CURRENT")) ? path.join(dir, "chain") : dir;
}
