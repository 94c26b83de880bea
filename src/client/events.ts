// Decoding of the contract's events (SPEC section 6): a RawEvent is an ASCII name and a Borsh
// payload; the payload's schema is chosen by the name.
//
// Two forms:
// - raw (`decodeEventPayload`): enums as numbers, accounts 0x-hex — for code.
// - display (`decodeEvent`): enums by SPEC name, accounts 0x-hex, JSON-safe — for people
//   and the replay's `--json`. `decodeEvent` never throws: an unknown name gives
//   `{name, data: null, raw}`, a known name with a bad payload `{name, data: null, raw, error}`.

import type { RawEvent } from "../host/types.ts";
import { bytesToHex, decode, toDisplay, type DisplayValue } from "./codec.ts";
import { EVENTS, isEventName, type EventName, type EventPayloads } from "./schema.ts";

export interface DecodedEvent {
  name: string;
  /** The payload in display form; null when the name is unknown or the payload did not decode. */
  data: { [field: string]: DisplayValue } | null;
  /** The payload as 0x-hex, present whenever `data` is null. */
  raw?: string;
  /** Why a known event's payload did not decode. */
  error?: string;
}

/** A known event with its payload in raw form. */
export type TypedEvent = { [E in EventName]: { name: E; data: EventPayloads[E] } }[EventName];

/** The raw-form payload of a known event. Throws DecodeError on a malformed payload, TypeError on an unknown name. */
export function decodeEventPayload<E extends EventName>(name: E, data: Uint8Array): EventPayloads[E] {
  if (!isEventName(name)) throw new TypeError(`unknown event ${JSON.stringify(name)}`);
  return decode(EVENTS[name], data, `event ${name}`) as EventPayloads[E];
}

/** A known event in raw form, or null for an unknown name. Throws DecodeError on a malformed payload. */
export function decodeTypedEvent(ev: RawEvent): TypedEvent | null {
  if (!isEventName(ev.name)) return null;
  return { name: ev.name, data: decodeEventPayload(ev.name, ev.data) } as TypedEvent;
}

/** An event in display form; never throws. */
export function decodeEvent(ev: RawEvent): DecodedEvent {
  if (!isEventName(ev.name)) return { name: ev.name, data: null, raw: bytesToHex(ev.data) };
  const schema = EVENTS[ev.name];
  try {
    const value = decode(schema, ev.data, `event ${ev.name}`);
    return { name: ev.name, data: toDisplay(schema, value) as { [field: string]: DisplayValue } };
  } catch (e) {
    return { name: ev.name, data: null, raw: bytesToHex(ev.data), error: (e as Error).message };
  }
}

export function decodeEvents(evs: readonly RawEvent[]): DecodedEvent[] {
  return evs.map(decodeEvent);
}
