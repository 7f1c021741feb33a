import type { Clock } from "../hal/clock.js";
import type { Link } from "../hal/link.js";
import type { DfuSink, DfuTransport } from "./ports.js";
import { decodeCommandPostcard, encodeStatusPostcard } from "./postcard.js";
import type { Status } from "./protocol.js";

/** drgdfu's serial framing (embedded-update src/service/serial.rs:12, src/device/serial.rs:12,58): fixed frames, no delimiter, no CRC. */
export const FRAME_SIZE = 1024;
/** The largest Write data drgdfu sends over it. */
export const SERIAL_MTU = 968;

/**
 * Status and Command over a UART (drgdfu at 115200 baud): each message is
 * postcard at the start of a 1024-byte frame, the rest padding. Frames are
 * told apart only by counting bytes, so a partial frame followed by
 * `gapMs` of silence is dropped (bytes lost on the line would otherwise
 * shift every later frame). Both frame buffers are allocated once.
 */
export class DfuSerial implements DfuTransport {
  mtu = SERIAL_MTU;
  private link_: Link;
  private clock_: Clock;
  private gap_: number;
  private out_ = new Uint8Array(FRAME_SIZE);
  private in_ = new Uint8Array(FRAME_SIZE);
  private at_ = 0;
  private last_ = 0;
  private sink_: DfuSink | undefined;

  constructor(link: Link, clock: Clock, gapMs?: number) {
    this.link_ = link;
    this.clock_ = clock;
    this.gap_ = gapMs || 500;
  }

  attach(sink: DfuSink): void {
    this.sink_ = sink;
    this.link_.onData((d) => this.data_(d));
  }

  send(s: Status): void {
    encodeStatusPostcard(this.out_, s);
    this.link_.write(this.out_);
  }

  private data_(d: Uint8Array | string): void {
    const now = this.clock_.now();
    if (this.at_ && now - this.last_ > this.gap_) this.at_ = 0;
    this.last_ = now;
    const n = d.length;
    let off = 0;
    while (off < n) {
      const k = Math.min(n - off, FRAME_SIZE - this.at_);
      // Whole pieces as they are; a piece across a frame's end is cut (a String on Espruino, bytes on the host).
      const piece = off === 0 && k === n ? d : typeof d === "string" ? d.substr(off, k) : d.subarray(off, off + k);
      // Espruino's Uint8Array.set takes a String's char codes.
      this.in_.set(piece as Uint8Array, this.at_);
      this.at_ += k;
      off += k;
      if (this.at_ === FRAME_SIZE) {
        this.at_ = 0;
        this.frame_();
      }
    }
  }

  private frame_(): void {
    const sink = this.sink_;
    if (!sink) return;
    let c;
    try {
      c = decodeCommandPostcard(this.in_);
    } catch (e) {
      return sink.garbled((e as Error).message);
    }
    // The Write's data is a view of the frame: the client has written it before the next byte lands here.
    sink.command(c);
  }
}
