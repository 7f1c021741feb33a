import type { Flash } from "../hal/flash.js";
import { getU32, setU32 } from "./bytes.js";
import type { Crc32 } from "./header.js";
import { MAX_TRIALS, NO_SLOT } from "./layout.js";

/**
 * Boot record: two banks, each its own erase block. A bank holds
 * | off | size | field |
 * | 0  | 4 | magic "EOBR" (0x52424F45) |
 * | 4  | 1 | format (2) |
 * | 5  | 1 | confirmed slot (0 or 1) |
 * | 6  | 1 | pending slot (0 or 1, 255 = none) |
 * | 7  | 1 | max trial boots N (1..16) |
 * | 8  | 4 | sequence number (the higher valid one wins) |
 * | 12 | 1 | flags: bit 0 = the last pending image was rolled back, bit 1 = fallback tried, |
 * |    |   | bit 2 / bit 3 = the payload CRC-32 of slot 0 / slot 1 is known |
 * | 13 | 3 | zero |
 * | 16 | 4 | payload CRC-32 of slot 0's image (written after its SHA-256 checked out) |
 * | 20 | 4 | payload CRC-32 of slot 1's image |
 * | 24 | 4 | CRC-32 of bytes 0..23 |
 * then, in units of U = max(4, writeAlign) bytes starting at roundUp(28, U):
 * one confirm unit (all 0x5A = the pending image confirmed itself) and N
 * trial units (a unit not fully erased = one trial boot spent).
 * Counting a trial or confirming writes one unit: no erase. A new record is
 * written into the other bank (erase, write, read back), so a cut at any
 * instant leaves the old or the new record as the highest valid one.
 */
export const RECORD_MAGIC = 0x52424f45;
export const RECORD_FORMAT = 2;
export const RECORD_BYTES = 28;
export const CONFIRM_BYTE = 0x5a;
export const FLAG_ROLLED_BACK = 1;
/** The confirmed image stopped verifying and the other slot was started on trial in its place (decide.ts). */
export const FLAG_FALLBACK = 2;
/** Flag bit saying slot k's payload CRC-32 is in the record (bit 2 for slot 0, bit 3 for slot 1). */
export const FLAG_CRC0 = 4;

export interface BootState {
  /** False when neither bank decodes: nothing is known, the stub scans the slots. */
  valid: boolean;
  bank: number;
  seq: number;
  confirmed: number;
  pending: number;
  maxTrials: number;
  flags: number;
  trialsUsed: number;
  pendingConfirmed: boolean;
  /** The confirm unit is neither erased nor complete: a confirm was cut short. */
  confirmTorn: boolean;
  /** Payload CRC-32 of each slot's image, meaningful where flag FLAG_CRC0 << slot is set. */
  crc: number[];
}

export interface RecordFields {
  confirmed: number;
  pending: number;
  maxTrials: number;
  /** Bits 0 and 1 only: the CRC bits and values are carried over from the previous record. */
  flags: number;
  /** A slot whose payload CRC-32 this record sets (the one just staged and verified). */
  crcSlot?: number;
  crc?: number;
}

/** The payload CRC-32 the record holds for `slot`, or undefined. */
export function recordCrc(s: BootState, slot: number): number | undefined {
  return s.valid && s.flags & (FLAG_CRC0 << slot) ? s.crc[slot] : undefined;
}

/** What `read()` gives when neither bank decodes. */
export const NO_RECORD: BootState = {
  valid: false, bank: -1, seq: 0, confirmed: NO_SLOT, pending: NO_SLOT,
  maxTrials: 0, flags: 0, trialsUsed: 0, pendingConfirmed: false, confirmTorn: false, crc: [0, 0],
};

export class BootRecord {
  private flash_: Flash;
  private crc_: Crc32;
  private banks_: number[];
  private unit_: number;
  private erase_: number;

  constructor(opts: { flash: Flash; crc32: Crc32; banks: number[] }) {
    this.flash_ = opts.flash;
    this.crc_ = opts.crc32;
    this.banks_ = opts.banks;
    const st = opts.flash.status();
    this.unit_ = Math.max(4, st.writeAlign);
    this.erase_ = st.eraseValue;
  }

  private confirmAt_(bank: number): number {
    const u = this.unit_;
    return this.banks_[bank] + Math.ceil(RECORD_BYTES / u) * u;
  }

  /** Decodes both banks and returns the newest valid record, or `valid: false`. */
  read(): BootState {
    let best: BootState | undefined;
    for (let i = 0; i < 2; i++) {
      const s = this.decode_(i);
      if (s && (!best || ((s.seq - best.seq) | 0) > 0)) best = s;
    }
    return best || NO_RECORD;
  }

  private decode_(bank: number): BootState | undefined {
    const b = this.flash_.read(RECORD_BYTES, this.banks_[bank]);
    if (getU32(b, 0) !== RECORD_MAGIC || b[4] !== RECORD_FORMAT) return undefined;
    if (this.crc_(b.subarray(0, 24)) !== getU32(b, 24)) return undefined;
    const confirmed = b[5], pending = b[6], n = b[7];
    if (confirmed > 1 || (pending !== NO_SLOT && (pending > 1 || pending === confirmed))) return undefined;
    if (n < 1 || n > MAX_TRIALS || b[13] | b[14] | b[15]) return undefined;
    const u = this.unit_;
    const at = this.confirmAt_(bank);
    // One read covers the confirm unit and every trial unit.
    const units = this.flash_.read(u * (n + 1), at);
    let used = 0;
    for (let k = 1; k <= n; k++) if (!this.isErased_(units.subarray(k * u, k * u + u))) used++;
    let confirmedUnit = true;
    for (let k = 0; k < u; k++) if (units[k] !== CONFIRM_BYTE) confirmedUnit = false;
    const torn = !confirmedUnit && !this.isErased_(units.subarray(0, u));
    return {
      valid: true, bank: bank, seq: getU32(b, 8), confirmed: confirmed, pending: pending,
      maxTrials: n, flags: b[12], trialsUsed: used, pendingConfirmed: pending !== NO_SLOT && confirmedUnit, confirmTorn: torn,
      crc: [getU32(b, 16), getU32(b, 20)],
    };
  }

  private isErased_(b: Uint8Array): boolean {
    for (let i = 0; i < b.length; i++) if (b[i] !== this.erase_) return false;
    return true;
  }

  /** Writes a new record after `prev` into the other bank; throws if it does not read back. */
  write(prev: BootState, f: RecordFields): BootState {
    const bank = prev.valid ? 1 - prev.bank : 0;
    const addr = this.banks_[bank];
    const blk = this.flash_.block(addr);
    const u = this.unit_;
    const b = new Uint8Array(Math.ceil(RECORD_BYTES / u) * u);
    b.fill(this.erase_);
    setU32(b, 0, RECORD_MAGIC);
    b[4] = RECORD_FORMAT;
    b[5] = f.confirmed;
    b[6] = f.pending;
    b[7] = f.maxTrials;
    setU32(b, 8, (prev.seq + 1) >>> 0);
    let flags = (f.flags & 3) | (prev.valid ? prev.flags & (3 * FLAG_CRC0) : 0);
    setU32(b, 16, prev.crc[0]);
    setU32(b, 20, prev.crc[1]);
    if (f.crcSlot === 0 || f.crcSlot === 1) {
      flags |= FLAG_CRC0 << f.crcSlot;
      setU32(b, 16 + 4 * f.crcSlot, f.crc as number);
    }
    b[12] = flags;
    b[13] = b[14] = b[15] = 0;
    setU32(b, 24, this.crc_(b.subarray(0, 24)));
    this.flash_.eraseBlock(blk.start, blk.start + blk.length);
    this.flash_.write(b, addr);
    const s = this.decode_(bank);
    if (!s || s.seq !== ((prev.seq + 1) >>> 0) || s.trialsUsed || s.pendingConfirmed) throw new Error("record readback");
    return s;
  }

  /**
   * Spends one trial boot of the pending image: programs the first erased
   * trial unit (units need not be used in order: a flipped bit can spend any
   * of them) and reads the record back. Undefined when no unit could be
   * spent: the flash refused (an ECC word locked by a torn write reads erased
   * but takes no program), or the read-back shows no new spent unit. The
   * caller then carries the trials into a new record (decide.ts).
   */
  countTrial(s: BootState): BootState | undefined {
    const u = this.unit_;
    const at = this.confirmAt_(s.bank);
    const units = this.flash_.read(u * (s.maxTrials + 1), at);
    for (let k = 1; k <= s.maxTrials; k++) {
      if (!this.isErased_(units.subarray(k * u, k * u + u))) continue;
      try {
        this.flash_.write(this.fill_(255 - this.erase_), at + k * u);
      } catch (e) {
        return undefined;
      }
      const d = this.decode_(s.bank);
      return d && d.seq === s.seq && d.trialsUsed > s.trialsUsed ? d : undefined;
    }
    return undefined;
  }

  /**
   * Marks the pending image healthy: one unit write, read back. A unit that
   * a cut left torn, or locked while reading erased, cannot be programmed
   * (ECC parts refuse); then, or when the read-back does not show it
   * confirmed, a new record naming the pending slot as confirmed is written
   * instead. Throws only when that fails too.
   */
  confirm(s: BootState): BootState {
    if (s.pendingConfirmed) return s;
    if (!s.confirmTorn) {
      try {
        this.flash_.write(this.fill_(CONFIRM_BYTE), this.confirmAt_(s.bank));
        const d = this.decode_(s.bank);
        if (d && d.seq === s.seq && d.pendingConfirmed) return d;
      } catch (e) {
        // Fall through to a new record.
      }
    }
    return this.write(s, { confirmed: s.pending, pending: NO_SLOT, maxTrials: s.maxTrials, flags: 0 });
  }

  private fill_(v: number): Uint8Array {
    const b = new Uint8Array(this.unit_);
    b.fill(v);
    return b;
  }
}
