// The persistent chain store's public API (docs/STORE.md).
export {
  ChainStoreError,
  FORMAT,
  FORMAT_VERSION,
  LevelStore,
  OPEN_IN_PROCESS,
  VERIFY_RECENT,
  decodeBlock,
  encodeBlock,
  type BlockMeta,
  type ChainStoreErrorCode,
  type OpenOptions,
  type Probe,
  type StoreKind,
  type StoredBlock,
} from "./level.ts";
export { checkLevelFiles, crc32c, trialCopy, type FileDamage } from "./files.ts";
