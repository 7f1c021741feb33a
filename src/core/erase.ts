import type { Flash } from "../hal/flash.js";
import { E_FLASH, E_LAYOUT, OK } from "./errors.js";
import type { Slot } from "./layout.js";

/**
 * Erases whole blocks from `from` up to and including the one holding
 * `to - 1`, never past the slot's end. LAYOUT when the slot is not made of
 * whole blocks there; FLASH when the flash refuses.
 */
export function eraseSlotRange(flash: Flash, slot: Slot, from: number, to: number): number {
  try {
    let a = from;
    while (a < to) {
      const blk = flash.block(a);
      if (blk.start !== a || blk.start + blk.length > slot.address + slot.size) return E_LAYOUT;
      flash.eraseBlock(blk.start, blk.start + blk.length);
      a = blk.start + blk.length;
    }
  } catch (e) {
    return E_FLASH;
  }
  return OK;
}
