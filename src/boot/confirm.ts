import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import { BootRecord } from "../core/record.js";
import { confirmedSlot, onTrial } from "../core/state.js";

/**
 * Called by the running image once it is healthy. True when the image is
 * (now) the confirmed one; false when the running slot is not the pending
 * image or the confirm unit did not read back.
 */
export function confirmRunning(o: { flash: Flash; digest: Digest; layout: Layout; running: number }): boolean {
  const rec = new BootRecord({ flash: o.flash, crc32: o.digest.crc32, banks: o.layout.banks });
  let s = rec.read();
  if (onTrial(s) && s.pending === o.running) s = rec.confirm(s);
  return s.valid && !onTrial(s) && confirmedSlot(s) === o.running;
}
