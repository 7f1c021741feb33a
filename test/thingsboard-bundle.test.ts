import { suite } from "uvu";
import * as assert from "uvu/assert";
import { httpModule, mqttModule } from "../src/testbench/espruino-net.js";
import { TbSim } from "../src/peers/thingsboard/server.js";
import type { EspruinoMqtt } from "../src/thingsboard/ports.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { boardStorage } from "../src/board/files.js";
import { Journal } from "../src/core/journal.js";
import { crc32 } from "../src/platform/host/digest.js";
import { espruinoVM, type EspruinoVM } from "../src/testbench/espruino-vm.js";
import { TYPE, rig, type Rig } from "./support/rig.js";
import { TOKEN, settle, until } from "./support/thingsboard.js";
import { readFileSync } from "node:fs";

const t = suite("thingsboard: the shipped tb.js under the Espruino stand-in");

const tbBundle = (key: string) => readFileSync(new URL("../dist/espruino/" + key + "/tb.js", import.meta.url), "utf8");

/** An application image: tb.js, then an app that starts ThingsBoard over MQTT and confirms itself. */
function app(r: Rig, version: string, port: number): Uint8Array {
  const js = tbBundle(r.board.key) + "\n" +
    "global.APP={version:OTA.boot.version};TB.start({server:\"127.0.0.1\",port:" + port + ",token:\"" + TOKEN + "\"});OTA.confirm();";
  return buildImage({ board: r.board.id, type: TYPE, version: version, build: "test", payload: new TextEncoder().encode(js) });
}

/** A power-on: the shipped boot stub evals the chosen image, with Storage, MQTT and http modules added to the stand-in. */
function powerOn(r: Rig, files: Record<string, string>, links: EspruinoMqtt[], onReboot: () => void): EspruinoVM {
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped, onReboot: onReboot, storage: boardStorage(r.board, r.flash) });
  const base = dev.ctx.require as (name: string) => unknown;
  const mq = mqttModule({ powered: () => !r.flash.dead });
  // The progress file in a map (so a test can look at it); the OTA files through Espruino's Storage rules.
  const real = base("Storage") as { read: (n: string, o?: number, l?: number) => string | undefined };
  const Storage = {
    read: (n: string, o?: number, l?: number) => (n in files ? files[n] : real.read(n, o, l)),
    write: (n: string, d: string) => ((files[n] = d), true),
    erase: (n: string) => void delete files[n],
  };
  const mods: Record<string, unknown> = {
    Storage: Storage, http: httpModule(),
    MQTT: { create: (s: string, o: Parameters<typeof mq.create>[1]) => { const m = mq.create(s, o); links.push(m); return m; } },
  };
  dev.ctx.require = (name: string) => (name in mods ? mods[name] : base(name));
  dev.boot(r.board.key);
  return dev;
}

t("linux: tb.js pulls v2 over MQTT, resets, v2 confirms and reports UPDATED; MD5 is refused as unsupported", async () => {
  const r = rig("linux");
  const sim = await TbSim.start({ token: TOKEN });
  const files: Record<string, string> = {};
  const links: EspruinoMqtt[] = [];
  try {
    installFactory(r.flash, r.board, app(r, "1.0.0", sim.mqttPort), 0);
    let rebooted = false;
    const old = powerOn(r, files, links, () => (rebooted = true));
    await sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    sim.assign({ title: TYPE, version: "2.0.0", data: app(r, "2.0.0", sim.mqttPort), algorithm: "MD5" });
    assert.is((await sim.waitState("FAILED")).fw_error, "UNSUPPORTED_CHECKSUM: MD5");
    sim.assign({ title: TYPE, version: "2.0.0", data: app(r, "2.0.0", sim.mqttPort) });
    await sim.waitState("UPDATING");
    r.clock.advance(1000);
    assert.ok(rebooted, "E.reboot() after UPDATING");
    old.kill();
    for (const m of links) m.disconnect();
    await settle();
    const dev = powerOn(r, files, links, () => {});
    assert.equal((dev.ctx.APP as { version: string }).version, "2.0.0");
    // The progress lived in the journal pages inside .eota: "up" (staged) until the new image confirmed.
    const journal = new Journal({ flash: r.flash, crc32: crc32, pages: r.board.plan!.journal });
    const done = await sim.waitState("UPDATED");
    assert.equal([done.current_fw_title, done.current_fw_version], [TYPE, "2.0.0"]);
    assert.equal(sim.states(), ["FAILED", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
    await until(() => journal.load() === undefined, "progress cleared");
    assert.equal(Object.keys(files), [], "no Storage file written by the client");
  } finally {
    for (const m of links) m.disconnect();
    await sim.close();
  }
});

t.run();
