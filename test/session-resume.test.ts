import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../src/core/errors.js";
import { RECEIVING, STAGED } from "../src/core/session.js";
import { crc32, sha256 } from "../src/platform/host/digest.js";
import { TYPE, factory, image, powerOn, rig, session } from "./support/rig.js";

const t = suite("session: resume(offer, bytes, crc), checkpoint() and finish's extra check");

/** A session that staged `upTo` bytes of v2 and then lost its RAM (a reset). */
function interrupted(key: string, upTo: number, size = 7000) {
  const r = rig(key);
  factory(r, "1.0.0");
  const img = image(r.board, "2.0.0", size);
  const chunk = r.board.chunkSize;
  const s = session(r, powerOn(r), chunk);
  assert.is(s.offer({ size: img.length, type: TYPE, version: "2.0.0" }), E.OK);
  assert.is(s.start(), E.OK);
  for (let o = 0; o < upTo; o += chunk) {
    const c = img.subarray(o, Math.min(upTo, o + chunk));
    assert.is(s.write(o, c, crc32(c)), E.OK);
  }
  const cp = s.checkpoint();
  return { r: r, img: img, cp: cp, chunk: chunk, fresh: () => session(r, powerOn(r), chunk) };
}

function finishFrom(s: ReturnType<typeof session>, img: Uint8Array, chunk: number): number {
  for (let o = s.received; o < img.length; o += chunk) {
    const c = img.subarray(o, Math.min(img.length, o + chunk));
    const code = s.write(o, c, crc32(c));
    if (code !== E.OK) return code;
  }
  return s.finish(sha256(img));
}

t("checkpoint() counts only bytes in flash (not a sub-alignment tail) and gives their CRC-32", () => {
  const x = interrupted("linux", 2050);
  assert.is(x.cp.bytes, 2048);
  assert.is(x.cp.crc, crc32(x.img.subarray(0, 2048)));
});

t("a new session resumes from the checkpoint, re-checks the header, and stages the same image", () => {
  const x = interrupted("linux", 3072);
  const s = x.fresh();
  assert.is(s.resume({ size: x.img.length, type: TYPE, version: "2.0.0" }, x.cp.bytes, x.cp.crc), E.OK);
  assert.equal([s.state, s.received, s.header!.version], [RECEIVING, 3072, "2.0.0"]);
  assert.is(finishFrom(s, x.img, x.chunk), E.OK);
  assert.is(s.state, STAGED);
  assert.is(x.r.record.read().pending, 1);
});

t("a prefix that does not read back with the saved CRC-32 is not trusted", () => {
  const x = interrupted("linux", 3072);
  assert.is(x.fresh().resume({ size: x.img.length, type: TYPE, version: "2.0.0" }, x.cp.bytes, x.cp.crc ^ 1), E.E_WRITE_VERIFY);
  assert.is(x.fresh().resume({ size: x.img.length, type: TYPE, version: "2.0.0" }, 3000 + 2, x.cp.crc), E.E_OFFSET, "unaligned");
  assert.is(x.fresh().resume({ size: x.img.length, type: TYPE, version: "2.0.0" }, 0, 0), E.E_OFFSET, "nothing to resume");
});

t("the offer is checked as offer() does, and the record must still name only the running image", () => {
  const x = interrupted("linux", 3072);
  assert.is(x.fresh().resume({ size: x.img.length, type: "TMPLother", version: "2.0.0" }, x.cp.bytes, x.cp.crc), E.E_WRONG_TYPE);
  assert.is(x.fresh().resume({ size: x.img.length, type: TYPE, version: "1.0.0" }, x.cp.bytes, x.cp.crc), E.E_SAME_VERSION);
  assert.is(x.fresh().resume({ size: x.img.length, type: TYPE, version: "3.0.0" }, x.cp.bytes, x.cp.crc), E.E_HEADER_MISMATCH, "header says 2.0.0");
});

t("bytes written past the checkpoint are erased; a dirty tail inside the last block steps back to its start", () => {
  // puckjs: 4 KB blocks, 512-byte chunks. Checkpoint at 5120, then chunk 10 written but not checkpointed.
  const x = interrupted("puckjs", 5120);
  const slot = x.r.board.layout.slots[1];
  const c = x.img.subarray(5120, 5632);
  x.r.flash.write(c, slot.address + 5120);
  const s = x.fresh();
  assert.is(s.resume({ size: x.img.length, type: TYPE, version: "2.0.0" }, x.cp.bytes, x.cp.crc), E.OK);
  assert.is(s.received, 4096);
  assert.is(finishFrom(s, x.img, x.chunk), E.OK);
  // A clean tail keeps the whole prefix.
  const y = interrupted("puckjs", 5120);
  const s2 = y.fresh();
  assert.is(s2.resume({ size: y.img.length, type: TYPE, version: "2.0.0" }, y.cp.bytes, y.cp.crc), E.OK);
  assert.is(s2.received, 5120);
  assert.is(finishFrom(s2, y.img, y.chunk), E.OK);
});

t("finish(undefined, check) runs the transport's check over the whole staged file before marking", () => {
  const x = interrupted("linux", 0, 3001);
  const s = x.fresh();
  assert.is(s.offer({ size: x.img.length, type: TYPE, version: "2.0.0" }), E.OK);
  assert.is(s.start(), E.OK);
  for (let o = 0; o < x.img.length; o += 1024) {
    const c = x.img.subarray(o, Math.min(x.img.length, o + 1024));
    assert.is(s.write(o, c, crc32(c)), E.OK);
  }
  let seen: Uint8Array | undefined;
  assert.is(s.finish(undefined, (a, n) => {
    seen = x.r.flash.read(n, a);
    return E.E_DIGEST;
  }), E.E_DIGEST);
  assert.equal(seen, x.img, "the unaligned tail was written before the check");
  assert.is(x.r.record.read().pending, 255, "a failed check marks nothing");
});

t.run();
