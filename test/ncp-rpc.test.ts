import { suite } from "uvu";
import * as assert from "uvu/assert";
import { crc8 } from "../src/ncp/crc8.js";
import { encodeFrame, frameBound, FrameDecoder } from "../src/ncp/frame.js";
import * as P from "../src/ncp/protocol.js";
import { Rpc } from "../src/ncp/rpc.js";
import { Reader, Writer } from "../src/ncp/wire.js";
import { FakeClock } from "../src/platform/host/clock.js";
import { ncpRig } from "./support/ncp-rig.js";

const t = suite("ncp rpc");

/** A raw peer: sends payloads as frames, collects decoded replies. */
function peer() {
  const x = ncpRig();
  x.dev.powerOn();
  x.sim.rpc.decoder.feed(new Uint8Array(0));
  const replies: Uint8Array[] = [];
  const dec = new FrameDecoder({ crc8: crc8, onFrame: (b, len) => replies.push(b.slice(0, len)) });
  x.pair.a.onData((d) => dec.feed(d));
  x.until(() => false, 200);
  replies.length = 0;
  const send = (w: Writer) => {
    const out = new Uint8Array(frameBound(w.p));
    x.pair.a.write(out.subarray(0, encodeFrame(w.b, w.p, out, crc8)));
    x.until(() => false, 50);
  };
  return { x: x, replies: replies, send: send };
}

const result = (b: Uint8Array) => new Reader().reset(b, 0, b.length);

t("mcu.ping is answered OK with no return values", () => {
  const p = peer();
  p.send(new Writer(16).u16(P.OP_INVOKE).u16(P.MCU_PING).u16(77));
  assert.equal([...p.replies[0]], [0x12, 0xa5, 77, 0, P.ST_OK]);
});

t("an unknown UID gets status 0x13, never silence", () => {
  const p = peer();
  p.send(new Writer(16).u16(P.OP_INVOKE).u16(0x7777).u16(5));
  assert.equal([...p.replies[0]], [0x12, 0xa5, 5, 0, P.ST_NO_UID]);
});

t("args that do not parse exactly get 0x15 and are not executed", () => {
  const p = peer();
  p.send(new Writer(16).u16(P.OP_INVOKE).u16(P.MCU_PING).u16(6).u8(1));
  assert.equal([...p.replies[0]], [0x12, 0xa5, 6, 0, P.ST_ARGS_READ]);
  // otaUpdateAvailable with a filename that has no terminating NUL.
  p.send(new Writer(64).u16(P.OP_INVOKE).u16(P.CLIENT_OTA_AVAILABLE).u16(7).u8(0x41).u8(0x42));
  assert.equal([...p.replies[1]], [0x12, 0xa5, 7, 0, P.ST_ARGS_READ]);
  // otaUpdateWrite whose Binary length runs past the frame.
  p.send(new Writer(64).u16(P.OP_INVOKE).u16(P.CLIENT_OTA_WRITE).u16(8).u32(0).u16(500).u32(0));
  assert.equal([...p.replies[2]], [0x12, 0xa5, 8, 0, P.ST_ARGS_READ]);
  assert.is(p.x.record.read().pending, 255);
});

t("a damaged otaUpdateWrite that is refused gets silence (its CRC-8 is checked then); an intact one gets false", () => {
  const p = peer();
  const data = new Uint8Array(600).map((_, i) => 0x20 + (i % 90));
  const frame = (id: number) => {
    const w = new Writer(1024).u16(P.OP_INVOKE).u16(P.CLIENT_OTA_WRITE).u16(id).u32(4096).bin(data).u32(0x01020304);
    const out = new Uint8Array(frameBound(w.p));
    return out.slice(0, encodeFrame(w.b, w.p, out, crc8));
  };
  const raw = (f: Uint8Array) => {
    p.x.pair.a.write(f);
    p.x.until(() => false, 200);
  };
  // No offer: every write is refused (E_STATE). Damage in the offset (byte 8), the data, the CRC-32 field.
  for (const at of [8, 300, 614]) {
    const f = frame(20 + at);
    f[at] ^= 0x01;
    raw(f);
  }
  assert.equal(p.replies.length, 0);
  raw(frame(21));
  assert.equal([...p.replies[0]], [0x12, 0xa5, 21, 0, P.ST_OK, 0]);
});

t("mcu.hasUID answers whether the client serves a UID", () => {
  const p = peer();
  p.send(new Writer(16).u16(P.OP_INVOKE).u16(P.MCU_HAS_UID).u16(9).u16(P.CLIENT_OTA_WRITE));
  p.send(new Writer(16).u16(P.OP_INVOKE).u16(P.MCU_HAS_UID).u16(10).u16(0x0999));
  const a = result(p.replies[0]);
  assert.equal([a.u16(), a.u16(), a.u8(), a.u8()], [P.OP_RESULT, 9, 0, 1]);
  const b = result(p.replies[1]);
  assert.equal([b.u16(), b.u16(), b.u8(), b.u8()], [P.OP_RESULT, 10, 0, 0]);
});

t("a write before any offer is answered false, not executed", () => {
  const p = peer();
  p.send(new Writer(64).u16(P.OP_INVOKE).u16(P.CLIENT_OTA_WRITE).u16(11).u32(0).bin(new Uint8Array([1, 2])).u32(0));
  assert.equal([...p.replies[0]], [0x12, 0xa5, 11, 0, 0, 0]);
});

t("calls time out with 0x11, a late RESULT is dropped, and msgIds count from 1", () => {
  const clock = new FakeClock();
  const sent: Uint8Array[] = [];
  let handler: (b: Uint8Array) => void = () => {};
  const rpc = new Rpc({ link: { write: (b) => sent.push(b.slice()), onData: (h) => (handler = h), setBaud: () => {} }, clock: clock, crc8: crc8 });
  const got: number[] = [];
  assert.ok(rpc.call(P.NCP_PING, undefined, 100, (st) => got.push(st)));
  assert.not.ok(rpc.call(P.NCP_PING, undefined, 100, () => {}), "one call at a time");
  const ping1 = new Uint8Array([0xbc, 0x67, 0x01, 0x01, 0x01, 0x00]);
  assert.equal([...sent[0]], [0xaa, ...ping1, crc8(ping1, 0, 6), 0xbb], "INVOKE ncp.ping, msgId 1");
  clock.advance(100);
  assert.equal(got, [P.ST_TIMEOUT]);
  const late = new Uint8Array(16);
  handler(late.subarray(0, encodeFrame(new Uint8Array([0x12, 0xa5, 1, 0, 0]), 5, late, crc8)));
  assert.equal(got, [P.ST_TIMEOUT]);
});

t.run();
