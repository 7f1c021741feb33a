import { suite } from "uvu";
import * as assert from "uvu/assert";
import { crc8 } from "../src/ncp/crc8.js";
import { encodeFrame, frameBound } from "../src/ncp/frame.js";
import { StuffDecoder } from "../src/transport/stuff-decoder.js";
import { appendedCheck, encodeStuffed, stuffing, unstuff, xorCheck } from "../src/transport/stuffing.js";

const t = suite("transport stuffing");
const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase().replace(/(..)(?!$)/g, "$1 ");

const BLYNK = stuffing(0xaa, 0xbb, 0xcc, [0xaa, 0xbb, 0xcc, 0x11, 0x13], 0xff);
const BLYNK_CHECK = appendedCheck(crc8);
const ZIGATE = stuffing(0x01, 0x03, 0x02, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 0x10);
const ZIGATE_CHECK = xorCheck(4);

function encode(s: typeof BLYNK, c: typeof BLYNK_CHECK, raw: string): string {
  const r = hex(raw);
  const room = new Uint8Array(r.length + 1);
  room.set(r);
  const out = new Uint8Array(2 * room.length + 2);
  return toHex(out.subarray(0, encodeStuffed(s, c, room, r.length, out)));
}

function decode(s: typeof BLYNK, c: typeof BLYNK_CHECK, pieces: string[]) {
  const got: string[] = [];
  const d = new StuffDecoder(s, c, (b, n) => got.push(toHex(b.subarray(0, n))));
  for (const p of pieces) d.feed(hex(p));
  return { got: got, errors: d.errors };
}

t("Blynk.NCP: the ping request and its reply, byte-exact (CRC-8 appended)", () => {
  assert.is(encode(BLYNK, BLYNK_CHECK, "BC 67 01 01 02 00"), "AA BC 67 01 01 02 00 70 BB");
  assert.is(encode(BLYNK, BLYNK_CHECK, "12 A5 02 00 00"), "AA 12 A5 02 00 00 91 BB");
  assert.equal(decode(BLYNK, BLYNK_CHECK, ["AA BC 67 01", "01 02 00 70 BB"]).got, ["BC 67 01 01 02 00"]);
});

t("Blynk.NCP: each special byte goes as CC, b ^ FF, as the NCP's own encoder writes it", () => {
  for (const b of ["11", "13", "AA", "BB", "CC", "00 AA 11 CC 13 BB FF"]) {
    const p = hex(b);
    const out = new Uint8Array(frameBound(p.length));
    const ncp = toHex(out.subarray(0, encodeFrame(p, p.length, out, crc8)));
    assert.is(encode(BLYNK, BLYNK_CHECK, b), ncp, b);
    assert.equal(decode(BLYNK, BLYNK_CHECK, [ncp]).got, [toHex(p)], b);
  }
  assert.is(encode(BLYNK, BLYNK_CHECK, "AA"), "AA CC 55 " + toHex(new Uint8Array([crc8(hex("AA"), 0, 1)])) + " BB");
});

t("ZiGate: escape 02 for 00..0F as b ^ 10; XOR of type, length and payload at byte 4", () => {
  // Type 0x0010 (get version), no payload: checksum 00 ^ 10 ^ 00 ^ 00 = 10.
  assert.is(encode(ZIGATE, ZIGATE_CHECK, "00 10 00 00 00"), "01 02 10 10 02 10 02 10 10 03");
  // Type 0x8000 status, payload 00 01 00 10 (status, seq, type), checksum 80 ^ 00 ^ 00 ^ 04 ^ 00 ^ 01 ^ 00 ^ 10 = 95.
  assert.is(encode(ZIGATE, ZIGATE_CHECK, "80 00 00 04 00 00 01 00 10"), "01 80 02 10 02 10 02 14 95 02 10 02 11 02 10 10 03");
  assert.equal(decode(ZIGATE, ZIGATE_CHECK, ["01 80 02 10 02", "10 02 14 95 02 10 02 11 02 10 10 03"]).got, ["80 00 00 04 95 00 01 00 10"]);
});

t("unstuff: run by run in place; a last or unknown escape is refused", () => {
  const b = hex("01 CC 55 02 03 CC 44 CC 33");
  const n = unstuff(b, b.length, (from) => b.indexOf(0xcc, from), 0xff, BLYNK.special);
  assert.is(toHex(b.subarray(0, n)), "01 AA 02 03 BB CC");
  const last = hex("01 CC");
  assert.is(unstuff(last, 2, (from) => last.indexOf(0xcc, from), 0xff, BLYNK.special), -1);
  const unknown = hex("01 CC 00");
  assert.is(unstuff(unknown, 3, (from) => unknown.indexOf(0xcc, from), 0xff, BLYNK.special), -1);
  const z = hex("02 1F 02 30");
  assert.is(unstuff(z, 4, (from) => z.indexOf(0x02, from), 0x10, ZIGATE.special), -1, "02 30 stands for 20, which is not escaped");
});

t("decoder: a failed check, a bad escape and a cut frame are dropped and counted; the next frame is taken", () => {
  const r = decode(ZIGATE, ZIGATE_CHECK, ["01 02 10 10 02 10 02 10 11 03", "01 02 10 02 03", "01 80 02", "01 02 10 10 02 10 02 10 10 03"]);
  assert.equal(r.got, ["00 10 00 00 10"]);
  assert.is(r.errors, 3);
  const b = decode(BLYNK, BLYNK_CHECK, ["AA BC 67 01 01 02 00 71 BB", "00 11 AA BC 67 01 01 02 00 70 BB"]);
  assert.equal(b.got, ["BC 67 01 01 02 00"]);
  assert.is(b.errors, 1);
});

t.run();
