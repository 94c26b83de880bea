// Issue #17, items 6–7: the node's HTTP face. DNS rebinding and cross-origin writes are
// refused (403/415, nothing executed); slow and idle clients are cut off; connections and
// event-stream subscribers are capped (503 with Retry-After). Loopback only, small limits.
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import path from "node:path";
import { cli } from "../cli/helpers.ts";
import { ROOT } from "../replay/helpers.ts";
import { afterEach, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import { NodeKey, signTx, startNode, type CanaryNode } from "../../src/node/index.ts";
import type { HttpLimits } from "../../src/node/http.ts";

const nodes: CanaryNode[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const n of nodes.splice(0)) await n.close();
});

async function node(http: HttpLimits = {}): Promise<CanaryNode> {
  const n = await startNode({ port: 0, blockTimeMs: 60_000, http });
  nodes.push(n);
  return n;
}

/** Sends raw bytes on a fresh connection; resolves with everything received until the server closes (or `waitMs`). */
function raw(port: number, data: string, waitMs = 3000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(port, "127.0.0.1");
    sockets.push(s);
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => (text += d));
    s.on("error", () => {});
    const timer = setTimeout(() => resolve({ text, closed: false, ms: Date.now() - t0 }), waitMs);
    s.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - t0 });
    });
    s.on("connect", () => {
      if (data !== "") s.write(data);
    });
  });
}

function post(n: CanaryNode, body: string, headers: Record<string, string>): string {
  const h = { host: `127.0.0.1:${n.port}`, "content-length": String(Buffer.byteLength(body)), connection: "close", ...headers };
  return `POST / HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

function signedSend(n: CanaryNode): string {
  const { json } = signTx([NodeKey.generate()], { network: n.network, method: "recordSuccess", args: encodeArgs("recordSuccess", { name: "f" }), nonce: 0, validUntilBlock: 100 });
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: { tx: json } });
}

describe("item 6: DNS rebinding and cross-origin writes", () => {
  it("any Host header used to be served (DNS rebinding); now only the bound loopback names and --allow-host", async () => {
    const n = await node({ allowHosts: ["devbox.local"] });
    const get = (host: string) => raw(n.port, `GET /health HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
    expect((await get(`evil.example:${n.port}`)).text).toMatch(/^HTTP\/1.1 403/);
    expect((await get("evil.example")).text).toMatch(/^HTTP\/1.1 403/);
    expect((await get(`127.0.0.1:${n.port + 1}`)).text).toMatch(/^HTTP\/1.1 403/);
    expect((await raw(n.port, `GET /health HTTP/1.0\r\n\r\n`)).text).toMatch(/^HTTP\/1.1 403/);
    for (const ok of [`127.0.0.1:${n.port}`, `localhost:${n.port}`, `[::1]:${n.port}`, `LOCALHOST:${n.port}`, `devbox.local:${n.port}`]) {
      expect((await get(ok)).text, ok).toMatch(/^HTTP\/1.1 200/);
    }
    // a refused JSON-RPC call executes nothing
    const r = await raw(n.port, post(n, signedSend(n), { host: `evil.example:${n.port}`, "content-type": "application/json" }));
    expect(r.text).toMatch(/^HTTP\/1.1 403/);
    expect(n.stats.accepted + n.stats.refused).toBe(0);
    expect(n.mempoolSize).toBe(0);
  });

  it("a browser page on another origin used to POST a text/plain body that executed; now 403 (foreign Origin) or 415 (not JSON), nothing executed", async () => {
    const n = await node();
    const body = signedSend(n);
    const foreign = await raw(n.port, post(n, body, { origin: "http://evil.example", "content-type": "text/plain" }));
    expect(foreign.text).toMatch(/^HTTP\/1.1 403/);
    const foreignJson = await raw(n.port, post(n, body, { origin: "http://evil.example", "content-type": "application/json" }));
    expect(foreignJson.text).toMatch(/^HTTP\/1.1 403/);
    const plain = await raw(n.port, post(n, body, { "content-type": "text/plain" }));
    expect(plain.text).toMatch(/^HTTP\/1.1 415/);
    const none = await raw(n.port, post(n, body, {}));
    expect(none.text).toMatch(/^HTTP\/1.1 415/);
    expect(n.stats.accepted + n.stats.refused).toBe(0);
    expect(n.mempoolSize).toBe(0);
    // the node's own origin and a JSON body: served
    const own = await raw(n.port, post(n, body, { origin: `http://127.0.0.1:${n.port}`, "content-type": "application/json; charset=utf-8" }));
    expect(own.text).toMatch(/^HTTP\/1.1 200/);
    expect(n.mempoolSize).toBe(1);
  });

  it("--cors ORIGIN allows exactly one origin (with its preflight); others stay refused", async () => {
    const n = await node({ cors: "http://localhost:5173" });
    const pre = await raw(n.port, `OPTIONS / HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\norigin: http://localhost:5173\r\naccess-control-request-method: POST\r\nconnection: close\r\n\r\n`);
    expect(pre.text).toMatch(/^HTTP\/1.1 204/);
    expect(pre.text.toLowerCase()).toContain("access-control-allow-origin: http://localhost:5173");
    const ok = await raw(n.port, post(n, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHeight" }), { origin: "http://localhost:5173", "content-type": "application/json" }));
    expect(ok.text).toMatch(/^HTTP\/1.1 200/);
    const other = await raw(n.port, `OPTIONS / HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\norigin: http://localhost:5174\r\nconnection: close\r\n\r\n`);
    expect(other.text).toMatch(/^HTTP\/1.1 403/);
  });
});

describe("item 7: slow and idle clients, connection caps", () => {
  it("idle sockets used to stay open forever; now one that sends no request is closed after the header timeout", async () => {
    const n = await node({ headersTimeoutMs: 300 });
    const r = await raw(n.port, "", 5000);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(3000);
  });

  it("slow headers: a request whose headers trickle in past the header timeout is cut off", async () => {
    const n = await node({ headersTimeoutMs: 300 });
    const r = await raw(n.port, `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\n`, 5000);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(3000);
  });

  it("a slow body used to be held 300 s; now 408 and closed after the body timeout, nothing executed", async () => {
    const n = await node({ bodyTimeoutMs: 300 });
    const r = await raw(n.port, `POST / HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"jsonrpc":`, 5000);
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1.1 408/);
    expect(r.ms).toBeLessThan(3000);
    expect(n.stats.accepted + n.stats.refused).toBe(0);
  });

  it("an idle keep-alive connection is closed after the keep-alive timeout", async () => {
    const n = await node({ keepAliveTimeoutMs: 200 });
    const r = await raw(n.port, `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\n\r\n`, 5000);
    expect(r.text).toMatch(/^HTTP\/1.1 200/);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(3000);
  });

  it("connections were not capped; beyond --max-connections a new one gets 503 with Retry-After", async () => {
    const n = await node({ maxConnections: 3 });
    const held = [0, 1, 2].map(() => {
      const s = connect(n.port, "127.0.0.1");
      sockets.push(s);
      s.on("error", () => {});
      return new Promise((r) => s.on("connect", r));
    });
    await Promise.all(held);
    await new Promise((r) => setTimeout(r, 50));
    const r = await raw(n.port, `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1.1 503/);
    expect(r.text.toLowerCase()).toContain("retry-after:");
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await raw(n.port, `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\nconnection: close\r\n\r\n`)).text).toMatch(/^HTTP\/1.1 200/);
  });

  it("event-stream subscribers were not capped; beyond --max-subscribers GET /events gets 503 with Retry-After", async () => {
    const n = await node({ maxSubscribers: 2 });
    const sub = () => raw(n.port, `GET /events HTTP/1.1\r\nhost: 127.0.0.1:${n.port}\r\n\r\n`, 300);
    const [a, b] = await Promise.all([sub(), sub()]);
    expect(a.text).toMatch(/^HTTP\/1.1 200/);
    expect(b.text).toMatch(/^HTTP\/1.1 200/);
    const c = await sub();
    expect(c.text).toMatch(/^HTTP\/1.1 503/);
    expect(c.text.toLowerCase()).toContain("retry-after: 5");
  });
});

describe("items 6–7 on the command line", () => {
  it("canary node's flags reach the server (--header-timeout, --allow-host, --max-subscribers); bad values are usage errors", async () => {
    expect((await cli(["node", "--cors", "evil"])).status).toBe(2);
    expect((await cli(["node", "--max-connections", "0"])).status).toBe(2);
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/main.ts"), "node", "--port", "0", "--header-timeout", "300", "--allow-host", "devbox.local", "--max-subscribers", "1", "--block-time", "60000"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
          out += d;
          const m = /127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on("exit", (c) => reject(new Error(`exited ${c}`)));
        setTimeout(() => reject(new Error("no start")), 30_000);
      });
      const idle = await raw(port, "", 5000);
      expect(idle.closed).toBe(true);
      expect(idle.ms).toBeLessThan(3000);
      expect((await raw(port, `GET /health HTTP/1.1\r\nhost: devbox.local:${port}\r\nconnection: close\r\n\r\n`)).text).toMatch(/^HTTP\/1.1 200/);
      expect((await raw(port, `GET /health HTTP/1.1\r\nhost: other.local:${port}\r\nconnection: close\r\n\r\n`)).text).toMatch(/^HTTP\/1.1 403/);
      const first = raw(port, `GET /events HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`, 400);
      await new Promise((r) => setTimeout(r, 100));
      expect((await raw(port, `GET /events HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`, 400)).text).toMatch(/^HTTP\/1.1 503/);
      expect((await first).text).toMatch(/^HTTP\/1.1 200/);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);
});
