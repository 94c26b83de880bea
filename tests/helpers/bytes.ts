// Byte helpers every kind of test uses: hex both ways, UTF-8, concatenation.

import { hexToBytes } from "../../src/client/index.ts";

/** Lowercase hex, no prefix. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Lowercase hex with a 0x prefix (the client's display form of bytes). */
export const hex0x = (b: Uint8Array): string => "0x" + hex(b);

/** Hex (an optional 0x prefix) to bytes. */
export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.startsWith("0x") ? h.slice(2) : h, "hex"));
}

/** Hex written with spaces and line breaks (hand-written Borsh), through the client's strict parser. */
export const hx = (s: string): Uint8Array => hexToBytes("0x" + s.replace(/\s+/g, ""));

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);

/** The parts one after another (byte arrays or plain byte lists). */
export function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
