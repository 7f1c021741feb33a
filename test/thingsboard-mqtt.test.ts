import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_TRIAL } from "../src/boot/decide.js";
import { TYPE } from "./support/rig.js";
import { tbRig } from "./support/thingsboard.js";

const t = suite("thingsboard: MQTT pull");

t("an assigned package is pulled over MQTT, verified, staged, and reported UPDATED after the new image confirms", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    assert.equal(x.sim.states(), [], "nothing assigned: no fw_state");
    const pkg = x.pkg("2.0.0");
    x.sim.assign(pkg);
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
    const reqs = x.sim.requests;
    assert.equal(reqs.map((q) => q.chunk), [0, 1, 2, 3, 4, 5]);
    assert.ok(reqs.every((q) => q.size === 1024 && q.requestId === reqs[0].requestId && q.via === "mqtt"));
    let b = x.powerCycle();
    assert.equal([b.boot.reason, b.boot.info!.version], [BOOT_TRIAL, "2.0.0"]);
    await x.sim.waitTelemetry((v) => v.current_fw_version === "2.0.0");
    assert.ok(b.client.confirm());
    const done = await x.sim.waitState("UPDATED");
    assert.equal([done.current_fw_title, done.current_fw_version], [TYPE, "2.0.0"]);
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
    b = x.powerCycle();
    assert.equal([b.boot.reason, b.boot.info!.version], [BOOT_CONFIRMED, "2.0.0"]);
  } finally {
    await x.close();
  }
});

t("a package assigned before power-on is found by the attributes request; a second pull uses a new requestId", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    x.sim.assign(x.pkg("2.0.0", { checksum: "11".repeat(32) }, 2000));
    x.powerCycle();
    assert.is((await x.sim.waitState("FAILED")).fw_error, "DIGEST: SHA256");
    // The server pins a requestId to the package it first served: the retry must not reuse it.
    x.sim.assign(x.pkg("2.0.0", {}, 2000));
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    const ids = [...new Set(x.sim.requests.map((q) => q.requestId))];
    assert.is(ids.length, 2);
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "FAILED", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
  } finally {
    await x.close();
  }
});

t.run();
