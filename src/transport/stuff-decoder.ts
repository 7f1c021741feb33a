import { type Check, type Stuffing, unstuff } from "./stuffing.js";

/**
 * Frames out of a byte stream split at any point (host side: tests and
 * peers; the NCP device decoder is its own, tuned for its chunk frames).
 * A start byte inside a frame starts it over; frames with a bad escape, a
 * failed check or over `max` escaped bytes are dropped and counted.
 */
export class StuffDecoder {
  errors = 0;
  private buf_: Uint8Array;
  private len_ = 0;
  private in_ = false;

  /** `onFrame` sees the payload (as the check's `open` gives it); the bytes are valid during the call only. */
  constructor(
    private s_: Stuffing,
    private check_: Check,
    private onFrame_: (raw: Uint8Array, len: number) => void,
    max?: number,
  ) {
    this.buf_ = new Uint8Array(max || 4096);
  }

  feed(d: Uint8Array): void {
    const s = this.s_;
    let i = 0;
    while (i < d.length) {
      const b = d.indexOf(s.beg, i);
      if (!this.in_) {
        if (b < 0) return;
        this.in_ = true;
        this.len_ = 0;
        i = b + 1;
        continue;
      }
      const e = d.indexOf(s.end, i);
      // Whichever comes first: a start (the frame was cut: start over) or the end.
      if (b >= 0 && (e < 0 || b < e)) {
        this.errors++;
        this.len_ = 0;
        i = b + 1;
        continue;
      }
      const j = e < 0 ? d.length : e;
      if (this.len_ + j - i > this.buf_.length) {
        this.errors++;
        this.in_ = false;
      } else {
        this.buf_.set(d.subarray(i, j), this.len_);
        this.len_ += j - i;
        if (e >= 0) this.end_();
      }
      i = j + 1;
    }
  }

  private end_(): void {
    this.in_ = false;
    const buf = this.buf_;
    const s = this.s_;
    const v = buf.subarray(0, this.len_);
    const n = unstuff(buf, this.len_, (from) => v.indexOf(s.esc, from), s.flip, s.special);
    const len = n < 0 ? -1 : this.check_.open(buf, n);
    if (len < 0) this.errors++;
    else this.onFrame_(buf, len);
  }
}
