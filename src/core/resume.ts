import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { eraseSlotRange } from "./erase.js";
import { E_FLASH, E_LAYOUT, E_OFFSET, E_RECORD, E_WRITE_VERIFY, OK } from "./errors.js";
import type { Slot } from "./layout.js";
import { NO_SLOT } from "./layout.js";
import type { BootState } from "./record.js";
import { type Offer, RECEIVING, Session } from "./session.js";
import { confirmedSlot } from "./state.js";

/** Where a resumed download continues, or why it cannot. */
export interface ResumePoint {
  code: number;
  /** Offset in the image to continue from (≤ the checkpoint's bytes). */
  at: number;
}

/**
 * Makes a staging slot whose first `bytes` were written before a reset ready
 * to take the rest. The prefix must read back with the CRC-32 the transport
 * saved, so a prefix damaged by a torn erase, or staged for another offer,
 * is never trusted. Bytes past it may hold a chunk that was being written when
 * power failed, or chunks written after the checkpoint: NOR cannot program
 * over them, so every block after the prefix is erased, and the block the
 * prefix ends in is erased too (the download steps back to its start) unless
 * its tail still reads as erased. `scratch` is any buffer the caller owns
 * (compared in pieces of its size so a 128 KB sector never sits in RAM).
 */
export function prepareResume(
  flash: Flash, digest: Digest, slot: Slot, size: number, bytes: number, crc: number, scratch: Uint8Array,
): ResumePoint {
  const st = flash.status();
  if (!(bytes > 0 && bytes <= size && bytes % st.writeAlign === 0)) return { code: E_OFFSET, at: 0 };
  try {
    if (digest.crc32Flash(slot.address, bytes) !== crc >>> 0) return { code: E_WRITE_VERIFY, at: 0 };
    let at = bytes;
    const end = slot.address + size;
    let a = slot.address + bytes;
    const blk = flash.block(a < end ? a : end - 1);
    if (blk.start + blk.length > slot.address + slot.size || blk.start < slot.address) return { code: E_LAYOUT, at: 0 };
    if (a > blk.start && a < end) {
      // The prefix ends inside this block: keep it if the tail is still erased.
      const tailEnd = Math.min(blk.start + blk.length, end);
      if (!erased(flash, digest, a, tailEnd - a, st.eraseValue, scratch)) {
        flash.eraseBlock(blk.start, blk.start + blk.length);
        at = blk.start - slot.address;
      }
      a = blk.start + blk.length;
    }
    const e = eraseSlotRange(flash, slot, a, end);
    if (e !== OK) return { code: e, at: 0 };
    return { code: OK, at: at };
  } catch (e) {
    return { code: E_FLASH, at: 0 };
  }
}

/** True when [address, address+length) reads as erased, checked by CRC-32 in scratch-sized pieces. */
function erased(flash: Flash, digest: Digest, address: number, length: number, ev: number, scratch: Uint8Array): boolean {
  const n = Math.min(scratch.length, length);
  scratch.fill(ev, 0, n);
  const whole = digest.crc32(scratch.subarray(0, n));
  for (let o = 0; o < length; o += n) {
    const k = Math.min(n, length - o);
    const want = k === n ? whole : digest.crc32(scratch.subarray(0, k));
    if (digest.crc32Flash(address + o, k) !== want) return false;
  }
  return true;
}

/** What a transport saves to resume a download after a reset: bytes in flash and their CRC-32. */
export interface Checkpoint {
  bytes: number;
  crc: number;
}

/**
 * A Session that pull transports (ThingsBoard) can resume after a reset.
 * Kept apart so push transports (Blynk.NCP) do not carry it on the device.
 */
export class ResumableSession extends Session {
  /**
   * Instead of start() after a reset: continues a download whose prefix a
   * checkpoint() vouched for. Same offer checks; the record must still name
   * only the running image (as start() left it). On OK the session is
   * RECEIVING from `received`, which may be earlier than the checkpoint;
   * on a refusal the caller starts over with offer() + start().
   */
  resume(o: Offer, bytes: number, crc: number): number {
    const r = this.offer(o);
    if (r !== OK) return r;
    const b = this.boot_ as BootState;
    if (!b.valid || b.pending !== NO_SLOT) return this.end_(E_RECORD);
    const slot = 1 - confirmedSlot(b);
    const p = prepareResume(this.o_.flash, this.o_.digest, this.o_.layout.slots[slot], o.size, bytes, crc, this.buf_);
    return p.code === OK ? this.receive_(slot, p.at) : this.end_(p.code);
  }

  /** Bytes of the image already in flash (a sub-alignment tail waits in RAM) and their CRC-32. */
  checkpoint(): Checkpoint {
    const n = this.state === RECEIVING ? this.received - this.carry_ : 0;
    return { bytes: n, crc: n ? this.o_.digest.crc32Flash(this.o_.layout.slots[this.slot].address, n) : 0 };
  }
}
