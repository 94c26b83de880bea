// LevelDB's own checksums, verified from JavaScript before LevelDB is let near a directory,
// and the trial copy a store is checked in (docs/STORE.md, "What is checked at open").
//
// classic-level 3.0.0 exposes neither `paranoid_checks` nor `verify_checksums`: without them
// LevelDB's recovery silently skips a log record whose CRC does not match (a committed block
// vanishes) and a read returns a data block's bytes unchecked (a block record changes). So
// every file LevelDB would trust is checked here first, with LevelDB's own formats:
//
// - `*.log` and `MANIFEST-*` (the log format): 32 KiB blocks of physical records, each
//   masked-crc32c(u32le) ‖ length(u16le) ‖ type(u8) ‖ payload; the crc covers type ‖ payload.
//   A record cut short by the end of the file is a torn write of a killed process (LevelDB
//   drops it, and so does a restart: the last batch was never acknowledged); a complete
//   record whose crc does not match is corruption.
// - `*.ldb` / `*.sst` (tables): the 48-byte footer (handles of the metaindex and index blocks,
//   magic 0xdb4775248b80fb57), the index block (its entries are the handles of the data
//   blocks), and every block's 5-byte trailer: type (0 raw, 1 snappy) ‖ masked crc32c of
//   contents ‖ type.
//
// The check is a sequential read of the directory (~0.5 GB/s here), so it runs at every open.

import { Buffer } from "node:buffer";
import { copyFileSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// ---------------------------------------------------------------- crc32c (Castagnoli), slice-by-8

const T = (() => {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i]!;
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + i] = c;
    }
  }
  return t;
})();

export function crc32c(b: Uint8Array, start = 0, end = b.length, seed = 0): number {
  let c = ~seed;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    c =
      T[7 * 256 + (a & 0xff)]! ^
      T[6 * 256 + ((a >>> 8) & 0xff)]! ^
      T[5 * 256 + ((a >>> 16) & 0xff)]! ^
      T[4 * 256 + (a >>> 24)]! ^
      T[3 * 256 + b[i + 4]!]! ^
      T[2 * 256 + b[i + 5]!]! ^
      T[256 + b[i + 6]!]! ^
      T[b[i + 7]!]!;
  }
  for (; i < end; i++) c = T[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const MASK_DELTA = 0xa282ead8;
function unmask(m: number): number {
  const rot = (m - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

// ---------------------------------------------------------------- formats

/** A damaged LevelDB file: which file, where, what. */
export interface FileDamage {
  file: string;
  offset: number;
  what: string;
}

const BLOCK = 32768;
const HEADER = 7;

/** Checks every physical record of a log-format file (`*.log`, `MANIFEST-*`). */
export function checkLogFile(buf: Uint8Array, file: string): FileDamage | null {
  let at = 0;
  while (at < buf.length) {
    const left = BLOCK - (at % BLOCK);
    if (left < HEADER) {
      at += left; // the block's zero trailer
      continue;
    }
    if (at + HEADER > buf.length) return null; // a header cut by the end of the file: a torn write
    const crc = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
    const len = buf[at + 4]! | (buf[at + 5]! << 8);
    const type = buf[at + 6]!;
    if (type === 0 && len === 0) {
      at += left; // zero padding (preallocated space): LevelDB skips to the next block
      continue;
    }
    if (HEADER + len > left) return { file, offset: at, what: `a log record of ${len} bytes runs past its 32 KiB block` };
    if (at + HEADER + len > buf.length) return null; // a record cut by the end of the file: a torn write
    if (type < 1 || type > 4) return { file, offset: at, what: `a log record of unknown type ${type}` };
    if (crc32c(buf, at + 6, at + HEADER + len) !== unmask(crc)) return { file, offset: at, what: `a log record's checksum does not match (${len} bytes)` };
    at += HEADER + len;
  }
  return null;
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= b.length) throw new Error("truncated varint");
    const x = b[at++]!;
    v += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) return [v, at];
    mul *= 128;
  }
  throw new Error("varint too long");
}

/** Raw snappy decompression (the format LevelDB compresses table blocks with). */
export function snappyDecompress(src: Uint8Array): Uint8Array {
  let [n, at] = varint(src, 0);
  if (n > 64 << 20) throw new Error("snappy: implausible length");
  const out = new Uint8Array(n);
  let o = 0;
  while (at < src.length) {
    const tag = src[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = 0;
        for (let i = 0; i < bytes; i++) len |= src[at++]! << (8 * i);
      }
      len += 1;
      if (at + len > src.length || o + len > n) throw new Error("snappy: literal out of range");
      out.set(src.subarray(at, at + len), o);
      at += len;
      o += len;
      continue;
    }
    let len: number;
    let off: number;
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4;
      off = ((tag >>> 5) << 8) | src[at++]!;
    } else if (kind === 2) {
      len = (tag >>> 2) + 1;
      off = src[at]! | (src[at + 1]! << 8);
      at += 2;
    } else {
      len = (tag >>> 2) + 1;
      off = (src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24)) >>> 0;
      at += 4;
    }
    if (off === 0 || off > o || o + len > n) throw new Error("snappy: copy out of range");
    for (let i = 0; i < len; i++, o++) out[o] = out[o - off]!;
  }
  if (o !== n) throw new Error("snappy: short output");
  return out;
}

/** Reads and checks one table block; returns its (decompressed) contents. */
function tableBlock(buf: Uint8Array, offset: number, size: number, file: string, what: string): Uint8Array | FileDamage {
  if (offset + size + 5 > buf.length) return { file, offset, what: `the ${what} lies past the end of the file` };
  const type = buf[offset + size]!;
  const at = offset + size + 1;
  const crc = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
  if (crc32c(buf, offset, offset + size + 1) !== unmask(crc)) return { file, offset, what: `the ${what}'s checksum does not match` };
  const raw = buf.subarray(offset, offset + size);
  if (type === 0) return raw;
  if (type === 1) {
    try {
      return snappyDecompress(raw);
    } catch (e) {
      return { file, offset, what: `the ${what} does not decompress: ${(e as Error).message}` };
    }
  }
  return { file, offset, what: `the ${what} has an unknown compression type ${type}` };
}

/** The values (block handles) of a table block's entries. */
function blockValues(b: Uint8Array): Uint8Array[] {
  if (b.length < 4) throw new Error("block too short");
  const restarts = Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(b.length - 4);
  const end = b.length - 4 - 4 * restarts;
  if (end < 0) throw new Error("bad restart count");
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < end) {
    let shared: number, nonShared: number, vlen: number;
    [shared, at] = varint(b, at);
    [nonShared, at] = varint(b, at);
    [vlen, at] = varint(b, at);
    void shared;
    at += nonShared;
    if (at + vlen > end) throw new Error("entry past the block");
    out.push(b.subarray(at, at + vlen));
    at += vlen;
  }
  return out;
}

/** Checks a table file: footer, index, and every data block's checksum. */
export function checkTableFile(buf: Uint8Array, file: string): FileDamage | null {
  if (buf.length < 48) return { file, offset: 0, what: "a table shorter than its footer" };
  const f = buf.length - 48;
  const magic = Buffer.from(buf.buffer, buf.byteOffset + f + 40, 8).toString("hex");
  if (magic !== "57fb808b247547db") return { file, offset: f, what: "the table's footer has no LevelDB magic number" };
  let handles: number[];
  try {
    let at = f;
    handles = [];
    for (let i = 0; i < 4; i++) {
      let v: number;
      [v, at] = varint(buf, at);
      handles.push(v);
    }
  } catch {
    return { file, offset: f, what: "the table's footer is unreadable" };
  }
  const [mOff, mSize, iOff, iSize] = handles as [number, number, number, number];
  const meta = tableBlock(buf, mOff, mSize, file, "metaindex block");
  if (!(meta instanceof Uint8Array)) return meta;
  const index = tableBlock(buf, iOff, iSize, file, "index block");
  if (!(index instanceof Uint8Array)) return index;
  let entries: Uint8Array[];
  try {
    entries = blockValues(index);
  } catch (e) {
    return { file, offset: iOff, what: `the index block is unreadable: ${(e as Error).message}` };
  }
  for (const h of entries) {
    let off: number, size: number;
    try {
      let at: number;
      [off, at] = varint(h, 0);
      [size] = varint(h, at);
    } catch {
      return { file, offset: iOff, what: "an index entry is unreadable" };
    }
    const d = tableBlock(buf, off, size, file, `data block at offset ${off}`);
    if (!(d instanceof Uint8Array)) return d;
  }
  return null;
}

const LOG_FILE = /^(\d+\.log|MANIFEST-\d+)$/;
const TABLE_FILE = /^\d+\.(ldb|sst)$/;

/** Checks every log, MANIFEST and table file of a LevelDB directory; the first damage found, or null. */
export function checkLevelFiles(dir: string): FileDamage | null {
  const names = readdirSync(dir).sort();
  for (const n of names) {
    const isLog = LOG_FILE.test(n);
    if (!isLog && !TABLE_FILE.test(n)) continue;
    const buf = readFileSync(path.join(dir, n));
    const d = isLog ? checkLogFile(buf, n) : checkTableFile(buf, n);
    if (d !== null) return d;
  }
  // CURRENT names a MANIFEST that must exist.
  if (names.includes("CURRENT")) {
    const cur = readFileSync(path.join(dir, "CURRENT"), "latin1");
    if (!/^MANIFEST-\d+\n$/.test(cur)) return { file: "CURRENT", offset: 0, what: "CURRENT does not name a MANIFEST file" };
    if (!names.includes(cur.trim())) return { file: "CURRENT", offset: 0, what: `CURRENT names ${cur.trim()}, which is missing` };
  }
  return null;
}

// ---------------------------------------------------------------- trial copies

const INFO_FILES = /^(LOG|LOG\.old)$/;

/**
 * A copy of LevelDB directory `dir` that LevelDB may recover, compact and rewrite while
 * `dir` stays byte for byte as it was: every file is hard-linked (LevelDB never writes into
 * an existing file: it writes new ones and renames or unlinks, which only touches the copy's
 * names), or copied when links are impossible. LOCK is linked too, so a process that holds
 * `dir` open also holds the copy's lock (the trial open is refused: in use). LevelDB's info
 * logs are left out. `remove()` deletes the copy.
 */
export function trialCopy(dir: string): { dir: string; linked: boolean; remove: () => void } {
  const base = path.basename(dir);
  let parent = tmpdir();
  try {
    if (statSync(parent).dev !== statSync(dir).dev) parent = path.dirname(path.resolve(dir));
  } catch {
    parent = path.dirname(path.resolve(dir));
  }
  const copy = mkdtempSync(path.join(parent, `.canary-open-check-${base}-`));
  const remove = (): void => rmSync(copy, { recursive: true, force: true });
  let linked = true;
  try {
    for (const n of readdirSync(dir)) {
      if (INFO_FILES.test(n)) continue;
      const from = path.join(dir, n);
      if (!statSync(from).isFile()) continue;
      try {
        if (!linked) throw new Error("copying");
        linkSync(from, path.join(copy, n));
      } catch {
        linked = false;
        if (n !== "LOCK") copyFileSync(from, path.join(copy, n));
      }
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { dir: copy, linked, remove };
}
