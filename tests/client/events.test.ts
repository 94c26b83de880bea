import { describe, expect, it } from "vitest";
import { bytesToHex } from "../../src/client/codec.ts";
import { decodeEvent, decodeEventPayload, decodeEvents, decodeTypedEvent } from "../../src/client/events.ts";
import { EVENT_NAMES, encodeEvent } from "../../src/client/schema.ts";

import { hx } from "../helpers/bytes.ts";
const ACC_HEX = "000102030405060708090a0b0c0d0e0f10111213";
const ACC = "0x" + ACC_HEX;
const NAME_F = "01000000 66"; // String "f"

// One hand-built payload per event of SPEC section 6, with its expected display form.
const CASES: { name: string; hex: string; display: Record<string, unknown>; raw: Record<string, unknown> }[] = [
  {
    name: "FeatureCreated",
    hex: `${NAME_F} ${ACC_HEX}`,
    display: { name: "f", createdBy: ACC },
    raw: { name: "f", createdBy: ACC },
  },
  {
    name: "StatusChanged",
    hex: `${NAME_F} 02 04 3412 01 01`,
    display: { name: "f", from: "RollingOut", to: "RolledBack", rolloutBps: 0x1234, reason: "ErrorRate" },
    raw: { name: "f", from: 2, to: 4, rolloutBps: 0x1234, reason: 1 },
  },
  {
    name: "RolloutAdvanced",
    hex: `${NAME_F} f401 e803`,
    display: { name: "f", fromBps: 500, toBps: 1000 },
    raw: { name: "f", fromBps: 500, toBps: 1000 },
  },
  {
    name: "PolicyUpdated",
    hex: "04000000 c3a9c3a9",
    display: { name: "éé" },
    raw: { name: "éé" },
  },
  {
    name: "OverrideSet",
    hex: `${NAME_F} ${ACC_HEX} 02`,
    display: { name: "f", account: ACC, mode: "ForceOff" },
    raw: { name: "f", account: ACC, mode: 2 },
  },
  {
    name: "RoleChanged",
    hex: `03 ${ACC_HEX} 00`,
    display: { role: "Reporter", account: ACC, granted: false },
    raw: { role: 3, account: ACC, granted: false },
  },
  {
    name: "GlobalChanged",
    hex: "00 01",
    display: { paused: false, halted: true },
    raw: { paused: false, halted: true },
  },
  {
    name: "PauseChanged",
    hex: `${NAME_F} 01`,
    display: { name: "f", paused: true },
    raw: { name: "f", paused: true },
  },
];

describe("events", () => {
  it("the client knows exactly the eight events of SPEC section 6", () => {
    expect([...EVENT_NAMES].sort()).toEqual(CASES.map((c) => c.name).sort());
  });

  for (const c of CASES) {
    it(`${c.name} decodes a hand-built payload: enums by name and accounts 0x-hex in display form`, () => {
      const ev = { name: c.name, data: hx(c.hex) };
      expect(decodeEvent(ev)).toEqual({ name: c.name, data: c.display });
      expect(decodeEventPayload(c.name as never, ev.data)).toEqual(c.raw);
      expect(decodeTypedEvent(ev)).toEqual({ name: c.name, data: c.raw });
      // And the schema writes the same bytes back.
      expect(bytesToHex(encodeEvent(c.name as never, c.raw))).toBe(bytesToHex(ev.data));
    });
  }

  it("StatusChanged with no reason displays reason null", () => {
    const d = decodeEvent({ name: "StatusChanged", data: hx(`${NAME_F} 00 01 f401 00`) });
    expect(d.data).toEqual({ name: "f", from: "Disabled", to: "Canary", rolloutBps: 500, reason: null });
  });

  it("an unknown event name gives data null and the payload as hex", () => {
    expect(decodeEvent({ name: "Mystery", data: hx("dead beef") })).toEqual({ name: "Mystery", data: null, raw: "0xdeadbeef" });
    expect(decodeTypedEvent({ name: "Mystery", data: hx("00") })).toBeNull();
  });

  it("a known event with a malformed payload gives data null, the hex and the reason; it does not throw", () => {
    const d = decodeEvent({ name: "GlobalChanged", data: hx("00 01 00") });
    expect(d).toMatchObject({ name: "GlobalChanged", data: null, raw: "0x000100" });
    expect(d.error).toMatch(/trailing/);
    expect(decodeEvent({ name: "PauseChanged", data: hx(`${NAME_F} 02`) }).data).toBeNull();
    expect(() => decodeEventPayload("GlobalChanged", hx("00"))).toThrow();
  });

  it("an enum tag the SPEC does not define displays as Unknown(n)", () => {
    expect(decodeEvent({ name: "RoleChanged", data: hx(`07 ${ACC_HEX} 01`) }).data).toEqual({ role: "Unknown(7)", account: ACC, granted: true });
  });

  it("decodeEvents keeps order", () => {
    const evs = decodeEvents([
      { name: "PolicyUpdated", data: hx(NAME_F) },
      { name: "GlobalChanged", data: hx("01 00") },
    ]);
    expect(evs.map((e) => e.name)).toEqual(["PolicyUpdated", "GlobalChanged"]);
  });
});
