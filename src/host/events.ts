// The imports that collect a call's events and log lines (`emit`, `log`). A call's events
// reach its result only when it returns 0 (src/host/call.ts); its logs always do.

import { MAX_VALUE_BYTES } from "../abi/methods.ts";
import { FEES } from "../gas/fees.ts";
import { charge, HostFault, inactive, NO_EVENTS, NO_LOGS, type CallState } from "./call.ts";
import { range, view, type Copier, type KeyStrings } from "./memory.ts";

/** Host limits beyond SPEC section 7's key and value sizes. */
export const MAX_EVENT_NAME_BYTES = 128;
export const MAX_EVENT_DATA_BYTES = MAX_VALUE_BYTES;

const utf8 = new TextDecoder("utf-8");

export function eventImports(cx: CallState, copier: Copier, keys: KeyStrings) {
  return {
    emit(name: number, nameLen: number, data: number, dataLen: number): void {
      if (!cx.active) throw inactive("emit");
      if (cx.metered) charge(cx, FEES.hostCall + FEES.event + FEES.eventByte * (Math.max(nameLen, 0) + Math.max(dataLen, 0)));
      const u8 = view(cx);
      const size = u8.length;
      range("emit", "name", name, nameLen, size);
      range("emit", "data", data, dataLen, size);
      if (nameLen === 0 || nameLen > MAX_EVENT_NAME_BYTES)
        throw new HostFault(`emit: event name of ${nameLen} bytes (must be 1..${MAX_EVENT_NAME_BYTES})`);
      for (let i = name; i < name + nameLen; i++) {
        const c = u8[i]!;
        if (c < 0x21 || c > 0x7e) throw new HostFault(`emit: event name byte 0x${c.toString(16).padStart(2, "0")} at ${i - name} is not visible ASCII`);
      }
      if (dataLen > MAX_EVENT_DATA_BYTES) throw new HostFault(`emit: event data of ${dataLen} bytes exceeds ${MAX_EVENT_DATA_BYTES}`);
      if (cx.events === NO_EVENTS) cx.events = [];
      cx.events.push({ name: keys.get(cx.buf, u8, name, nameLen), data: copier.copy(cx.buffer!, u8, data, dataLen) });
    },
    log(msg: number, len: number): void {
      if (!cx.active) throw inactive("log");
      if (cx.metered) charge(cx, FEES.hostCall);
      const u8 = view(cx);
      range("log", "message", msg, len, u8.length);
      if (cx.logs === NO_LOGS) cx.logs = [];
      cx.logs.push(utf8.decode(u8.subarray(msg, msg + len)));
    },
  };
}
