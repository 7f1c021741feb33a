import type { Crc8 } from "./crc8.js";
import { BEG, END, ESC, MAX_PAYLOAD, XOFF, XON } from "./protocol.js";

const OUT = 0;
const IN = 1;
const ESCAPED = 2;

function special(v: number): boolean {
  return v === BEG || v === END || v === ESC || v === XON || v === XOFF;
}

/**
 * Frames out of a byte stream split at any point. Copies runs between
 * special bytes with built-ins (indexOf, set), never byte by byte. Restarts
 * on every BEG, so a lost END or garbage costs one frame, not two; ignores
 * empty frames, oversized frames, bad escapes and bad CRC-8.
 */
export class FrameDecoder {
  /** Raw payload of the frame being received, CRC-8 last. */
  readonly buf: Uint8Array;
  crcErrors = 0;
  overflows = 0;
  escapeErrors = 0;
  frames = 0;
  private len_ = 0;
  private state_ = OUT;
  private crc8_: Crc8;
  private onFrame_: (payload: Uint8Array, len: number) => void;

  /** `onFrame` sees `buf` and the payload length (CRC excluded); the bytes are valid during the call only. */
  constructor(o: { crc8: Crc8; onFrame: (payload: Uint8Array, len: number) => void; maxPayload?: number }) {
    this.buf = new Uint8Array((o.maxPayload || MAX_PAYLOAD) + 1);
    this.crc8_ = o.crc8;
    this.onFrame_ = o.onFrame;
  }

  feed(d: Uint8Array): void {
    const n = d.length;
    let i = 0;
    // Next position of each special byte at or after i; -1 = none left.
    let pBeg = -2;
    let pEnd = -2;
    let pEsc = -2;
    while (i < n) {
      if (this.state_ === OUT) {
        if (pBeg < i && pBeg !== -1) pBeg = d.indexOf(BEG, i);
        if (pBeg < 0) return;
        i = pBeg + 1;
        this.begin_();
        continue;
      }
      if (this.state_ === ESCAPED) {
        const v = d[i++];
        if (v === BEG) {
          this.begin_();
          continue;
        }
        if (!special(v ^ 0xff)) {
          this.escapeErrors++;
          this.state_ = OUT;
          continue;
        }
        this.put_(undefined, v ^ 0xff);
        continue;
      }
      if (pBeg < i && pBeg !== -1) pBeg = d.indexOf(BEG, i);
      if (pEnd < i && pEnd !== -1) pEnd = d.indexOf(END, i);
      if (pEsc < i && pEsc !== -1) pEsc = d.indexOf(ESC, i);
      let j = n;
      if (pBeg >= 0 && pBeg < j) j = pBeg;
      if (pEnd >= 0 && pEnd < j) j = pEnd;
      if (pEsc >= 0 && pEsc < j) j = pEsc;
      if (j > i) this.put_(d.subarray(i, j), 0);
      if (this.state_ === OUT) {
        i = j;
        continue;
      }
      if (j === n) return;
      const b = d[j];
      i = j + 1;
      if (b === ESC) this.state_ = ESCAPED;
      else if (b === BEG) this.begin_();
      else this.end_();
    }
  }

  private begin_(): void {
    this.state_ = IN;
    this.len_ = 0;
  }

  /** Appends a run, or one unescaped byte `v`; an overflow drops the frame. */
  private put_(run: Uint8Array | undefined, v: number): void {
    const len = this.len_;
    const n = run ? run.length : 1;
    if (len + n > this.buf.length) {
      this.overflows++;
      this.state_ = OUT;
      return;
    }
    if (run) this.buf.set(run, len);
    else this.buf[len] = v;
    this.len_ = len + n;
    this.state_ = IN;
  }

  private end_(): void {
    this.state_ = OUT;
    const len = this.len_ - 1;
    if (len < 2) return;
    if (this.crc8_(this.buf, 0, len) !== this.buf[len]) {
      this.crcErrors++;
      return;
    }
    this.frames++;
    this.onFrame_(this.buf, len);
  }
}

/**
 * Escapes `payload[0..len)` plus its CRC-8 into `out` as one frame; returns
 * the frame length. One step per byte: replies and calls are short.
 */
export function encodeFrame(payload: Uint8Array, len: number, out: Uint8Array, crc8: Crc8): number {
  let o = 0;
  out[o++] = BEG;
  const crc = crc8(payload, 0, len);
  for (let i = 0; i <= len; i++) {
    const v = i < len ? payload[i] : crc;
    if (special(v)) {
      out[o++] = ESC;
      out[o++] = v ^ 0xff;
    } else out[o++] = v;
  }
  out[o++] = END;
  return o;
}

/** Largest frame `encodeFrame` can produce for a payload of `len` bytes. */
export function frameBound(len: number): number {
  return 2 * (len + 1) + 2;
}
