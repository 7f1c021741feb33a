import { E_RECORD, OK } from "../core/errors.js";
import { eraseSlotRange } from "../core/erase.js";
import { NO_SLOT } from "../core/layout.js";
import type { BootState } from "../core/record.js";
import { type Offer, Session } from "../core/session.js";
import { confirmedSlot } from "../core/state.js";

/**
 * The core session plus one call: go back to `at` (a sector start, so a
 * whole number of erase blocks into the slot) and erase from there to the
 * image's end, for a sector sent again or a resumed transfer. What
 * core/resume.ts does for ThingsBoard, without its prefix check (the prefix
 * is only trusted after sector 0 matched the staged header, and the
 * payload's SHA-256 is checked at Stop) and in a third of the bytes.
 */
export class BleSession extends Session {
  rewind(o: Offer, at: number): number {
    const r = this.offer(o);
    if (r !== OK) return r;
    const b = this.boot_ as BootState;
    if (!b.valid || b.pending !== NO_SLOT) return this.end_(E_RECORD);
    const slot = 1 - confirmedSlot(b);
    const s = this.o_.layout.slots[slot];
    const e = eraseSlotRange(this.o_.flash, s, s.address + at, s.address + o.size);
    return e === OK ? this.receive_(slot, at) : this.end_(e);
  }
}
