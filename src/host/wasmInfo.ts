// Just enough of the Wasm binary format to learn the signatures of a module's imports and
// exported functions (the JS API does not expose them in Node 20). The host checks them
// before it ever instantiates the module: a JS function bound to an import adapts to any
// signature, so a module declaring `host.storage_read` with i64 parameters would otherwise
// link and hand the host BigInts.

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface FuncSig {
  params: ValType[];
  results: ValType[];
}

export interface WasmInfo {
  imports: { module: string; name: string; kind: "func" | "table" | "memory" | "global" | "tag"; sig?: FuncSig }[];
  exports: { name: string; kind: "func" | "table" | "memory" | "global" | "tag"; sig?: FuncSig }[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};
const KINDS = ["func", "table", "memory", "global", "tag"] as const;

export function sigToString(sig: { params: readonly string[]; results: readonly string[] } | undefined): string {
  if (!sig) return "(?)";
  return `(${sig.params.join(", ")}) → (${sig.results.join(", ")})`;
}

export function sameSig(a: FuncSig | undefined, params: readonly string[], results: readonly string[]): boolean {
  if (!a) return false;
  return (
    a.params.length === params.length &&
    a.results.length === results.length &&
    a.params.every((p, i) => p === params[i]) &&
    a.results.every((r, i) => r === results[i])
  );
}

/** Reads the type, import, function and export sections. Throws on anything it cannot read. */
export function readWasmInfo(bytes: Uint8Array): WasmInfo {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`wasm: ${msg} at byte ${pos}`);
  };
  const byte = (): number => {
    if (pos >= bytes.length) fail("unexpected end");
    return bytes[pos++]!;
  };
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) fail("LEB128 too long");
    }
    return result;
  };
  const name = (): string => {
    const n = u32();
    if (pos + n > bytes.length) fail("name past end");
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const valtype = (): ValType => VALTYPES[byte()] ?? fail("unsupported value type");
  const limits = (): void => {
    const flags = byte();
    u32();
    if (flags & 1) u32();
  };

  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) fail("bad magic");
  pos = 8;
  const types: FuncSig[] = [];
  const funcTypes: number[] = []; // function index space → type index
  const info: WasmInfo = { imports: [], exports: [] };
  const exportsRaw: { name: string; kind: number; index: number }[] = [];

  while (pos < bytes.length) {
    const id = byte();
    const size = u32();
    const end = pos + size;
    if (end > bytes.length) fail("section past end");
    if (id === 1) {
      const n = u32();
      for (let i = 0; i < n; i++) {
        if (byte() !== 0x60) fail("unsupported type form");
        const params: ValType[] = [];
        const results: ValType[] = [];
        for (let j = u32(); j > 0; j--) params.push(valtype());
        for (let j = u32(); j > 0; j--) results.push(valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      const n = u32();
      for (let i = 0; i < n; i++) {
        const module = name();
        const field = name();
        const kind = byte();
        if (kind === 0) {
          const t = u32();
          funcTypes.push(t);
          info.imports.push({ module, name: field, kind: "func", sig: types[t] });
        } else if (kind === 1) {
          byte();
          limits();
          info.imports.push({ module, name: field, kind: "table" });
        } else if (kind === 2) {
          limits();
          info.imports.push({ module, name: field, kind: "memory" });
        } else if (kind === 3) {
          valtype();
          byte();
          info.imports.push({ module, name: field, kind: "global" });
        } else if (kind === 4) {
          byte();
          u32();
          info.imports.push({ module, name: field, kind: "tag" });
        } else fail("unknown import kind");
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name();
        const kind = byte();
        exportsRaw.push({ name: field, kind, index: u32() });
      }
    }
    pos = end;
  }
  for (const e of exportsRaw) {
    const kind = KINDS[e.kind] ?? fail(`unknown export kind of ${e.name}`);
    const t = kind === "func" ? funcTypes[e.index] : undefined;
    info.exports.push({ name: e.name, kind, sig: t === undefined ? undefined : types[t] });
  }
  return info;
}
