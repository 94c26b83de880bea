// A Store wrapper that counts the host storage calls a contract makes: the benchmark's
// "storage reads and writes per call", comparable with the seed's dao.Simple counters.

import { asBinary, type BinaryStore, type Store, type Write } from "../host/store.ts";

export interface StorageCounts {
  reads: number;
  writes: number;
  deletes: number;
  nexts: number;
}

export class CountingStore implements BinaryStore {
  readonly binaryKeys = true as const;
  readonly counts: StorageCounts = { reads: 0, writes: 0, deletes: 0, nexts: 0 };
  private readonly inner: BinaryStore;

  constructor(inner: Store) {
    this.inner = asBinary(inner);
  }

  reset(): void {
    this.counts.reads = this.counts.writes = this.counts.deletes = this.counts.nexts = 0;
  }

  get size(): number {
    return this.inner.size;
  }
  get(key: Uint8Array): Uint8Array | undefined {
    this.counts.reads++;
    return this.inner.get(key);
  }
  next(prefix: Uint8Array, after: Uint8Array): [Uint8Array, Uint8Array] | undefined {
    this.counts.nexts++;
    return this.inner.next(prefix, after);
  }
  put(key: Uint8Array, value: Uint8Array): void {
    this.counts.writes++;
    this.inner.put(key, value);
  }
  delete(key: Uint8Array): void {
    this.counts.deletes++;
    this.inner.delete(key);
  }
  apply(writes: Iterable<Write>): void {
    this.inner.apply(writes);
  }
  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.inner.entries();
  }
  getBin(key: string): Uint8Array | undefined {
    this.counts.reads++;
    return this.inner.getBin(key);
  }
  nextBin(prefix: string, after: string): [string, Uint8Array] | undefined {
    this.counts.nexts++;
    return this.inner.nextBin(prefix, after);
  }
  putBin(key: string, value: Uint8Array): void {
    this.counts.writes++;
    this.inner.putBin(key, value);
  }
  deleteBin(key: string): void {
    this.counts.deletes++;
    this.inner.deleteBin(key);
  }
  applyBin(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    this.inner.applyBin(writes);
  }
  entriesBin(): IterableIterator<[string, Uint8Array]> {
    return this.inner.entriesBin();
  }
}
