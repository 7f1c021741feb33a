import { unstuff } from "../transport/stuffing.js";
import type { Crc8 } from "./crc8.js";
import { BEG, CLIENT_OTA_WRITE, END, ESC, MAX_PAYLOAD, OP_INVOKE, XOFF, XON } from "./protocol.js";

/*
 * Blynk.NCP's byte stuffing (src/transport/stuffing.ts): unescaping is the
 * shared unstuff(), given 0xFF and SPECIAL as literals (no Stuffing object
 * on the device). Specialised here, for these bytes: the stream scans
 * (feed, the chunk write handed over without unescaping or CRC-8), which run
 * for every chunk with literal built-in scans (README "Benchmarks"), and the
 * encoder, whose loop takes the CRC-8 byte in the same pass (the shared
 * stuff() needs it copied first and costs 52 bundle bytes).
 */

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
 * built-in scan, for END; outside a frame, pieces are scanned for BEG. At END:
 * an otaUpdateWrite whose length field accounts for every byte holds no
 * escape and no stray BEG (each would add a byte), so it is handed over as
 * it is; any other frame is taken from its last BEG (so a lost END or
 * garbage costs one frame, not two, as if every BEG restarted) and its
 * escapes undone run by run. Ignores empty frames, oversized frames, bad
 * escapes and bad CRC-8.
 *
 * The CRC-8 of an otaUpdateWrite is checked only when the write is refused
 * (`intact()`): a per-byte CRC-8 over 1 KB is the costliest step of a chunk
 * on an interpreter, and an accepted write needs none. What an accepted
 * write rests on instead: opcode and uid checked here, the length by the
 * frame's own length, the data and its CRC-32 field by the session's CRC-32
 * (stronger than the CRC-8), the offset by the session (the next one, or
 * the last chunk resent). Only the msgId is unchecked: a damaged one gets an
 * answer the NCP does not wait for, i.e. a lost answer, and its resend is
 * taken as one. A refused write whose CRC-8 fails gets silence, as before.
 */
export class FrameDecoder {
  /** Escaped bytes of the frame being received; after END, its raw payload with the CRC-8 last. */
  readonly buf: Uint8Array;
  crcErrors = 0;
  overflows = 0;
  escapeErrors = 0;
  frames = 0;
  private len_ = 0;
  // Length of the frame just handed over whose CRC-8 is not checked yet (0: none), and the check's outcome.
  private unchecked_ = 0;
  private intact_ = true;
  // Raw bytes the frame being received holds before its END can come: from an otaUpdateWrite's
  // header (each escape only adds bytes); 0 = not known yet, -1 = not a write (scan every piece).
  private need_ = 0;
  // END as the link gives it: a one-char String (Espruino's serial data) or a byte (host links); set at each frame's start.
  private endTok_: string | number = END;
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

  /**
   * Takes the next piece of the stream. A function of its own (not a method)
   * so the link calls it directly: on the interpreter every call and every
   * expression costs about 10 k x86 instructions, and this runs 17 times a
   * KB. Most pieces lie inside a frame: one copy, and a scan for END only
   * where the frame can end; below `need_` only the piece's last byte is
   * looked at (on a stop-and-wait link the line is quiet after a frame, so a
   * frame's last piece ends with its END, even a damaged frame's).
   */
  readonly feed = (d: Uint8Array | string): void => {
    const n = d.length;
    const e = this.len_ + n;
    if (this.in_ && e <= this.buf.length && (e <= this.need_ ? d[n - 1] !== this.endTok_ : (d as Uint8Array).indexOf(this.endTok_ as number) < 0)) {
      this.buf.set(d as Uint8Array, this.len_);
      this.len_ = e;
      if (!this.need_ && e >= W_HEAD) this.need_ = this.need__();
    } else this.scan_(d);
  };

  private scan_(d: Uint8Array | string): void {
    const n = d.length;
    let i = 0;
    while (i < n) {
      if (!this.in_) {
        const b = find(d, BEG, i);
        if (b < 0) return;
        this.in_ = true;
        this.len_ = 0;
        this.need_ = 0;
        this.endTok_ = typeof d === "string" ? S_END : END;
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
        this.need_ = 0;
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
    this.need_ = 0;
    return true;
  }

  /**
   * The least raw length of an otaUpdateWrite from its header (no escape in
   * it), -1 for any other frame. A damaged frame whose END comes earlier, in
   * the middle of a piece, is found at the next END past `need_` or at the
   * end of a piece, and taken from its last BEG, as a lost END is; frames
   * that came in between are lost with it (see frame-fast.test.ts).
   */
  private need__(): number {
    const b = this.buf;
    return b[0] === (OP_INVOKE & 255) && b[1] === OP_INVOKE >> 8 && b[2] === (CLIENT_OTA_WRITE & 255) && b[3] === CLIENT_OTA_WRITE >> 8 &&
      b.subarray(4, W_HEAD).indexOf(ESC) < 0 ? W_HEAD + (b[10] | (b[11] << 8)) + W_TAIL : -1;
  }

  private end_(): void {
    this.in_ = false;
    const buf = this.buf;
    const n = this.len_;
    if (n > W_HEAD + W_TAIL && buf.subarray(4, W_HEAD).indexOf(ESC) < 0 && this.deliver_(n)) return;
    this.restart_();
    this.unescape_();
  }

  /** Hands over a well-formed otaUpdateWrite of `n` raw bytes without its CRC-8 (see above); false if it is not one. */
  private deliver_(n: number): boolean {
    const buf = this.buf;
    if (
      n - 1 > MAX_PAYLOAD || n !== W_HEAD + (buf[10] | (buf[11] << 8)) + W_TAIL ||
      buf[0] !== (OP_INVOKE & 255) || buf[1] !== OP_INVOKE >> 8 || buf[2] !== (CLIENT_OTA_WRITE & 255) || buf[3] !== CLIENT_OTA_WRITE >> 8
    ) return false;
    this.frames++;
    this.unchecked_ = n;
    this.intact_ = true;
    this.onFrame_(buf, n - 1);
    this.unchecked_ = 0;
    this.intact_ = true;
    return true;
  }

  /**
   * During `onFrame`: whether the frame's CRC-8 holds (checked now if it was
   * not yet). A frame that fails is counted as a CRC error and not as a frame.
   */
  intact(): boolean {
    const n = this.unchecked_;
    if (!n) return this.intact_;
    this.unchecked_ = 0;
    if (this.crc8_(this.buf, 0, n - 1) === this.buf[n - 1]) return true;
    this.frames--;
    this.crcErrors++;
    return (this.intact_ = false);
  }

  /** Undoes the escapes in place, run by run, and checks the CRC-8. */
  private unescape_(): void {
    const buf = this.buf;
    const w = unstuff(buf, this.len_, scanner(buf, this.len_).esc, 0xff, SPECIAL);
    if (w < 0) {
      this.escapeErrors++;
      return;
    }
    const len = w - 1;
    if (len < 2) return;
    if (len > MAX_PAYLOAD) {
      this.overflows++;
      return;
    }
    if (len > W_HEAD + W_TAIL && this.deliver_(w)) return;
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
 * the frame length. `out` must not overlap `payload`. A step per byte only
 * when something needs escaping: replies and calls are short.
 */
export function encodeFrame(payload: Uint8Array, len: number, out: Uint8Array, crc8: Crc8): number {
  const crc = crc8(payload, 0, len);
  // Usually nothing needs escaping: copied whole and looked over with five built-in scans, no step a byte.
  out[0] = BEG;
  out.set(payload.subarray(0, len), 1);
  out[len + 1] = crc;
  const v = out.subarray(1, len + 2);
  if (v.indexOf(BEG) < 0 && v.indexOf(END) < 0 && v.indexOf(ESC) < 0 && v.indexOf(XON) < 0 && v.indexOf(XOFF) < 0) {
    out[len + 2] = END;
    return len + 3;
  }
  let o = 0;
  out[o++] = BEG;
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
