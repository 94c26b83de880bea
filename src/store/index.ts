// The persistent chain store's public API (docs/STORE.md).
export {
  ChainStoreError,
  FORMAT,
  FORMAT_VERSION,
  LevelStore,
  decodeBlock,
  encodeBlock,
  type BlockMeta,
  type ChainStoreErrorCode,
  type OpenOptions,
  type StoredBlock,
} from "./level.ts";
