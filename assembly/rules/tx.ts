// The transaction around a change: when, by whom, and the global record (read once, lazily).

import { blockHeight } from "../host/env";
import { LazyGlobal } from "../storage/state";

/**
 * When, by whom (null for onPersist), and the global record. The height is asked of the
 * host only when something needs it: a health report that rolls nothing back never does.
 */
export class Tx {
  global: LazyGlobal = new LazyGlobal();
  private knownHeight: u32 = 0;
  private heightRead: bool = false;

  constructor(public actor: Uint8Array | null) {}

  /** A transaction at a height already known (onPersist's loop, processRollout). */
  static at(height: u32, actor: Uint8Array | null): Tx {
    const tx = new Tx(actor);
    tx.knownHeight = height;
    tx.heightRead = true;
    return tx;
  }

  get height(): u32 {
    if (!this.heightRead) {
      this.knownHeight = blockHeight();
      this.heightRead = true;
    }
    return this.knownHeight;
  }

  /** The pause-aware clock now (see Global). */
  clock(): u32 {
    return this.global.get().clock(this.height);
  }
}
