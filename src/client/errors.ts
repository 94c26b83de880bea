// Error codes of SPEC section 6, by name, from the shared table (assembly/shared/codes.ts).

import { ErrorCode } from "../../assembly/shared/codes.ts";

export { ErrorCode };

/** The code the host reports when a call trapped or was faulted without a code. */
export const FAULT_CODE = -1;
/** The name given to FAULT_CODE (not a contract code; the host's). */
export const FAULT_NAME = "Fault";

export type ErrorCodeName = keyof typeof ErrorCode;

/**
 * The SPEC name of a method's return code: "Ok" for 0, "BadInput" … "LastAdmin",
 * "Fault" for -1 (trap or host fault), "Unknown(n)" for anything else.
 */
export function errorName(code: number): string {
  if (code === FAULT_CODE) return FAULT_NAME;
  const name = (ErrorCode as unknown as Record<number, string | undefined>)[code];
  return typeof name === "string" ? name : `Unknown(${code})`;
}

/** A code by SPEC name (case-sensitive, "Fault" → -1) or number (returned unchanged if an integer). */
export function parseErrorCode(v: ErrorCodeName | "Fault" | (string & {}) | number): number {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return v;
    throw new TypeError(`error code: expected a name or an integer, got ${v}`);
  }
  if (v === FAULT_NAME) return FAULT_CODE;
  const e = ErrorCode as unknown as Record<string, number | string>;
  if (Object.prototype.hasOwnProperty.call(e, v) && typeof e[v] === "number") return e[v] as number;
  const names = Object.keys(e).filter((k) => typeof e[k] === "number");
  throw new TypeError(`error code: unknown name ${JSON.stringify(v)}; expected one of ${names.join(", ")}, ${FAULT_NAME}`);
}

/** A method returned a non-zero code, or trapped (code -1, `trap` says why). */
export class ContractError extends Error {
  /** The i32 the method returned, -1 for a trap or host fault. */
  readonly code: number;
  /** `errorName(code)`: "InvalidTransition", "Fault", … */
  readonly codeName: string;
  /** The method called. */
  readonly method: string;
  /** The trap or host-fault message when code is -1. */
  readonly trap?: string;
  /** Debug lines the call wrote through `log`. */
  readonly logs: readonly string[];

  constructor(method: string, code: number, trap?: string, logs: readonly string[] = []) {
    const codeName = errorName(code);
    super(`${method} failed: ${codeName} (${code})${trap !== undefined ? `: ${trap}` : ""}`);
    this.name = "ContractError";
    this.code = code;
    this.codeName = codeName;
    this.method = method;
    if (trap !== undefined) this.trap = trap;
    this.logs = logs;
  }
}
