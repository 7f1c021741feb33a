import { suite } from "uvu";
import * as assert from "uvu/assert";
import { confirmRunning } from "../src/boot/confirm.js";
import * as E from "../src/core/errors.js";
import { crc32, hostDigest, sha256 } from "../src/platform/host/digest.js";
import { TYPE, factory, image, powerOn, rig, session, snapshot, update, type Rig } from "./support/rig.js";

const t = suite("scenario");

const confirm = (r: Rig, running: number) =>
  confirmRunning({ flash: r.flash, digest: hostDigest(r.flash), layout: r.board.layout, running: running });

for (const key of ["linux", "puckjs", "stm32-test"]) {
  t(key + ": update, trial boot, confirm, then a second update the other way", () => {
    const r = rig(key);
    factory(r, "1.0.0", 2000);
    let b = powerOn(r);
    const v2 = image(r.board, "2.0.0", 4000);
    update(session(r, b, r.board.chunkSize), v2, r.board.chunkSize, sha256(v2));
    b = powerOn(r);
    assert.equal([b.slot, b.info!.version], [1, "2.0.0"]);
    assert.ok(confirm(r, 1));
    b = powerOn(r);
    assert.equal([b.slot, b.info!.version], [1, "2.0.0"]);
    const v3 = image(r.board, "3.0.0", 3000);
    update(session(r, b, r.board.chunkSize), v3, r.board.chunkSize, sha256(v3));
    b = powerOn(r);
    assert.equal([b.slot, b.info!.version], [0, "3.0.0"]);
    assert.ok(confirm(r, 0));
    assert.equal([powerOn(r).slot, powerOn(r).info!.version], [0, "3.0.0"]);
  });
}

t("a bad v3 that never confirms rolls back to v2 after N boots", () => {
  const r = rig();
  factory(r, "1.0.0");
  update(session(r, powerOn(r)), image(r.board, "2.0.0"));
  powerOn(r);
  assert.ok(confirm(r, 1));
  update(session(r, powerOn(r)), image(r.board, "3.0.0"));
  const seen: string[] = [];
  for (let i = 0; i < 5; i++) seen.push(powerOn(r).info!.version);
  assert.equal(seen, ["3.0.0", "3.0.0", "3.0.0", "2.0.0", "2.0.0"]);
  // After the rollback the next update is accepted and stages over the failed slot.
  const b = powerOn(r);
  const v4 = image(r.board, "4.0.0");
  update(session(r, b), v4);
  assert.equal(powerOn(r).info!.version, "4.0.0");
});

t("every bad input is refused with its code and the running slot stays byte-identical", () => {
  const r = rig();
  factory(r, "1.0.0");
  const run = r.board.layout.slots[0];
  const before = snapshot(r.flash, run.address, run.size);
  const boot = powerOn(r);
  const logFrom = r.flash.log.length;
  const good = image(r.board, "2.0.0", 3000);
  const cases: [string, number, (s: ReturnType<typeof session>) => number][] = [
    ["zero size", E.E_SIZE, (s) => s.offer({ size: 0, type: "", version: "" })],
    ["too large", E.E_TOO_LARGE, (s) => s.offer({ size: 1 << 30, type: "", version: "" })],
    ["other type", E.E_WRONG_TYPE, (s) => s.offer({ size: 3000, type: "TMPLzzz", version: "" })],
    ["same version", E.E_SAME_VERSION, (s) => s.offer({ size: 3000, type: TYPE, version: "1.0.0" })],
    ["write before start", E.E_STATE, (s) => s.write(0, good.subarray(0, 10), crc32(good.subarray(0, 10)))],
    ["finish before start", E.E_STATE, (s) => s.finish()],
  ];
  const afterStart: [string, number, (s: ReturnType<typeof session>) => number][] = [
    ["wrong CRC", E.E_CHUNK_CRC, (s) => s.write(0, good.subarray(0, 1024), 1234)],
    ["offset ahead", E.E_OFFSET, (s) => s.write(1024, good.subarray(1024, 2048), crc32(good.subarray(1024, 2048)))],
    ["oversized chunk", E.E_CHUNK_SIZE, (s) => s.write(0, new Uint8Array(4096), crc32(new Uint8Array(4096)))],
    ["image for another board", E.E_WRONG_BOARD, (s) => {
      const o = image({ ...r.board, id: "PIXLJS" }, "2.0.0", 3000);
      return s.write(0, o.subarray(0, 1024), crc32(o.subarray(0, 1024)));
    }],
    ["finish early", E.E_INCOMPLETE, (s) => s.finish(sha256(good))],
  ];
  for (const [name, code, f] of cases) {
    const s = session(r, boot);
    assert.is(f(s), code, name);
  }
  for (const [name, code, f] of afterStart) {
    const s = session(r, boot);
    assert.is(s.offer({ size: good.length, type: "", version: "" }), E.OK);
    assert.is(s.start(), E.OK);
    assert.is(f(s), code, name);
  }
  assert.equal(snapshot(r.flash, run.address, run.size), before);
  assert.is(powerOn(r).info!.version, "1.0.0");
  for (const op of r.flash.log.slice(logFrom)) {
    const inRun = op.start < run.address + run.size && run.address < op.end;
    assert.not.ok(inRun, "no write or erase touched the running slot");
  }
});

t.run();
