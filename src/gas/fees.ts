// The gas fee schedule (docs/GAS.md). Instruction gas comes from the metered module's
// static region costs (meter.ts: 1 unit per Wasm instruction); host calls add these fees.
// Integers only, so the same call costs the same gas on every run and every machine.

export const FEES = {
  /** Every host import call, whatever it does. */
  hostCall: 20,
  /** Per byte copied into the module's memory (input_read, storage_read, storage_next, caller). */
  readByte: 1,
  /** A storage lookup (storage_read, storage_next). */
  storageRead: 200,
  /** A storage write (storage_write) or delete (storage_delete). */
  storageWrite: 400,
  /** Per byte of key and value written (storage_write) or key deleted. */
  writeByte: 10,
  /** Per byte of the call's result (output_write). */
  outputByte: 1,
  /** An event (emit), and per byte of its name and payload. */
  event: 100,
  eventByte: 4,
} as const;

/** The gas limit of a transaction or view that names none. */
export const DEFAULT_GAS_LIMIT = 10_000_000;
/** The gas limit of the block's onPersist: a system call, bounded all the same. */
export const ON_PERSIST_GAS_LIMIT = 1_000_000_000;
