import type { Flash } from "../hal/flash.js";
import { equalBytes, getU16, getU32, isFilled, setU16, setU32 } from "./bytes.js";
import type { Crc32 } from "./header.js";

/**
 * One small record of bytes that survives resets and power cuts, in two
 * erase pages of its own (a transport's download progress), so that nothing
 * of ours creates or rewrites a Storage file after the install.
 *
 * A page: | 0 | 4 | magic "EOJN" | 4 | 4 | generation | 8 | 4 | CRC-32 of 0..7 |
 * then entries from offset 12 rounded up to U = max(4, write alignment):
 * | 0 | 2 | length L | 2 | 2 | L xor 0xFFFF | 4 | 4 | CRC-32 of the data | 8 | L | data |,
 * each padded to U. L = 0 is "no record". The newer valid page (serial
 * arithmetic on the generation) holds the record: its last entry whose
 * length pair and CRC check out. A save appends after the last entry; when
 * it does not fit, the place is not erased, the flash refuses (an ECC word
 * locked by a torn write) or it does not read back, the other page is erased,
 * the entry written there, and its header last: until that header is in, the
 * old page still answers. A cut loses at most the save it interrupted.
 */
export const JOURNAL_MAGIC = 0x4e4a4f45;
const HEAD = 12;
const ENTRY = 8;

export class Journal {
  private flash_: Flash;
  private crc_: Crc32;
  private pages_: number[];
  private unit_: number;
  private erase_: number;

  constructor(o: { flash: Flash; crc32: Crc32; pages: number[] }) {
    this.flash_ = o.flash;
    this.crc_ = o.crc32;
    this.pages_ = o.pages;
    const st = o.flash.status();
    this.unit_ = Math.max(4, st.writeAlign);
    this.erase_ = st.eraseValue;
  }

  /** The record last saved, or undefined (none, or "no record" saved). */
  load(): Uint8Array | undefined {
    const p = this.current_();
    if (p < 0) return undefined;
    const s = this.scan_(p);
    return s.last && s.last.length ? s.last : undefined;
  }

  /** Saves `data` (undefined: no record). Throws only when neither page takes it. */
  save(data: Uint8Array | undefined): void {
    const d = data || new Uint8Array(0);
    const p = this.current_();
    if (p >= 0) {
      const s = this.scan_(p);
      const at = this.pages_[p] + s.free;
      if (s.free >= 0 && s.free + this.size_(d.length) <= this.flash_.block(this.pages_[p]).length) {
        try {
          this.flash_.write(this.entry_(d), at);
          const again = this.scan_(p);
          if (again.last && equalBytes(again.last, d)) return;
        } catch (e) {
          // refused: start the other page
        }
      }
    }
    const q = p < 0 ? 0 : 1 - p;
    const gen = p < 0 ? 1 : (this.gen_(p) + 1) >>> 0;
    const base = this.pages_[q];
    const blk = this.flash_.block(base);
    this.flash_.eraseBlock(blk.start, blk.start + blk.length);
    this.flash_.write(this.entry_(d), base + this.first_());
    const h = this.fill_(this.first_());
    setU32(h, 0, JOURNAL_MAGIC);
    setU32(h, 4, gen);
    setU32(h, 8, this.crc_(h.subarray(0, 8)));
    this.flash_.write(h, base);
    if (this.current_() !== q) throw new Error("journal readback");
  }

  private first_(): number {
    return Math.ceil(HEAD / this.unit_) * this.unit_;
  }

  private size_(n: number): number {
    return Math.ceil((ENTRY + n) / this.unit_) * this.unit_;
  }

  private fill_(n: number): Uint8Array {
    const b = new Uint8Array(n);
    b.fill(this.erase_);
    return b;
  }

  private entry_(d: Uint8Array): Uint8Array {
    const b = this.fill_(this.size_(d.length));
    setU16(b, 0, d.length);
    setU16(b, 2, d.length ^ 0xffff);
    setU32(b, 4, this.crc_(d));
    b.set(d, ENTRY);
    return b;
  }

  private gen_(p: number): number {
    return getU32(this.flash_.read(8, this.pages_[p]), 4);
  }

  /** The page holding the record: the valid one with the newer generation, or -1. */
  private current_(): number {
    let best = -1;
    let bestGen = 0;
    for (let p = 0; p < 2; p++) {
      const h = this.flash_.read(HEAD, this.pages_[p]);
      if (getU32(h, 0) !== JOURNAL_MAGIC || this.crc_(h.subarray(0, 8)) !== getU32(h, 8)) continue;
      const g = getU32(h, 4);
      if (best < 0 || ((g - bestGen) | 0) > 0) {
        best = p;
        bestGen = g;
      }
    }
    return best;
  }

  /**
   * The last valid entry of page p, and where the next one goes (an erased
   * entry head), or free = -1 when a torn head hides where the next would go.
   */
  private scan_(p: number): { last: Uint8Array | undefined; free: number } {
    const base = this.pages_[p];
    const len = this.flash_.block(base).length;
    let last: Uint8Array | undefined;
    for (let o = this.first_(); o + ENTRY <= len;) {
      const h = this.flash_.read(ENTRY, base + o);
      if (isFilled(h, this.erase_)) return { last: last, free: o };
      const n = getU16(h, 0);
      if ((n ^ 0xffff) !== getU16(h, 2) || o + ENTRY + n > len) return { last: last, free: -1 };
      const d = this.flash_.read(n, base + o + ENTRY);
      if (this.crc_(d) === getU32(h, 4)) last = d;
      o += this.size_(n);
    }
    return { last: last, free: -1 };
  }
}
