import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dgramModule } from "../src/testbench/espruino-net.js";
import { TbSim } from "../src/peers/thingsboard/server.js";
import type { DgramSocket } from "../src/thingsboard/ports.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { boardStorage } from "../src/board/files.js";
import { Journal } from "../src/core/journal.js";
import { crc32 } from "../src/platform/host/digest.js";
import { espruinoVM, type EspruinoVM } from "../src/testbench/espruino-vm.js";
import { TYPE, rig, type Rig } from "./support/rig.js";
import { TOKEN, until } from "./support/thingsboard.js";

const t = suite("thingsboard: the shipped tb.js over CoAP (dgram) under the Espruino stand-in");

const tbBundle = (key: string) => readFileSync(new URL("../dist/espruino/" + key + "/tb.js", import.meta.url), "utf8");

/** An application image: tb.js, then an app that starts ThingsBoard over CoAP (TB.start({coap: true})) and confirms itself. */
function app(r: Rig, version: string, port: number, size = 0): Uint8Array {
  const js = tbBundle(r.board.key) + "\n" +
    "global.TBC=TB.start({server:\"127.0.0.1\",port:" + port + ",token:\"" + TOKEN + "\",coap:true});OTA.confirm();\n//" + "x".repeat(size);
  return buildImage({ board: r.board.id, type: TYPE, version: version, build: "test", payload: new TextEncoder().encode(js) });
}

/**
 * A power-on: the shipped boot stub evals the chosen image, with a `dgram`
 * module over node:dgram added to the stand-in. As on Espruino, an error in a
 * datagram handler is printed, not fatal (a power cut throws from the flash).
 */
function powerOn(r: Rig, sockets: DgramSocket[], onReboot: () => void): EspruinoVM {
  const dev = espruinoVM({ flash: r.flash, clock: r.clock, memoryMapped: r.board.memoryMapped, onReboot: onReboot, storage: boardStorage(r.board, r.flash) });
  const base = dev.ctx.require as (name: string) => unknown;
  const udp = dgramModule({ powered: () => !r.flash.dead && dev.alive });
  const dgram = {
    createSocket: (type: Parameters<typeof udp.createSocket>[0]) => {
      const s = udp.createSocket(type);
      sockets.push(s);
      const on: DgramSocket["on"] = (event, fn) => s.on(event, (m, i) => {
        try {
          fn(m, i);
        } catch (e) {
          dev.log.push("Uncaught " + (e as Error).message);
        }
      });
      return { on: on, send: s.send, close: s.close };
    },
  };
  dev.ctx.require = (name: string) => (name === "dgram" ? dgram : base(name));
  dev.boot(r.board.key);
  return dev;
}

t("linux: tb.js pulls v2 over CoAP, loses power mid-download, resumes from the journal, resets into v2, which reports UPDATED", async () => {
  const r = rig("linux");
  const sim = await TbSim.start({ token: TOKEN });
  const sockets: DgramSocket[] = [];
  const tick = setInterval(() => r.clock.advance(20), 5);
  const off = () => {
    for (const s of sockets.splice(0)) s.close();
  };
  try {
    installFactory(r.flash, r.board, app(r, "1.0.0", sim.coapPort), 0);
    let dev = powerOn(r, sockets, () => {});
    await sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    const v2 = app(r, "2.0.0", sim.coapPort, 9000);
    const n = Math.ceil(v2.length / 1024);
    const journal = new Journal({ flash: r.flash, crc32: crc32, pages: r.board.plan!.journal });
    sim.assign({ title: TYPE, version: "2.0.0", data: v2 });
    (dev.ctx.TBC as { check: () => void }).check();
    // Power goes once a checkpoint (every 4 KB) is in the journal and a few more chunks have been asked for.
    await until(() => journal.load() !== undefined && sim.requests.length >= 6, "a checkpoint and chunk 5");
    r.flash.cutPower({ at: r.flash.ops + 1, tear: true, seed: 7 });
    await until(() => r.flash.dead, "power cut");
    dev.kill();
    off();
    const before = sim.requests.length;
    const saved = new TextDecoder().decode(journal.load());
    r.flash.powerOn();
    let rebooted = false;
    dev = powerOn(r, sockets, () => (rebooted = true));
    await sim.waitState("UPDATING");
    const resumed = sim.requests[before].chunk;
    assert.ok(resumed > 0, "resumed at chunk " + resumed + ", not 0 (saved " + saved + ")");
    assert.equal(sim.requests.slice(before).map((q) => q.chunk), Array.from({ length: n - resumed }, (_, i) => resumed + i));
    await until(() => rebooted, "E.reboot() after UPDATING");
    dev.kill();
    off();
    dev = powerOn(r, sockets, () => {});
    const done = await sim.waitState("UPDATED");
    assert.equal([done.current_fw_title, done.current_fw_version], [TYPE, "2.0.0"]);
    assert.equal(sim.states(), ["DOWNLOADING", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
    await until(() => journal.load() === undefined, "progress cleared");
    assert.equal(dev.log.filter((l) => l.startsWith("Uncaught")), []);
  } finally {
    clearInterval(tick);
    off();
    await sim.close();
  }
});

t.run();
