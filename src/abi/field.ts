// The type language of the ABI definition (definition.ts): Borsh types plus two annotations
// the wire does not see, `account` ([u8; 20]) and `{ enum: Kind }` (a u8 whose values have
// SPEC names). Everything typed on either side is computed from these values: the borsh-js
// schemas (src/client/codec.ts), the TypeScript types below, the AssemblyScript codecs and
// the doc tables (scripts/gen-abi.ts).

/** The enum kinds of SPEC sections 2 and 6, by the name used in fields and messages. */
export type EnumKind = "Status" | "RollbackReason" | "Role" | "OverrideMode" | "Analysis";

export type Field =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "i64"
  | "bool"
  | "string"
  | "account"
  | { readonly vec: Field }
  | { readonly option: Field }
  | { readonly enum: EnumKind }
  | { readonly struct: StructDef; readonly partialOnInput?: true };

/** Field name → type; the object's key order is the wire order. */
export type StructDef = { readonly [field: string]: Field };

/** An account as the client accepts it: 20 raw bytes or `0x` + 40 hex digits (any case). */
export type AccountLike = Uint8Array | string;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The decoded ("raw") form of a value of field F: u8/u16/u32 → number, u64/i64 → bigint,
 * bool → boolean, String → string, account → lower-case 0x-hex, Option → value | null,
 * enums → their numeric tag.
 */
export type Decoded<F> = F extends "u8" | "u16" | "u32"
  ? number
  : F extends "u64" | "i64"
    ? bigint
    : F extends "bool"
      ? boolean
      : F extends "string" | "account"
        ? string
        : F extends { readonly vec: infer T }
          ? Decoded<T>[]
          : F extends { readonly option: infer T }
            ? Decoded<T> | null
            : F extends { readonly enum: EnumKind }
              ? number
              : F extends { readonly struct: infer S }
                ? Mutable<{ [K in keyof S]: Decoded<S[K]> }>
                : never;

/** Fields of a struct that may be left out on input: the Option ones. */
type OptionalKeys<S> = { [K in keyof S]: S[K] extends { readonly option: Field } ? K : never }[keyof S];

/**
 * The form a caller may give a value of field F in: u64 as bigint or a safe integer, accounts
 * as bytes or 0x-hex, enums by SPEC name or number, Option fields may be omitted. A struct
 * marked `partialOnInput` (the Policy) may leave out any field: the client fills in the
 * definition's defaults.
 */
export type Input<F> = F extends "u8" | "u16" | "u32"
  ? number
  : F extends "u64" | "i64"
    ? bigint | number
    : F extends "bool"
      ? boolean
      : F extends "string"
        ? string
        : F extends "account"
          ? AccountLike
          : F extends { readonly vec: infer T }
            ? readonly Input<T>[]
            : F extends { readonly option: infer T }
              ? Input<T> | null
              : F extends { readonly enum: EnumKind }
                ? number | (string & {})
                : F extends { readonly struct: infer S; readonly partialOnInput: true }
                  ? { [K in keyof S]?: Input<S[K]> }
                  : F extends { readonly struct: infer S }
                    ? { [K in Exclude<keyof S, OptionalKeys<S>>]: Input<S[K]> } & { [K in OptionalKeys<S>]?: Input<S[K]> }
                    : never;
