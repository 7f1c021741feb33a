import type { BootState } from "../core/record.js";
import { onTrial } from "../core/state.js";
import { trialReason } from "./decide.js";

/**
 * The boot stub's trial watchdog. An image started on trial (boot reasons 1
 * and 5) that neither confirms nor resets (it hangs, or throws while
 * loading) would hold its trial for ever: `ms` later, if the record
 * still shows it on trial, `reset()`, which spends the next trial and ends
 * in a rollback. The entry supplies the timer, the record read and the reset.
 */
export function watchTrial(
  reason: number, ms: number, record: () => BootState, reset: () => void,
  after: (f: () => void, ms: number) => void,
): void {
  if (trialReason(reason)) after(() => {
    if (onTrial(record())) reset();
  }, ms);
}
