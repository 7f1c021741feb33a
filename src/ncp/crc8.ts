/**
 * CRC-8 of Blynk.NCP frames: polynomial 0x07, initial 0, no reflection, no
 * final XOR ("123456789" -> 0xF4). Table-driven, one step per byte: right
 * for short frames; the device uses a built-in-based one for long frames.
 */
let table: Uint8Array | undefined;

function makeTable(): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
}

export function crc8(b: Uint8Array, start: number, end: number): number {
  const t = table || (table = makeTable());
  let c = 0;
  for (let i = start; i < end; i++) c = t[c ^ b[i]];
  return c;
}

/** How frames get their CRC-8: `crc8` above, or a faster platform one. */
export type Crc8 = (b: Uint8Array, start: number, end: number) => number;
