import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_FALLBACK, BOOT_NONE, BOOT_ROLLBACK, BOOT_TRIAL, trialReason } from "../src/boot/decide.js";
import { confirmRunning } from "../src/boot/confirm.js";
import { E_TRIAL_ACTIVE, OK } from "../src/core/errors.js";
import { BootRecord, FLAG_CRC0, FLAG_ROLLED_BACK } from "../src/core/record.js";
import { boardStorage } from "../src/board/files.js";
import { espruinoVM } from "../src/testbench/espruino-vm.js";
import { NO_SLOT } from "../src/core/layout.js";
import type { Flash } from "../src/hal/flash.js";
import { crc32, hostDigest } from "../src/platform/host/digest.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { FlashFault } from "../src/platform/host/power.js";
import { decideBoot } from "../src/boot/decide.js";
import { factory, image, powerOn, rig, session, update, type Rig } from "./support/rig.js";

/* Issue 12's four holes in the boot path (the lost NCP answer is in ncp-*.test.ts). */
const t = suite("never stuck");

/** Factory v1 in slot 0, v2 staged into slot 1 and marked pending; flash as given. */
function staged(o: { strict?: boolean; ecc?: boolean } = {}): Rig {
  const r = rig("linux", o.strict !== false);
  if (o.ecc) {
    r.flash = new NorFlash({ geometry: r.board.geometry, strict: o.strict !== false, model: { ecc: true } });
    r.record = new BootRecord({ flash: r.flash, crc32: crc32, banks: r.board.layout.banks });
  }
  factory(r, "1.0.0");
  update(session(r, powerOn(r)), image(r.board, "2.0.0"));
  return r;
}

/** Address of unit k of the record now in charge (0 = confirm unit, 1..N = trial units). */
function unit(r: Rig, k: number): number {
  return r.board.layout.banks[r.record.read().bank] + 28 + 4 * k;
}

const off = (r: Rig, a: number) => a - r.board.geometry.base;
const confirm = (r: Rig, running: number) =>
  confirmRunning({ flash: r.flash, digest: hostDigest(r.flash), layout: r.board.layout, running: running });

/** Powers on until the pending image is no longer started on trial; the trial starts seen. */
function trialsUntilRollback(r: Rig): number {
  let trials = 0;
  for (let i = 0; i < 20; i++) {
    const b = powerOn(r);
    if (b.reason !== BOOT_TRIAL) {
      assert.is(b.reason, BOOT_ROLLBACK, "ends in a rollback");
      assert.is(b.slot, 0);
      return trials;
    }
    trials++;
  }
  throw new Error("never rolled back");
}

t("hole 1: a flipped bit in a later trial unit, strict flash: the stub counts the first erased unit and never throws", () => {
  const r = staged();
  r.flash.data[off(r, unit(r, 2))] ^= 0x10;
  // The flipped unit already counts as spent: N - 1 trial starts are left.
  assert.is(trialsUntilRollback(r), r.board.layout.maxTrials - 1);
  assert.is(powerOn(r).reason, BOOT_CONFIRMED);
});

t("hole 1: the same on flash that allows programming twice: the trial count still advances, so it rolls back", () => {
  const r = staged({ strict: false });
  r.flash.data[off(r, unit(r, 2))] ^= 0x10;
  assert.is(trialsUntilRollback(r), r.board.layout.maxTrials - 1);
});

t("hole 2: a trial unit that reads erased but refuses a program (ECC): the trials left move to a new record", () => {
  const r = staged({ ecc: true });
  r.flash.lock(unit(r, 1));
  const bank = r.record.read().bank;
  const b = powerOn(r);
  assert.is(b.reason, BOOT_TRIAL);
  const s = r.record.read();
  assert.is(s.bank, 1 - bank, "a new record in the other bank");
  assert.is(s.pending, 1);
  assert.equal([s.maxTrials, s.trialsUsed], [r.board.layout.maxTrials, 1], "the trials left carried over, this start counted in the new record");
  // Exactly N trial starts in all, then back.
  assert.is(trialsUntilRollback(r), r.board.layout.maxTrials - 1);
});

t("hole 2: a confirm unit that reads erased but refuses a program: confirm() writes a record naming the image confirmed", () => {
  const r = staged({ ecc: true });
  assert.is(powerOn(r).reason, BOOT_TRIAL);
  r.flash.lock(unit(r, 0));
  assert.ok(confirm(r, 1));
  const s = r.record.read();
  assert.is(s.confirmed, 1);
  assert.is(s.pending, NO_SLOT);
  const b = powerOn(r);
  assert.is(b.slot, 1);
  assert.is(b.reason, BOOT_CONFIRMED);
});

t("the decision never throws: flash that refuses every write still starts the confirmed image", () => {
  const r = staged();
  const f = r.flash;
  const refusing: Flash = {
    status: () => f.status(), block: (a) => f.block(a), read: (n, a) => f.read(n, a),
    write: () => { throw new FlashFault("refused"); }, eraseBlock: () => { throw new FlashFault("refused"); },
  };
  for (let i = 0; i < 5; i++) {
    const b = decideBoot({ flash: refusing, digest: hostDigest(refusing), layout: r.board.layout });
    assert.is(b.slot, 0, "the confirmed image, as the pending one cannot be counted");
  }
});

/** v2 confirmed in slot 1, a v3 that never confirmed rolled back in slot 0; then v2 rots. */
function rotten(): Rig {
  const r = staged();
  assert.is(powerOn(r).slot, 1);
  assert.ok(confirm(r, 1));
  update(session(r, powerOn(r)), image(r.board, "3.0.0"));
  assert.is(trialsUntilRollbackFrom(r, 1), r.board.layout.maxTrials);
  assert.is(r.record.read().flags & FLAG_ROLLED_BACK, FLAG_ROLLED_BACK);
  r.flash.data[off(r, r.board.layout.slots[1].address) + 700] ^= 0x04;
  return r;
}

function trialsUntilRollbackFrom(r: Rig, back: number): number {
  let n = 0;
  for (let b = powerOn(r); b.reason === BOOT_TRIAL; b = powerOn(r)) n++;
  assert.is(r.record.read().confirmed, back);
  return n;
}

t("hole 3: the confirmed image rots: the other image runs on trial, confirms, and an update restores a confirmed image", () => {
  const r = rotten();
  const b = powerOn(r);
  assert.is(b.slot, 0);
  assert.is(b.reason, BOOT_FALLBACK);
  assert.ok(trialReason(b.reason), "the stub's trial timeout covers it");
  assert.is(session(r, b).offer({ size: 4000, type: "", version: "" }), E_TRIAL_ACTIVE, "no update before it confirms");
  assert.ok(confirm(r, 0));
  const c = powerOn(r);
  assert.is(c.slot, 0);
  assert.is(c.reason, BOOT_CONFIRMED);
  // The update into the rotten slot: the record names the running slot before anything is erased.
  const s = session(r, c);
  assert.is(s.offer({ size: image(r.board, "4.0.0").length, type: "", version: "" }), OK);
  update(session(r, c), image(r.board, "4.0.0"));
  const d = powerOn(r);
  assert.is(d.slot, 1);
  assert.is(d.info!.version, "4.0.0");
  assert.ok(confirm(r, 1));
  assert.is(powerOn(r).reason, BOOT_CONFIRMED);
});

t("hole 3: the confirmed image rots and the other never confirms: N trials, then nothing starts (the REPL stays free)", () => {
  const r = rotten();
  const slots = r.board.layout.slots.map((s) => r.flash.read(s.size, s.address));
  let trials = 0;
  for (let i = 0; i < r.board.layout.maxTrials; i++) {
    const b = powerOn(r);
    assert.is(b.reason, BOOT_FALLBACK);
    trials++;
  }
  assert.is(trials, r.board.layout.maxTrials);
  for (let i = 0; i < 4; i++) {
    const b = powerOn(r);
    assert.is(b.slot, -1);
    assert.is(b.reason, BOOT_NONE);
  }
  r.board.layout.slots.forEach((s, k) => assert.equal(r.flash.read(s.size, s.address), slots[k], "slot " + k + " untouched"));
});

t("a board whose first image runs without any record writes one at its first confirm", () => {
  const r = rig();
  factory(r);
  for (const bank of r.board.layout.banks) r.flash.eraseBlock(bank, bank + r.flash.block(bank).length);
  const b = powerOn(r);
  assert.is(b.slot, 0);
  assert.ok(confirm(r, 0));
  assert.is(powerOn(r).reason, BOOT_CONFIRMED);
});

/** Reads of 256-byte pieces (the JS SHA-256's) during one power-on of the shipped Pixl.js stub. */
function pixlBootShaReads(r: Rig): { version: string; pieces: number } {
  const real = r.flash.read.bind(r.flash);
  let pieces = 0;
  r.flash.read = (n: number, a: number) => {
    if (n === 256) pieces++;
    return real(n, a);
  };
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped, storage: boardStorage(r.board, r.flash) });
  dev.boot("pixljs");
  r.flash.read = real;
  return { version: (dev.ctx.OTA_BOOT as { version: string }).version, pieces: pieces };
}

t("Pixl.js (no built-in SHA-256): the shipped stub checks the payload by the record's CRC-32, set at finish", () => {
  const r = rig("pixljs");
  factory(r, "1.0.0", 6000);
  let b = pixlBootShaReads(r);
  assert.equal([b.version, b.pieces], ["1.0.0", 0], "factory record carries the CRC");
  update(session(r, powerOn(r), r.board.chunkSize), image(r.board, "2.0.0", 6000), r.board.chunkSize);
  assert.ok(r.record.read().flags & (FLAG_CRC0 << 1), "finish wrote slot 1's CRC");
  b = pixlBootShaReads(r);
  assert.equal([b.version, b.pieces], ["2.0.0", 0]);
  // A record without the CRC (or one that does not match) still gets the full SHA-256.
  r.flash.data[off(r, r.board.layout.slots[1].address) + 3000] ^= 1;
  b = pixlBootShaReads(r);
  assert.is(b.version, "1.0.0", "the damaged image is refused, the confirmed one starts");
  assert.ok(b.pieces > 20, "the SHA-256 decided: " + b.pieces + " pieces");
});

t.run();
