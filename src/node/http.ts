// The node's HTTP face, hardened (docs/NODE.md, "HTTP limits and browser safety").
//
// - DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 reaches the
//   node with `Host: evil.example`. Only Host values naming the bound address are served:
//   127.0.0.1, localhost, [::1] (with the bound port, or none when it is 80), plus --allow-host.
// - Cross-origin writes: a browser sends a "simple" POST (text/plain, no preflight) to any
//   origin. A request whose Origin is not the node's own (or --cors ORIGIN) is refused, and
//   JSON-RPC must be `Content-Type: application/json` (which a browser cannot send cross-origin
//   without a preflight, which is refused). Refused requests get 403/415 and nothing executes.
// - Slow and idle clients: header and body timeouts, a keep-alive timeout, a cap on open
//   connections and on event-stream subscribers (503 with Retry-After beyond).

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface HttpLimits {
  /** Further Host names served (besides 127.0.0.1, localhost, [::1]); "name" or "name:port". */
  allowHosts?: readonly string[];
  /** One origin (e.g. "http://localhost:5173") whose browser pages may call the node. */
  cors?: string;
  /** Milliseconds to receive a request's headers (default 20,000). */
  headersTimeoutMs?: number;
  /** Milliseconds to receive a request's body after its headers (default 20,000). */
  bodyTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection stays open (default 5,000). */
  keepAliveTimeoutMs?: number;
  /** Open connections at most (default 256); more get 503 and are closed. */
  maxConnections?: number;
  /** Event-stream subscribers at most (default 256); more get 503. */
  maxSubscribers?: number;
}

export const HTTP_DEFAULTS = {
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  maxSubscribers: 256,
} as const;

export type ResolvedLimits = Required<Omit<HttpLimits, "cors">> & { cors: string | undefined };

export function resolveLimits(l: HttpLimits = {}): ResolvedLimits {
  const r = {
    allowHosts: (l.allowHosts ?? []).map((h) => h.toLowerCase()),
    cors: l.cors,
    headersTimeoutMs: l.headersTimeoutMs ?? HTTP_DEFAULTS.headersTimeoutMs,
    bodyTimeoutMs: l.bodyTimeoutMs ?? HTTP_DEFAULTS.bodyTimeoutMs,
    keepAliveTimeoutMs: l.keepAliveTimeoutMs ?? HTTP_DEFAULTS.keepAliveTimeoutMs,
    maxConnections: l.maxConnections ?? HTTP_DEFAULTS.maxConnections,
    maxSubscribers: l.maxSubscribers ?? HTTP_DEFAULTS.maxSubscribers,
  };
  for (const k of ["headersTimeoutMs", "bodyTimeoutMs", "keepAliveTimeoutMs", "maxConnections", "maxSubscribers"] as const) {
    if (!Number.isSafeInteger(r[k]) || r[k] < 1) throw new RangeError(`${k} must be a positive integer, got ${r[k]}`);
  }
  if (r.cors !== undefined && !/^https?:\/\/[^/\s]+$/.test(r.cors)) throw new RangeError(`cors must be an origin like http://localhost:5173, got ${JSON.stringify(r.cors)}`);
  return r;
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/** Whether a Host header names this node (bound on 127.0.0.1:port). */
export function hostAllowed(host: string | undefined, port: number, allow: readonly string[]): boolean {
  if (host === undefined) return false;
  const h = host.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  if (m === null) return false;
  const name = m[1]!;
  const p = m[2] === undefined ? 80 : Number(m[2]);
  if (allow.includes(h) || (allow.includes(name) && p === port)) return true;
  return LOOPBACK.includes(name) && p === port;
}

/** Whether a request's Origin may use the node: none (not a browser), the node's own, or --cors. */
export function originAllowed(origin: string | undefined, port: number, cors: string | undefined): boolean {
  if (origin === undefined) return true;
  const o = origin.trim().toLowerCase();
  if (cors !== undefined && o === cors.toLowerCase()) return true;
  return LOOPBACK.some((n) => o === `http://${n}:${port}`);
}

/** Counts connections; beyond the cap each new one gets a bare 503 and is closed. */
export function capConnections(server: Server, max: number): () => number {
  let open = 0;
  server.on("connection", (socket: Socket) => {
    if (open >= max) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 32\r\nConnection: close\r\n\r\ntoo many connections; retry soon");
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    open++;
    socket.once("close", () => open--);
  });
  return () => open;
}

/**
 * The checks every request passes before anything else: Host, Origin, and for POST the
 * Content-Type. Answers a refused request itself (403/415) and returns false; answers a CORS
 * preflight from the allowed origin (204).
 */
export function admitRequest(req: IncomingMessage, res: ServerResponse, port: number, l: ResolvedLimits): boolean {
  const refuse = (status: number, text: string): false => {
    res.writeHead(status, { "content-type": "text/plain", connection: "close" }).end(text + "\n");
    return false;
  };
  if (!hostAllowed(req.headers.host, port, l.allowHosts)) {
    return refuse(403, `host ${JSON.stringify(req.headers.host ?? "")} is not served (only 127.0.0.1, localhost, [::1] on port ${port}; canary node --allow-host NAME adds one)`);
  }
  const origin = req.headers.origin;
  if (!originAllowed(origin, port, l.cors)) {
    return refuse(403, `origin ${JSON.stringify(origin)} may not use this node (canary node --cors ORIGIN allows one)`);
  }
  if (origin !== undefined && l.cors !== undefined && origin.toLowerCase() === l.cors.toLowerCase()) {
    res.setHeader("access-control-allow-origin", l.cors);
    res.setHeader("vary", "origin");
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" }).end();
      return false;
    }
  }
  if (req.method === "POST") {
    const ct = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (ct !== "application/json") {
      return refuse(415, `JSON-RPC needs Content-Type: application/json, got ${JSON.stringify(req.headers["content-type"] ?? "")}`);
    }
  }
  return true;
}
