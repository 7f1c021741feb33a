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

/** A power-on: fresh RAM, the boot stub from .boot0, which evals the chosen image. */
function boot(r: Rig) {
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped });
  dev.run(bundle(r.board.key, "boot"), "boot.js");
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

t("with no valid image the stub starts nothing and says so", () => {
  const r = rig("linux");
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: false });
  dev.run(bundle("linux", "boot"));
  assert.is(dev.ctx.APP, undefined);
  assert.match(dev.log.join("\n"), /no valid image/);
});

t.run();
