// A local keystore: one JSON file of named P-256 keys (docs/NODE.md, "Keystore").
//
//   {"format":"onchain-canary/keystore","version":1,
//    "keys":{"alice":{"privateKey":"<64 hex>","publicKey":"<66 hex>","account":"0x<40 hex>"}}}
//
// The private keys are stored in clear: this is a devnet keystore, written with mode 0600.
// Loading checks every entry (the public key and account must match the private key), so a
// hand-edited or truncated file is refused with the entry and field named, never half used.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NodeKey } from "./keys.ts";

export const KEYSTORE_FORMAT = "onchain-canary/keystore";
export const KEYSTORE_VERSION = 1;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Default file: $CANARY_KEYSTORE, else ~/.canary/keys.json. */
export function defaultKeystorePath(): string {
  return process.env.CANARY_KEYSTORE ?? path.join(os.homedir(), ".canary", "keys.json");
}

export class KeystoreError extends Error {
  constructor(
    readonly code: "MISSING" | "MALFORMED" | "NO_KEY" | "EXISTS" | "BAD_NAME",
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = "KeystoreError";
  }
}

interface Entry {
  privateKey: string;
  publicKey: string;
  account: string;
}

export class Keystore {
  private constructor(
    readonly file: string,
    private readonly entries: Map<string, NodeKey>,
  ) {}

  /** Loads `file`; a missing file is an empty keystore when `create`, else MISSING. */
  static load(file: string = defaultKeystorePath(), options: { create?: boolean } = {}): Keystore {
    if (!existsSync(file)) {
      if (options.create) return new Keystore(file, new Map());
      throw new KeystoreError("MISSING", file, `no keystore at ${file} (create one with: canary keys new NAME)`);
    }
    const malformed = (why: string): never => {
      throw new KeystoreError("MALFORMED", file, `keystore ${file} is malformed: ${why}; it was left as it is`);
    };
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      malformed(`not JSON (${(e as Error).message})`);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) malformed("expected a JSON object");
    const d = doc as Record<string, unknown>;
    if (d.format !== KEYSTORE_FORMAT) malformed(`"format" is not ${JSON.stringify(KEYSTORE_FORMAT)}`);
    if (d.version !== KEYSTORE_VERSION) malformed(`"version" ${JSON.stringify(d.version)} is not ${KEYSTORE_VERSION}`);
    if (typeof d.keys !== "object" || d.keys === null || Array.isArray(d.keys)) malformed(`"keys" is not an object`);
    const entries = new Map<string, NodeKey>();
    for (const [name, v] of Object.entries(d.keys as Record<string, unknown>)) {
      if (!NAME_RE.test(name)) malformed(`key name ${JSON.stringify(name)} is not 1..64 of [A-Za-z0-9_.-]`);
      const e = v as Partial<Entry>;
      if (typeof e !== "object" || e === null) malformed(`key ${name} is not an object`);
      let key: NodeKey;
      try {
        key = NodeKey.fromPrivateHex(e.privateKey as string);
      } catch {
        malformed(`key ${name}: "privateKey" is not 64 hex digits of a P-256 key`);
      }
      if (e.publicKey !== undefined && e.publicKey !== key!.publicKeyHex) malformed(`key ${name}: "publicKey" does not belong to its private key`);
      if (e.account !== undefined && e.account !== key!.accountHex) malformed(`key ${name}: "account" does not belong to its private key`);
      entries.set(name, key!);
    }
    return new Keystore(file, entries);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): NodeKey {
    const k = this.entries.get(name);
    if (k === undefined) {
      const known = this.names();
      throw new KeystoreError("NO_KEY", this.file, `no key named ${JSON.stringify(name)} in ${this.file}${known.length ? ` (it has: ${known.join(", ")})` : " (it is empty)"}`);
    }
    return k;
  }

  /** Adds a fresh key and saves the file; EXISTS when the name is taken. */
  create(name: string): NodeKey {
    if (!NAME_RE.test(name)) throw new KeystoreError("BAD_NAME", this.file, `a key name is 1..64 of [A-Za-z0-9_.-], got ${JSON.stringify(name)}`);
    if (this.entries.has(name)) throw new KeystoreError("EXISTS", this.file, `a key named ${JSON.stringify(name)} already exists in ${this.file}`);
    const key = NodeKey.generate();
    this.entries.set(name, key);
    this.save();
    return key;
  }

  /** The key `name`, created (and saved) when absent. */
  getOrCreate(name: string): { key: NodeKey; created: boolean } {
    if (this.entries.has(name)) return { key: this.entries.get(name)!, created: false };
    return { key: this.create(name), created: true };
  }

  /** Writes the file atomically (temp file + rename), mode 0600. */
  save(): void {
    const keys: Record<string, Entry> = {};
    for (const name of this.names()) {
      const k = this.entries.get(name)!;
      keys[name] = { privateKey: k.privateHex(), publicKey: k.publicKeyHex, account: k.accountHex };
    }
    const text = JSON.stringify({ format: KEYSTORE_FORMAT, version: KEYSTORE_VERSION, keys }, null, 2) + "\n";
    const dir = path.dirname(this.file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
