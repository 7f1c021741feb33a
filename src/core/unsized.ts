import { E_OVERFLOW, E_TOO_LARGE, OK } from "./errors.js";
import { eraseSlotRange } from "./erase.js";
import { HEADER_SIZE, parseHeader } from "./header.js";
import { ResumableSession } from "./resume.js";
import type { Slot } from "./layout.js";
import type { Offer, SessionEnv, Status } from "./session.js";

/**
 * Offer.size of a transport that learns the length only from the image
 * (Drogue IoT's protocol has no size up front).
 */
export const SIZE_FROM_HEADER = -1;

/**
 * A session that may be offered SIZE_FROM_HEADER: start() erases the blocks
 * a header and the first chunk can reach, the slot bounds the size until
 * the header's 128 bytes are in, and the header's image length then fixes
 * it (larger than the slot: TOO_LARGE; fewer bytes than already came:
 * OVERFLOW) and the rest of it is erased. Offers with a size behave as in
 * Session. A class of its own so that transports that always know the size
 * do not carry it (a Puck.js slot has no room to spare).
 */
export class UnsizedSession extends ResumableSession {
  private unsized_ = false;
  // The slot is erased below this address while the size is unknown.
  private erasedTo_ = 0;

  // Written out: esbuild's implied constructor passes ...arguments, which Espruino lacks.
  constructor(o: SessionEnv, chunkMax: number) {
    super(o, chunkMax);
  }

  offer(o: Offer): number {
    this.unsized_ = o.size === SIZE_FROM_HEADER;
    // HEADER_SIZE passes the offer's size checks; the header decides below.
    return super.offer(this.unsized_ ? { size: HEADER_SIZE, type: o.type, version: o.version } : o);
  }

  protected receive_(slot: number, at: number): number {
    if (!this.unsized_) return super.receive_(slot, at);
    const s = this.o_.layout.slots[slot];
    // start() erased the header's block; the chunk that completes the header can reach further.
    const first = this.o_.flash.block(s.address);
    this.erasedTo_ = first.start + first.length;
    const e = this.eraseTo_(s, s.address + Math.min(s.size, HEADER_SIZE + this.max_));
    if (e !== OK) return this.end_(e);
    const r = super.receive_(slot, at);
    (this as Status).size = s.size;
    return r;
  }

  protected checkHeader_(): number {
    if (!this.unsized_) return super.checkHeader_();
    const p = parseHeader(this.hdr_, this.o_.digest.crc32);
    if (p.code !== OK || !p.info) return p.code;
    const n = p.info.imageLength;
    const s = this.o_.layout.slots[this.slot];
    if (n > s.size) return E_TOO_LARGE;
    if (n < this.received) return E_OVERFLOW;
    // As if offered: the header is admitted against it.
    (this as Status).size = n;
    const code = super.checkHeader_();
    return code !== OK ? code : this.eraseTo_(s, s.address + n);
  }

  /** Erases whole blocks from where the last erase ended up to `to`. */
  private eraseTo_(s: Slot, to: number): number {
    if (to <= this.erasedTo_) return OK;
    const last = this.o_.flash.block(to - 1);
    const e = eraseSlotRange(this.o_.flash, s, this.erasedTo_, last.start + last.length);
    if (e === OK) this.erasedTo_ = last.start + last.length;
    return e;
  }
}
