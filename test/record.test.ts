import { suite } from "uvu";
import * as assert from "uvu/assert";
import { NO_SLOT } from "../src/core/layout.js";
import { BootRecord, CONFIRM_BYTE } from "../src/core/record.js";
import { confirmedSlot, onTrial } from "../src/core/state.js";
import { crc32 } from "../src/platform/host/digest.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { PowerCut } from "../src/platform/host/power.js";

const t = suite("record");
const banks = [0x0, 0x1000];
const mk = (eraseValue = 255, writeAlign = 4) => {
  const flash = new NorFlash({ geometry: { base: 0, size: 0x2000, blockLength: 0x1000, writeAlign: writeAlign, eraseValue: eraseValue } });
  return { flash: flash, rec: new BootRecord({ flash: flash, crc32: crc32, banks: banks }) };
};

t("erased banks read as no record", () => {
  assert.is(mk().rec.read().valid, false);
});

t("the record bytes are this exact layout (test vector for ports)", () => {
  const { flash, rec } = mk();
  rec.write(rec.read(), { confirmed: 0, pending: 1, maxTrials: 3, flags: 0, crcSlot: 1, crc: 0xcbf43926 });
  const b = flash.read(36, 0);
  assert.is(Buffer.from(b.subarray(0, 24)).toString("hex"),
    "454f4252" + "02" + "00" + "01" + "03" + "01000000" + "08000000" + "00000000" + "2639f4cb");
  assert.is(Buffer.from(b).readUInt32LE(24), crc32(b.subarray(0, 24)));
  assert.equal([...b.subarray(28, 36)], [255, 255, 255, 255, 255, 255, 255, 255]);
});

t("each new record goes to the other bank with a higher sequence", () => {
  const { rec } = mk();
  let s = rec.write(rec.read(), { confirmed: 0, pending: NO_SLOT, maxTrials: 3, flags: 0 });
  assert.is(s.bank, 0);
  s = rec.write(s, { confirmed: 0, pending: 1, maxTrials: 3, flags: 0 });
  assert.is(s.bank, 1);
  assert.is(rec.read().seq, 2);
  assert.is(rec.read().pending, 1);
  s = rec.write(s, { confirmed: 1, pending: NO_SLOT, maxTrials: 3, flags: 0 });
  assert.is(s.bank, 0);
  assert.is(rec.read().confirmed, 1);
});

t("counting trials and confirming write one unit each, no erase", () => {
  const { flash, rec } = mk();
  let s = rec.write(rec.read(), { confirmed: 0, pending: 1, maxTrials: 3, flags: 0 });
  const erases = flash.erases;
  assert.ok(onTrial(s));
  s = rec.countTrial(s)!;
  s = rec.countTrial(s)!;
  assert.is(rec.read().trialsUsed, 2);
  s = rec.confirm(s);
  assert.is(flash.erases, erases);
  const r = rec.read();
  assert.ok(r.pendingConfirmed);
  assert.not.ok(onTrial(r));
  assert.is(confirmedSlot(r), 1);
});

t("a torn confirm reads as not confirmed, and confirming again completes it", () => {
  const { flash, rec } = mk();
  const s = rec.write(rec.read(), { confirmed: 0, pending: 1, maxTrials: 3, flags: 0 });
  flash.write(new Uint8Array([CONFIRM_BYTE, 0xff, 0xff, 0xff]), 28);
  assert.not.ok(rec.read().pendingConfirmed);
  assert.ok(rec.read().confirmTorn);
  rec.confirm(rec.read());
  const r = rec.read();
  assert.ok(r.valid && r.bank === 1 && r.confirmed === 1 && r.pending === NO_SLOT, "a new record names slot 1 confirmed");
  assert.is(confirmedSlot(r), 1);
  assert.is(s.bank, 0);
});

t("a cut while writing a new record leaves the previous one in charge", () => {
  for (const tear of [false, true]) {
    for (let at = 1; at <= 2; at++) {
      const { flash, rec } = mk();
      const s = rec.write(rec.read(), { confirmed: 0, pending: NO_SLOT, maxTrials: 3, flags: 0 });
      flash.cutPower({ at: flash.ops + at, tear: tear, seed: at });
      assert.throws(() => rec.write(s, { confirmed: 0, pending: 1, maxTrials: 3, flags: 0 }), (e: Error) => e instanceof PowerCut);
      flash.powerOn();
      const r = rec.read();
      assert.ok(r.valid);
      assert.is(r.seq, 1, "old record wins (tear " + tear + ", op " + at + ")");
      assert.is(r.pending, NO_SLOT);
    }
  }
});

t("every single-byte corruption of the record decodes as invalid or as the old record", () => {
  const { flash, rec } = mk();
  let s = rec.write(rec.read(), { confirmed: 0, pending: NO_SLOT, maxTrials: 3, flags: 0 });
  s = rec.write(s, { confirmed: 0, pending: 1, maxTrials: 3, flags: 0 });
  const saved = flash.data.slice();
  for (let i = 0x1000; i < 0x1000 + 28; i++) {
    for (const v of [0x00, 0x55, 0xff]) {
      if (saved[i] === v) continue;
      flash.data.set(saved);
      flash.data[i] = v;
      const r = rec.read();
      assert.ok(r.valid && r.seq === 1 && r.pending === NO_SLOT, "byte " + i + "=" + v);
    }
  }
});

t("the erase value comes from the flash: a 0x00-erasing part works the same", () => {
  const { flash, rec } = mk(0, 8);
  let s = rec.write(rec.read(), { confirmed: 1, pending: 0, maxTrials: 2, flags: 0 });
  s = rec.countTrial(s)!;
  assert.is(rec.read().trialsUsed, 1);
  assert.is(flash.read(1, 0)[0], 0x45);
  rec.confirm(s);
  assert.ok(rec.read().pendingConfirmed);
});

t.run();
