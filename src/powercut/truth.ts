import type { Layout } from "../core/layout.js";
import type { Flash } from "../hal/flash.js";
import { type Img, type RawRecord, holds, imageValid, readRecord } from "./oracle.js";

/** What the boot stub started, as the sweep identified it from the flash bytes. */
export interface Running {
  slot: number;
  /** The stub's label, kept for set-up and reports only: the checks judge `img` and `rec`. */
  reason: number;
  img: Img;
  /** The record as the sweep read it just before the stub ran. */
  rec: RawRecord | undefined;
}

export interface Staged {
  slot: number;
  img: Img;
  /** finish() was called: the pending mark may be on flash. */
  finished: boolean;
  /** confirm() was called: the confirm may be on flash. */
  confirming: boolean;
  /** Times the stub started it on trial since its slot was erased. */
  trials: number;
}

/** What the sweep knows happened, kept apart from what the record says. */
export interface Truth {
  /** The image last known confirmed: it must stay intact in its slot and be what boots. */
  confirmed: { slot: number; img: Img };
  /** The server's image, from the moment start() erased its slot. */
  staged?: Staged;
  /** The server got OK from finish, or saw the new version run: it stops offering. */
  serverDone: boolean;
  /** A record has been seen on flash: from then on one must always decode (false only before a first record). */
  recordSeen: boolean;
}

/** Broken checks: bricked (the device cannot be trusted to boot a good image) or lost (a confirmed image is gone). */
export interface Findings {
  bricked: string[];
  lost: string[];
}

/** Before the boot stub runs: the record as found on flash, and the confirmed image's bytes. */
export function checkFlash(flash: Flash, layout: Layout, t: Truth, out: Findings): RawRecord | undefined {
  const rec = readRecord(flash, layout.banks);
  if (!rec) {
    if (t.recordSeen) out.bricked.push("no boot-record bank decodes");
  } else {
    t.recordSeen = true;
    const c = layout.slots[rec.confirmed];
    // esp-idf #14808: no record may name a slot that does not hold a good image.
    if (!c || !imageValid(flash, c.address, c.size)) out.bricked.push("record names slot " + rec.confirmed + " confirmed but it holds no valid image");
    if (rec.pending !== 255 && !markable(flash, layout, t, rec.pending)) out.bricked.push("slot " + rec.pending + " marked pending without a complete image");
    if (rec.pending === t.confirmed.slot && !rec.confirmUnit && holds(flash, layout.slots[rec.pending].address, t.confirmed.img)) {
      out.lost.push("confirmed v" + t.confirmed.img.version + " is on trial again: a rollback would drop it");
    }
  }
  if (!holds(flash, layout.slots[t.confirmed.slot].address, t.confirmed.img)) {
    out.lost.push("confirmed v" + t.confirmed.img.version + " no longer intact in slot " + t.confirmed.slot);
  }
  return rec;
}

/** A pending mark may only name a slot holding the whole image whose finish() was reached (or the confirmed one). */
function markable(flash: Flash, layout: Layout, t: Truth, p: number): boolean {
  const at = layout.slots[p];
  if (!at) return false;
  if (t.confirmed.slot === p && holds(flash, at.address, t.confirmed.img)) return true;
  const st = t.staged;
  return !!st && st.finished && st.slot === p && holds(flash, at.address, st.img);
}

/** The image in a slot when it is byte-identical to a known one and its header and SHA-256 check out. */
export function identify(flash: Flash, layout: Layout, slot: number, known: Img[]): Img | undefined {
  const s = layout.slots[slot];
  if (!s || !imageValid(flash, s.address, s.size)) return undefined;
  return known.find((k) => holds(flash, s.address, k));
}

/**
 * Whether the stub was allowed to start this, judged by which image ran and
 * the record the sweep read before the stub ran (never the stub's reason):
 * the confirmed image may always start; the staged one only once finish()
 * was reached, and then either as confirmed (the record shows its confirm,
 * which the app made) or as a trial, at most N times.
 */
export function judgeStart(t: Truth, layout: Layout, r: Running, out: Findings): void {
  const st = t.staged;
  const v = "v" + r.img.version;
  const rec = r.rec;
  const isConfirmed = r.slot === t.confirmed.slot && r.img === t.confirmed.img;
  const isStaged = !!st && st.finished && r.slot === st.slot && r.img === st.img;
  if (isStaged) {
    // Confirmed by its own unit, or by a new record naming it (a torn confirm): either way confirm() was called.
    const confirmedOnFlash = !!rec && ((rec.pending === r.slot && rec.confirmUnit) || (rec.confirmed === r.slot && rec.pending === 255));
    if (confirmedOnFlash) {
      if (!st.confirming) out.bricked.push(v + " started as confirmed though it never confirmed itself");
      t.confirmed = { slot: r.slot, img: r.img };
      t.staged = undefined;
    } else if (++st.trials > layout.maxTrials) out.bricked.push(v + " started on trial " + st.trials + " times");
  } else if (isConfirmed) {
    if (st && st.confirming && rec && rec.pending === st.slot && rec.confirmUnit) {
      out.lost.push(v + " started though v" + st.img.version + " had confirmed itself");
    }
  } else out.bricked.push(v + " started in slot " + r.slot + ": neither the confirmed image nor a completely staged one");
}
