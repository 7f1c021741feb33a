import type { Link } from "../../hal/link.js";
import type { Clock } from "../../hal/clock.js";
import { fromLatin1 } from "../../platform/host/latin1.js";
import type { Command } from "../../drogue/protocol.js";
import { commandFrame, FRAME, type HostStatus, statusFromPostcard } from "./codec.js";

/**
 * The host end of drgdfu's serial link: 1024-byte frames in, a Status
 * postcard at the start of each; each answer goes back as one frame. A
 * partial frame followed by `gapMs` of silence is dropped, as the device does.
 */
export class SerialService {
  private buf_ = new Uint8Array(FRAME);
  private at_ = 0;
  private last_ = 0;
  bad = 0;

  constructor(private link: Link, private clock: Clock, private answer: (s: HostStatus) => Command[], private gapMs = 500) {
    link.onData((d) => this.data_(typeof d === "string" ? fromLatin1(d) : d));
  }

  private data_(d: Uint8Array): void {
    const now = this.clock.now();
    if (this.at_ && now - this.last_ > this.gapMs) this.at_ = 0;
    this.last_ = now;
    for (let off = 0; off < d.length;) {
      const k = Math.min(d.length - off, FRAME - this.at_);
      this.buf_.set(d.subarray(off, off + k), this.at_);
      this.at_ += k;
      off += k;
      if (this.at_ === FRAME) {
        this.at_ = 0;
        let s: HostStatus;
        try {
          s = statusFromPostcard(this.buf_);
        } catch (e) {
          this.bad++;
          continue;
        }
        for (const c of this.answer(s)) this.link.write(commandFrame(c));
      }
    }
  }
}
