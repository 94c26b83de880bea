// The CosmWasm entry layer (COSMWASM.md): the exports CosmWasm 2.x calls, over the same
// handlers as the Borsh entry layer. Each JSON message is transcoded, by the descriptors
// generated from the ABI definition (generated/json.ts), into the method's exact Borsh
// arguments; the generated Borsh entry point decodes them (BadInput rules and all) and calls
// the typed handler (entry/handlers.ts); the Borsh result and the events the rules emitted are
// transcoded back into JSON. Built with host/env.cosmwasm.ts in place of host/env.ts.

import { Writer } from "../codec/borsh";
import {
  base64, clearJsonError, decimalOk, encodeArgs, field, J_ARR, J_NUM, J_OBJ, J_STR, JNode, jsonError, JOut, parseJson,
  parseU64String, writeAttributes, writeJson,
} from "../codec/json";
import {
  canonicalize, clearEvents, eventLog, eventLogEnd, newRegion, outputLen, outputPtr, region, setExtraWitness, setHeight,
  setInput, setSender, storageDelete, storageGet, storagePut,
} from "../host/env";
import { scanPosition } from "../runtime/arena";
import { CODE_COUNT, CODE_NAMES, CONTRACT_NAME, CONTRACT_VERSION, dispatch, EVENTS, MESSAGES } from "../generated/json";
import * as handlers from "./handlers";
import * as steps from "../rules/steps";
import { Tx } from "../rules/tx";
import { ErrorCode } from "../shared/codes";

// ---------------------------------------------------------------- memory

/** Set when a call has returned its result: the next `allocate` (the next call's first) starts a fresh heap. */
let callDone = false;

export function interface_version_8(): void {}

export function allocate(size: u32): u32 {
  if (callDone) {
    // An instance reused across calls (cw-simulate does; wasmd instantiates per call):
    // everything of the previous call is garbage once its result was read.
    callDone = false;
    __reset();
  }
  return newRegion(<i32>size);
}

export function deallocate(ptr: u32): void {
  // The stub runtime frees nothing; the heap is released between calls (allocate).
}

// ---------------------------------------------------------------- results

function finish(o: JOut): u32 {
  const r = region(o.dataStart, o.len);
  callDone = true;
  return r;
}

function codeName(code: i32): string {
  let p = CODE_NAMES;
  const c = code >= 0 && code < CODE_COUNT ? code : ErrorCode.CorruptState;
  for (let i = 0; i < c; i++) p += 1 + <usize>load<u8>(p);
  return String.UTF8.decodeUnsafe(p + 1, <usize>load<u8>(p));
}

/** `{"error":"<CodeName>: <detail>"}` (ContractResult::Err). */
function error(code: i32, detail: string): u32 {
  const o = new JOut(64);
  o.ascii("{\"error\":");
  const msg = String.UTF8.encode(codeName(code) + ": " + detail);
  o.str(changetype<usize>(msg), msg.byteLength);
  o.ch(0x7d);
  return finish(o);
}

/** `{"ok":{Response}}` with the `action` attribute, the collected events and extra attributes. */
function okResponse(action: string, extra: string): u32 {
  const o = new JOut(256);
  o.ascii("{\"ok\":{\"messages\":[],\"attributes\":[{\"key\":\"action\",\"value\":\"").ascii(action).ascii("\"}");
  if (extra.length > 0) o.ascii(extra);
  o.ascii("],\"events\":[");
  const log = eventLog();
  const end = eventLog() + <usize>eventLogEnd();
  let p = log;
  let first = true;
  while (p < end) {
    const nl = <i32>load<u8>(p);
    const np = p + 1;
    const len = <i32>load<u16>(np + <usize>nl);
    const payload = np + <usize>nl + 2;
    p = payload + <usize>len;
    const desc = eventDesc(np, nl);
    if (desc == 0) unreachable();
    if (!first) o.ch(0x2c);
    first = false;
    o.ascii("{\"type\":").str(eventSnake, eventSnakeLen).ascii(",\"attributes\":[");
    const bytes = Uint8Array.wrap(copyOut(payload, len));
    if (!writeAttributes(bytes, desc, o)) unreachable();
    o.ascii("]}");
  }
  o.ascii("],\"data\":null}}");
  return finish(o);
}

function copyOut(p: usize, n: i32): ArrayBuffer {
  const b = new ArrayBuffer(n);
  memory.copy(changetype<usize>(b), p, <usize>n);
  return b;
}

let eventSnake: usize = 0;
let eventSnakeLen: i32 = 0;

/** The payload descriptor of the event named by the n bytes at p (its snake name in eventSnake), or 0. */
function eventDesc(p: usize, n: i32): usize {
  let q = EVENTS;
  while (true) {
    const len = <i32>load<u8>(q);
    if (len == 0) return 0;
    const name = q + 1;
    q = name + <usize>len;
    const sl = <i32>load<u8>(q);
    const snake = q + 1;
    q = snake + <usize>sl;
    const dl = <i32>load<u16>(q);
    const desc = q + 2;
    q = desc + <usize>dl;
    if (len == n && memory.compare(name, p, <usize>n) == 0) {
      eventSnake = snake;
      eventSnakeLen = sl;
      return desc;
    }
  }
}

// ---------------------------------------------------------------- env, info, message

function regionJson(ptr: u32): JNode | null {
  return parseJson(<usize>load<u32>(ptr), <i32>load<u32>(ptr, 8));
}

/** env.block.height into the host; false (BadInput) when missing or above u32. */
function readEnv(envPtr: u32): bool {
  const env = regionJson(envPtr);
  if (env == null) return false;
  const block = field(env, "block");
  if (block == null) return false;
  const h = field(block, "height");
  if (h == null) return false;
  // BlockInfo.height is a u64 JSON number (cosmwasm-std); a decimal string is taken too.
  let v: u64 = h.num;
  if (h.kind == J_STR) {
    v = parseU64String(h.str!);
    if (!decimalOk) return false;
  } else if (h.kind != J_NUM) return false;
  if (v > <u64>u32.MAX_VALUE) return false;
  setHeight(<u32>v);
  return true;
}

let fundsSent = false;

/** info.sender into the host (its canonical address); fundsSent when info.funds is not empty. */
function readInfo(infoPtr: u32): bool {
  const info = regionJson(infoPtr);
  if (info == null) return false;
  const s = field(info, "sender");
  if (s == null || s.kind != J_STR) return false;
  const c = canonicalize(s.str!);
  if (c == null) return false;
  setSender(c);
  const funds = field(info, "funds");
  fundsSent = funds != null && funds.kind == J_ARR && funds.items!.length > 0;
  return true;
}

/** A message `{ "<name>": { ...args } }`: the name's bytes, and its args in `msgArgs`. */
let msgArgs: JNode | null = null;
function messageName(msgPtr: u32): Uint8Array | null {
  const msg = regionJson(msgPtr);
  if (msg == null || msg.kind != J_OBJ || msg.keys!.length != 1) return null;
  msgArgs = msg.items![0];
  return msg.keys![0];
}

let resultDesc: usize = 0;
let resultDescLen: i32 = 0;

/** Finds message `name` of `kind` (0 execute, 1 query): its method index, args descriptor in `argsDesc`; -1 if none. */
let argsDesc: usize = 0;
function findMessage(kind: i32, name: Uint8Array): i32 {
  let p = MESSAGES;
  while (true) {
    const k = <i32>load<u8>(p);
    if (k == 0xff) return -1;
    const nl = <i32>load<u8>(p + 1);
    const np = p + 2;
    const method = <i32>load<u8>(np + <usize>nl);
    const al = <i32>load<u16>(np + <usize>nl + 1);
    const ad = np + <usize>nl + 3;
    const rl = <i32>load<u16>(ad + <usize>al);
    const rd = ad + <usize>al + 2;
    p = rd + <usize>rl;
    if (k == kind && nl == name.length && memory.compare(np, name.dataStart, <usize>nl) == 0) {
      argsDesc = ad;
      resultDesc = rd;
      resultDescLen = rl;
      return method;
    }
  }
}

function nameString(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

function begin(): void {
  clearJsonError();
  clearEvents();
  setExtraWitness(null);
  fundsSent = false;
}

function badInput(what: string): u32 {
  const why = jsonError;
  return error(ErrorCode.BadInput, why.length > 0 ? what + ": " + why : what);
}

/** Transcodes the args of a found message and runs its method; the code. */
function run(method: i32): i32 {
  const args = encodeArgs(msgArgs!, argsDesc);
  if (args == null) return -1;
  setInput(args);
  return dispatch(method);
}

// ---------------------------------------------------------------- config (max_due_per_block) and cw2

/** 0xD9: CosmWasm settings: version 1 ‖ u32 LE max_due_per_block. */
const CONFIG_KEY: usize = memory.data<u8>([0xd9]);
/**
 * Due features one sudo visits at most, by default: sized so the worst sudo stays under
 * x/clock's 100,000 gas under cw-simulate's meter. Measured (tests/cosmwasm/module-sudo.test.ts,
 * docs/COSMWASM-MODULE.md): a sudo costs ~28,000 with nothing due and ~39,000 more per feature
 * that steps, so one fits (~67,000) and two do not (~106,000). A chain with a larger hook
 * limit (or cw-simulate's meter being far above wasmd's) can raise it at instantiate (1..100).
 */
const DEFAULT_MAX_DUE: u32 = 1;
const MAX_MAX_DUE: u64 = 100;

/** 0xDA: the due-index key where the last sudo batch stopped (absent: start from the first). */
function cursorKey(): Uint8Array {
  const k = new Uint8Array(1);
  k[0] = 0xda;
  return k;
}

function configKey(): Uint8Array {
  const k = new Uint8Array(1);
  k[0] = 0xd9;
  return k;
}

function loadMaxDue(): i32 {
  const v = storageGet(configKey());
  if (v == null || v.length != 5 || v[0] != 1) return <i32>DEFAULT_MAX_DUE;
  const n = load<u32>(v.dataStart + 1);
  return n == 0 ? <i32>DEFAULT_MAX_DUE : <i32>n;
}

function saveMaxDue(n: u32): void {
  const w = new Writer(5);
  w.u8(1).u32(n);
  storagePut(configKey(), w.dataStart, w.len);
}

function cw2Key(): Uint8Array {
  const s = String.UTF8.encode("contract_info");
  return Uint8Array.wrap(s);
}

function saveContractInfo(): void {
  const o = new JOut(64);
  o.ascii("{\"contract\":\"").ascii(CONTRACT_NAME).ascii("\",\"version\":\"").ascii(CONTRACT_VERSION).ascii("\"}");
  storagePut(cw2Key(), o.dataStart, o.len);
}

/** A semver's major.minor.patch (pre-release and build ignored); false when not one. */
let semver: StaticArray<u64> = [0, 0, 0];
function parseSemver(s: Uint8Array): bool {
  let part = 0;
  let v: u64 = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? <i32>s[i] : 0x2e + 1000;
    if (c >= 0x30 && c <= 0x39 && digits < 15) {
      v = v * 10 + <u64>(c - 0x30);
      digits++;
      continue;
    }
    if (digits == 0) return false;
    semver[part++] = v;
    v = 0;
    digits = 0;
    if (part == 3) return true;
    if (c != 0x2e) return false;
  }
  return false;
}

// ---------------------------------------------------------------- entry points

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  begin();
  if (!readEnv(envPtr)) return badInput("env");
  if (!readInfo(infoPtr)) return badInput("info");
  if (fundsSent) return error(ErrorCode.BadInput, "this contract accepts no funds");
  const msg = regionJson(msgPtr);
  if (msg == null || msg.kind != J_OBJ) return badInput("instantiate message");
  // { "admin"?: addr, "max_due_per_block"?: number }
  let maxDue: u64 = DEFAULT_MAX_DUE;
  let admin: Uint8Array | null = null;
  const keys = msg.keys!;
  for (let i = 0; i < keys.length; i++) {
    const k = nameString(keys[i]);
    const v = msg.items![i];
    if (k == "admin") {
      if (v.kind == 0) continue; // null: the sender
      if (v.kind != J_STR) return error(ErrorCode.BadInput, "`admin` must be an address");
      const c = canonicalize(v.str!);
      if (c == null || c.length != 20) return error(ErrorCode.BadInput, "`admin` must be the address of a 20-byte account");
      admin = c;
    } else if (k == "max_due_per_block") {
      if (v.kind == 0) continue;
      if (v.kind != 2 || v.num < 1 || v.num > MAX_MAX_DUE) return error(ErrorCode.BadInput, "`max_due_per_block` must be a number 1..100");
      maxDue = v.num;
    } else return error(ErrorCode.BadInput, "unknown field `" + k + "`");
  }
  let code: i32;
  if (admin == null) {
    const a = handlers_sender();
    code = handlers.init(a.dataStart);
  } else {
    setExtraWitness(admin); // the instantiate message names the admin (cw-plus style)
    code = handlers.init(admin.dataStart);
  }
  if (code != ErrorCode.Ok) return error(code, "instantiate");
  saveMaxDue(<u32>maxDue);
  saveContractInfo();
  return okResponse("instantiate", "");
}

import { sender as hostSender } from "../host/env";
function handlers_sender(): Uint8Array {
  return hostSender();
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  begin();
  if (!readEnv(envPtr)) return badInput("env");
  if (!readInfo(infoPtr)) return badInput("info");
  if (fundsSent) return error(ErrorCode.BadInput, "this contract accepts no funds");
  const name = messageName(msgPtr);
  if (name == null) return badInput("execute message");
  const method = findMessage(0, name);
  const action = nameString(name);
  if (method < 0) return error(ErrorCode.BadInput, "unknown execute message `" + action + "`");
  const code = run(method);
  if (code < 0) return badInput(action);
  if (code != ErrorCode.Ok) return error(code, action);
  return okResponse(action, "");
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  begin();
  if (!readEnv(envPtr)) return badInput("env");
  setSender(new Uint8Array(0)); // a query has no sender
  const name = messageName(msgPtr);
  if (name == null) return badInput("query message");
  const method = findMessage(1, name);
  const qname = nameString(name);
  if (method < 0) return error(ErrorCode.BadInput, "unknown query `" + qname + "`");
  const code = run(method);
  if (code < 0) return badInput(qname);
  if (code != ErrorCode.Ok) return error(code, qname);
  const n = outputLen();
  const result = uninitBytes(n < 0 ? 0 : n);
  if (n > 0) memory.copy(result.dataStart, outputPtr(), <usize>n);
  const json = new JOut(256);
  if (!writeJson(result, resultDesc, json)) return error(ErrorCode.CorruptState, qname);
  const o = new JOut(json.len * 4 / 3 + 16);
  o.ascii("{\"ok\":\"");
  base64(o, json.dataStart, json.len);
  o.ascii("\"}");
  return finish(o);
}

import { uninitBytes } from "../host/env";

/** `clock_end_block {}` (x/clock), `cadence_end_block {}` (x/cadence), `end_block {}`: onPersist, a bounded batch. */
export function sudo(envPtr: u32, msgPtr: u32): u32 {
  begin();
  if (!readEnv(envPtr)) return badInput("env");
  setSender(new Uint8Array(0));
  const name = messageName(msgPtr);
  if (name == null) return badInput("sudo message");
  const given = nameString(name);
  // A static string: onPersist releases the heap between features, so nothing allocated
  // before it (the message, this name) may be used after it.
  const action: string = given == "clock_end_block" ? "clock_end_block" : given == "cadence_end_block" ? "cadence_end_block" : given == "end_block" ? "end_block" : "";
  if (action.length == 0) return error(ErrorCode.BadInput, "unknown sudo message `" + given + "`");
  const args = msgArgs!;
  if (args.kind != J_OBJ || args.keys!.length != 0) return error(ErrorCode.BadInput, "`" + action + "` takes no fields");
  const limit = loadMaxDue();
  // Where the previous block's batch stopped: this one goes on from there (a feature that
  // waits for data, still due, cannot hold back those after it), and starts over from the
  // first due entry once a pass reaches the end or a feature not yet due.
  const cursor = storageGet(cursorKey());
  // Never fails because of one feature's state: a corrupt index entry or record is skipped
  // (it stays where it is; processRollout or an operator can see it), the rest go on.
  const code = steps.onPersist(Tx.at(handlersHeight(), null), limit, true, cursor != null && cursor.length > 0 && cursor.length <= 128 ? cursor : null);
  if (steps.batchFull) {
    const pos = scanPosition();
    storagePut(cursorKey(), pos.dataStart, pos.length);
  } else if (cursor != null) storageDelete(cursorKey());
  const extra = code == ErrorCode.Ok ? "" : ",{\"key\":\"skipped\",\"value\":\"" + codeName(code) + "\"}";
  return okResponse(action, extra);
}

import { blockHeight } from "../host/env";
function handlersHeight(): u32 {
  return blockHeight();
}

/** `migrate {}`: refuses another contract or a newer version; records upgrade on their next write. */
export function migrate(envPtr: u32, msgPtr: u32): u32 {
  begin();
  if (!readEnv(envPtr)) return badInput("env");
  setSender(new Uint8Array(0));
  const msg = regionJson(msgPtr);
  if (msg == null || msg.kind != J_OBJ) return badInput("migrate message");
  if (msg.keys!.length != 0) return error(ErrorCode.BadInput, "unknown field `" + nameString(msg.keys![0]) + "`");
  const stored = storageGet(cw2Key());
  if (stored != null) {
    const info = parseJson(stored.dataStart, stored.length);
    if (info == null) return error(ErrorCode.CorruptState, "contract_info does not decode");
    const c = field(info, "contract");
    const v = field(info, "version");
    if (c == null || v == null || c.kind != J_STR || v.kind != J_STR) return error(ErrorCode.CorruptState, "contract_info does not decode");
    if (nameString(c.str!) != CONTRACT_NAME) return error(ErrorCode.InvalidTransition, "cannot migrate from contract `" + nameString(c.str!) + "`");
    if (!parseSemver(v.str!)) return error(ErrorCode.CorruptState, "contract_info version is no semver");
    const a0 = semver[0], a1 = semver[1], a2 = semver[2];
    parseSemver(Uint8Array.wrap(String.UTF8.encode(CONTRACT_VERSION)));
    const newer = a0 != semver[0] ? a0 > semver[0] : a1 != semver[1] ? a1 > semver[1] : a2 > semver[2];
    if (newer) return error(ErrorCode.InvalidTransition, "downgrade refused: stored " + nameString(v.str!) + " is newer than " + CONTRACT_VERSION);
  }
  saveContractInfo();
  return okResponse("migrate", "");
}
