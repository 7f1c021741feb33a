import { NO_SLOT } from "./layout.js";
import type { BootState } from "./record.js";

/** The slot holding the newest image known to be good. */
export function confirmedSlot(s: BootState): number {
  return s.pendingConfirmed ? s.pending : s.confirmed;
}

/** A pending image that has not confirmed itself yet: no new update may start. */
export function onTrial(s: BootState): boolean {
  return s.valid && s.pending !== NO_SLOT && !s.pendingConfirmed;
}
