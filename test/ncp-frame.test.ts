import { suite } from "uvu";
import * as assert from "uvu/assert";
import { crc8 } from "../src/ncp/crc8.js";
import { FrameDecoder, encodeFrame, frameBound } from "../src/ncp/frame.js";
import { MAX_PAYLOAD } from "../src/ncp/protocol.js";

const t = suite("ncp frame");
const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase().replace(/(..)(?!$)/g, "$1 ");

function encode(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameBound(payload.length));
  return out.subarray(0, encodeFrame(payload, payload.length, out, crc8));
}

function decodeAll(stream: Uint8Array[], max?: number) {
  const got: string[] = [];
  const d = new FrameDecoder({ crc8: crc8, maxPayload: max, onFrame: (b, len) => got.push(toHex(b.subarray(0, len))) });
  for (const s of stream) d.feed(s);
  return { got: got, d: d };
}

t("CRC-8 check value: '123456789' -> 0xF4", () => {
  assert.is(crc8(new TextEncoder().encode("123456789"), 0, 9), 0xf4);
});

t("the ping request and its reply are byte-exact", () => {
  assert.is(toHex(encode(hex("BC 67 01 01 02 00"))), "AA BC 67 01 01 02 00 70 BB");
  assert.is(toHex(encode(hex("12 A5 02 00 00"))), "AA 12 A5 02 00 00 91 BB");
  assert.equal(decodeAll([hex("AA BC 67 01 01 02 00 70 BB")]).got, ["BC 67 01 01 02 00"]);
});

t("each special byte is escaped as CC, byte ^ FF", () => {
  const cases: [string, string][] = [["11", "CC EE"], ["13", "CC EC"], ["AA", "CC 55"], ["BB", "CC 44"], ["CC", "CC 33"]];
  for (const [raw, esc] of cases) {
    const f = toHex(encode(hex("01 " + raw)));
    assert.ok(f.startsWith("AA 01 " + esc + " "), raw + " -> " + f);
    assert.equal(decodeAll([hex(f)]).got, ["01 " + raw]);
  }
});

t("a frame at exactly the size limit is accepted, one byte over is dropped", () => {
  const atLimit = new Uint8Array(MAX_PAYLOAD).fill(0x42);
  const over = new Uint8Array(MAX_PAYLOAD + 1).fill(0x42);
  const ping = hex("AA BC 67 01 01 02 00 70 BB");
  const r = decodeAll([encode(atLimit), encode(over), ping]);
  assert.is(r.got.length, 2);
  assert.is(r.got[0].length, MAX_PAYLOAD * 3 - 1);
  assert.is(r.got[1], "BC 67 01 01 02 00", "the next frame is still found");
  assert.is(r.d.overflows, 1);
});

t("the same stream split at every possible point gives the same frames", () => {
  const frames = [hex("BC 67 01 01 02 00"), hex("AA BB CC 11 13 00 FF"), new Uint8Array(300).map((_, i) => (i * 37) & 255), hex("12 A5 02 00 00")];
  const stream = Buffer.concat([Buffer.from("junk"), ...frames.map((f) => Buffer.from(encode(f))), Buffer.from([0xbb, 0x00])]);
  const want = decodeAll([new Uint8Array(stream)]).got;
  assert.is(want.length, 4);
  for (let i = 0; i <= stream.length; i++) {
    for (let j = i; j <= Math.min(stream.length, i + 40); j++) {
      const parts = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)].map((b) => new Uint8Array(b));
      assert.equal(decodeAll(parts).got, want, "split at " + i + "," + j);
    }
  }
  // And byte by byte.
  assert.equal(decodeAll([...stream].map((b) => new Uint8Array([b]))).got, want);
});

t("garbage, a lost END and an empty frame cost nothing but themselves", () => {
  const ping = "AA BC 67 01 01 02 00 70 BB";
  const r = decodeAll([hex("00 11 BB CC" + " AA 01 02 03" + " " + ping + " AA BB " + ping)]);
  assert.equal(r.got, ["BC 67 01 01 02 00", "BC 67 01 01 02 00"]);
});

t("a bad CRC-8 or a bad escape drops the frame", () => {
  const r = decodeAll([hex("AA BC 67 01 01 02 00 71 BB AA BC 67 CC 00 01 02 00 70 BB AA BC 67 01 01 02 00 70 BB")]);
  assert.equal(r.got, ["BC 67 01 01 02 00"]);
  assert.is(r.d.crcErrors, 1);
  assert.is(r.d.escapeErrors, 1);
});

t.run();
