import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_FALLBACK, BOOT_NONE, BOOT_ROLLBACK, BOOT_SCAN, BOOT_TRIAL } from "../src/boot/decide.js";
import { watchTrial } from "../src/boot/watchdog.js";
import { NO_SLOT } from "../src/core/layout.js";
import type { BootState } from "../src/core/record.js";

const t = suite("trial watchdog");

const state = (pending: number, pendingConfirmed: boolean) =>
  ({ valid: true, confirmed: 0, pending: pending, pendingConfirmed: pendingConfirmed }) as unknown as BootState;

/** Arms the watchdog with a fake timer; returns what it asked for and what firing it does. */
function arm(reason: number, record: () => BootState) {
  const timers: number[] = [];
  let fire = () => {};
  let resets = 0;
  watchTrial(reason, 120000, record, () => resets++, (f, ms) => {
    timers.push(ms);
    fire = f;
  });
  return { timers: timers, fire: () => (fire(), resets) };
}

t("an image started on trial, or as a fallback, is watched for the board's trial timeout", () => {
  for (const reason of [BOOT_TRIAL, BOOT_FALLBACK]) assert.equal(arm(reason, () => state(1, false)).timers, [120000]);
});

t("an image not on trial is not watched", () => {
  for (const reason of [BOOT_CONFIRMED, BOOT_ROLLBACK, BOOT_SCAN, BOOT_NONE]) assert.equal(arm(reason, () => state(1, false)).timers, []);
});

t("at the deadline it resets only an image still on trial", () => {
  assert.is(arm(BOOT_TRIAL, () => state(1, false)).fire(), 1);
  assert.is(arm(BOOT_TRIAL, () => state(1, true)).fire(), 0, "confirmed meanwhile");
  assert.is(arm(BOOT_TRIAL, () => state(NO_SLOT, false)).fire(), 0, "no longer pending");
});

t("the record is read at the deadline, not when armed", () => {
  let reads = 0;
  const w = arm(BOOT_TRIAL, () => (reads++, state(1, true)));
  assert.is(reads, 0);
  w.fire();
  assert.is(reads, 1);
});

t.run();
