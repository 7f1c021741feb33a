import type { Flash, FlashBlock, FlashStatus } from "../../hal/flash.js";
import { FlashFault, PowerCut, rng } from "./power.js";

export interface Geometry {
  base: number;
  size: number;
  /** Uniform erase block size, or... */
  blockLength?: number;
  /** ...explicit sectors (STM32: 16/64/128 KB), lengths in order from `base`. */
  sectors?: number[];
  writeAlign: number;
  eraseValue: number;
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

  constructor(o: { geometry: Geometry; strict?: boolean; data?: Uint8Array }) {
    const g = o.geometry;
    this.geo_ = g;
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
    let n = bytes.length;
    const torn = this.tick_();
    if (torn) n = Math.floor(torn() * bytes.length);
    for (let i = 0; i < n; i++) this.data[o + i] = this.program_(this.data[o + i], bytes[i]);
    if (torn) {
      // The byte being programmed when power fell: some of its bits moved.
      if (n < bytes.length) {
        const m = Math.floor(torn() * 256);
        this.data[o + n] = this.program_(this.data[o + n], ev === 0 ? bytes[n] & m : bytes[n] | m);
      }
      throw new PowerCut(this.ops);
    }
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
      // An interrupted erase leaves some bytes erased, the rest as they were or half-way.
      for (let i = o; i < o + end - start; i++) {
        const r = torn();
        if (r < 0.5) this.data[i] = ev;
        else if (r < 0.6) this.data[i] = ev === 0 ? this.data[i] & Math.floor(torn() * 256) : this.data[i] | Math.floor(torn() * 256);
      }
      throw new PowerCut(this.ops);
    }
    this.data.fill(ev, o, o + end - start);
    this.erases++;
    this.log.push({ kind: "erase", start: start, end: end });
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
