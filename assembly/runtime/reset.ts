// `_reset` (SPEC section 8): returns the instance to its state right after `_initialize`, so
// a host may reuse it. The contract keeps no state in globals; the only mutable globals are
// the stub runtime's bump pointer, as-bignum's high-word scratch and the statistics'
// 128-bit accumulator (rules/statistics.ts). Resetting the pointer and
// zeroing every heap byte ever handed out restores memory exactly.

import { wipeHeap } from "./arena";
import { resetStatisticsScratch } from "../rules/statistics";
import { __carry, __divmod_quot_hi, __divmod_rem_hi, __divmod_rem_lo, __res128_hi } from "as-bignum/assembly/globals";

export function _reset(): void {
  wipeHeap();
  // as-bignum's result scratch: always written before read, zeroed so memory and globals match a fresh instance.
  __res128_hi = 0;
  __carry = 0;
  __divmod_quot_hi = 0;
  __divmod_rem_lo = 0;
  __divmod_rem_hi = 0;
  resetStatisticsScratch();
}
