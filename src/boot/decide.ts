import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { OK } from "../core/errors.js";
import type { ImageInfo } from "../core/header.js";
import type { Layout } from "../core/layout.js";
import { NO_SLOT } from "../core/layout.js";
import { openRecord } from "../core/open.js";
import { type BootState, type BootRecord, FLAG_FALLBACK, FLAG_ROLLED_BACK, NO_RECORD, recordCrc } from "../core/record.js";
import { confirmedSlot, onTrial } from "../core/state.js";
import { verifySlot } from "./verify.js";

/** Why the stub chose what it chose (README "Boot stub"). */
export const BOOT_CONFIRMED = 0;
export const BOOT_TRIAL = 1;
export const BOOT_ROLLBACK = 2;
export const BOOT_SCAN = 3;
export const BOOT_NONE = 4;
/** The confirmed image no longer verifies: the other slot's image runs on trial in its place. */
export const BOOT_FALLBACK = 5;

/** Boot reasons under which the image must confirm itself (and the stub's trial timeout runs). */
export function trialReason(reason: number): boolean {
  return reason === BOOT_TRIAL || reason === BOOT_FALLBACK;
}

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
  /**
   * Check payloads by the CRC-32 the record keeps for each slot (set once
   * the SHA-256 checked out at finish) rather than SHA-256: for boards
   * without a built-in SHA-256 (Pixl.js), where a JS SHA-256 takes seconds.
   */
  crcAtBoot?: boolean;
  /**
   * False after a soft reset (`reset()`, `load()`, an upload from the Web
   * IDE: `.boot0` runs again but `.bootPowerOn` does not). Then nothing is
   * written: the image the last power-on chose is started again, and no
   * trial is spent. Default true: a power-on or hardware reset.
   */
  powerOn?: boolean;
}

/**
 * Power-on decision: start the pending image on trial (spending one trial
 * first), roll back once its trials are spent or it fails verification,
 * otherwise start the confirmed image. Only images whose header and payload
 * SHA-256 check out are ever chosen. It never throws: any exception from the
 * flash ends in the safest start still possible (README "Boot stub").
 */
export function decideBoot(o: BootOptions): BootChoice {
  const rec = openRecord(o);
  let first = NO_RECORD;
  const check = (slot: number) => verifySlot(o.flash, o.digest, o.layout.slots[slot], o.layout.board, o.crcAtBoot ? recordCrc(first, slot) : undefined);
  try {
    first = rec.read();
    return o.powerOn === false ? again_(first, check) : decide_(rec, first, check, o.layout.maxTrials);
  } catch (e) {
    // Whatever threw, the record may be read again; if not, only a scan is left.
    let s = NO_RECORD;
    try {
      s = rec.read();
    } catch (e2) {
      // scan
    }
    const trial = onTrial(s);
    const only = !s.valid ? -1 : trial ? s.confirmed : confirmedSlot(s);
    for (let k = 0; k < 2; k++) {
      // With a usable record only its confirmed slot may start; without one, any slot that verifies.
      const slot = only >= 0 ? only : k;
      try {
        const v = check(slot);
        if (v.code === OK) return { slot: slot, reason: only < 0 ? BOOT_SCAN : trial ? BOOT_ROLLBACK : BOOT_CONFIRMED, info: v.info, state: s };
      } catch (e3) {
        // nothing more to try for this slot
      }
      if (only >= 0) break;
    }
    return { slot: -1, reason: BOOT_NONE, state: s };
  }
}

type Check = (slot: number) => { code: number; info?: ImageInfo };

/**
 * After a soft reset: the same start as the last power-on, read from the
 * record alone, writing nothing. An image on trial whose trial was counted
 * (at least one unit spent) runs again; one with none counted cannot have
 * been started, so the confirmed image runs.
 */
function again_(s: BootState, check: Check): BootChoice {
  const trial = onTrial(s);
  if (trial && s.trialsUsed > 0) {
    const v = check(s.pending);
    if (v.code === OK) return { slot: s.pending, reason: s.flags & FLAG_FALLBACK ? BOOT_FALLBACK : BOOT_TRIAL, info: v.info, state: s };
  }
  for (let k = 0; k < 2; k++) {
    const slot = s.valid ? (trial ? s.confirmed : confirmedSlot(s)) : k;
    const v = check(slot);
    if (v.code === OK) return { slot: slot, reason: !s.valid ? BOOT_SCAN : trial ? BOOT_ROLLBACK : BOOT_CONFIRMED, info: v.info, state: s };
    if (s.valid) break;
  }
  return { slot: -1, reason: BOOT_NONE, state: s };
}

function decide_(rec: BootRecord, s: BootState, check: Check, maxTrials: number): BootChoice {
  let rolledBack = false;
  if (onTrial(s)) {
    if (s.trialsUsed < s.maxTrials) {
      const t = trial_(rec, s, check, s.flags & FLAG_FALLBACK ? BOOT_FALLBACK : BOOT_TRIAL);
      if (t) return t;
    }
    // Trials spent or the image went bad: go back for good, and say so in the record.
    rolledBack = true;
    try {
      s = rec.write(s, { confirmed: s.confirmed, pending: NO_SLOT, maxTrials: s.maxTrials, flags: FLAG_ROLLED_BACK | (s.flags & FLAG_FALLBACK) });
    } catch (e) {
      // The old record still stands; the next power-on writes it again. Start the confirmed image meanwhile.
      const v = check(s.confirmed);
      return v.code === OK ? { slot: s.confirmed, reason: BOOT_ROLLBACK, info: v.info, state: s } : { slot: -1, reason: BOOT_NONE, state: s };
    }
  }
  if (s.valid) {
    const c = confirmedSlot(s);
    const v = check(c);
    if (v.code === OK) return { slot: c, reason: rolledBack ? BOOT_ROLLBACK : BOOT_CONFIRMED, info: v.info, state: s };
    // The confirmed image rotted. Once per record history, the other slot's image runs on trial in its
    // place: if it is healthy it confirms itself and the board can be updated again; if not, its trials
    // run out and nothing starts, which leaves Espruino's REPL free for the Web IDE.
    if (!(s.flags & FLAG_FALLBACK)) {
      const f = rec.write(s, { confirmed: c, pending: 1 - c, maxTrials: maxTrials, flags: s.flags | FLAG_FALLBACK });
      const t = trial_(rec, f, check, BOOT_FALLBACK);
      if (t) return t;
    }
    return { slot: -1, reason: BOOT_NONE, state: s };
  }
  // No readable record: any slot that verifies.
  for (let k = 0; k < 2; k++) {
    const v = check(k);
    if (v.code === OK) return { slot: k, reason: BOOT_SCAN, info: v.info, state: s };
  }
  return { slot: -1, reason: BOOT_NONE, state: s };
}

/**
 * Starts the pending image on trial if it verifies, spending a trial first.
 * When no trial unit can be spent (a refused or unread-back program), the
 * trials left go into a new record in the other bank and one is spent
 * there, so the count stays exact; if that fails too it is not started
 * (undefined: roll back).
 */
function trial_(rec: BootRecord, s: BootState, check: Check, reason: number): BootChoice | undefined {
  const v = check(s.pending);
  if (v.code !== OK) return undefined;
  let n = rec.countTrial(s);
  // The trials not yet spent (this one included) move to a fresh record, whose units erase cleared, and
  // this one is counted there: a reset() then sees it counted (again_), and the total stays N.
  if (!n) n = rec.countTrial(rec.write(s, { confirmed: s.confirmed, pending: s.pending, maxTrials: s.maxTrials - s.trialsUsed, flags: s.flags }));
  return n ? { slot: n.pending, reason: reason, info: v.info, state: n } : undefined;
}
