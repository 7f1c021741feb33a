import type { Flash } from "../hal/flash.js";

/** Where images and the boot record live; comes from the board file. */
export interface Slot {
  address: number;
  size: number;
}

export interface Layout {
  /** Board id written in image headers ("PUCKJS", "LINUX", ...). */
  board: string;
  /** Exactly two image slots, each whole erase blocks. */
  slots: Slot[];
  /** Two boot-record banks: the address of each one's erase block. */
  banks: number[];
  /** Trial boots a pending image gets before the stub rolls back. */
  maxTrials: number;
}

export const NO_SLOT = 255;
export const MAX_TRIALS = 16;

/** Checks a layout against the flash it sits on; returns a reason or "". */
export function checkLayout(layout: Layout, flash: Flash): string {
  const st = flash.status();
  const areas: Slot[] = [];
  if (layout.slots.length !== 2) return "need exactly two slots";
  if (layout.banks.length !== 2) return "need exactly two record banks";
  if (layout.maxTrials < 1 || layout.maxTrials > MAX_TRIALS) return "maxTrials out of range";
  for (const s of layout.slots) areas.push(s);
  for (const a of layout.banks) {
    const b = flash.block(a);
    areas.push({ address: b.start, size: b.length });
  }
  for (let i = 0; i < areas.length; i++) {
    const a = areas[i];
    if (a.address < st.base || a.address + a.size > st.base + st.size) return "area " + i + " outside flash";
    if (flash.block(a.address).start !== a.address) return "area " + i + " not block-aligned";
    const last = flash.block(a.address + a.size - 1);
    if (last.start + last.length !== a.address + a.size) return "area " + i + " does not end on a block";
    for (let j = 0; j < i; j++) {
      const b = areas[j];
      if (a.address < b.address + b.size && b.address < a.address + a.size) return "areas " + j + " and " + i + " overlap";
    }
  }
  return "";
}
