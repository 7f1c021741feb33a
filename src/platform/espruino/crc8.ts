import { type Crc8, crc8 as crc8Loop } from "../../ncp/crc8.js";

/*
 * CRC-8 (poly 0x07) without a per-byte JS loop, for long frames: a
 * self-feeding E.mapInPlace chain. State bytes c_j and 2-bit data pieces d_j
 * sit alternately in one buffer [x c0 d0 c1 d1 ...]; mapInPlace reads the
 * 16-bit element (c_j, d_j) through a view at byte 1, looks up
 * TAB[c | d<<8] = step(c, d) << 8 and writes it through a view at byte 2,
 * which puts c_{j+1} exactly where the next read picks it up. The whole
 * recurrence runs inside one built-in call. It relies on mapInPlace going
 * element by element straight in RAM, with unaligned views, as 2v29 does:
 * a self-check against the loop decides once, and falls back to the loop.
 * RAM: a 2^(9+K)-byte table (K = 2: 2 KB, K = 4: 8 KB) and a 514-byte work
 * buffer, made when the client bundle loads (at boot, before the application
 * allocates): in fragmented memory the table may not get one flat block and
 * every lookup then walks a chain (measured: 12-16 ms instead of 1.4 ms a
 * frame), so a table that is not flat (E.getAddressOf) means the loop.
 * build.mjs picks K by the board's RAM (0 = no chain: the loop alone, for
 * 2600-JsVar boards).
 */
declare const __CRC8_K__: number;
const K = __CRC8_K__;
const PIECE = 64;
const STEPS = K ? PIECE * (8 / K) : 0;

export function chainCrc8(): Crc8 {
  if (!K) return crc8Loop;
  let tab: Uint16Array;
  let w: Uint8Array;
  let unp: Uint16Array;
  let rd: Uint16Array;
  let wr: Uint16Array;
  let ok = true;
  const chain = (b: Uint8Array, start: number, end: number): number => {
    let c = 0;
    for (let off = start; off < end; off += PIECE) {
      const len = Math.min(PIECE, end - off);
      E.mapInPlace(b.subarray(off, off + len), unp, undefined, K);
      w[1] = c;
      E.mapInPlace(rd, wr, tab, 16);
      c = w[(8 / K) * 2 * len + 1];
    }
    return c;
  };
  const init = () => {
    tab = new Uint16Array(256 << K);
    for (let d = 0; d < 1 << K; d++) {
      for (let c0 = 0; c0 < 256; c0++) {
        let c = c0;
        for (let bit = K - 1; bit >= 0; bit--) {
          const fb = ((c >> 7) ^ (d >> bit)) & 1;
          c = (c << 1) & 255;
          if (fb) c ^= 7;
        }
        tab[c0 | (d << 8)] = c << 8;
      }
    }
    w = new Uint8Array(2 * STEPS + 2);
    unp = new Uint16Array(w.buffer, 2, STEPS);
    rd = new Uint16Array(w.buffer, 1, STEPS);
    wr = new Uint16Array(w.buffer, 2, STEPS);
    const probe = new Uint8Array(150);
    for (let i = 0; i < probe.length; i++) probe[i] = (i * 167 + 13) & 255;
    ok = E.getAddressOf(tab, true) !== 0 &&
      chain(probe, 0, probe.length) === crc8Loop(probe, 0, probe.length) && chain(probe, 7, 71) === crc8Loop(probe, 7, 71);
  };
  init();
  return (b, start, end) => (ok && end - start >= PIECE ? chain(b, start, end) : crc8Loop(b, start, end));
}
