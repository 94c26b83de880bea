// SPEC section 3: who may do what. init and its witness, hasRole, grant/revoke (idempotent, with
// RoleChanged events), LastAdmin, and for every mutating method of SPEC section 6 the roles
// that may call it: every other role and an outsider get Unauthorized and change nothing; a
// holder who did not sign, or a signature by someone else, does not help.

import { describe, expect, it } from "vitest";
import type { MethodName } from "../../src/abi/methods.ts";
import { encodeArgs, type RoleName } from "../../src/client/index.ts";
import {
  ADMIN,
  F,
  GUARDIAN,
  OPERATOR,
  OUTSIDER,
  REPORTER,
  TEST_POLICY,
  account,
  chainAt,
  emptyChain,
  expectRejected,
  feature,
  hexOf,
  initializedChain,
  liveRoot,
  must,
  send,
  sendRaw,
  type Fixture,
  type Start,
} from "./_lifecycle_helpers.ts";

const ROLE = { Admin: 0, Operator: 1, Guardian: 2, Reporter: 3 } as const;
const HOLDER: Record<Exclude<RoleName, "Admin">, Uint8Array> = { Operator: OPERATOR, Guardian: GUARDIAN, Reporter: REPORTER };
const NEWCOMER = account(0x42);

const roleChanged = (role: number, acct: Uint8Array, granted: boolean) => ({
  name: "RoleChanged",
  data: { role, account: hexOf(acct), granted },
});

describe("SPEC 3 init", () => {
  it("makes the admin Admin, with a RoleChanged event, when signed by the admin", () => {
    const fx = emptyChain();
    const r = send(fx, "init", { admin: ADMIN }, ADMIN);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([roleChanged(ROLE.Admin, ADMIN, true)]);
    for (const role of [0, 1, 2, 3]) expect(fx.client.hasRole(role, ADMIN)).toBe(true);
  });

  it("needs the admin's witness: signed by someone else, or by nobody → Unauthorized, nothing written", () => {
    const fx = emptyChain();
    const empty = liveRoot(fx);
    for (const signer of [OUTSIDER, { sender: ADMIN, witnesses: [] }, { sender: ADMIN, witnesses: [OUTSIDER] }]) {
      const r = send(fx, "init", { admin: ADMIN }, signer);
      expect(r.codeName).toBe("Unauthorized");
      expect(r.events).toEqual([]);
      expect(liveRoot(fx)).toBe(empty);
    }
    // Still not initialized: init can run now.
    expect(send(fx, "getGlobal", {}, OUTSIDER).codeName).toBe("NotInitialized");
  });

  it("the admin's witness is what counts, not who sends: sent by an outsider, witnessed by the admin, the admin (only) becomes Admin", () => {
    const fx = emptyChain();
    const r = send(fx, "init", { admin: ADMIN }, { sender: OUTSIDER, witnesses: [ADMIN] });
    expect(r.codeName).toBe("Ok");
    expect(fx.client.hasRole("Admin", ADMIN)).toBe(true);
    expect(fx.client.hasRole("Admin", OUTSIDER)).toBe(false);
  });

  it("runs once: a second init → AlreadyInitialized, nothing changes (same admin or another)", () => {
    const fx = initializedChain();
    expectRejected(fx, "AlreadyInitialized", () => send(fx, "init", { admin: ADMIN }, ADMIN));
    expectRejected(fx, "AlreadyInitialized", () => send(fx, "init", { admin: OUTSIDER }, OUTSIDER));
    expect(fx.client.hasRole("Admin", OUTSIDER)).toBe(false);
  });

  it("a second init without the named admin's witness: Unauthorized comes before the rest (SPEC 6 precedence)", () => {
    const fx = initializedChain();
    expectRejected(fx, "Unauthorized", () => send(fx, "init", { admin: OUTSIDER }, { sender: OUTSIDER, witnesses: [] }));
  });
});

describe("SPEC 3 hasRole: true when the account holds the role or Admin", () => {
  it("the fixture's holders, the admin and an outsider", () => {
    const fx = initializedChain();
    const table: [Uint8Array, boolean[]][] = [
      [ADMIN, [true, true, true, true]],
      [OPERATOR, [false, true, false, false]],
      [GUARDIAN, [false, false, true, false]],
      [REPORTER, [false, false, false, true]],
      [OUTSIDER, [false, false, false, false]],
    ];
    for (const [acct, want] of table) {
      expect([0, 1, 2, 3].map((r) => fx.client.hasRole(r, acct)), hexOf(acct)).toEqual(want);
    }
  });

  it("several roles on one account; an Admin grant makes every role true", () => {
    const fx = initializedChain();
    must(fx.client.grantRole(ADMIN, "Guardian", OPERATOR));
    expect([0, 1, 2, 3].map((r) => fx.client.hasRole(r, OPERATOR))).toEqual([false, true, true, false]);
    must(fx.client.grantRole(ADMIN, "Admin", REPORTER));
    expect([0, 1, 2, 3].map((r) => fx.client.hasRole(r, REPORTER))).toEqual([true, true, true, true]);
  });
});

describe("SPEC 3 grantRole / revokeRole", () => {
  for (const [name, role] of Object.entries(ROLE)) {
    it(`granting ${name} emits RoleChanged{granted: true}; revoking emits RoleChanged{granted: false}`, () => {
      const fx = initializedChain();
      const g = send(fx, "grantRole", { role, account: NEWCOMER }, ADMIN);
      expect(g.codeName).toBe("Ok");
      expect(g.events).toEqual([roleChanged(role, NEWCOMER, true)]);
      expect(fx.client.hasRole(role, NEWCOMER)).toBe(true);
      const v = send(fx, "revokeRole", { role, account: NEWCOMER }, ADMIN);
      expect(v.codeName).toBe("Ok");
      expect(v.events).toEqual([roleChanged(role, NEWCOMER, false)]);
      expect(fx.client.hasRole(role, NEWCOMER)).toBe(false);
    });
  }

  it.each([
    ["granting a role already held", "grantRole", [[OPERATOR, 1], [GUARDIAN, 2], [REPORTER, 3], [ADMIN, 0]]],
    ["revoking a role not held", "revokeRole", [[OPERATOR, 2], [GUARDIAN, 3], [REPORTER, 0], [OUTSIDER, 1], [OUTSIDER, 0]]],
  ] as const)("%s succeeds with no event and no state change", (_, method, pairs) => {
    const fx = initializedChain();
    for (const [acct, role] of pairs) {
      const before = liveRoot(fx);
      const r = send(fx, method, { role, account: acct }, ADMIN);
      expect(r.codeName).toBe("Ok");
      expect(r.events).toEqual([]);
      expect(liveRoot(fx)).toBe(before);
    }
  });

  it("roles are explicit bits (DESIGN): granting Operator to an Admin is a change, kept when Admin goes", () => {
    const fx = initializedChain();
    must(fx.client.grantRole(ADMIN, "Admin", NEWCOMER));
    expect(fx.client.hasRole("Operator", NEWCOMER)).toBe(true); // through Admin
    const before = liveRoot(fx);
    const r = send(fx, "grantRole", { role: ROLE.Operator, account: NEWCOMER }, ADMIN);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([roleChanged(ROLE.Operator, NEWCOMER, true)]);
    expect(liveRoot(fx)).not.toBe(before);
    must(fx.client.revokeRole(ADMIN, "Admin", NEWCOMER));
    expect([0, 1, 2, 3].map((role) => fx.client.hasRole(role, NEWCOMER))).toEqual([false, true, false, false]);
  });

  it("revoking the last role of an account leaves it with none (hasRole false everywhere)", () => {
    const fx = initializedChain();
    must(fx.client.revokeRole(ADMIN, "Reporter", REPORTER));
    expect([0, 1, 2, 3].map((role) => fx.client.hasRole(role, REPORTER))).toEqual([false, false, false, false]);
  });

  it("a revoked role stops working at once", () => {
    const fx = chainAt("Disabled");
    must(fx.client.revokeRole(ADMIN, "Operator", OPERATOR));
    expectRejected(fx, "Unauthorized", () => send(fx, "startCanary", { name: F, bps: 100 }, OPERATOR));
  });

  it("grant and revoke need Admin: every other role and an outsider → Unauthorized, nothing changes", () => {
    const fx = initializedChain();
    for (const who of [OPERATOR, GUARDIAN, REPORTER, OUTSIDER]) {
      expectRejected(fx, "Unauthorized", () => send(fx, "grantRole", { role: 1, account: who }, who));
      expectRejected(fx, "Unauthorized", () => send(fx, "grantRole", { role: 0, account: who }, who));
      expectRejected(fx, "Unauthorized", () => send(fx, "revokeRole", { role: 0, account: ADMIN }, who));
      expectRejected(fx, "Unauthorized", () => send(fx, "revokeRole", { role: 2, account: GUARDIAN }, who));
    }
  });
});

describe("SPEC 3 LastAdmin", () => {
  it("the only admin cannot be revoked, not even by itself", () => {
    const fx = initializedChain();
    expectRejected(fx, "LastAdmin", () => send(fx, "revokeRole", { role: 0, account: ADMIN }, ADMIN));
    expect(fx.client.hasRole("Admin", ADMIN)).toBe(true);
  });

  it("with a second admin one can go; then the remaining one is the last", () => {
    const fx = initializedChain();
    must(fx.client.grantRole(ADMIN, "Admin", NEWCOMER));
    const r = send(fx, "revokeRole", { role: 0, account: ADMIN }, NEWCOMER);
    expect(r.codeName).toBe("Ok");
    expect(r.events).toEqual([roleChanged(0, ADMIN, false)]);
    expect(fx.client.hasRole("Admin", ADMIN)).toBe(false);
    expectRejected(fx, "LastAdmin", () => send(fx, "revokeRole", { role: 0, account: NEWCOMER }, NEWCOMER));
    // The revoked admin is no admin any more.
    expectRejected(fx, "Unauthorized", () => send(fx, "grantRole", { role: 0, account: ADMIN }, ADMIN));
  });

  it("an admin may revoke itself while another admin remains; the count follows grants that change nothing", () => {
    const fx = initializedChain();
    must(fx.client.grantRole(ADMIN, "Admin", NEWCOMER));
    must(fx.client.grantRole(ADMIN, "Admin", NEWCOMER)); // held: no change, the count stays 2
    must(fx.client.revokeRole(ADMIN, "Admin", ADMIN));
    expectRejected(fx, "LastAdmin", () => send(fx, "revokeRole", { role: 0, account: NEWCOMER }, NEWCOMER));
  });

  it("revoking a non-Admin role from the only admin is no LastAdmin matter (not held: ok, nothing changes)", () => {
    const fx = initializedChain();
    const before = liveRoot(fx);
    expect(send(fx, "revokeRole", { role: 1, account: ADMIN }, ADMIN).codeName).toBe("Ok");
    expect(liveRoot(fx)).toBe(before);
  });
});

// ---------------------------------------------------------------- the role table of SPEC section 6

interface Guarded {
  method: MethodName;
  roles: RoleName[];
  start: Start;
  args: unknown;
}

const GUARDED: Guarded[] = [
  { method: "grantRole", roles: ["Admin"], start: "Disabled", args: { role: 2, account: NEWCOMER } },
  { method: "revokeRole", roles: ["Admin"], start: "Disabled", args: { role: 2, account: GUARDIAN } },
  { method: "createFeature", roles: ["Operator"], start: "Disabled", args: { name: "other", description: "", policy: null } },
  { method: "updatePolicy", roles: ["Operator"], start: "Canary", args: { name: F, policy: { ...TEST_POLICY, incrementBlocks: 77 } } },
  { method: "startCanary", roles: ["Operator"], start: "Disabled", args: { name: F, bps: 100 } },
  { method: "startRollout", roles: ["Operator"], start: "Canary", args: { name: F, targetBps: 5000 } },
  { method: "enable", roles: ["Operator"], start: "Canary", args: { name: F } },
  { method: "disable", roles: ["Operator"], start: "Canary", args: { name: F } },
  { method: "pause", roles: ["Operator", "Guardian"], start: "RollingOut", args: { name: F } },
  { method: "resume", roles: ["Operator", "Guardian"], start: "RollingOutPaused", args: { name: F } },
  { method: "rollback", roles: ["Operator", "Guardian"], start: "Enabled", args: { name: F, reason: 0 } },
  { method: "setOverride", roles: ["Operator"], start: "Canary", args: { name: F, account: NEWCOMER, mode: 1 } },
  { method: "setGlobal", roles: ["Guardian"], start: "Canary", args: { paused: true, halted: true } },
  { method: "recordSuccess", roles: ["Reporter"], start: "Canary", args: { name: F } },
  { method: "recordError", roles: ["Reporter"], start: "Canary", args: { name: F } },
  { method: "recordBatch", roles: ["Reporter"], start: "Canary", args: { name: F, successes: 1, errors: 0 } },
  { method: "recordCohorts", roles: ["Reporter"], start: "Canary", args: { name: F, canarySuccesses: 1, canaryErrors: 0, baseSuccesses: 1, baseErrors: 0 } },
  { method: "recordLatency", roles: ["Reporter"], start: "Canary", args: { name: F, value: 7 } },
  { method: "recordInvariant", roles: ["Reporter"], start: "Canary", args: { name: F, ok: true } },
  { method: "reportIncident", roles: ["Reporter", "Guardian"], start: "Canary", args: { name: F, reason: 3 } },
];

const NON_ADMIN_ROLES = ["Operator", "Guardian", "Reporter"] as const;
const run = (fx: Fixture, g: Guarded, signer: Parameters<typeof sendRaw>[3]) =>
  sendRaw(fx, g.method, encodeArgs(g.method, g.args as never), signer);

describe("SPEC 6 role table: every mutating method, every role", () => {
  for (const g of GUARDED) {
    describe(`${g.method} (${g.roles.join(" or ")})`, () => {
      const allowed = new Set<RoleName>(["Admin", ...g.roles]);
      for (const role of allowed) {
        it(`${role} may call it`, () => {
          const fx = chainAt(g.start);
          const who = role === "Admin" ? ADMIN : HOLDER[role];
          expect(run(fx, g, who).codeName).toBe("Ok");
        });
      }
      for (const role of NON_ADMIN_ROLES.filter((r) => !allowed.has(r))) {
        it(`a ${role} → Unauthorized, nothing changes`, () => {
          const fx = chainAt(g.start);
          expectRejected(fx, "Unauthorized", () => run(fx, g, HOLDER[role]), [F, "other"]);
        });
      }
      it("an outsider → Unauthorized, nothing changes", () => {
        const fx = chainAt(g.start);
        expectRejected(fx, "Unauthorized", () => run(fx, g, OUTSIDER), [F, "other"]);
      });
      it("a holder of the role who did not sign (witnesses: []) → Unauthorized", () => {
        const fx = chainAt(g.start);
        const holder = g.roles[0] === "Admin" ? ADMIN : HOLDER[g.roles[0] as keyof typeof HOLDER];
        expectRejected(fx, "Unauthorized", () => run(fx, g, { sender: holder, witnesses: [] }), [F, "other"]);
        expectRejected(fx, "Unauthorized", () => run(fx, g, { sender: ADMIN, witnesses: [] }), [F, "other"]);
      });
      it("a witness that is not the sender does not help (either way round)", () => {
        const fx = chainAt(g.start);
        const holder = g.roles[0] === "Admin" ? ADMIN : HOLDER[g.roles[0] as keyof typeof HOLDER];
        // An outsider sends, the holder (and the admin) signed: the sender holds nothing.
        expectRejected(fx, "Unauthorized", () => run(fx, g, { sender: OUTSIDER, witnesses: [holder, ADMIN] }), [F, "other"]);
        // The holder sends, only others signed: the sender did not sign.
        expectRejected(fx, "Unauthorized", () => run(fx, g, { sender: holder, witnesses: [OUTSIDER, account(0x99)] }), [F, "other"]);
      });
    });
  }

  it("processRollout is open to anyone, even unsigned", () => {
    const fx = chainAt("RollingOut");
    expect(send(fx, "processRollout", { name: F }, { sender: OUTSIDER, witnesses: [] }).codeName).toBe("Ok");
    expect(send(fx, "processRollout", { name: F }, OUTSIDER).codeName).toBe("Ok");
  });

  it("views need no role and no signature", () => {
    const fx = chainAt("Canary");
    for (const [m, a] of [
      ["getFeature", { name: F }],
      ["hasRole", { role: 0, account: ADMIN }],
      ["getGlobal", {}],
      ["isEnabled", { name: F, account: OUTSIDER }],
    ] as const) {
      expect(sendRaw(fx, m, encodeArgs(m, a as never), { sender: OUTSIDER, witnesses: [] }).codeName).toBe("Ok");
    }
  });
});

describe("SPEC 3 health reports come only from Reporters", () => {
  it("an outsider's successes are refused: they cannot unlock a rollout", () => {
    const fx = chainAt("Disabled");
    must(fx.client.startCanary(OPERATOR, F, 100));
    for (let i = 0; i < 5; i++) {
      expectRejected(fx, "Unauthorized", () => send(fx, "recordSuccess", { name: F }, OUTSIDER));
      expectRejected(fx, "Unauthorized", () => send(fx, "recordBatch", { name: F, successes: 1000, errors: 0 }, OUTSIDER));
    }
    expect(feature(fx).windowSuccesses).toBe(0n);
    expectRejected(fx, "InsufficientData", () => send(fx, "startRollout", { name: F, targetBps: 5000 }, OPERATOR));
  });

  it("an outsider's errors are refused: they cannot force a rollback", () => {
    const fx = chainAt("Canary");
    for (let i = 0; i < 5; i++) {
      expectRejected(fx, "Unauthorized", () => send(fx, "recordError", { name: F }, OUTSIDER));
      expectRejected(fx, "Unauthorized", () => send(fx, "recordInvariant", { name: F, ok: false }, OUTSIDER));
      expectRejected(fx, "Unauthorized", () => send(fx, "reportIncident", { name: F, reason: 3 }, OUTSIDER));
    }
    expect(feature(fx)).toMatchObject({ status: 1, windowErrors: 0n });
  });

  it("Operators and Guardians cannot report outcomes either (only reportIncident is open to Guardians)", () => {
    const fx = chainAt("Canary");
    for (const who of [OPERATOR, GUARDIAN]) {
      expectRejected(fx, "Unauthorized", () => send(fx, "recordError", { name: F }, who));
      expectRejected(fx, "Unauthorized", () => send(fx, "recordSuccess", { name: F }, who));
    }
    expectRejected(fx, "Unauthorized", () => send(fx, "reportIncident", { name: F, reason: 4 }, OPERATOR));
  });

  it("the same errors from a Reporter do roll back (the control)", () => {
    const fx = chainAt("Canary");
    must(fx.client.recordBatch(REPORTER, F, 0, 5));
    expect(feature(fx)).toMatchObject({ status: 4, rollbackReason: 1 });
  });
});
