// Keys, accounts and signatures of the devnet (docs/NODE.md, "Keys and accounts").
//
// - Curve: secp256r1 (P-256, "prime256v1"), the curve of NEO-family chains, through Node's
//   built-in `node:crypto` (OpenSSL): ECDSA with SHA-256, signatures in IEEE P1363 form
//   (r ‖ s, 32 bytes each, 64 in all).
// - Public keys travel compressed: 0x02/0x03 ‖ x (33 bytes).
// - The account of a key is the NEO-family script hash of its single-signature verification
//   script:  account = RIPEMD160(SHA256(script)),
//            script  = 0x0C 0x21 ‖ pubkey(33) ‖ 0x41 ‖ 0x56 0xE7 0xB3 0x27
//   (PUSHDATA1 33 pubkey; SYSCALL System.Crypto.CheckSig — the 4 bytes are the syscall's
//   interop hash, little-endian). The 20 bytes are used in the order the hash gives them;
//   NEO tools *display* a UInt160 reversed, this project shows the raw bytes as 0x-hex.

import { Buffer } from "node:buffer";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";

export const PUBKEY_BYTES = 33;
export const SIGNATURE_BYTES = 64;

/** SubjectPublicKeyInfo header of a compressed P-256 point (id-ecPublicKey, prime256v1, BIT STRING of 34). */
const SPKI_P256_COMPRESSED = Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex");
const CHECKSIG = Buffer.from([0x41, 0x56, 0xe7, 0xb3, 0x27]);

/** The single-signature verification script of a compressed public key. */
export function verificationScript(pubkey: Uint8Array): Uint8Array {
  checkPubkeyShape(pubkey);
  return Buffer.concat([Buffer.from([0x0c, 0x21]), pubkey, CHECKSIG]);
}

/** RIPEMD160(SHA256(verification script)): the 20-byte account of a public key. */
export function accountOf(pubkey: Uint8Array): Uint8Array {
  const hex = pubkey instanceof Uint8Array && pubkey.length === PUBKEY_BYTES ? Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.length).toString("hex") : undefined;
  const hit = hex === undefined ? undefined : accountCache.get(hex);
  if (hit !== undefined) return hit.slice();
  const sha = createHash("sha256").update(verificationScript(pubkey)).digest();
  const account = new Uint8Array(createHash("ripemd160").update(sha).digest());
  if (hex !== undefined) {
    if (accountCache.size >= KEY_CACHE_MAX) accountCache.delete(accountCache.keys().next().value!);
    accountCache.set(hex, account.slice());
  }
  return account;
}

/** Accounts of recently seen public keys (the node derives the sender's before any other check). */
const accountCache = new Map<string, Uint8Array>();

function checkPubkeyShape(pubkey: Uint8Array): void {
  if (!(pubkey instanceof Uint8Array) || pubkey.length !== PUBKEY_BYTES || (pubkey[0] !== 2 && pubkey[0] !== 3)) {
    throw new TypeError("a public key is 33 bytes: 0x02 or 0x03 then the 32-byte x coordinate");
  }
}

const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_MAX = 4096;

/** The KeyObject of a compressed public key, or null when the bytes are not a point of the curve. Cached. */
export function publicKeyObject(pubkey: Uint8Array): KeyObject | null {
  const hex = Buffer.from(pubkey).toString("hex");
  const hit = keyCache.get(hex);
  if (hit !== undefined) return hit;
  let k: KeyObject | null;
  try {
    checkPubkeyShape(pubkey);
    k = createPublicKey({ key: Buffer.concat([SPKI_P256_COMPRESSED, pubkey]), format: "der", type: "spki" });
  } catch {
    k = null;
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hex, k);
  return k;
}

/** The order n of P-256's base point, and n / 2: a signature's s must be at most n / 2 (low-s). */
const CURVE_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = CURVE_N >> 1n;

function sOf(signature: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(signature.buffer, signature.byteOffset + 32, 32).toString("hex"));
}

/** Whether a 64-byte r ‖ s signature is in low-s form (s ≤ n/2), as NEO and Bitcoin require. */
export function isLowS(signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_BYTES && sOf(signature) <= HALF_N;
}

/**
 * Verifies a 64-byte P1363 ECDSA-P256-SHA256 signature of `message`; false for any malformed
 * input and for a high-s signature (s > n/2): (r, s) and (r, n − s) both verify, so only the
 * low-s one of the two encodings is accepted.
 */
export function verifySignature(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!isLowS(signature)) return false;
  const key = publicKeyObject(pubkey);
  if (key === null) return false;
  try {
    return verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

function compress(pub: KeyObject): Uint8Array {
  const jwk = pub.export({ format: "jwk" });
  const x = Buffer.from(jwk.x!, "base64url");
  const y = Buffer.from(jwk.y!, "base64url");
  const out = new Uint8Array(PUBKEY_BYTES);
  out[0] = (y[y.length - 1]! & 1) === 1 ? 3 : 2;
  out.set(x, PUBKEY_BYTES - x.length);
  return out;
}

/** A P-256 key pair with its account. */
export class NodeKey {
  readonly publicKey: Uint8Array;
  readonly account: Uint8Array;
  /** The account as 0x + 40 lower-case hex digits (the client's account form). */
  readonly accountHex: string;
  readonly publicKeyHex: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = compress(createPublicKey(privateKey));
    this.account = accountOf(this.publicKey);
    this.accountHex = "0x" + Buffer.from(this.account).toString("hex");
    this.publicKeyHex = Buffer.from(this.publicKey).toString("hex");
  }

  static generate(): NodeKey {
    return new NodeKey(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey);
  }

  /** From the 32-byte private scalar as hex (what the keystore keeps). Throws on anything else. */
  static fromPrivateHex(hex: string): NodeKey {
    if (typeof hex !== "string" || !/^[0-9a-f]{64}$/i.test(hex)) throw new TypeError("a private key is 64 hex digits");
    // PKCS#8 of a P-256 key without the optional public key: fixed header ‖ d.
    const der = Buffer.concat([Buffer.from("3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420", "hex"), Buffer.from(hex, "hex")]);
    return new NodeKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  }

  /** The private scalar, 64 hex digits. */
  privateHex(): string {
    const d = Buffer.from(this.privateKey.export({ format: "jwk" }).d!, "base64url");
    return d.toString("hex").padStart(64, "0");
  }

  /** ECDSA P-256 / SHA-256 signature of `message`, 64 bytes r ‖ s, s in low-s form (s ≤ n/2). */
  sign(message: Uint8Array): Uint8Array {
    const sig = new Uint8Array(sign("sha256", message, { key: this.privateKey, dsaEncoding: "ieee-p1363" }));
    const s = sOf(sig);
    if (s > HALF_N) sig.set(Buffer.from((CURVE_N - s).toString(16).padStart(64, "0"), "hex"), 32); // low-s
    return sig;
  }
}
