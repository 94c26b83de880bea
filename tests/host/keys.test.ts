// The runtime turns keys in Wasm memory into binary strings through a small table of strings
// it has made before (runtime.ts, KeyStrings): whatever sits in the table, every storage call
// must see exactly the key bytes in memory at that moment. Random keys (lengths 0..128, any
// byte, few enough to collide and reuse slots) at moving addresses, against a Map model.
import fc from "fast-check";
import { expect, it } from "vitest";
import { Chain } from "../../src/host/chain.ts";
import { HOST_IMPORTS_WAT, hex, wat } from "./wat.ts";

// kv: input = op, pad, keyLen, pad bytes, key, value. The key is read where it lands in the
// input (address 3 + pad), so one address holds different keys and one key moves around.
// op 0 writes, 1 reads (output = the value; code 1 when absent), 2 deletes, 3 scans the
// prefix = key (output = every key found, each prefixed by its length).
const KV = wat(`(module
  ${HOST_IMPORTS_WAT}
  (memory (export "memory") 4 4)
  (func (export "kv") (result i32)
    (local $n i32) (local $k i32) (local $kl i32) (local $v i32) (local $r i32) (local $out i32) (local $after i32) (local $al i32)
    (local.set $n (call $input_len))
    (call $input_read (i32.const 0))
    (local.set $k (i32.add (i32.const 3) (i32.load8_u (i32.const 1))))
    (local.set $kl (i32.load8_u (i32.const 2)))
    (local.set $v (i32.add (local.get $k) (local.get $kl)))
    (block $done
      (br_if $done (i32.ne (i32.load8_u (i32.const 0)) (i32.const 0)))
      (call $storage_write (local.get $k) (local.get $kl) (local.get $v) (i32.sub (local.get $n) (local.get $v)))
      (return (i32.const 0)))
    (block $done
      (br_if $done (i32.ne (i32.load8_u (i32.const 0)) (i32.const 1)))
      (local.set $r (call $storage_read (local.get $k) (local.get $kl) (i32.const 65536) (i32.const 65536)))
      (if (i32.lt_s (local.get $r) (i32.const 0)) (then (return (i32.const 1))))
      (call $output_write (i32.const 65536) (local.get $r))
      (return (i32.const 0)))
    (block $done
      (br_if $done (i32.ne (i32.load8_u (i32.const 0)) (i32.const 2)))
      (call $storage_delete (local.get $k) (local.get $kl))
      (return (i32.const 0)))
    ;; scan: keys go to 131072 + 1 (length byte first), the previous key is the 'after'
    (local.set $out (i32.const 131072))
    (local.set $after (i32.const 200000))
    (local.set $al (i32.const 0))
    (loop $next
      (local.set $r (call $storage_next (local.get $k) (local.get $kl) (local.get $after) (local.get $al) (i32.add (local.get $out) (i32.const 1)) (i32.const 128)))
      (if (i32.ge_s (local.get $r) (i32.const 0))
        (then
          (i32.store8 (local.get $out) (local.get $r))
          (local.set $after (i32.add (local.get $out) (i32.const 1)))
          (local.set $al (local.get $r))
          (local.set $out (i32.add (local.get $after) (local.get $r)))
          (br $next))))
    (call $output_write (i32.const 131072) (i32.sub (local.get $out) (i32.const 131072)))
    (i32.const 0)))`);

const SENDER = new Uint8Array(20);
// Many short keys of one length over 16 byte values (so different keys share a table slot
// and reads hit written keys), and some of any length up to 128.
const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 2, maxLength: 2 }).map((a) => a.map((b) => (b & 0x0f) * 17)) },
  fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((b) => [0x00, 0x41, 0xd0, 0xff][b % 4]!)),
  fc.uint8Array({ minLength: 1, maxLength: 128 }),
  fc.constantFrom(...[1, 13, 21, 64, 127, 128].map((n) => new Uint8Array(n).fill(0xd0))),
);
const opArb = fc.record({
  op: fc.constantFrom(0, 0, 1, 1, 1, 2, 3),
  pad: fc.integer({ min: 0, max: 40 }),
  key: keyArb,
  value: fc.uint8Array({ minLength: 0, maxLength: 300 }),
});

it("random keys at moving addresses: every read, write, delete and scan sees exactly the bytes in memory", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 150 }), (ops) => {
      const chain = new Chain(KV);
      chain.beginBlock(1);
      const model = new Map<string, string>(); // hex key → hex value
      for (const { op, pad, key, value } of ops) {
        const input = new Uint8Array(3 + pad + key.length + value.length);
        input.set([op, pad, key.length]);
        input.fill(0xee, 3, 3 + pad);
        input.set(key, 3 + pad);
        input.set(value, 3 + pad + key.length);
        const r = chain.transact("kv", input, { height: 1, sender: SENDER, witnesses: [] });
        const k = hex(key);
        if (op === 0) {
          expect(r.ok).toBe(true);
          model.set(k, hex(value));
        } else if (op === 1) {
          const want = model.get(k);
          expect(r.code).toBe(want === undefined ? 1 : 0);
          if (want !== undefined) expect(hex(r.output)).toBe(want);
        } else if (op === 2) {
          expect(r.ok).toBe(true);
          model.delete(k);
        } else {
          expect(r.ok).toBe(true);
          const want = [...model.keys()].filter((m) => m.startsWith(k)).sort((a, b) => Buffer.compare(Buffer.from(a, "hex"), Buffer.from(b, "hex")));
          const got: string[] = [];
          const out = r.output;
          for (let i = 0; i < out.length; i += 1 + out[i]!) got.push(hex(out.subarray(i + 1, i + 1 + out[i]!)));
          expect(got).toEqual(want);
        }
      }
      chain.endBlock();
      const stored = new Map([...chain.store.entries()].map(([k, v]) => [hex(k), hex(v)]));
      expect(stored).toEqual(model);
    }),
    { numRuns: 200 },
  );
});
