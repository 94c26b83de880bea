// `canary node`'s HTTP flags (docs/NODE.md, "HTTP limits and browser safety"), kept out of
// the command module: their spec for parseArgs and their values as HttpLimits.

import { UsageError } from "../cli/errors.ts";
import type { HttpLimits } from "./http.ts";

export const HTTP_FLAGS = {
  "allow-host": { type: "string", multiple: true },
  cors: { type: "string" },
  "header-timeout": { type: "string" },
  "body-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
  "max-connections": { type: "string" },
  "max-subscribers": { type: "string" },
} as const;

function int(name: string, v: unknown, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name} must be an integer in 1..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The HTTP limits given on the command line (absent ones keep their defaults). */
export function httpLimits(v: Record<string, unknown>): HttpLimits {
  const out: HttpLimits = {};
  const hosts = ((v["allow-host"] as string[] | undefined) ?? []).flatMap((h) => h.split(",")).map((h) => h.trim()).filter((h) => h !== "");
  if (hosts.length > 0) out.allowHosts = hosts;
  if (v.cors !== undefined) {
    if (typeof v.cors !== "string" || !/^https?:\/\/[^/\s]+$/.test(v.cors)) throw new UsageError(`--cors must be an origin like http://localhost:5173, got ${JSON.stringify(v.cors)}`);
    out.cors = v.cors;
  }
  const set = (k: keyof HttpLimits, x: number | undefined): void => {
    if (x !== undefined) (out as Record<string, unknown>)[k] = x;
  };
  set("headersTimeoutMs", int("header-timeout", v["header-timeout"], 3_600_000));
  set("bodyTimeoutMs", int("body-timeout", v["body-timeout"], 3_600_000));
  set("keepAliveTimeoutMs", int("keep-alive-timeout", v["keep-alive-timeout"], 3_600_000));
  set("maxConnections", int("max-connections", v["max-connections"], 1_000_000));
  set("maxSubscribers", int("max-subscribers", v["max-subscribers"], 1_000_000));
  return out;
}
