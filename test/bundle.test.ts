import { suite } from "uvu";
import * as assert from "uvu/assert";
import { buildImage } from "../src/platform/host/image.js";
import { installFactory } from "../src/platform/host/install.js";
import { sha256 } from "../src/platform/host/digest.js";
import { TYPE, powerOn, rig, session, update, type Rig } from "./support/rig.js";
import { bundle, espruinoVM } from "../src/platform/host/espruino-vm.js";

const t = suite("device bundle (Espruino stand-in)");

function app(r: Rig, version: string, healthy: boolean): Uint8Array {
  const js = bundle(r.board.key, "client") + "\n" +
    "global.APP={version:OTA.boot.version,slot:OTA.boot.slot,reason:OTA.boot.reason};" +
    (healthy ? "global.APP.confirmed=OTA.confirm();" : "");
  return buildImage({ board: r.board.id, type: TYPE, version: version, build: "test", payload: new TextEncoder().encode(js) });
}

/** A power-on (or, with powerOn false, a soft reset): fresh RAM, .bootPowerOn, the boot stub from .boot0, which evals the chosen image. */
function boot(r: Rig, powerOn = true) {
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped });
  dev.boot(r.board.key, powerOn);
  return dev.ctx.APP as { version: string; slot: number; reason: number; confirmed?: boolean } | undefined;
}

for (const key of ["linux", "puckjs", "pixljs", "banglejs2", "pico"]) {
  t(key + ": the shipped stub boots v1, a staged v2 on trial, and v2 confirms itself", () => {
    const r = rig(key);
    installFactory(r.flash, r.board.layout, app(r, "1.0.0", true), 0);
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
  installFactory(r.flash, r.board.layout, app(r, "1.0.0", true), 0);
  boot(r);
  update(session(r, powerOn(r)), app(r, "3.0.0", false));
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push(boot(r)!.version);
  assert.equal(seen, ["3.0.0", "3.0.0", "3.0.0", "1.0.0", "1.0.0"]);
});

t("reset(), load() or an upload while on trial (no .bootPowerOn) spends no trial and writes nothing", () => {
  const r = rig("linux");
  installFactory(r.flash, r.board.layout, app(r, "1.0.0", true), 0);
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
  installFactory(r.flash, r.board.layout, app(r, "1.0.0", true), 0);
  boot(r);
  update(session(r, powerOn(r)), app(r, "3.0.0", false));
  assert.equal([boot(r, false)!.version, r.record.read().trialsUsed], ["1.0.0", 0]);
});

t("with no valid image the stub starts nothing and says so", () => {
  const r = rig("linux");
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: false });
  dev.boot("linux");
  assert.is(dev.ctx.APP, undefined);
  assert.match(dev.log.join("\n"), /no valid image/);
});

t.run();
