import type { Flash, FlashBlock, FlashStatus } from "../../hal/flash.js";
import type { Geometry } from "../../board/schema.js";
import { EccLocked, FlashFault, PowerCut } from "./power.js";
import { rng } from "../../testbench/rng.js";

/** The flash a board file describes (board/schema.ts). */
export type { Geometry };

/**
 * How the chip fails beyond plain NOR, each a pessimistic model (README
 * "Power-cut sweep"): what a cut leaves behind, and what it then refuses.
 */
export interface FlashModel {
  /**
   * ECC words (U = max(4, write alignment) bytes): a torn program locks the
   * word it was in until the next complete erase, and 30 % of such tears
   * change no visible bit. A locked word reads as it looks but refuses any
   * program, even where it reads erased.
   */
  ecc?: boolean;
  /** A torn program moves a random subset of the bits of the whole range, not a prefix. */
  bitTear?: boolean;
  /** Erase first programs every byte (as some parts do), so a cut early in it leaves programmed bytes. */
  preProgram?: boolean;
}

export interface Cut {
  /** The operation (1-based write/erase count) during which power fails. */
  at: number;
  /** Leave that operation half done instead of not started. */
  tear: boolean;
  seed?: number;
}

export interface FlashOp {
  kind: "write" | "erase";
  start: number;
  end: number;
}

/**
 * NOR flash as the chip behaves: erase sets whole blocks to the erase value,
 * a write can only move bits away from it (AND for 0xFF parts, OR for 0x00),
 * alignment and bounds are enforced, and `strict` refuses programming bytes
 * that are not erased. Power can be cut at any write/erase, cleanly or torn.
 */
export class NorFlash implements Flash {
  readonly data: Uint8Array;
  readonly strict: boolean;
  ops = 0;
  writes = 0;
  erases = 0;
  bytesWritten = 0;
  /** Every write and erase, for "nothing outside the staging slot" checks. */
  readonly log: FlashOp[] = [];
  private geo_: Geometry;
  private starts_: number[];
  private cut_: Cut | undefined;
  private dead_ = false;
  private model_: FlashModel;
  private word_: number;
  /** ECC words locked by a torn program, by offset / word size. */
  private locked_ = new Set<number>();

  constructor(o: { geometry: Geometry; strict?: boolean; data?: Uint8Array; model?: FlashModel }) {
    const g = o.geometry;
    this.geo_ = g;
    this.model_ = o.model || {};
    this.word_ = Math.max(4, g.writeAlign);
    this.strict = o.strict !== false;
    this.data = o.data ? o.data : new Uint8Array(g.size).fill(g.eraseValue);
    if (this.data.length !== g.size) throw new Error("image size does not match geometry");
    const lens = g.sectors || new Array(Math.ceil(g.size / (g.blockLength as number))).fill(g.blockLength);
    this.starts_ = [];
    let a = 0;
    for (const l of lens) {
      this.starts_.push(a);
      a += l;
    }
    if (a !== g.size) throw new Error("sectors do not add up to size");
  }

  status(): FlashStatus {
    const g = this.geo_;
    let min = g.size;
    for (let i = 0; i < this.starts_.length; i++) min = Math.min(min, this.blockEnd_(i) - this.starts_[i]);
    return { size: g.size, base: g.base, blockLength: min, writeAlign: g.writeAlign, eraseValue: g.eraseValue };
  }

  block(address: number): FlashBlock {
    const i = this.blockIndex_(address - this.geo_.base);
    return { start: this.geo_.base + this.starts_[i], length: this.blockEnd_(i) - this.starts_[i] };
  }

  read(length: number, address: number): Uint8Array {
    const o = this.offset_(address, length);
    return this.data.slice(o, o + length);
  }

  write(bytes: Uint8Array, address: number): void {
    const o = this.offset_(address, bytes.length);
    const al = this.geo_.writeAlign;
    if (o % al || bytes.length % al) throw new FlashFault("unaligned write at 0x" + address.toString(16));
    const ev = this.geo_.eraseValue;
    if (this.strict) {
      for (let i = 0; i < bytes.length; i++) {
        if (this.data[o + i] !== ev) throw new FlashFault("write over programmed byte at 0x" + (address + i).toString(16));
      }
    }
    const w = this.word_;
    for (let k = Math.floor(o / w); k * w < o + bytes.length; k++) {
      if (this.locked_.has(k)) throw new EccLocked("write to an ECC word locked by a torn program at 0x" + (address - o + k * w).toString(16));
    }
    const torn = this.tick_();
    if (torn) this.tear_(bytes, o, torn);
    for (let i = 0; i < bytes.length; i++) this.data[o + i] = this.program_(this.data[o + i], bytes[i]);
    this.writes++;
    this.bytesWritten += bytes.length;
    this.log.push({ kind: "write", start: address, end: address + bytes.length });
  }

  eraseBlock(start: number, end: number): void {
    const o = this.offset_(start, end - start);
    if (end <= start || this.block(start).start !== start) throw new FlashFault("erase not block-aligned at 0x" + start.toString(16));
    const last = this.block(end - 1);
    if (last.start + last.length !== end) throw new FlashFault("erase does not end on a block at 0x" + end.toString(16));
    const ev = this.geo_.eraseValue;
    const torn = this.tick_();
    if (torn) {
      const n = end - start;
      const pv = 255 - ev;
      if (this.model_.preProgram && torn() < 0.5) {
        // Cut while the part programs every byte before erasing: a prefix reads programmed.
        this.data.fill(pv, o, o + Math.floor(torn() * n));
      } else {
        // An interrupted erase leaves some bytes erased, the rest as they were (programmed, after a
        // pre-programming phase) or half-way.
        if (this.model_.preProgram) this.data.fill(pv, o, o + n);
        for (let i = o; i < o + n; i++) {
          const r = torn();
          if (r < 0.5) this.data[i] = ev;
          else if (r < 0.6) this.data[i] = ev === 0 ? this.data[i] & Math.floor(torn() * 256) : this.data[i] | Math.floor(torn() * 256);
        }
      }
      throw new PowerCut(this.ops);
    }
    for (let k = Math.floor(o / this.word_); k * this.word_ < o + end - start; k++) this.locked_.delete(k);
    this.data.fill(ev, o, o + end - start);
    this.erases++;
    this.log.push({ kind: "erase", start: start, end: end });
  }

  /** What a torn program leaves: a programmed prefix and one byte half-way, or random bits (bitTear); ECC locks. */
  private tear_(bytes: Uint8Array, o: number, torn: () => number): never {
    const ev = this.geo_.eraseValue;
    const w = this.word_;
    const lock = (i: number) => {
      if (this.model_.ecc) this.locked_.add(Math.floor((o + i) / w));
    };
    if (this.model_.bitTear) {
      for (let i = 0; i < bytes.length; i++) {
        const m = Math.floor(torn() * 256);
        this.data[o + i] = this.program_(this.data[o + i], ev === 0 ? bytes[i] & m : bytes[i] | m);
        lock(i);
      }
      throw new PowerCut(this.ops);
    }
    const n = Math.floor(torn() * bytes.length);
    for (let i = 0; i < n; i++) this.data[o + i] = this.program_(this.data[o + i], bytes[i]);
    if (n < bytes.length) {
      // The byte being programmed when power fell: some of its bits moved, or (ECC, 30 %) none visibly.
      const m = Math.floor(torn() * 256);
      const hidden = this.model_.ecc && torn() < 0.3;
      if (!hidden) this.data[o + n] = this.program_(this.data[o + n], ev === 0 ? bytes[n] & m : bytes[n] | m);
      lock(n);
    }
    throw new PowerCut(this.ops);
  }

  /** Fault injection: locks the ECC word holding `address` as a torn program would (it keeps reading as it is). */
  lock(address: number): void {
    this.locked_.add(Math.floor(this.offset_(address, 1) / this.word_));
  }

  /** Arms a power cut for a future operation. */
  cutPower(cut: Cut): void {
    this.cut_ = cut;
  }

  /** Power comes back: operations work again, counters keep counting. */
  powerOn(): void {
    this.dead_ = false;
    this.cut_ = undefined;
  }

  get dead(): boolean {
    return this.dead_;
  }

  /** Counts one mutating operation; returns a PRNG when this one is torn. */
  private tick_(): (() => number) | undefined {
    if (this.dead_) throw new PowerCut(this.ops);
    this.ops++;
    const c = this.cut_;
    if (c && this.ops >= c.at) {
      this.dead_ = true;
      if (!c.tear) throw new PowerCut(this.ops);
      return rng(c.seed === undefined ? c.at : c.seed);
    }
    return undefined;
  }

  private program_(old: number, v: number): number {
    return this.geo_.eraseValue === 0 ? old | v : old & v;
  }

  private offset_(address: number, length: number): number {
    const o = address - this.geo_.base;
    if (!(o >= 0 && length >= 0 && o + length <= this.geo_.size)) {
      throw new FlashFault("out of bounds: 0x" + address.toString(16) + "+" + length);
    }
    return o;
  }

  private blockIndex_(o: number): number {
    if (!(o >= 0 && o < this.geo_.size)) throw new FlashFault("out of bounds: 0x" + (o + this.geo_.base).toString(16));
    let lo = 0;
    let hi = this.starts_.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts_[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private blockEnd_(i: number): number {
    return i + 1 < this.starts_.length ? this.starts_[i + 1] : this.geo_.size;
  }
}
