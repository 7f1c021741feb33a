import type { Flash } from "../hal/flash.js";
import { getU32, setU32 } from "./bytes.js";
import type { Crc32 } from "./header.js";
import { MAX_TRIALS, NO_SLOT } from "./layout.js";

/**
 * Boot record: two banks, each its own erase block. A bank holds
 * | off | size | field |
 * | 0  | 4 | magic "EOBR" (0x52424F45) |
 * | 4  | 1 | format (1) |
 * | 5  | 1 | confirmed slot (0 or 1) |
 * | 6  | 1 | pending slot (0 or 1, 255 = none) |
 * | 7  | 1 | max trial boots N (1..16) |
 * | 8  | 4 | sequence number (the higher valid one wins) |
 * | 12 | 1 | flags: bit 0 = the last pending image was rolled back |
 * | 13 | 3 | zero |
 * | 16 | 4 | CRC-32 of bytes 0..15 |
 * then, in units of U = max(4, writeAlign) bytes starting at roundUp(20, U):
 * one confirm unit (all 0x5A = the pending image confirmed itself) and N
 * trial units (a unit not fully erased = one trial boot spent).
 * Counting a trial or confirming writes one unit: no erase. A new record is
 * written into the other bank (erase, write, read back), so a cut at any
 * instant leaves the old or the new record as the highest valid one.
 */
export const RECORD_MAGIC = 0x52424f45;
export const RECORD_FORMAT = 1;
export const RECORD_BYTES = 20;
export const CONFIRM_BYTE = 0x5a;
export const FLAG_ROLLED_BACK = 1;

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
}

export interface RecordFields {
  confirmed: number;
  pending: number;
  maxTrials: number;
  flags: number;
}

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
    return best || {
      valid: false, bank: -1, seq: 0, confirmed: NO_SLOT, pending: NO_SLOT,
      maxTrials: 0, flags: 0, trialsUsed: 0, pendingConfirmed: false, confirmTorn: false,
    };
  }

  private decode_(bank: number): BootState | undefined {
    const b = this.flash_.read(RECORD_BYTES, this.banks_[bank]);
    if (getU32(b, 0) !== RECORD_MAGIC || b[4] !== RECORD_FORMAT) return undefined;
    if (this.crc_(b.subarray(0, 16)) !== getU32(b, 16)) return undefined;
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
    b[12] = f.flags;
    b[13] = b[14] = b[15] = 0;
    setU32(b, 16, this.crc_(b.subarray(0, 16)));
    this.flash_.eraseBlock(blk.start, blk.start + blk.length);
    this.flash_.write(b, addr);
    const s = this.decode_(bank);
    if (!s || s.seq !== ((prev.seq + 1) >>> 0) || s.trialsUsed || s.pendingConfirmed) throw new Error("record readback");
    return s;
  }

  /** Spends one trial boot of the pending image: writes the next erased unit. */
  countTrial(s: BootState): BootState {
    const u = this.unit_;
    const at = this.confirmAt_(s.bank) + (s.trialsUsed + 1) * u;
    this.flash_.write(this.fill_(255 - this.erase_), at);
    return this.decode_(s.bank) || s;
  }

  /**
   * Marks the pending image healthy: one unit write. A unit left torn by a
   * cut cannot be programmed again (ECC parts refuse), so then a new record
   * naming the pending slot as confirmed is written instead.
   */
  confirm(s: BootState): BootState {
    if (s.pendingConfirmed) return s;
    if (s.confirmTorn) return this.write(s, { confirmed: s.pending, pending: NO_SLOT, maxTrials: s.maxTrials, flags: 0 });
    this.flash_.write(this.fill_(CONFIRM_BYTE), this.confirmAt_(s.bank));
    return this.decode_(s.bank) || s;
  }

  private fill_(v: number): Uint8Array {
    const b = new Uint8Array(this.unit_);
    b.fill(v);
    return b;
  }
}
