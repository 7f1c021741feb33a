import { suite } from "uvu";
import * as assert from "uvu/assert";
import { espruinoUint16, mapInPlace } from "../src/testbench/mapinplace.js";

const t = suite("E.mapInPlace stand-in");

// The examples from Espruino's own documentation of E.mapInPlace.
t("a lookup table maps each element", () => {
  const a = new Uint8Array([1, 2, 3, 1, 2, 3]);
  mapInPlace(a, a, new Uint8Array([128, 129, 130, 131]));
  assert.equal([...a], [129, 130, 131, 129, 130, 131]);
});

t("bits unpack msb-first and lsb-first, and combine into wider elements", () => {
  const a = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
  const b = new Uint8Array(8);
  mapInPlace(a, b, undefined, 4);
  assert.equal([...b], [1, 2, 3, 4, 5, 6, 7, 8]);
  mapInPlace(a, b, undefined, -4);
  assert.equal([...b], [2, 1, 4, 3, 6, 5, 8, 7]);
  const w = new Uint16Array(4);
  mapInPlace(a, w, undefined, 12);
  assert.equal([...w], [0x123, 0x456, 0x780, 0]);
  mapInPlace(a, w, undefined, -12);
  assert.equal([...w], [0x412, 0x563, 0x078, 0]);
});

t("overlapping unaligned views see each other's writes, element by element", () => {
  const U16 = espruinoUint16(Uint16Array) as new (b: ArrayBuffer, o: number, n: number) => Uint16Array;
  const w = new Uint8Array(8);
  const rd = new U16(w.buffer, 1, 3);
  const wr = new U16(w.buffer, 2, 3);
  w[1] = 5;
  // Each step writes (value+1) into the byte the next read takes as its low byte.
  const tab = new Uint16Array(65536).map((_, i) => ((i & 255) + 1) << 8);
  mapInPlace(rd, wr, tab, 16);
  assert.equal([w[3], w[5], w[7]], [6, 7, 8]);
});

t.run();
