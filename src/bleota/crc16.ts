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
 * Table-driven. Espruino has no built-in for this polynomial and none of its
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
