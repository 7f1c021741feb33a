import { suite } from "uvu";
import * as assert from "uvu/assert";
import { OK } from "../src/core/errors.js";
import { BootRecord } from "../src/core/record.js";
import { BOOT_CONFIRMED, BOOT_TRIAL, type BootChoice, type BootOptions, decideBoot } from "../src/boot/decide.js";
import { verifySlot } from "../src/boot/verify.js";
import { onTrial } from "../src/core/state.js";
import { Session, type SessionEnv } from "../src/core/session.js";
import { openRecord } from "../src/core/open.js";
import { confirmedSlot } from "../src/core/state.js";
import type { Flash } from "../src/hal/flash.js";
import type { Layout } from "../src/core/layout.js";
import { sweep } from "../src/powercut/sweep.js";

const t = suite("sweep");
const BOARDS = ["puckjs", "stm32-test"];

/** A session that marks the slot pending as soon as it is erased, before any byte is verified. */
class MarkEarly extends Session {
  private rec_: BootRecord;
  private trials_: number;
  constructor(o: SessionEnv, chunkMax: number) {
    super(o, chunkMax);
    this.rec_ = openRecord(o);
    this.trials_ = o.layout.maxTrials;
  }
  start(): number {
    const r = super.start();
    if (r !== OK) return r;
    const b = this.rec_.read();
    this.rec_.write(b, { confirmed: confirmedSlot(b), pending: this.slot, maxTrials: this.trials_, flags: 0 });
    return r;
  }
}

/** The flash the code under test sees, with one operation replaced. */
function wrap(f: Flash, o: { write?: Flash["write"]; eraseBlock?: Flash["eraseBlock"] }): Flash {
  return {
    status: () => f.status(), block: (a) => f.block(a), read: (n, a) => f.read(n, a),
    write: o.write || ((b, a) => f.write(b, a)), eraseBlock: o.eraseBlock || ((s, e) => f.eraseBlock(s, e)),
  };
}

/** When a slot is erased, also erases the first block of the other one (the running image). */
const eraseBoth = (f: Flash, layout: Layout) => wrap(f, {
  eraseBlock: (s, e) => {
    const i = layout.slots.findIndex((x) => s >= x.address && s < x.address + x.size);
    if (i >= 0) {
      const other = f.block(layout.slots[1 - i].address);
      f.eraseBlock(other.start, other.start + other.length);
    }
    f.eraseBlock(s, e);
  },
});

/** A record update that erases both banks before writing: a cut in between leaves no record. */
const eraseBothBanks = (f: Flash, layout: Layout) => wrap(f, {
  eraseBlock: (s, e) => {
    for (const b of layout.banks) if (s === b) for (const o of layout.banks) if (o !== b) f.eraseBlock(o, o + f.block(o).length);
    f.eraseBlock(s, e);
  },
});

/** A boot decision that starts a pending image on trial without counting the trial (the stub's old fault). */
const forgetTrials = (o: BootOptions): BootChoice => {
  const s = new BootRecord({ flash: o.flash, crc32: o.digest.crc32, banks: o.layout.banks }).read();
  const v = onTrial(s) ? verifySlot(o.flash, o.digest, o.layout.slots[s.pending], o.layout.board) : undefined;
  return v && v.code === OK ? { slot: s.pending, reason: BOOT_TRIAL, info: v.info, state: s } : decideBoot(o);
};

t("a short sweep over nRF52 pages and STM32 sectors finds nothing bricked or lost", () => {
  const r = sweep({ boards: BOARDS, quick: 16, seed: 1 });
  assert.ok(r.cuts >= 300, "ran " + r.cuts + " cuts");
  assert.equal(r.failures, []);
  assert.is(r.bricked, 0);
  assert.is(r.lost, 0);
  for (const tg of r.targets) for (const s of ["update", "update-back", "rollback", "confirm"]) assert.ok(tg.ops[s] > 0, tg.name + " " + s);
});

t("flash that erases to 0x00 survives the same cuts", () => {
  const r = sweep({ boards: ["puckjs:00"], quick: 6, seed: 2 });
  assert.equal([r.bricked, r.lost], [0, 0]);
  assert.ok(r.cuts > 60);
});

t("the same seed gives the same sweep", () => {
  const a = sweep({ boards: ["stm32-test"], quick: 4, seed: 7 });
  const b = sweep({ boards: ["stm32-test"], quick: 4, seed: 7 });
  assert.equal([a.cuts, a.targets[0].ops], [b.cuts, b.targets[0].ops]);
});

t("a session that marks pending before the image is written and verified is caught", () => {
  const r = sweep({ boards: BOARDS, scenarios: ["update"], quick: 8, seed: 1, hooks: { session: (o, n) => new MarkEarly(o, n) } });
  assert.ok(r.bricked > 0, "bricked " + r.bricked);
  assert.ok(r.failures.some((f) => /marked pending without a complete image/.test(f.what)), r.failures[0] && r.failures[0].what);
});

t("a flash that wipes the running slot while staging is caught as lost, even without a cut", () => {
  const r = sweep({ boards: BOARDS, scenarios: ["update"], quick: 4, seed: 1, hooks: { flash: eraseBoth } });
  assert.ok(r.lost > 0);
  assert.ok(r.failures.some((f) => f.cuts === "no cut" && f.kind === "lost"));
  assert.ok(r.failures.some((f) => f.all.some((w) => /stray: .* in the running slot/.test(w))));
});

t("a record update that is not two-bank safe is caught by a cut between its erases", () => {
  const r = sweep({ boards: ["puckjs"], scenarios: ["update"], seed: 1, hooks: { flash: eraseBothBanks } });
  assert.ok(r.bricked > 0);
  assert.ok(r.failures.some((f) => /no boot-record bank decodes|scanning/.test(f.what)), r.failures[0] && r.failures[0].what);
});

t("a trial that is never counted is caught: the bad image would boot forever", () => {
  const r = sweep({ boards: ["puckjs"], scenarios: ["rollback"], quick: 2, seed: 1, hooks: { boot: forgetTrials } });
  assert.ok(r.failures.some((f) => f.cuts === "no cut" && /started on trial 4 times/.test(f.what)), r.failures[0] && r.failures[0].what);
});

t("starts are judged by the image that ran, not the stub's label: right decisions with wrong reasons pass", () => {
  const mislabel = (o: BootOptions): BootChoice => ({ ...decideBoot(o), reason: BOOT_CONFIRMED });
  const r = sweep({ boards: ["puckjs"], scenarios: ["update", "rollback"], quick: 4, seed: 1, hooks: { boot: mislabel } });
  assert.equal(r.failures, []);
});

t("the harsher flash models and the new scenarios run clean: ECC locks, random-bit tears, pre-programming erase, 8/16/32-byte writes", () => {
  const r = sweep({ boards: ["puckjs:ecc", "linux:bits:a16", "stm32-test:pre", "puckjs:a32:00"], quick: 4, seed: 3 });
  assert.equal(r.failures, []);
  for (const tg of r.targets) for (const s of ["no-record", "after-rollback", "seq-wrap"]) assert.ok(tg.ops[s] > 0, tg.name + " " + s);
});

t("Storage scenarios: the application's own files compacting around the OTA files, and reset()/load() at every power-up and mid-update", () => {
  const r = sweep({ boards: ["linux"], scenarios: ["app-files", "soft-reset"], quick: 24, seed: 5 });
  assert.equal(r.failures, []);
  assert.ok(r.targets[0].ops["app-files"] > r.targets[0].ops["soft-reset"], "the application's writes and compactions are swept too");
  // Cuts in the application's Storage writes do make Espruino wipe Storage; they are counted apart, never as ours.
  assert.ok(r.wiped > 0, "wiped " + r.wiped);
});

t.run();
