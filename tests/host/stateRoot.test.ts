import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Overlay } from "../../src/host/overlay.ts";
import { stateRoot } from "../../src/host/stateRoot.ts";
import { MemoryStore, type Store } from "../../src/host/store.ts";

const u = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe("stateRoot", () => {
  it("is SHA-256 over u32le(keyLen) ‖ key ‖ u32le(valueLen) ‖ value of every pair in bytewise key order", () => {
    const s = new MemoryStore();
    s.put(u(0x80), u());
    s.put(u(0x01, 0x02), u(0xaa, 0xbb));
    s.put(u(0x01), u(0xcc));
    // built by hand, independently of the implementation
    const expected = createHash("sha256")
      .update(Buffer.from("01000000" + "01" + "01000000" + "cc", "hex"))
      .update(Buffer.from("02000000" + "0102" + "02000000" + "aabb", "hex"))
      .update(Buffer.from("01000000" + "80" + "00000000", "hex"))
      .digest("hex");
    expect(stateRoot(s)).toBe(expected);
  });

  it("of an empty store is the SHA-256 of nothing", () => {
    expect(stateRoot(new MemoryStore())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("is injective across key/value boundaries: {ab: c} and {a: bc} differ", () => {
    const a = new MemoryStore([[u(1, 2), u(3)]]);
    const b = new MemoryStore([[u(1), u(2, 3)]]);
    expect(stateRoot(a)).not.toBe(stateRoot(b));
  });

  it("does not depend on insertion order, and is the same through an Overlay, a plain Store, and for values larger than its buffer", () => {
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 300; i++) pairs.push([u(i & 0xff, i >> 8, 7), new Uint8Array(i * 7).fill(i & 0xff)]);
    pairs.push([u(0xff), new Uint8Array(200_000).fill(9)]);
    const a = new MemoryStore(pairs);
    const b = new MemoryStore([...pairs].reverse());
    const o = new Overlay(new MemoryStore(pairs.slice(0, 100)));
    for (const [k, v] of pairs.slice(100)) o.put(k, v);
    const inner = new MemoryStore(pairs);
    const plain: Store = { get size() { return inner.size; }, get: (k) => inner.get(k), next: (p, a) => inner.next(p, a), put: (k, v) => inner.put(k, v), delete: (k) => inner.delete(k), apply: (w) => inner.apply(w), entries: () => inner.entries() };
    expect(stateRoot(b)).toBe(stateRoot(a));
    expect(stateRoot(o)).toBe(stateRoot(a));
    expect(stateRoot(plain)).toBe(stateRoot(a));
    a.put(u(0xff), new Uint8Array(200_000).fill(8));
    expect(stateRoot(a)).not.toBe(stateRoot(b));
  });
});
