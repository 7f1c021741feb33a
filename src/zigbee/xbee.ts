/**
 * Digi XBee 3 Zigbee API frames, API mode 2 (AP=2, escaped): 0x7E, length
 * u16 big-endian, frame data, checksum = 0xFF minus the low byte of the sum
 * of the frame data; after the start byte, 0x7E 0x7D 0x11 0x13 go as 0x7D,
 * b ^ 0x20 (length and checksum count the unescaped bytes). Sources and the
 * frame layouts: docs/zigbee.md "XBee API frames".
 *
 * Whole-array built-ins only where a frame carries block data: runs between
 * special bytes are found with indexOf (over a String where the device gives
 * one, `text`) and copied with set; the checksum is `sum` (E.sum on the device).
 */
export const XB_START = 0x7e;
export const XB_ESC = 0x7d;
export const XB_XON = 0x11;
export const XB_XOFF = 0x13;

export const XB_EXPLICIT_TX = 0x11;
export const XB_EXPLICIT_RX = 0x91;
export const XB_TX_STATUS = 0x8b;
export const XB_MODEM_STATUS = 0x8a;

/** Sum of the bytes (the device's E.sum). */
export type ByteSum = (b: Uint8Array) => number;
/** The bytes as a String, a char a byte (the device's E.toString), for fast scans; undefined: the typed array's indexOf. */
export type ByteText = ((b: Uint8Array) => string) | undefined;

const C_START = "\x7e";
const C_ESC = "\x7d";
const C_XON = "\x11";
const C_XOFF = "\x13";

/** Host-side sum (tests, the simulator). */
export function loopSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += b[i];
  return s;
}

/** Host-side text (Node): the bytes as a latin1 String. The device passes E.toString. */
function loopText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, Array.prototype.slice.call(b.subarray(i, i + 4096)) as number[]);
  return s;
}

/** Where the next of the four special bytes is in s from `i` (n when none): four built-in scans, no per-byte JavaScript. */
function nextSpecial(s: string, i: number, n: number): number {
  let j = n;
  let k = s.indexOf(C_START, i);
  if (k >= 0 && k < j) j = k;
  k = s.indexOf(C_ESC, i);
  if (k >= 0 && k < j) j = k;
  k = s.indexOf(C_XON, i);
  if (k >= 0 && k < j) j = k;
  k = s.indexOf(C_XOFF, i);
  if (k >= 0 && k < j) j = k;
  return j;
}

/** Escapes src into dst from `at`; returns the new end. dst needs room for 2 * src.length. */
export function escapeInto(src: Uint8Array, dst: Uint8Array, at: number, text: ByteText): number {
  const s = (text || loopText)(src);
  const n = src.length;
  let i = 0;
  for (;;) {
    const j = nextSpecial(s, i, n);
    if (j > i) dst.set(src.subarray(i, j), at);
    at += j - i;
    if (j === n) return at;
    dst[at++] = XB_ESC;
    dst[at++] = src[j] ^ 0x20;
    i = j + 1;
  }
}

/** Builds frames: write the frame data into `data`, then `encode(n)` gives the escaped frame (a view, valid until the next call). */
export class XBeeEncoder {
  /** Frame data goes here (API identifier first). */
  readonly data: Uint8Array;
  private raw_: Uint8Array;
  private out_: Uint8Array;
  private sum_: ByteSum;
  private text_: ByteText;

  constructor(o: { maxData: number; sum: ByteSum; text?: ByteText }) {
    this.raw_ = new Uint8Array(o.maxData + 3);
    this.data = this.raw_.subarray(2, 2 + o.maxData);
    this.out_ = new Uint8Array(1 + 2 * (o.maxData + 3));
    this.sum_ = o.sum;
    this.text_ = o.text;
  }

  encode(n: number): Uint8Array {
    const r = this.raw_;
    r[0] = n >> 8;
    r[1] = n & 255;
    r[2 + n] = 255 - (this.sum_(r.subarray(2, 2 + n)) & 255);
    this.out_[0] = XB_START;
    return this.out_.subarray(0, escapeInto(r.subarray(0, n + 3), this.out_, 1, this.text_));
  }
}

/**
 * Frames out of a byte stream split anywhere. Bytes collect from the last
 * start byte (an API mode 2 frame holds no other 0x7E); once the escaped
 * bytes can hold the length the frame names, escapes are undone run by run
 * and the checksum checked. A frame cut short by the next start byte, too
 * long, or with a bad checksum is dropped (counted in `errors`).
 */
export class XBeeDecoder {
  errors = 0;
  frames = 0;
  private raw_: Uint8Array;
  private n_ = 0;
  /** Raw bytes needed before the frame being received can be whole (escapes only add). */
  private need_ = 0;
  private f_: Uint8Array;
  private sum_: ByteSum;
  private text_: ByteText;
  private on_: (data: Uint8Array, n: number) => void;

  /** `onFrame` gets the frame data (API identifier first), valid during the call only. */
  constructor(o: { maxData: number; sum: ByteSum; text?: ByteText; onFrame: (data: Uint8Array, n: number) => void }) {
    this.f_ = new Uint8Array(o.maxData + 3);
    // Room for a whole frame escaped, and for a Serial piece that brings several frames at once.
    this.raw_ = new Uint8Array(Math.max(2 * (o.maxData + 4) + 64, 512));
    this.sum_ = o.sum;
    this.text_ = o.text;
    this.on_ = o.onFrame;
  }

  readonly feed = (d: Uint8Array | string): void => {
    const len = d.length;
    if (this.n_ + len > this.raw_.length) {
      // Only an overlong frame gets here (raw bytes start at a start byte): drop it.
      if (this.n_) this.errors++;
      this.n_ = 0;
      this.need_ = 0;
      if (len > this.raw_.length) return;
    }
    this.raw_.set(d as Uint8Array, this.n_);
    this.n_ += len;
    // Short of the length the frame names: wait, unless a start byte came (that frame was cut; the next is here).
    if (this.n_ >= this.need_ || (typeof d === "string" ? d.indexOf(C_START) : d.indexOf(XB_START)) >= 0) this.scan_();
  };

  private drop_(to: number): void {
    const n = this.n_;
    if (to < 0 || to >= n) this.n_ = 0;
    else {
      this.raw_.set(this.raw_.subarray(to, n), 0);
      this.n_ = n - to;
    }
    this.need_ = 0;
  }

  private scan_(): void {
    for (;;) {
      const n = this.n_;
      if (!n) return;
      const raw = this.raw_.subarray(0, n);
      const str = (this.text_ || loopText)(raw);
      const b = str.indexOf(C_START);
      if (b < 0) {
        this.n_ = 0;
        return;
      }
      if (b > 0) {
        this.drop_(b);
        continue;
      }
      const nx = str.indexOf(C_START, 1);
      const end = nx < 0 ? n : nx;
      const m = this.unescape_(raw, str, end);
      if (m < 0) {
        this.errors++;
        this.drop_(nx);
        continue;
      }
      if (m >= 2) {
        const len = (this.f_[0] << 8) | this.f_[1];
        if (len === 0 || len + 3 > this.f_.length) {
          this.errors++;
          this.drop_(nx);
          continue;
        }
        if (m >= len + 3) {
          const f = this.f_;
          const ok = (this.sum_(f.subarray(2, 3 + len)) & 255) === 255;
          this.drop_(nx);
          if (!ok) {
            this.errors++;
            continue;
          }
          this.frames++;
          this.on_(f.subarray(2, 2 + len), len);
          continue;
        }
        if (nx >= 0) {
          this.errors++;
          this.drop_(nx);
          continue;
        }
        this.need_ = len + 4;
        return;
      }
      if (nx >= 0) {
        this.drop_(nx);
        continue;
      }
      return;
    }
  }

  /** Unescapes raw[1..end) into f_: bytes out, or -1 (too many). An escape at the end waits for its byte. */
  private unescape_(raw: Uint8Array, str: string, end: number): number {
    const f = this.f_;
    let k = 0;
    let p = 1;
    for (;;) {
      let e = str.indexOf(C_ESC, p);
      if (e < 0 || e >= end) e = end;
      const run = e - p;
      if (run > 0) {
        if (k + run > f.length) return -1;
        f.set(raw.subarray(p, e), k);
        k += run;
      }
      if (e >= end - 1) return k;
      if (k >= f.length) return -1;
      f[k++] = raw[e + 1] ^ 0x20;
      p = e + 2;
    }
  }
}
