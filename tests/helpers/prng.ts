// A small seeded PRNG (mulberry32) for tests whose random inputs must replay from a seed.

/** mulberry32: a small deterministic PRNG. `next()` is uniform in [0, 1). */
export class Prng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  account(): Uint8Array {
    const a = new Uint8Array(20);
    for (let i = 0; i < 20; i += 4) {
      const v = this.u32();
      a[i] = v & 0xff;
      a[i + 1] = (v >>> 8) & 0xff;
      a[i + 2] = (v >>> 16) & 0xff;
      a[i + 3] = v >>> 24;
    }
    return a;
  }
}
