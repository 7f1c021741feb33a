import { suite } from "uvu";
import * as assert from "uvu/assert";
import { crc8 } from "../src/ncp/crc8.js";
import { FrameDecoder, encodeFrame, frameBound, setFrameText } from "../src/ncp/frame.js";
import { CLIENT_OTA_WRITE, OP_INVOKE } from "../src/ncp/protocol.js";
import { Writer } from "../src/ncp/wire.js";

/*
 * The decoder's short cuts (issue 11): an otaUpdateWrite whose length field
 * accounts for every byte is handed over with its CRC-8 unchecked until the
 * consumer asks (`intact()`, as the client does for a refused write; here
 * every frame is asked, so the rules below must hold); BEG inside a frame is
 * looked for only at its end or when the buffer is full; scans may run over
 * a String (the device's setFrameText). Each must give the frames the plain
 * rules give: every BEG starts over, escapes undone, bad CRC-8 dropped.
 */
const t = suite("ncp frame decoder short cuts");

function writeFrame(offset: number, data: Uint8Array, id = 7): Uint8Array {
  const w = new Writer(2048);
  w.u16(OP_INVOKE).u16(CLIENT_OTA_WRITE).u16(id).u32(offset).bin(data).u32(0x12345678);
  const out = new Uint8Array(frameBound(w.p));
  return out.subarray(0, encodeFrame(w.b, w.p, out, crc8));
}

function raw(offset: number, data: Uint8Array, id = 7): string {
  const w = new Writer(2048);
  w.u16(OP_INVOKE).u16(CLIENT_OTA_WRITE).u16(id).u32(offset).bin(data).u32(0x12345678);
  return Buffer.from(w.b.subarray(0, w.p)).toString("hex");
}

function decode(parts: (Uint8Array | string)[]) {
  const got: string[] = [];
  const d: FrameDecoder = new FrameDecoder({ crc8: crc8, onFrame: (b, len) => d.intact() && got.push(Buffer.from(b.subarray(0, len)).toString("hex")) });
  for (const p of parts) d.feed(p);
  return { got: got, d: d };
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const cat = (...a: Uint8Array[]) => new Uint8Array(Buffer.concat(a));
const text = new Uint8Array(1024).map((_, i) => 0x20 + (i % 90));
const binary = new Uint8Array(1024).map((_, i) => (i * 167 + 13) & 255);

for (const asText of [false, true]) {
  const mode = asText ? " (Strings, scans over text)" : " (bytes)";
  const feed = (parts: Uint8Array[]) => {
    setFrameText(asText ? latin1 : undefined);
    // Espruino's Uint8Array.set takes a String (its char codes); V8's does not: as the stand-in does, for this call.
    const set = Uint8Array.prototype.set;
    if (asText) {
      Uint8Array.prototype.set = function (this: Uint8Array, a: ArrayLike<number> | string, o?: number) {
        return set.call(this, typeof a === "string" ? Buffer.from(a, "latin1") : a, o);
      } as typeof set;
    }
    try {
      return decode(asText ? parts.map(latin1) : parts);
    } finally {
      Uint8Array.prototype.set = set;
      setFrameText(undefined);
    }
  };
  const pieces = (b: Uint8Array, n: number) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
    return out;
  };

  t("write frames, text and binary data, whole and in 64-byte pieces" + mode, () => {
    // Offsets whose bytes need escaping (0x11, 0xAA) test the header check.
    for (const [off, data] of [[0, text], [0x1100, text], [0xaa00, binary], [3072, binary]] as [number, Uint8Array][]) {
      const f = writeFrame(off, data);
      assert.equal(feed([f]).got, [raw(off, data)]);
      assert.equal(feed(pieces(f, 64)).got, [raw(off, data)]);
    }
  });

  t("a lost END: the frame after the next BEG is still taken, whole or in pieces" + mode, () => {
    const a = writeFrame(0, text, 1);
    const b = writeFrame(1024, text, 2);
    const stream = cat(a.subarray(0, 500), b);
    assert.equal(feed([stream]).got, [raw(1024, text, 2)]);
    assert.equal(feed(pieces(stream, 64)).got, [raw(1024, text, 2)]);
    assert.equal(feed(pieces(stream, 7)).got, [raw(1024, text, 2)]);
  });

  t("a lost END with as many bytes lost as the next frame has: still the next frame" + mode, () => {
    const a = writeFrame(0, text, 1);
    const b = writeFrame(1024, text.subarray(0, 100), 2);
    // a's first bytes + b together as long as a: the length alone would pass a.
    const stream = cat(a.subarray(0, a.length - b.length - 1), b);
    assert.equal(feed(pieces(stream, 64)).got, [raw(1024, text.subarray(0, 100), 2)]);
  });

  t("a write frame cut short, then a short frame ending mid-piece, then a write: the write is taken" + mode, () => {
    // Below the cut frame's promised length only a piece's last byte is looked at for END (frame.ts, need_):
    // the short frame goes down with the cut one; the next write, past that length, is found.
    const a = writeFrame(0, text, 1);
    const b = writeFrame(1024, text.subarray(0, 100), 2);
    const c = writeFrame(2048, text, 3);
    const stream = cat(a.subarray(0, 400), b, c);
    assert.equal(feed(pieces(stream, 64)).got, [raw(2048, text, 3)]);
    // Whole frames (a stop-and-wait link goes quiet after each): the short one is taken too.
    assert.equal(feed([a.subarray(0, 400), b, c]).got, [raw(1024, text.subarray(0, 100), 2), raw(2048, text, 3)]);
  });

  t("a flipped bit drops the write frame, and the next one is taken" + mode, () => {
    const a = writeFrame(0, text, 1).slice();
    a[600] ^= 0x04;
    const b = writeFrame(1024, text, 2);
    const r = feed(pieces(cat(a, b), 64));
    assert.equal(r.got, [raw(1024, text, 2)]);
    assert.is(r.d.crcErrors, 1);
  });

  t("garbage that fills the buffer, then a BEG and a frame in the same piece" + mode, () => {
    const junk = new Uint8Array(4000).fill(0x41);
    junk[0] = 0xaa;
    const b = writeFrame(2048, text, 3);
    assert.equal(feed([junk, b]).got, [raw(2048, text, 3)]);
    assert.equal(feed([cat(junk, b)]).got, [raw(2048, text, 3)]);
    assert.equal(feed(pieces(cat(junk, b), 64)).got, [raw(2048, text, 3)]);
  });
}

t("a write frame's CRC-8 is checked only when asked, once, and a bad one is a CRC error and not a frame", () => {
  const good = writeFrame(0, text, 1);
  const bad = writeFrame(1024, text, 2).slice();
  bad[600] ^= 0x04;
  const seen: boolean[] = [];
  let calls = 0;
  const counting = (b: Uint8Array, s: number, e: number) => (calls++, crc8(b, s, e));
  const d: FrameDecoder = new FrameDecoder({ crc8: counting, onFrame: () => seen.push(d.intact(), d.intact()) });
  d.feed(good);
  assert.equal([calls, d.frames], [1, 1]);
  const quiet = new FrameDecoder({ crc8: counting, onFrame: () => {} });
  quiet.feed(good);
  quiet.feed(bad);
  // Not asked: no CRC-8 computed, both handed over.
  assert.equal([calls, quiet.frames, quiet.crcErrors], [1, 2, 0]);
  d.feed(bad);
  assert.equal(seen, [true, true, false, false]);
  assert.equal([calls, d.frames, d.crcErrors], [2, 1, 1]);
});

t.run();
