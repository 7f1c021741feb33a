import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import { NO_SLOT } from "../core/layout.js";
import { openRecord } from "../core/open.js";
import { confirmedSlot, onTrial } from "../core/state.js";

/**
 * Called by the running image once it is healthy. True when the image is
 * (now) the confirmed one, also while a staged image waits for its trial;
 * false when the running image is on trial and nothing could be written. With no record at all (the stub
 * started a slot by scanning), the first confirm writes one naming it.
 */
export function confirmRunning(o: { flash: Flash; digest: Digest; layout: Layout; running: number }): boolean {
  const rec = openRecord(o);
  let s = rec.read();
  if (o.running !== 0 && o.running !== 1) return false;
  try {
    if (!s.valid) s = rec.write(s, { confirmed: o.running, pending: NO_SLOT, maxTrials: o.layout.maxTrials, flags: 0 });
    else if (onTrial(s) && s.pending === o.running) s = rec.confirm(s);
  } catch (e) {
    return false;
  }
  // The confirmed image also runs while a staged one waits for its first trial (a reset() after finish);
  // once a trial was spent, the pending image is what runs.
  return s.valid && (onTrial(s) ? s.trialsUsed === 0 && s.confirmed === o.running : confirmedSlot(s) === o.running);
}
