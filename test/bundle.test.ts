import { suite } from "uvu";
import * as assert from "uvu/assert";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { boardStorage } from "../src/board/files.js";
import { sha256 } from "../src/platform/host/digest.js";
import { TYPE, powerOn, rig, session, update, type Rig } from "./support/rig.js";
import { bundle, espruinoVM } from "../src/testbench/espruino-vm.js";

const t = suite("device bundle (Espruino stand-in)");

function app(r: Rig, version: string, healthy: boolean): Uint8Array {
  const js = bundle(r.board.key, "client") + "\n" +
    "global.APP={version:OTA.boot.version,slot:OTA.boot.slot,reason:OTA.boot.reason};" +
    (healthy ? "global.APP.confirmed=OTA.confirm();" : "");
  return buildImage({ board: r.board.id, type: TYPE, version: version, build: "test", payload: new TextEncoder().encode(js) });
}

/** A power-on (or, with powerOn false, a soft reset): fresh RAM, .bootPowerOn, the boot stub from .boot0, which evals the chosen image. */
function boot(r: Rig, powerOn = true) {
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped, storage: boardStorage(r.board, r.flash) });
  dev.boot(r.board.key, powerOn);
  return dev.ctx.APP as { version: string; slot: number; reason: number; confirmed?: boolean } | undefined;
}

// Boards whose slots hold the client and an application (on Puck.js and Pixl.js they do not yet: docs/boards.md).
for (const key of ["linux", "esp32", "banglejs2"]) {
  t(key + ": the shipped stub boots v1, a staged v2 on trial, and v2 confirms itself", () => {
    const r = rig(key);
    installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
    let a = boot(r);
    assert.equal([a!.version, a!.slot, a!.confirmed], ["1.0.0", 0, true]);
    const v2 = app(r, "2.0.0", true);
    update(session(r, powerOn(r), r.board.chunkSize), v2, r.board.chunkSize, sha256(v2));
    a = boot(r);
    assert.equal([a!.version, a!.slot, a!.reason, a!.confirmed], ["2.0.0", 1, 1, true]);
    a = boot(r);
    assert.equal([a!.version, a!.reason], ["2.0.0", 0]);
  });
}

t("an image that never confirms is rolled back by the shipped stub after 3 boots", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
  boot(r);
  update(session(r, powerOn(r)), app(r, "3.0.0", false));
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push(boot(r)!.version);
  assert.equal(seen, ["3.0.0", "3.0.0", "3.0.0", "1.0.0", "1.0.0"]);
});

t("reset(), load() or an upload while on trial (no .bootPowerOn) spends no trial and writes nothing", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
  boot(r);
  update(session(r, powerOn(r)), app(r, "3.0.0", false));
  assert.is(boot(r)!.version, "3.0.0");
  assert.is(r.record.read().trialsUsed, 1);
  const ops = r.flash.ops;
  for (let i = 0; i < 5; i++) {
    const a = boot(r, false)!;
    assert.equal([a.version, a.slot, a.reason], ["3.0.0", 1, 1], "the same image as at power-on");
  }
  assert.is(r.flash.ops, ops, "no flash write or erase");
  assert.is(r.record.read().trialsUsed, 1);
  // Power cycles still count: two more trials, then the rollback.
  assert.equal([boot(r)!.version, boot(r)!.version, boot(r)!.version], ["3.0.0", "3.0.0", "1.0.0"]);
  assert.equal([boot(r, false)!.version, boot(r, false)!.reason], ["1.0.0", 0]);
});

t("a soft reset before any trial was counted starts the confirmed image", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
  boot(r);
  update(session(r, powerOn(r)), app(r, "3.0.0", false));
  assert.equal([boot(r, false)!.version, r.record.read().trialsUsed], ["1.0.0", 0]);
});

t("with no valid image the stub starts nothing and says so", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
  r.flash.eraseBlock(r.board.layout.slots[0].address, r.board.layout.slots[0].address + r.flash.block(r.board.layout.slots[0].address).length);
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: false, storage: boardStorage(r.board, r.flash) });
  dev.boot("linux");
  assert.is(dev.ctx.APP, undefined);
  assert.match(dev.log.join("\n"), /no valid image/);
});

t("without its .eota Storage file (Storage erased, or written before the install) the stub starts nothing and writes nothing", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board, app(r, "1.0.0", true), 0);
  const h = r.board.plan!.files[2].header;
  r.flash.eraseBlock(r.flash.block(h).start, r.flash.block(h).start + r.flash.block(h).length);
  const ops = r.flash.ops;
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: false, storage: boardStorage(r.board, r.flash) });
  dev.boot("linux");
  assert.is(dev.ctx.APP, undefined);
  assert.match(dev.log.join("\n"), /no \.eota file/);
  assert.is(r.flash.ops, ops);
});

for (const key of ["puckjs", "pixljs"]) {
  t(key + ": the shipped stub (memory-mapped; Pixl.js with its JS SHA-256 and the record's CRC-32) starts, trials and rolls back small images", () => {
    const r = rig(key);
    const small = (v: string, healthy: boolean) => buildImage({ board: r.board.id, type: TYPE, version: v, build: "test",
      payload: new TextEncoder().encode("global.APP={version:OTA_BOOT.version,slot:OTA_BOOT.slot,reason:OTA_BOOT.reason};" + (healthy ? "" : "//bad")) });
    installFactory(r.flash, r.board, small("1.0.0", true), 0);
    const a = boot(r)!;
    assert.equal([a.version, a.slot, a.reason], ["1.0.0", 0, 0]);
    update(session(r, powerOn(r), r.board.chunkSize), small("2.0.0", false), r.board.chunkSize);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(boot(r)!.version);
    assert.equal(seen, ["2.0.0", "2.0.0", "2.0.0", "1.0.0"]);
  });
}

t.run();
