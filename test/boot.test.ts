import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_NONE, BOOT_ROLLBACK, BOOT_SCAN, BOOT_TRIAL } from "../src/boot/decide.js";
import { confirmRunning } from "../src/boot/confirm.js";
import { FLAG_ROLLED_BACK } from "../src/core/record.js";
import { NO_SLOT } from "../src/core/layout.js";
import { hostDigest } from "../src/platform/host/digest.js";
import { factory, image, powerOn, rig, session, update, type Rig } from "./support/rig.js";

const t = suite("boot");

function staged(): Rig {
  const r = rig();
  factory(r, "1.0.0");
  update(session(r, powerOn(r)), image(r.board, "2.0.0"));
  return r;
}

const confirm = (r: Rig, running: number) =>
  confirmRunning({ flash: r.flash, digest: hostDigest(r.flash), layout: r.board.layout, running: running });

t("a factory image boots as confirmed", () => {
  const r = rig();
  factory(r);
  const b = powerOn(r);
  assert.is(b.slot, 0);
  assert.is(b.reason, BOOT_CONFIRMED);
  assert.is(b.info!.version, "1.0.0");
});

t("an empty flash starts nothing", () => {
  const b = powerOn(rig());
  assert.is(b.slot, -1);
  assert.is(b.reason, BOOT_NONE);
});

t("a pending image starts on trial and each boot spends one trial first", () => {
  const r = staged();
  for (let i = 1; i <= 3; i++) {
    const b = powerOn(r);
    assert.is(b.slot, 1);
    assert.is(b.reason, BOOT_TRIAL);
    assert.is(r.record.read().trialsUsed, i);
  }
});

t("an image that never confirms rolls back after N boots, and the record says so", () => {
  const r = staged();
  for (let i = 0; i < r.board.layout.maxTrials; i++) assert.is(powerOn(r).slot, 1);
  const b = powerOn(r);
  assert.is(b.slot, 0);
  assert.is(b.reason, BOOT_ROLLBACK);
  const rec = r.record.read();
  assert.is(rec.pending, NO_SLOT);
  assert.is(rec.flags & FLAG_ROLLED_BACK, FLAG_ROLLED_BACK);
  assert.is(powerOn(r).reason, BOOT_CONFIRMED);
});

t("confirm() on the trial image makes it the one that boots from then on", () => {
  const r = staged();
  assert.is(powerOn(r).slot, 1);
  assert.ok(confirm(r, 1));
  for (let i = 0; i < 5; i++) {
    const b = powerOn(r);
    assert.is(b.slot, 1);
    assert.is(b.reason, BOOT_CONFIRMED);
  }
});

t("confirm() from the wrong slot changes nothing", () => {
  const r = staged();
  powerOn(r);
  assert.not.ok(confirm(r, 0));
  assert.not.ok(r.record.read().pendingConfirmed);
});

t("a pending image damaged after staging is never started: immediate rollback", () => {
  const r = staged();
  const at = r.board.layout.slots[1].address - r.board.geometry.base + 500;
  r.flash.data[at] ^= 0xff;
  const b = powerOn(r);
  assert.is(b.slot, 0);
  assert.is(b.reason, BOOT_ROLLBACK);
});

t("with both record banks unreadable the stub starts whichever slot verifies", () => {
  const r = staged();
  for (const bank of r.board.layout.banks) r.flash.data[bank - r.board.geometry.base + 3] = 0;
  const b = powerOn(r);
  assert.is(b.reason, BOOT_SCAN);
  assert.is(b.slot, 0);
});

t("the confirmed image damaged: a slot that verifies is started instead of nothing", () => {
  const r = rig();
  factory(r);
  r.flash.data[r.board.layout.slots[0].address - r.board.geometry.base + 200] ^= 1;
  assert.is(powerOn(r).slot, -1);
});

t.run();
