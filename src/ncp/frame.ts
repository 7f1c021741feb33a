import type { Crc8 } from "./crc8.js";
import { BEG, END, ESC, MAX_PAYLOAD, XOFF, XON } from "./protocol.js";

function special(v: number): boolean {
  return v === BEG || v === END || v === ESC || v === XON || v === XOFF;
}

const S_BEG = String.fromCharCode(BEG);
const S_END = String.fromCharCode(END);

/** Espruino's serial data are Strings; host links give bytes. Both have indexOf, with different arguments. */
function find(d: Uint8Array | string, v: number, from: number): number {
  return typeof d === "string" ? d.indexOf(v === BEG ? S_BEG : S_END, from) : d.indexOf(v, from);
}

/**
 * Frames out of a byte stream split at any point. Each piece is appended
 * whole (Espruino's Uint8Array.set takes a String) after two built-in scans,
 * for BEG and END; escapes are undone once per frame, run by run, and the
 * CRC-8 checked. Restarts on every BEG, so a lost END or garbage costs one
 * frame, not two; ignores empty frames, oversized frames, bad escapes and
 * bad CRC-8.
 */
export class FrameDecoder {
  /** Escaped bytes of the frame being received; after END, its raw payload with the CRC-8 last. */
  readonly buf: Uint8Array;
  crcErrors = 0;
  overflows = 0;
  escapeErrors = 0;
  frames = 0;
  private len_ = 0;
  private in_ = false;
  private crc8_: Crc8;
  private onFrame_: (payload: Uint8Array, len: number) => void;

  /** `onFrame` sees `buf` and the payload length (CRC excluded); the bytes are valid during the call only. */
  constructor(o: { crc8: Crc8; onFrame: (payload: Uint8Array, len: number) => void; maxPayload?: number }) {
    // Room for the largest legal frame fully escaped.
    this.buf = new Uint8Array(2 * ((o.maxPayload || MAX_PAYLOAD) + 1));
    this.crc8_ = o.crc8;
    this.onFrame_ = o.onFrame;
  }

  feed(d: Uint8Array | string): void {
    const n = d.length;
    // Most pieces lie inside a frame: one copy, two scans, nothing else.
    if (this.in_ && find(d, BEG, 0) < 0 && find(d, END, 0) < 0 && this.len_ + n <= this.buf.length) {
      this.buf.set(d as Uint8Array, this.len_);
      this.len_ += n;
      return;
    }
    let i = 0;
    while (i < n) {
      const b = find(d, BEG, i);
      if (!this.in_) {
        if (b < 0) return;
        this.in_ = true;
        this.len_ = 0;
        i = b + 1;
        continue;
      }
      const e = find(d, END, i);
      // Up to whichever comes first: a new frame, the end of this one, or the piece's end.
      let j = n;
      if (b >= 0) j = b;
      if (e >= 0 && e < j) j = e;
      if (!this.append_(d, i, j)) this.in_ = false;
      else if (j === e) this.end_();
      if (j === b) {
        // Every BEG starts over, whatever came before it.
        this.in_ = true;
        this.len_ = 0;
      }
      i = j === n ? n : j + 1;
    }
  }

  private append_(d: Uint8Array | string, i: number, j: number): boolean {
    if (j === i) return true;
    const len = this.len_;
    if (len + j - i > this.buf.length) {
      this.overflows++;
      return false;
    }
    const part = i === 0 && j === d.length ? d : typeof d === "string" ? d.substring(i, j) : d.subarray(i, j);
    // A String writes its char codes on Espruino (the host stand-in does the same).
    this.buf.set(part as Uint8Array, len);
    this.len_ = len + j - i;
    return true;
  }

  /** Undoes the escapes in place, run by run, and checks the CRC-8. */
  private end_(): void {
    this.in_ = false;
    const buf = this.buf;
    const n = this.len_;
    const esc = buf.subarray(0, n);
    let r = esc.indexOf(ESC);
    let w = r < 0 ? n : r;
    while (r >= 0) {
      if (r + 1 >= n || !special(buf[r + 1] ^ 0xff)) {
        this.escapeErrors++;
        return;
      }
      buf[w++] = buf[r + 1] ^ 0xff;
      r += 2;
      const next = esc.indexOf(ESC, r);
      const stop = next < 0 ? n : next;
      if (stop > r) buf.set(buf.subarray(r, stop), w);
      w += stop - r;
      r = next;
    }
    const len = w - 1;
    if (len < 2) return;
    if (len > MAX_PAYLOAD) {
      this.overflows++;
      return;
    }
    if (this.crc8_(buf, 0, len) !== buf[len]) {
      this.crcErrors++;
      return;
    }
    this.frames++;
    this.onFrame_(buf, len);
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
