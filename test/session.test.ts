import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../src/core/errors.js";
import { IDLE, RECEIVING, STAGED } from "../src/core/session.js";
import { crc32, sha256 } from "../src/platform/host/digest.js";
import { TYPE, factory, image, powerOn, rig, session, snapshot, update } from "./support/rig.js";

const t = suite("session");

function ready(chunkMax = 1024, strict = true) {
  const r = rig("linux", strict);
  factory(r, "1.0.0");
  const boot = powerOn(r);
  const s = session(r, boot, chunkMax);
  return { r: r, s: s, running: () => snapshot(r.flash, r.board.layout.slots[0].address, r.board.layout.slots[0].size) };
}

function started(img: Uint8Array, version = "2.0.0") {
  const x = ready();
  assert.is(x.s.offer({ size: img.length, type: TYPE, version: version }), E.OK);
  assert.is(x.s.start(), E.OK);
  return x;
}

t("a whole update stages into the other slot and marks it pending", () => {
  const { r, s, running } = ready();
  const before = running();
  const img = image(r.board, "2.0.0", 5000);
  update(s, img, 1024, sha256(img));
  assert.is(s.state, STAGED);
  assert.equal(r.flash.read(img.length, r.board.layout.slots[1].address), img);
  const rec = r.record.read();
  assert.is(rec.pending, 1);
  assert.is(rec.confirmed, 0);
  assert.equal(running(), before, "running slot untouched");
});

t("the offer is checked: size, type, version, trial, busy", () => {
  const { s, r } = ready();
  const big = r.board.layout.slots[1].size + 1;
  assert.is(s.offer({ size: 0, type: "", version: "" }), E.E_SIZE);
  assert.is(s.offer({ size: 100, type: "", version: "" }), E.E_SIZE);
  assert.is(s.offer({ size: big, type: "", version: "" }), E.E_TOO_LARGE);
  assert.is(s.offer({ size: 5000, type: "TMPLother", version: "" }), E.E_WRONG_TYPE);
  assert.is(s.offer({ size: 5000, type: TYPE, version: "1.0.0" }), E.E_SAME_VERSION);
  assert.is(s.offer({ size: 5000, type: "", version: "" }), E.OK, "empty type and version are allowed");
  assert.is(s.start(), E.OK);
  assert.is(s.offer({ size: 5000, type: "", version: "" }), E.E_BUSY);
});

t("chunks are checked: CRC, order, size, overflow, state", () => {
  const img = image(rig().board, "2.0.0", 5000);
  const { s } = started(img);
  const c0 = img.subarray(0, 1024);
  assert.is(s.write(0, c0, crc32(c0) ^ 1), E.E_CHUNK_CRC);
  assert.is(s.write(1024, img.subarray(1024, 2048), crc32(img.subarray(1024, 2048))), E.E_OFFSET);
  const big = img.subarray(0, 1025);
  assert.is(s.write(0, big, crc32(big)), E.E_CHUNK_SIZE);
  assert.is(s.write(0, new Uint8Array(0), 0), E.E_CHUNK_SIZE);
  assert.is(s.write(0, c0, crc32(c0)), E.OK);
  assert.is(s.state, RECEIVING, "refusals above did not end the session");
  assert.is(s.finish(), E.E_INCOMPLETE);
  assert.is(s.write(1024, c0, crc32(c0)), E.E_STATE);
});

t("an exact resend of the last chunk succeeds without a second write", () => {
  const r = rig();
  const img = image(r.board, "2.0.0", 5000);
  const { s, r: rr } = started(img);
  const c0 = img.subarray(0, 1024);
  assert.is(s.write(0, c0, crc32(c0)), E.OK);
  const writes = rr.flash.writes;
  assert.is(s.write(0, c0, crc32(c0)), E.OK);
  assert.is(rr.flash.writes, writes);
  const other = c0.slice();
  other[5] ^= 1;
  assert.is(s.write(0, other, crc32(other)), E.E_OFFSET, "same offset, other data: refused");
});

t("a chunk that would pass the offered size is refused", () => {
  const r = rig();
  const img = image(r.board, "2.0.0", 500);
  const { s } = started(img);
  const c = new Uint8Array(1024);
  c.set(img);
  assert.ok(img.length < 1024);
  assert.is(s.write(0, c, crc32(c)), E.E_OVERFLOW);
});

t("the header is checked as soon as its bytes are in: board, magic, type, size", () => {
  const r = rig();
  const cases: [Uint8Array, number][] = [];
  const img = image(r.board, "2.0.0", 3000);
  const other = image({ ...r.board, id: "PUCKJS" }, "2.0.0", 3000);
  cases.push([other, E.E_WRONG_BOARD]);
  const noMagic = img.slice();
  noMagic[0] = 0;
  cases.push([noMagic, E.E_MAGIC]);
  const flipped = img.slice();
  flipped[50] ^= 1;
  cases.push([flipped, E.E_HEADER_CRC]);
  cases.push([image(r.board, "2.0.0", 3000, "TMPLother"), E.E_WRONG_TYPE]);
  cases.push([image(r.board, "1.0.0", 3000), E.E_SAME_VERSION]);
  for (const [bad, code] of cases) {
    const { s } = started(bad, "");
    // The header spans two small chunks: refused on the second.
    const a = bad.subarray(0, 100);
    assert.is(s.write(0, a, crc32(a)), E.OK);
    const b = bad.subarray(100, 400);
    assert.is(s.write(100, b, crc32(b)), code, E.errorName(code));
    assert.is(s.state, IDLE);
    assert.is(s.lastError, code);
  }
  const { s } = started(image(r.board, "2.0.0", 3000));
  const longer = image(r.board, "2.0.0", 3100);
  const h = longer.subarray(0, 1024);
  assert.is(s.write(0, h, crc32(h)), E.E_HEADER_MISMATCH, "image length differs from the offer");
});

t("finish checks the payload digest and the file digest", () => {
  const r = rig();
  const img = image(r.board, "2.0.0", 3000);
  const wrongSha = sha256(new Uint8Array(1));
  let x = started(img);
  for (let o = 0; o < img.length; o += 1024) x.s.write(o, img.subarray(o, o + 1024), crc32(img.subarray(o, o + 1024)));
  assert.is(x.s.finish(wrongSha), E.E_DIGEST);
  assert.is(x.r.record.read().pending, 255, "nothing marked");
  // A payload that does not match its own header digest.
  const bad = img.slice();
  bad[2000] ^= 0x40;
  x = started(bad);
  for (let o = 0; o < bad.length; o += 1024) x.s.write(o, bad.subarray(o, o + 1024), crc32(bad.subarray(o, o + 1024)));
  assert.is(x.s.finish(sha256(bad)), E.E_PAYLOAD_DIGEST);
  assert.is(x.r.record.read().pending, 255);
});

t("chunks that do not end on the write alignment are carried and flushed at finish", () => {
  const r = rig();
  const img = image(r.board, "2.0.0", 3001);
  const { s, r: rr } = started(img);
  const sizes = [1, 3, 130, 7, 1000, 5];
  let o = 0;
  for (let i = 0; o < img.length; i++) {
    const n = Math.min(sizes[i % sizes.length], img.length - o);
    const c = img.subarray(o, o + n);
    assert.is(s.write(o, c, crc32(c)), E.OK, "chunk at " + o);
    o += n;
  }
  assert.is(s.finish(sha256(img)), E.OK);
  assert.equal(rr.flash.read(img.length, rr.board.layout.slots[1].address), img);
});

t("cancel and a 60 s stall end the session; nothing is marked", () => {
  const r = rig();
  const img = image(r.board, "2.0.0", 3000);
  let x = started(img);
  assert.is(x.s.cancel(), E.E_CANCELLED);
  assert.is(x.s.state, IDLE);
  x = started(img);
  x.r.clock.advance(59_999);
  assert.is(x.s.tick(x.r.clock.now()), E.OK);
  const c = img.subarray(0, 1024);
  assert.is(x.s.write(0, c, crc32(c)), E.OK);
  x.r.clock.advance(60_000);
  assert.is(x.s.tick(x.r.clock.now()), E.E_STALLED);
  assert.is(x.s.write(1024, c, 0), E.E_STATE);
  assert.is(x.r.record.read().pending, 255);
});

t("an offer while the running image is on trial is refused", () => {
  const { r, s } = ready();
  update(s, image(r.board, "2.0.0"));
  const boot = powerOn(r);
  assert.is(boot.slot, 1);
  const s2 = session(r, boot);
  assert.is(s2.offer({ size: 3000, type: "", version: "3.0.0" }), E.E_TRIAL_ACTIVE);
});

t("a flash that does not keep what was written fails the chunk and ends the session", () => {
  const { r, s } = ready(1024, false);
  const img = image(r.board, "2.0.0", 3000);
  s.offer({ size: img.length, type: "", version: "" });
  s.start();
  // Stuck-at-zero bits where the chunk goes: the read-back catches them.
  const at = r.board.layout.slots[1].address + 1024;
  r.flash.data[at - r.board.geometry.base + 10] = 0;
  const c0 = img.subarray(0, 1024);
  assert.is(s.write(0, c0, crc32(c0)), E.OK);
  const c1 = img.subarray(1024, 2048);
  assert.is(s.write(1024, c1, crc32(c1)), E.E_WRITE_VERIFY);
  assert.is(s.state, IDLE);
});

t("a chunk without a CRC-32 (the transport has its own check, or none) is taken, and still read back", () => {
  const { r, s } = ready(1024, false);
  const img = image(r.board, "2.0.0", 3000);
  s.offer({ size: img.length, type: "", version: "" });
  s.start();
  const at = r.board.layout.slots[1].address + 2048;
  r.flash.data[at - r.board.geometry.base + 10] = 0;
  assert.is(s.write(0, img.subarray(0, 1024)), E.OK);
  // An exact resend without a CRC is still known as one.
  assert.is(s.write(0, img.subarray(0, 1024)), E.OK);
  assert.is(s.write(1024, img.subarray(1024, 2048)), E.OK);
  assert.is(s.received, 2048);
  // A wrong CRC, when one is given, is still refused.
  assert.is(s.write(2048, img.subarray(2048, 3072), 1), E.E_CHUNK_CRC);
  assert.is(s.write(2048, img.subarray(2048, 3072)), E.E_WRITE_VERIFY);
  assert.equal([s.state, s.lastError], [IDLE, E.E_WRITE_VERIFY]);
});

t("a flash read that throws at the offer or at finish ends the session with FLASH; nothing is marked", () => {
  const r = rig();
  factory(r);
  const boot = powerOn(r);
  const img = image(r.board, "2.0.0");
  const read = r.flash.read.bind(r.flash);
  const broken = () => {
    throw new Error("read failed");
  };
  r.flash.read = broken;
  assert.is(session(r, boot).offer({ size: img.length, type: TYPE, version: "" }), E.E_FLASH);
  r.flash.read = read;
  const s = session(r, boot);
  assert.is(s.offer({ size: img.length, type: TYPE, version: "" }), E.OK);
  assert.is(s.start(), E.OK);
  for (let o = 0; o < img.length; o += 1024) {
    const c = img.subarray(o, Math.min(img.length, o + 1024));
    assert.is(s.write(o, c, crc32(c)), E.OK);
  }
  r.flash.read = broken;
  assert.is(s.finish(sha256(img)), E.E_FLASH);
  r.flash.read = read;
  assert.is(s.state, IDLE);
  assert.is(r.record.read().pending, 255);
});

t.run();
