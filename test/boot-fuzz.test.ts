import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type BootOptions, BOOT_TRIAL, decideBoot } from "../src/boot/decide.js";
import { BootRecord } from "../src/core/record.js";
import { onTrial } from "../src/core/state.js";
import { verifySlot } from "../src/boot/verify.js";
import { bootFuzz } from "../src/fuzz/boot.js";

const t = suite("boot fuzz");

t("random record and slot states: no throw, nothing unsafe, never stuck", () => {
  const r = bootFuzz({ states: 4000, seed: 11 });
  assert.is(r.states, 4000);
  assert.equal([r.throws, r.unsafe, r.stuck], [0, 0, 0], r.first.join("\n"));
});

t("the checks can fail: a throwing, an unverifying and a never-counting decision are each caught", () => {
  const throwing = () => {
    throw new Error("boom");
  };
  assert.ok(bootFuzz({ states: 50, seed: 1, decide: throwing }).throws === 50);
  const blind = (o: BootOptions) => ({ ...decideBoot(o), slot: 0 });
  assert.ok(bootFuzz({ states: 400, seed: 2, decide: blind }).unsafe > 0);
  const neverCounts = (o: BootOptions) => {
    const s = new BootRecord({ flash: o.flash, crc32: o.digest.crc32, banks: o.layout.banks }).read();
    const v = onTrial(s) ? verifySlot(o.flash, o.digest, o.layout.slots[s.pending], o.layout.board) : undefined;
    return v && v.code === 0 ? { slot: s.pending, reason: BOOT_TRIAL, info: v.info, state: s } : decideBoot(o);
  };
  assert.ok(bootFuzz({ states: 400, seed: 3, decide: neverCounts }).stuck > 0);
});

t.run();
