// Names and parsers for the u8 enums of SPEC section 2 and 6. The values come from the ABI
// definition (src/abi/definition.ts) through the table generated from it for both languages
// (assembly/shared/codes.ts); this file only maps them to and from names.
//
// Decoded structs keep enums as numbers ("raw" form); `statusName(2)` gives "RollingOut".
// Parsers accept the SPEC name (case-sensitive) or a number. A number is passed through
// unchanged when it is an integer 0..255, even if no such tag exists: the contract, not the
// client, decides that an unknown tag is BadInput, and tests must be able to send one.

import { Analysis, OverrideMode, RollbackReason, Role, Status } from "../../assembly/shared/codes.ts";

export { Analysis, OverrideMode, RollbackReason, Role, Status };

export type { EnumKind } from "../abi/field.ts";
import type { EnumKind } from "../abi/field.ts";

export type StatusName = keyof typeof Status;
export type RollbackReasonName = keyof typeof RollbackReason;
export type RoleName = keyof typeof Role;
export type OverrideModeName = keyof typeof OverrideMode;
export type AnalysisName = keyof typeof Analysis;

type NumericEnum = Record<string, string | number>;

const ENUMS: Record<EnumKind, NumericEnum> = {
  Status,
  RollbackReason,
  Role,
  OverrideMode,
  Analysis,
};

/** The SPEC names of one enum kind, in tag order. */
export function enumNames(kind: EnumKind): string[] {
  const e = ENUMS[kind];
  return Object.keys(e).filter((k) => typeof e[k] === "number");
}

/** The name of `value` in `kind`, or `Unknown(n)` for a tag the enum does not define. */
export function enumName(kind: EnumKind, value: number): string {
  const name = ENUMS[kind][value];
  return typeof name === "string" ? name : `Unknown(${value})`;
}

/** Whether `value` is a tag `kind` defines. */
export function isEnumValue(kind: EnumKind, value: number): boolean {
  return typeof ENUMS[kind][value] === "string";
}

/**
 * Parses an enum value given by SPEC name (case-sensitive: "RollingOut", not "rollingout")
 * or by number (any integer 0..255). Throws a TypeError that lists the valid names.
 */
export function parseEnum(kind: EnumKind, value: string | number): number {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0 && value <= 255) return value;
    throw new TypeError(`${kind}: expected a name or an integer 0..255, got ${value}`);
  }
  if (typeof value === "string") {
    const e = ENUMS[kind];
    if (Object.prototype.hasOwnProperty.call(e, value) && typeof e[value] === "number") {
      return e[value] as number;
    }
    throw new TypeError(`${kind}: unknown name ${JSON.stringify(value)}; expected one of ${enumNames(kind).join(", ")} or a number`);
  }
  throw new TypeError(`${kind}: expected a name or a number, got ${typeof value}`);
}

export const statusName = (v: number): string => enumName("Status", v);
export const reasonName = (v: number): string => enumName("RollbackReason", v);
export const roleName = (v: number): string => enumName("Role", v);
export const overrideModeName = (v: number): string => enumName("OverrideMode", v);
export const analysisName = (v: number): string => enumName("Analysis", v);

/** Canary or RollingOut: a rollout under way (the bucket decides; the global switches gate it). */
export const isLive = (status: number): boolean => status === Status.Canary || status === Status.RollingOut;
/** Disabled or RolledBack: off for every account, overrides included. */
export const isOff = (status: number): boolean => status === Status.Disabled || status === Status.RolledBack;

export const parseStatus = (v: StatusName | (string & {}) | number): number => parseEnum("Status", v);
export const parseReason = (v: RollbackReasonName | (string & {}) | number): number => parseEnum("RollbackReason", v);
export const parseRole = (v: RoleName | (string & {}) | number): number => parseEnum("Role", v);
export const parseOverrideMode = (v: OverrideModeName | (string & {}) | number): number => parseEnum("OverrideMode", v);
export const parseAnalysis = (v: AnalysisName | (string & {}) | number): number => parseEnum("Analysis", v);
