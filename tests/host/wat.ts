// Compiles WebAssembly text with binaryen (no optimization: the module is what the text says).
import binaryen from "binaryen";

export function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
    if (!m.validate()) throw new Error("binaryen: module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** Every host import of SPEC section 7, as WAT import declarations. */
export const HOST_IMPORTS_WAT = `
  (import "host" "input_len" (func $input_len (result i32)))
  (import "host" "input_read" (func $input_read (param i32)))
  (import "host" "output_write" (func $output_write (param i32 i32)))
  (import "host" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host" "storage_delete" (func $storage_delete (param i32 i32)))
  (import "host" "storage_next" (func $storage_next (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "host" "block_height" (func $block_height (result i32)))
  (import "host" "caller" (func $caller (param i32)))
  (import "host" "check_witness" (func $check_witness (param i32) (result i32)))
  (import "host" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "host" "log" (func $log (param i32 i32)))
`;

export { hex } from "../helpers/bytes.ts";
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
