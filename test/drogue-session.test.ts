import { suite } from "uvu";
import * as assert from "uvu/assert";
import { E_OVERFLOW, E_TOO_LARGE, OK } from "../src/core/errors.js";
import { HEADER_SIZE } from "../src/core/header.js";
import { IDLE, RECEIVING } from "../src/core/session.js";
import { SIZE_FROM_HEADER, UnsizedSession } from "../src/core/unsized.js";
import { crc32, sha256 } from "../src/platform/host/digest.js";
import { buildImage } from "../src/testbench/image.js";
import { TYPE, factory, image, powerOn, rig, session } from "./support/rig.js";

/*
 * An offer whose size the transport does not know (Drogue's protocol has
 * none up front): UnsizedSession (src/core/unsized.ts). start() erases only what a
 * header and the chunk completing it can reach; the header's image length
 * then fixes the size, and the rest of it is erased before the next chunk.
 */
const t = suite("session: size from the header (SIZE_FROM_HEADER)");

function erasesIn(r: ReturnType<typeof rig>, from: number): number[] {
  return r.flash.log.slice(from).filter((op) => op.kind === "erase").map((op) => op.start);
}

t("an offer of unknown size: start erases the first blocks only; the header fixes size and erases the rest; finish marks it", () => {
  const r = rig("linux");
  factory(r);
  const s = session(r, powerOn(r), 968, UnsizedSession);
  const img = image(r.board, "2.0.0", 20000);
  assert.is(s.offer({ size: SIZE_FROM_HEADER, type: "", version: "2.0.0" }), OK);
  const before = r.flash.log.length;
  assert.is(s.start(), OK);
  const slot = r.board.layout.slots[1];
  const first = erasesIn(r, before);
  // 1 KB blocks: HEADER_SIZE + 968 bytes reach into the second block
  assert.equal(first, [slot.address, slot.address + 1024]);
  assert.is(s.size, slot.size, "bounded by the slot until the header is in");
  let at = r.flash.log.length;
  assert.is(s.write(0, img.subarray(0, 100), crc32(img.subarray(0, 100))), OK);
  assert.equal(erasesIn(r, at), [], "no header yet: nothing more erased");
  assert.is(s.header, undefined);
  at = r.flash.log.length;
  const c = img.subarray(100, 1068);
  assert.is(s.write(100, c, crc32(c)), OK);
  assert.is(s.size, img.length, "size from the header");
  const rest = erasesIn(r, at);
  assert.is(rest[0], slot.address + 2048);
  assert.is(rest[rest.length - 1], slot.address + Math.floor((img.length - 1) / 1024) * 1024, "up to the image's last block, no further");
  for (let o = 1068; o < img.length; o += 968) {
    const d = img.subarray(o, Math.min(img.length, o + 968));
    assert.is(s.write(o, d, crc32(d)), OK, "write@" + o);
  }
  assert.is(s.finish(sha256(img)), OK);
  assert.is(r.record.read().pending, 1);
});

t("a header naming an image larger than the slot: TOO_LARGE, nothing more erased, IDLE", () => {
  const r = rig("linux");
  factory(r);
  const s = session(r, powerOn(r), 1024, UnsizedSession);
  const slot = r.board.layout.slots[1];
  const big = image(r.board, "2.0.0", slot.size); // header + payload + tag > slot
  assert.is(s.offer({ size: SIZE_FROM_HEADER, type: "", version: "" }), OK);
  assert.is(s.start(), OK);
  const at = r.flash.log.length;
  const c = big.subarray(0, 1024);
  assert.is(s.write(0, c, crc32(c)), E_TOO_LARGE);
  assert.is(s.state, IDLE);
  assert.equal(erasesIn(r, at), []);
});

t("more bytes than the header says: OVERFLOW at the header (IDLE), and past the fixed size later (RECEIVING)", () => {
  const r = rig("linux");
  factory(r);
  const small = buildImage({ board: r.board.id, type: TYPE, version: "2.0.0", build: "b", payload: new Uint8Array(100).fill(65) });
  let s = session(r, powerOn(r), 1024, UnsizedSession);
  assert.is(s.offer({ size: SIZE_FROM_HEADER, type: "", version: "" }), OK);
  assert.is(s.start(), OK);
  const padded = new Uint8Array(1024);
  padded.set(small);
  assert.is(s.write(0, padded, crc32(padded)), E_OVERFLOW);
  assert.is(s.state, IDLE);

  const img = image(r.board, "2.0.0", 3000);
  s = session(r, powerOn(r), 1024, UnsizedSession);
  assert.is(s.offer({ size: SIZE_FROM_HEADER, type: "", version: "" }), OK);
  assert.is(s.start(), OK);
  let o = 0;
  for (; img.length - o >= 1024; o += 1024) {
    const c = img.subarray(o, o + 1024);
    assert.is(s.write(o, c, crc32(c)), OK);
  }
  const past = new Uint8Array(1024); // ends past the size the header fixed
  assert.is(s.write(o, past, crc32(past)), E_OVERFLOW);
  assert.is(s.state, RECEIVING, "the server may resend");
});

t("known sizes behave as before: the whole image's blocks erased at start", () => {
  const r = rig("linux");
  factory(r);
  const s = session(r, powerOn(r), 1024, UnsizedSession);
  const img = image(r.board, "2.0.0", 5000);
  assert.is(s.offer({ size: img.length, type: "", version: "" }), OK);
  const at = r.flash.log.length;
  assert.is(s.start(), OK);
  assert.is(erasesIn(r, at).length, Math.ceil(img.length / 1024));
  assert.is(HEADER_SIZE, 128);
});

t.run();
