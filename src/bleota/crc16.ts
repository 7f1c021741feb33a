/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR),
 * the checksum of ESP BLE OTA commands, acknowledgements and sectors.
 * `crc` carries the value over from the previous piece (0xFFFF to begin).
 */
export type Crc16 = (b: Uint8Array, start: number, end: number, crc: number) => number;

export const CRC16_INIT = 0xffff;

/**
 * The byte table in 255 steps: entries for one bit are shifted doubles,
 * every other entry the XOR of two made before (the CRC is linear), so no
 * 8-step bit loop per entry and no 700-byte literal in a 12 KB slot.
 */
export function crc16Table(): Uint16Array {
  const t = new Uint16Array(256);
  t[1] = 0x1021;
  for (let i = 2; i < 256; i++) {
    const h = t[i >> 1];
    t[i] = i & (i - 1) ? t[i & (i - 1)] ^ t[i & -i] : (h << 1) ^ (h & 0x8000 ? 0x1021 : 0);
  }
  return t;
}

/**
 * Table-driven, a byte a step (the host's simulator uses it). Espruino has no built-in for this polynomial and none of its
 * whole-array built-ins can run the 16-bit recurrence (a lookup chain like
 * crc8.ts's would need a 2^17-entry table), so this is the one per-byte loop
 * over image data: four bytes a statement, as the interpreter's cost is in
 * statements (measured: docs/ble-ota.md).
 */
export function tableCrc16(t: Uint16Array): Crc16 {
  return (b, start, end, c) => {
    let i = start;
    for (const n = end - 3; i < n; ) {
      c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8), c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8),
      c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8), c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8);
    }
    while (i < end) c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8);
    return c;
  };
}

/**
 * The device's: two bytes a step, read as one little-endian u16 through an
 * aligned Uint16Array view, the register kept byte-swapped. For bytes d0 d1
 * and register (h, l): crc' = A[h ^ d0] ^ T[l ^ d1], A[i] being T[i] shifted
 * a byte and reduced (the CRC is linear), so with s = swap(crc) and
 * x = s ^ u16: swap(crc') = SA[x & 255] ^ ST[x >> 8]. Half the steps of the
 * byte loop for 1 KB of tables made in 256 steps at start. An odd first or
 * last byte takes a byte step.
 */
export function wordCrc16(t: Uint16Array): Crc16 {
  const sa = new Uint16Array(256);
  const st = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    const a = ((t[i] & 255) << 8) ^ t[t[i] >> 8];
    sa[i] = ((a & 255) << 8) | (a >> 8);
    st[i] = ((t[i] & 255) << 8) | (t[i] >> 8);
  }
  return (b, start, end, c) => {
    let i = start;
    if ((b.byteOffset + i) & 1 && i < end) c = t[(c >> 8) ^ b[i++]] ^ ((c & 255) << 8);
    const n = (end - i) >> 1;
    if (n) {
      const w = new Uint16Array(b.buffer, b.byteOffset + i, n);
      let s = ((c & 255) << 8) | (c >> 8);
      let x = 0;
      let j = 0;
      for (const m = n - 3; j < m; ) {
        s = sa[(x = s ^ w[j++]) & 255] ^ st[x >> 8], s = sa[(x = s ^ w[j++]) & 255] ^ st[x >> 8],
        s = sa[(x = s ^ w[j++]) & 255] ^ st[x >> 8], s = sa[(x = s ^ w[j++]) & 255] ^ st[x >> 8];
      }
      while (j < n) s = sa[(x = s ^ w[j++]) & 255] ^ st[x >> 8];
      c = ((s & 255) << 8) | (s >> 8);
      i += 2 * n;
    }
    if (i < end) c = t[(c >> 8) ^ b[i]] ^ ((c & 255) << 8);
    return c;
  };
}
