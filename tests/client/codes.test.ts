import { describe, expect, it } from "vitest";
import {
  Status,
  analysisName,
  enumNames,
  overrideModeName,
  parseAnalysis,
  parseOverrideMode,
  parseReason,
  parseRole,
  parseStatus,
  reasonName,
  roleName,
  statusName,
} from "../../src/client/enums.ts";
import { ContractError, ErrorCode, errorName, parseErrorCode } from "../../src/client/errors.ts";

describe("error codes", () => {
  it("every code of SPEC section 6 has its SPEC name, both ways", () => {
    const spec = [
      "Ok", "BadInput", "NotInitialized", "AlreadyInitialized", "Unauthorized", "FeatureNotFound",
      "FeatureAlreadyExists", "InvalidName", "InvalidTransition", "InvalidPercent", "InsufficientData",
      "RolloutInProgress", "FeatureDisabled", "InvalidPolicy", "LimitExceeded", "CorruptState", "LastAdmin",
    ];
    spec.forEach((name, code) => {
      expect(errorName(code)).toBe(name);
      expect(parseErrorCode(name)).toBe(code);
    });
    expect(ErrorCode.LastAdmin).toBe(16);
  });

  it("-1 is Fault, an undefined code is Unknown(n)", () => {
    expect(errorName(-1)).toBe("Fault");
    expect(parseErrorCode("Fault")).toBe(-1);
    expect(errorName(99)).toBe("Unknown(99)");
    expect(() => parseErrorCode("badinput")).toThrow(/unknown name/);
  });

  it("ContractError carries code, codeName, method and the trap message", () => {
    const e = new ContractError("startCanary", 8);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: "ContractError", code: 8, codeName: "InvalidTransition", method: "startCanary" });
    expect(e.message).toBe("startCanary failed: InvalidTransition (8)");
    expect(e.trap).toBeUndefined();
    const t = new ContractError("enable", -1, "unreachable executed");
    expect(t).toMatchObject({ code: -1, codeName: "Fault", trap: "unreachable executed" });
    expect(t.message).toContain("unreachable executed");
  });
});

describe("enum names and parsers", () => {
  it("names follow SPEC section 2 tag order", () => {
    expect(enumNames("Status")).toEqual(["Disabled", "Canary", "RollingOut", "Enabled", "RolledBack"]);
    expect(enumNames("RollbackReason")).toEqual([
      "Manual", "ErrorRate", "InvariantViolation", "CircuitBreaker", "ConsensusFailure", "Performance", "Deadline",
    ]);
    expect(enumNames("Role")).toEqual(["Admin", "Operator", "Guardian", "Reporter"]);
    expect(statusName(2)).toBe("RollingOut");
    expect(reasonName(6)).toBe("Deadline");
    expect(roleName(1)).toBe("Operator");
    expect(overrideModeName(1)).toBe("ForceOn");
    expect(analysisName(1)).toBe("Sequential");
    expect(statusName(5)).toBe("Unknown(5)");
  });

  it("parsers take the exact SPEC name or a number 0..255, and nothing else", () => {
    expect(parseStatus("RollingOut")).toBe(Status.RollingOut);
    expect(parseRole("Operator")).toBe(1);
    expect(parseReason("ConsensusFailure")).toBe(4);
    expect(parseOverrideMode("ForceOff")).toBe(2);
    expect(parseAnalysis("Sequential")).toBe(1);
    expect(parseRole(3)).toBe(3);
    expect(parseRole(200)).toBe(200); // passed through: the contract answers BadInput
    expect(() => parseStatus("rollingout")).toThrow(/unknown name "rollingout"; expected one of Disabled, Canary/);
    expect(() => parseRole("toString")).toThrow(TypeError);
    expect(() => parseRole(256)).toThrow(TypeError);
    expect(() => parseRole(1.5)).toThrow(TypeError);
    expect(() => parseRole("1")).toThrow(TypeError);
  });
});
