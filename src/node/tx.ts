// Signed transactions of the devnet (docs/NODE.md, "Transactions").
//
// Signing payload (all integers little-endian), the exact bytes every signer signs:
//
//   "CNRYTX"                 6 bytes, domain tag (never the prefix of anything else signed)
//   u8   version             1
//   u32  network             the node's network magic: a transaction for one network never
//                            verifies on another (cross-network replay)
//   u32  len ‖ method        ASCII method name
//   u32  len ‖ args          the method's Borsh arguments
//   u64  nonce               the sender's nonce
//   u32  validUntilBlock     the last height at which the transaction may be included
//   u8   n ‖ n × pubkey(33)  the signers' compressed public keys; the first is the sender
//
// hash = SHA-256(payload), shown as 64 hex digits. Each signature is ECDSA P-256 / SHA-256 of
// the payload in IEEE P1363 form (r ‖ s). Signatures are not part of the hash, so the
// malleability of ECDSA (s ↔ n − s) cannot make a second transaction: the nonce decides (and
// only low-s signatures verify, keys.ts).

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { accountOf, NodeKey, PUBKEY_BYTES, SIGNATURE_BYTES, verifySignature } from "./keys.ts";

export const TX_VERSION = 1;
const DOMAIN = Buffer.from("CNRYTX", "latin1");
export const MAX_SIGNERS = 16;
export const MAX_ARGS_BYTES = 64 * 1024;
export const MAX_METHOD_CHARS = 64;

/** A transaction as it travels in JSON (hex without 0x for bytes; a 0x prefix is accepted). */
export interface TxJson {
  network: number;
  method: string;
  /** Borsh arguments, hex. */
  args: string;
  nonce: number;
  validUntilBlock: number;
  /** Compressed public keys, hex (33 bytes each); the first is the sender. */
  signers: string[];
  /** One 64-byte signature per signer, hex, same order. */
  signatures: string[];
}

/** A transaction with its fields decoded (not yet verified). */
export interface Tx {
  network: number;
  method: string;
  args: Uint8Array;
  nonce: number;
  validUntilBlock: number;
  signers: Uint8Array[];
  signatures: Uint8Array[];
}

/** A shape problem: which field and why (the node answers -32602). */
export class TxFormatError extends TypeError {
  constructor(readonly field: string, message: string) {
    super(`tx.${field}: ${message}`);
    this.name = "TxFormatError";
  }
}

export function signingPayload(tx: Omit<Tx, "signatures">): Uint8Array {
  const method = Buffer.from(tx.method, "latin1");
  const n = DOMAIN.length + 1 + 4 + 4 + method.length + 4 + tx.args.length + 8 + 4 + 1 + tx.signers.length * PUBKEY_BYTES;
  const b = Buffer.allocUnsafe(n);
  let at = DOMAIN.copy(b, 0);
  b[at++] = TX_VERSION;
  at = b.writeUInt32LE(tx.network, at);
  at = b.writeUInt32LE(method.length, at);
  at += method.copy(b, at);
  at = b.writeUInt32LE(tx.args.length, at);
  b.set(tx.args, at);
  at += tx.args.length;
  at = b.writeBigUInt64LE(BigInt(tx.nonce), at);
  at = b.writeUInt32LE(tx.validUntilBlock, at);
  b[at++] = tx.signers.length;
  for (const s of tx.signers) {
    b.set(s, at);
    at += PUBKEY_BYTES;
  }
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function txHash(payload: Uint8Array): string {
  return createHash("sha256").update(payload).digest("hex");
}

const HEX = /^(0x)?([0-9a-fA-F]{2})*$/;

function hexField(field: string, v: unknown, len?: number, max?: number): Uint8Array {
  // Buffer's hex decoder stops at the first non-hex pair, so a full-length result proves the
  // digits are hex (cheaper than a regular expression over every signature of a batch).
  const bad = (): never => {
    throw new TxFormatError(field, "expected a hex string with an even number of digits");
  };
  if (typeof v !== "string") return bad();
  const digits = v.startsWith("0x") ? v.slice(2) : v;
  if (digits.length % 2 !== 0) return bad();
  const n = digits.length / 2;
  if (len !== undefined && n !== len) {
    if (!HEX.test(v)) bad();
    throw new TxFormatError(field, `expected ${len} bytes, got ${n}`);
  }
  if (max !== undefined && n > max) {
    if (!HEX.test(v)) bad();
    throw new TxFormatError(field, `at most ${max} bytes, got ${n}`);
  }
  const b = Buffer.from(digits, "hex");
  if (b.length !== n) bad();
  return new Uint8Array(b); // a copy: never a view into Buffer's shared pool
}

function u32Field(field: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new TxFormatError(field, "expected an integer in 0..2^32-1");
  return v;
}

/** Decodes a JSON transaction's fields, checking every type and length (not signatures). */
export function parseTx(v: unknown): Tx {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TxFormatError("(tx)", "expected an object");
  const o = v as Record<string, unknown>;
  const known = new Set(["network", "method", "args", "nonce", "validUntilBlock", "signers", "signatures"]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TxFormatError(k, "unknown field");
  const network = u32Field("network", o.network);
  if (typeof o.method !== "string" || !/^[A-Za-z][A-Za-z0-9_]*$/.test(o.method) || o.method.length > MAX_METHOD_CHARS) {
    throw new TxFormatError("method", `expected a method name (letters, digits, _; at most ${MAX_METHOD_CHARS})`);
  }
  const args = hexField("args", o.args, undefined, MAX_ARGS_BYTES);
  if (typeof o.nonce !== "number" || !Number.isSafeInteger(o.nonce) || o.nonce < 0) throw new TxFormatError("nonce", "expected an integer in 0..2^53-1");
  const validUntilBlock = u32Field("validUntilBlock", o.validUntilBlock);
  if (!Array.isArray(o.signers) || o.signers.length < 1 || o.signers.length > MAX_SIGNERS) {
    throw new TxFormatError("signers", `expected an array of 1..${MAX_SIGNERS} public keys`);
  }
  if (!Array.isArray(o.signatures) || o.signatures.length !== o.signers.length) {
    throw new TxFormatError("signatures", "expected an array with one signature per signer");
  }
  const signers = o.signers.map((s, i) => hexField(`signers[${i}]`, s, PUBKEY_BYTES));
  const seen = new Set<string>();
  signers.forEach((s, i) => {
    if (s[0] !== 2 && s[0] !== 3) throw new TxFormatError(`signers[${i}]`, "a compressed public key starts with 02 or 03");
    const h = (o.signers as string[])[i]!.replace(/^0x/, "").toLowerCase();
    if (seen.has(h)) throw new TxFormatError(`signers[${i}]`, "duplicate signer");
    seen.add(h);
  });
  const signatures = o.signatures.map((s, i) => hexField(`signatures[${i}]`, s, SIGNATURE_BYTES));
  return { network, method: o.method, args, nonce: o.nonce, validUntilBlock, signers, signatures };
}

export function txToJson(tx: Tx): TxJson {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  return {
    network: tx.network,
    method: tx.method,
    args: hex(tx.args),
    nonce: tx.nonce,
    validUntilBlock: tx.validUntilBlock,
    signers: tx.signers.map(hex),
    signatures: tx.signatures.map(hex),
  };
}

/** Index of the first signer whose signature does not verify over `payload`, or -1 when all do. */
export function firstBadSignature(tx: Tx, payload: Uint8Array): number {
  for (let i = 0; i < tx.signers.length; i++) if (!verifySignature(tx.signers[i]!, payload, tx.signatures[i]!)) return i;
  return -1;
}

/** The accounts of the signers (the first is the sender). */
export function signerAccounts(tx: Tx): Uint8Array[] {
  return tx.signers.map(accountOf);
}

/** Builds and signs a transaction; `keys[0]` is the sender. */
export function signTx(
  keys: readonly NodeKey[],
  fields: { network: number; method: string; args: Uint8Array; nonce: number; validUntilBlock: number },
): { tx: Tx; json: TxJson; hash: string } {
  if (keys.length < 1 || keys.length > MAX_SIGNERS) throw new RangeError(`a transaction has 1..${MAX_SIGNERS} signers`);
  const unsigned = { ...fields, signers: keys.map((k) => k.publicKey) };
  const payload = signingPayload(unsigned);
  const tx: Tx = { ...unsigned, signatures: keys.map((k) => k.sign(payload)) };
  return { tx, json: txToJson(tx), hash: txHash(payload) };
}
