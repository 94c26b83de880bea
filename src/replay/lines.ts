// The replay's output records: one object per `--json` line, field order exactly as
// REPLAY.md lists them (JSON.stringify keeps insertion order, so the constructors below
// fix it).

import type { DisplayValue } from "../client/codec.ts";

export interface EventOut {
  name: string;
  /** Display form: enums by name, accounts 0x-hex; null when the name is unknown or the payload did not decode. */
  data: { [field: string]: DisplayValue } | null;
}

export interface TxLine {
  type: "tx";
  height: number;
  /** Position in the block: the scenario's txs first, then the traffic reporter's. */
  index: number;
  /** Alias as the scenario wrote it, or 0x-hex. */
  sender: string;
  method: string;
  ok: boolean;
  code: number;
  /** SPEC error name ("InvalidTransition"), "Fault" for a trap; null when ok. */
  error: string | null;
  result: DisplayValue;
  events: EventOut[];
  /** Gas used (a metered module: the replay's default); null when the module is unmetered. */
  gas: number | null;
}

export interface BlockLine {
  type: "block";
  height: number;
  /** Events the block itself emitted in `onPersist` (steps, rollbacks at a due step); transactions' events are on their tx lines. */
  events: EventOut[];
  stateRoot: string;
}

export interface ExpectLine {
  type: "expect";
  height: number;
  ok: boolean;
  /** The expectation; when it failed, followed by ` (got …)`. */
  what: string;
}

export interface ExposureOut {
  feature: string;
  calls: number;
  exposedCalls: number;
  exposedAccounts: number;
  exposedErrors: number;
  /** The baseline: calls the contract did not expose (the old path), and those that hit an error. */
  unexposedCalls: number;
  unexposedErrors: number;
}

export interface SummaryLine {
  type: "summary";
  blocks: number;
  txs: number;
  faults: number;
  expectFailed: number;
  stateRoot: string;
  /** Final FeatureView of every feature, display form, in name order. */
  features: DisplayValue[];
  exposure: ExposureOut[];
}

export type ReplayLine = TxLine | BlockLine | ExpectLine | SummaryLine;

/** The field names of each line type, in order: what tests and consumers can rely on. */
export const LINE_FIELDS = {
  tx: ["type", "height", "index", "sender", "method", "ok", "code", "error", "result", "events", "gas"],
  block: ["type", "height", "events", "stateRoot"],
  expect: ["type", "height", "ok", "what"],
  summary: ["type", "blocks", "txs", "faults", "expectFailed", "stateRoot", "features", "exposure"],
} as const;
