/**
 * E.mapInPlace and unaligned typed-array views as Espruino 2v29 has them
 * (src/jswrap_espruino.c): element by element, reading `from[j]` and writing
 * `to[j]` straight in memory, so overlapping views see each other's writes.
 * V8 refuses views at unaligned offsets; Espruino allows them, so the
 * stand-in hands out plain descriptors for those, which only this reads.
 */
export interface View {
  buffer: ArrayBufferLike;
  byteOffset: number;
  length: number;
  BYTES_PER_ELEMENT: number;
}

function getter(v: View): (i: number) => number {
  const dv = new DataView(v.buffer, v.byteOffset);
  const s = v.BYTES_PER_ELEMENT;
  return s === 1 ? (i) => dv.getUint8(i) : s === 2 ? (i) => dv.getUint16(2 * i, true) : (i) => dv.getUint32(4 * i, true);
}

function setter(v: View): (i: number, x: number) => void {
  const dv = new DataView(v.buffer, v.byteOffset);
  const s = v.BYTES_PER_ELEMENT;
  return s === 1 ? (i, x) => dv.setUint8(i, x) : s === 2 ? (i, x) => dv.setUint16(2 * i, x, true) : (i, x) => dv.setUint32(4 * i, x >>> 0, true);
}

export function mapInPlace(from: View, to: View, map: ArrayLike<number> | ((v: number, i: number) => number) | undefined, bits = 0): void {
  const bitsFrom = 8 * from.BYTES_PER_ELEMENT;
  let msbFirst = true;
  if (bits < 0) {
    bits = -bits;
    msbFirst = false;
  }
  if (bits === 0) bits = bitsFrom;
  const get = getter(from);
  const set = setter(to);
  let el = 0;
  let b = 0;
  let i = 0;
  let o = 0;
  while ((i < from.length || b >= bits) && o < to.length) {
    const index = i;
    while (b < bits) {
      const x = i < from.length ? get(i) : 0;
      if (msbFirst) el = el * 2 ** bitsFrom + x;
      else el += x * 2 ** b;
      i++;
      b += bitsFrom;
    }
    let v: number;
    if (msbFirst) v = Math.floor(el / 2 ** (b - bits)) % 2 ** bits;
    else {
      v = el % 2 ** bits;
      el = Math.floor(el / 2 ** bits);
    }
    b -= bits;
    if (msbFirst) el = el % 2 ** b;
    const out = typeof map === "function" ? map(v, index) : map ? map[v] || 0 : v;
    set(o++, out);
  }
}

/** A Uint16Array constructor that also accepts unaligned offsets, as Espruino's does. */
export function espruinoUint16(Real: typeof Uint16Array): unknown {
  return function (a: ArrayBuffer | number, off?: number, len?: number) {
    if (typeof a === "object" && typeof off === "number" && off % 2) {
      const buf = a as ArrayBuffer;
      return { buffer: buf, byteOffset: off, length: len === undefined ? Math.floor((buf.byteLength - off) / 2) : len, BYTES_PER_ELEMENT: 2 } as View;
    }
    return off === undefined ? new Real(a as ArrayBuffer) : new Real(a as ArrayBuffer, off, len);
  };
}
