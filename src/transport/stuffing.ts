/**
 * Byte stuffing between a start and an end byte, parameterised by its
 * special bytes, its escape rule and its check:
 * | protocol | start | end | escape | bytes escaped | escaped as | check |
 * | --- | --- | --- | --- | --- | --- | --- |
 * | Blynk.NCP (src/ncp/frame.ts) | AA | BB | CC | AA BB CC 11 13 | CC, b ^ FF | CRC-8 appended |
 * | ZiGate (src/peers/zigate) | 01 | 03 | 02 | 00..0F | 02, b ^ 10 | XOR of the rest, in the header |
 * Escaping steps a byte (frames that need it are short: calls, replies);
 * unescaping goes run by run with a built-in scan, so a long frame costs a
 * few built-in calls per escape, never a JavaScript step per byte.
 * `stuff` and `unstuff` take the escape rule as plain arguments, so device
 * code passes literals and builds no Stuffing object.
 */
export interface Stuffing {
  beg: number;
  end: number;
  esc: number;
  /** An escaped byte goes as esc, b ^ flip. */
  flip: number;
  /** 1 for each byte that goes escaped (one lookup a byte, not a comparison per special byte). */
  special: Uint8Array;
}

export function stuffing(beg: number, end: number, esc: number, escaped: number[], flip: number): Stuffing {
  const special = new Uint8Array(256);
  for (let i = 0; i < escaped.length; i++) special[escaped[i]] = 1;
  return { beg: beg, end: end, esc: esc, flip: flip, special: special };
}

/** How a frame's bytes are checked: `seal` adds the check to raw[0..n) (room given) and returns the new length; `open` gives the payload length, or -1 if the check fails. */
export interface Check {
  seal(raw: Uint8Array, n: number): number;
  open(raw: Uint8Array, n: number): number;
}

/** A check byte appended after the payload (Blynk.NCP: CRC-8). */
export function appendedCheck(f: (b: Uint8Array, start: number, end: number) => number): Check {
  return {
    seal: (raw, n) => {
      raw[n] = f(raw, 0, n);
      return n + 1;
    },
    open: (raw, n) => (n > 0 && f(raw, 0, n - 1) === raw[n - 1] ? n - 1 : -1),
  };
}

/** XOR of every byte but the one at `at`, stored there (ZiGate: the byte after type and length). */
export function xorCheck(at: number): Check {
  const x = (raw: Uint8Array, n: number): number => {
    let c = 0;
    for (let i = 0; i < n; i++) if (i !== at) c ^= raw[i];
    return c;
  };
  return {
    seal: (raw, n) => {
      raw[at] = x(raw, n);
      return n;
    },
    open: (raw, n) => (n > at && x(raw, n) === raw[at] ? n : -1),
  };
}

/** Escapes src[0..n) into out from `at` (out must not overlap src, room 2 n): each byte with `special` set as esc, b ^ flip. Returns the new end. */
export function stuff(src: Uint8Array, n: number, out: Uint8Array, at: number, esc: number, flip: number, special: Uint8Array): number {
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (special[v]) {
      out[at++] = esc;
      out[at++] = v ^ flip;
    } else out[at++] = v;
  }
  return at;
}

/** A whole frame into out: start, raw[0..n) sealed by `check` (raw has room for it) and escaped, end; returns its length. */
export function encodeStuffed(s: Stuffing, check: Check, raw: Uint8Array, n: number, out: Uint8Array): number {
  out[0] = s.beg;
  const o = stuff(raw, check.seal(raw, n), out, 1, s.esc, s.flip, s.special);
  out[o] = s.end;
  return o + 1;
}

/**
 * Undoes the escapes in b[0..n) in place, run by run: `find(from)` gives
 * the next escape byte at or after `from` (-1: none; a scan over a String
 * where the platform makes one). Returns the raw length, or -1 when an
 * escape is last or does not stand for a byte with `special` set.
 */
export function unstuff(b: Uint8Array, n: number, find: (from: number) => number, flip: number, special: Uint8Array): number {
  let r = find(0);
  let w = r < 0 ? n : r;
  while (r >= 0) {
    if (r + 1 >= n || !special[b[r + 1] ^ flip]) return -1;
    b[w++] = b[r + 1] ^ flip;
    r += 2;
    const next = r < n ? find(r) : -1;
    const stop = next < 0 ? n : next;
    if (stop > r) b.set(b.subarray(r, stop), w);
    w += stop - r;
    r = next;
  }
  return w;
}
