import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { OK } from "../core/errors.js";
import type { ImageInfo } from "../core/header.js";
import type { Layout } from "../core/layout.js";
import { NO_SLOT } from "../core/layout.js";
import { type BootState, BootRecord, FLAG_ROLLED_BACK } from "../core/record.js";
import { confirmedSlot, onTrial } from "../core/state.js";
import { verifySlot } from "./verify.js";

/** Why the stub chose what it chose (README "Boot stub"). */
export const BOOT_CONFIRMED = 0;
export const BOOT_TRIAL = 1;
export const BOOT_ROLLBACK = 2;
export const BOOT_SCAN = 3;
export const BOOT_NONE = 4;

export interface BootChoice {
  /** Slot to start, or -1 when no slot holds a valid image. */
  slot: number;
  reason: number;
  info?: ImageInfo;
  state: BootState;
}

export interface BootOptions {
  flash: Flash;
  digest: Digest;
  layout: Layout;
}

/**
 * Power-on decision: start the pending image on trial (spending one trial
 * first), roll back once its trials are spent or it fails verification,
 * otherwise start the confirmed image. Only images whose header and payload
 * SHA-256 check out are ever chosen.
 */
export function decideBoot(o: BootOptions): BootChoice {
  const rec = new BootRecord({ flash: o.flash, crc32: o.digest.crc32, banks: o.layout.banks });
  let s = rec.read();
  const check = (slot: number) => verifySlot(o.flash, o.digest, o.layout.slots[slot], o.layout.board);
  if (onTrial(s)) {
    if (s.trialsUsed < s.maxTrials) {
      const v = check(s.pending);
      if (v.code === OK) {
        s = rec.countTrial(s);
        return { slot: s.pending, reason: BOOT_TRIAL, info: v.info, state: s };
      }
    }
    // Trials spent or the image went bad: go back for good, and say so in the record.
    try {
      s = rec.write(s, { confirmed: s.confirmed, pending: NO_SLOT, maxTrials: s.maxTrials, flags: FLAG_ROLLED_BACK });
    } catch (e) {
      // The old record still stands; the next power-on writes it again.
    }
    const v = check(s.confirmed);
    if (v.code === OK) return { slot: s.confirmed, reason: BOOT_ROLLBACK, info: v.info, state: s };
  } else if (s.valid) {
    const c = confirmedSlot(s);
    const v = check(c);
    if (v.code === OK) return { slot: c, reason: BOOT_CONFIRMED, info: v.info, state: s };
  }
  // No readable record, or its image is damaged: any slot that verifies.
  for (let k = 0; k < 2; k++) {
    const v = check(k);
    if (v.code === OK) return { slot: k, reason: BOOT_SCAN, info: v.info, state: s };
  }
  return { slot: -1, reason: BOOT_NONE, state: s };
}
