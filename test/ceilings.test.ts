import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BundleBoard } from "../src/testbench/bundle-board.js";
import { appSource } from "../src/testbench/apps.js";
import { NcpSimulator } from "../src/peers/ncp/simulator.js";
import { CRC8_T8 } from "../src/platform/espruino/crc8-tables.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { LinkPair } from "../src/platform/host/links.js";
import { TYPE, rig } from "./support/rig.js";

/*
 * Figures of `npm run bench` that can be held here without the interpreter
 * (issue 11), so they do not drift back: the bundle sizes, the CRC-8 tables
 * the device ships instead of computing them at load, and the RAM the finish
 * takes on boards whose flash is not memory-mapped (under the Espruino
 * stand-in JsVars are not counted, so the largest single copy of flash into
 * RAM stands for them: a 128 KB image read whole was about 6400 JsVars).
 */
const t = suite("ceilings for the bench figures");

/** boot.js + client.js, minified, per board: today's sizes plus a little room. Lower them as the bundles shrink. */
const BUNDLE_CEILING: Record<string, number> = { puckjs: 29_000, linux: 33_500 };

t("bundle bytes stay under their ceilings", () => {
  for (const [key, max] of Object.entries(BUNDLE_CEILING)) {
    const n = bundle(key, "boot").length + bundle(key, "client").length;
    assert.ok(n <= max, key + ": boot.js + client.js = " + n + " bytes, ceiling " + max);
  }
});

t("the CRC-8 table shipped as a String is the CRC-8 (poly 0x07) byte step", () => {
  const step = (c: number, d: number, k: number) => {
    for (let bit = k - 1; bit >= 0; bit--) {
      const fb = ((c >> 7) ^ (d >> bit)) & 1;
      c = (c << 1) & 255;
      if (fb) c ^= 7;
    }
    return c;
  };
  const codes = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
  const all = (k: number) => Array.from({ length: 256 }, (_, v) => step(v, 0, k));
  assert.equal(codes(CRC8_T8), all(8));
});

t("no bundle builds a CRC-8 table in a loop at load", () => {
  for (const key of ["linux", "puckjs"]) {
    const c = bundle(key, "client");
    assert.not.ok(/<<1\)\^7|\^=7/.test(c), key + ": a per-entry CRC-8 table loop is in the client");
  }
});

for (const key of ["linux", "esp32"]) {
  t(key + " (flash not memory-mapped): no read of flash into RAM beyond a chunk from offer to finish", () => {
    const r = rig(key);
    const app = (v: string, pad: number) =>
      buildImage({
        board: r.board.id, type: TYPE, version: v, build: "test",
        payload: new TextEncoder().encode(bundle(key, "client") + "\n" + appSource({ baud: 115200, healthy: true }) + "//" + "x".repeat(pad)),
      });
    installFactory(r.flash, r.board, app("1.0.0", 0), 0);
    const pair = new LinkPair({ clock: r.clock, baud: 115200 });
    let watch = false;
    let largest = 0;
    const dev = new BundleBoard({
      board: r.board, flash: r.flash, clock: r.clock, link: pair.b,
      onEvent: (n) => {
        if (n === "offer") watch = true;
        if (n === "finished") watch = false;
      },
    });
    const v2 = app("2.0.0", 20_000);
    const sim = new NcpSimulator({ link: pair.a, clock: r.clock, image: v2, type: TYPE, version: "2.0.0", build: "test" });
    dev.powerOn();
    // What the device's JavaScript reads with require("Flash").read (a copy into JsVars); Storage.read's flash
    // strings are the zero-copy way and are not counted (the stand-in has to copy to model them).
    const F = (dev.vm!.ctx.require as (n: string) => { read: (n: number, a: number) => Uint8Array })("Flash");
    const read = F.read;
    F.read = (length: number, address: number) => {
      if (watch) largest = Math.max(largest, length);
      return read(length, address);
    };
    assert.ok(r.clock.runUntil(() => sim.reported.length === 1, 60_000));
    sim.offer();
    assert.ok(r.clock.runUntil(() => sim.state === "applied", 600_000), "applied: " + sim.outcome);
    assert.ok(largest > 0 && largest <= 1024, "largest read during the update: " + largest + " bytes (image " + v2.length + ")");
  });
}

t.run();
