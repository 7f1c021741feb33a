import type { Crc8 } from "./crc8.js";
import { BEG, CLIENT_OTA_WRITE, END, ESC, MAX_PAYLOAD, OP_INVOKE, XOFF, XON } from "./protocol.js";

function special(v: number): boolean {
  return v === BEG || v === END || v === ESC || v === XON || v === XOFF;
}

const S_BEG = String.fromCharCode(BEG);
const S_END = String.fromCharCode(END);
const S_ESC = String.fromCharCode(ESC);

/** Espruino's serial data are Strings; host links give bytes. Both have indexOf, with different arguments. */
function find(d: Uint8Array | string, v: number, from: number): number {
  return typeof d === "string" ? d.indexOf(v === BEG ? S_BEG : S_END, from) : d.indexOf(v, from);
}

/**
 * Bytes as one String (a char per byte) for the decoder's scans of a whole
 * frame, or undefined: then the typed array's own indexOf. The device sets
 * E.toString (setFrameText): Espruino's typed-array indexOf walks from index
 * 0 at every call and costs about 1800 x86 instructions an element (1.9 M
 * for a 1 KB frame), a String's about 440 a char, and from a given index on
 * a flat String it starts there.
 */
let text: ((b: Uint8Array) => string) | undefined;

export function setFrameText(f: ((b: Uint8Array) => string) | undefined): void {
  text = f;
}

/** Finds ESC and the last BEG in b[0..n): over a String where the device gave one. */
function scanner(b: Uint8Array, n: number): { esc: (from: number) => number; lastBeg: () => number } {
  const v = b.subarray(0, n);
  if (text) {
    const s = text(v);
    return { esc: (from) => s.indexOf(S_ESC, from), lastBeg: () => s.lastIndexOf(S_BEG) };
  }
  return { esc: (from) => v.indexOf(ESC, from), lastBeg: () => v.lastIndexOf(BEG) };
}

// Raw bytes of an otaUpdateWrite payload around its data: opcode, uid, msgId, offset, length | crc32, CRC-8.
const W_HEAD = 12;
const W_TAIL = 5;

/**
 * Frames out of a byte stream split at any point. A piece inside a frame is
 * appended whole (Espruino's Uint8Array.set takes a String) after one
 * built-in scan, for END; outside a frame, pieces are scanned for BEG. At END: an otaUpdateWrite whose length field accounts for
 * every byte holds no escape and no stray BEG (each would add a byte), so
 * it goes straight to its CRC-8; any other frame, or one whose CRC-8 fails
 * there, is taken from its last BEG (so a lost END or garbage costs one
 * frame, not two, as if every BEG restarted), its escapes undone run by run,
 * and the CRC-8 checked. Ignores empty frames, oversized frames, bad escapes
 * and bad CRC-8.
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
    // Most pieces lie inside a frame: one scan, one copy, nothing else (no call: each costs the interpreter).
    const len = this.len_;
    if (this.in_ && len + n <= this.buf.length && (typeof d === "string" ? d.indexOf(S_END) : d.indexOf(END)) < 0) {
      this.buf.set(d as Uint8Array, len);
      this.len_ = len + n;
      return;
    }
    let i = 0;
    while (i < n) {
      if (!this.in_) {
        const b = find(d, BEG, i);
        if (b < 0) return;
        this.in_ = true;
        this.len_ = 0;
        i = b + 1;
        continue;
      }
      // Up to the end of this frame or of the piece. A BEG before it (a lost END) is found by
      // end_, or by append_ when the buffer is full, and the frame starts over there.
      const e = find(d, END, i);
      const j = e < 0 ? n : e;
      if (!this.append_(d, i, j)) this.in_ = false;
      else if (e >= 0) this.end_();
      i = j + 1;
    }
  }

  private append_(d: Uint8Array | string, i: number, j: number): boolean {
    if (j === i) return true;
    if (this.len_ + j - i > this.buf.length) {
      // Full: a BEG taken in since the frame began, or in this piece, starts a frame after all.
      const b = find(d, BEG, i);
      if (b >= 0 && b < j) {
        this.len_ = 0;
        return this.append_(d, b + 1, j);
      }
      if (!this.restart_() || this.len_ + j - i > this.buf.length) {
        this.overflows++;
        return false;
      }
    }
    const part = i === 0 && j === d.length ? d : typeof d === "string" ? d.substring(i, j) : d.subarray(i, j);
    // A String writes its char codes on Espruino (the host stand-in does the same).
    this.buf.set(part as Uint8Array, this.len_);
    this.len_ += j - i;
    return true;
  }

  /** Drops everything up to the last BEG in the buffer; false if there is none. */
  private restart_(): boolean {
    const b = scanner(this.buf, this.len_).lastBeg();
    if (b < 0) return false;
    this.buf.set(this.buf.subarray(b + 1, this.len_), 0);
    this.len_ -= b + 1;
    return true;
  }

  private end_(): void {
    this.in_ = false;
    const buf = this.buf;
    const n = this.len_;
    if (
      n > W_HEAD + W_TAIL && n - 1 <= MAX_PAYLOAD && n === W_HEAD + (buf[10] | (buf[11] << 8)) + W_TAIL &&
      buf[0] === (OP_INVOKE & 255) && buf[1] === OP_INVOKE >> 8 && buf[2] === (CLIENT_OTA_WRITE & 255) && buf[3] === CLIENT_OTA_WRITE >> 8 &&
      buf.subarray(4, W_HEAD).indexOf(ESC) < 0 && this.crc8_(buf, 0, n - 1) === buf[n - 1]
    ) {
      this.frames++;
      this.onFrame_(buf, n - 1);
      return;
    }
    this.restart_();
    this.unescape_();
  }

  /** Undoes the escapes in place, run by run, and checks the CRC-8. */
  private unescape_(): void {
    const buf = this.buf;
    const n = this.len_;
    const scan = scanner(buf, n);
    let r = scan.esc(0);
    let w = r < 0 ? n : r;
    while (r >= 0) {
      if (r + 1 >= n || !special(buf[r + 1] ^ 0xff)) {
        this.escapeErrors++;
        return;
      }
      buf[w++] = buf[r + 1] ^ 0xff;
      r += 2;
      const next = r < n ? scan.esc(r) : -1;
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

/** 1 for the bytes that must be escaped: one lookup instead of five comparisons (or a call) a byte. */
const SPECIAL = new Uint8Array(256);
SPECIAL[BEG] = SPECIAL[END] = SPECIAL[ESC] = SPECIAL[XON] = SPECIAL[XOFF] = 1;

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
    if (SPECIAL[v]) {
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
