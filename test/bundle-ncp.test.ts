import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BundleBoard } from "../src/testbench/bundle-board.js";
import { appSource } from "../src/testbench/apps.js";
import { NcpSimulator } from "../src/peers/ncp/simulator.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { LinkPair } from "../src/platform/host/links.js";
import { rng } from "../src/testbench/rng.js";
import { TYPE, powerOn, rig, session, update, type Rig } from "./support/rig.js";

const t = suite("built bundle driven by the NCP simulator");

function appImage(r: Rig, version: string, healthy: boolean, pad = 0): Uint8Array {
  const js = bundle(r.board.key, "client") + "\n" + appSource({ baud: 115200, healthy: healthy }) + "//" + "x".repeat(pad);
  return buildImage({ board: r.board.id, type: TYPE, version: version, build: "test", payload: new TextEncoder().encode(js) });
}

function setup(key: string, wire?: (b: Uint8Array) => Uint8Array[]) {
  const r = rig(key);
  installFactory(r.flash, r.board, appImage(r, "1.0.0", true), 0);
  const pair = new LinkPair({ clock: r.clock, baud: 115200, wire: wire });
  const events: string[] = [];
  const dev = new BundleBoard({ board: r.board, flash: r.flash, clock: r.clock, link: pair.b, onEvent: (n, a) => n !== "progress" && events.push(n + ":" + a) });
  const until = (f: () => boolean, ms = 300_000) => r.clock.runUntil(f, ms);
  return { r: r, pair: pair, dev: dev, events: events, until: until };
}

for (const key of ["linux", "esp32", "banglejs2"]) {
  t(key + ": v1 takes v2 over the wire, reboots into it on trial, v2 reports and confirms", () => {
    const x = setup(key);
    const v2 = appImage(x.r, "2.0.0", true, 3000);
    const sim = new NcpSimulator({ link: x.pair.a, clock: x.r.clock, image: v2, type: TYPE, version: "2.0.0", build: "test" });
    x.dev.powerOn();
    assert.ok(x.until(() => sim.reported.length === 1), "v1 reports itself");
    sim.offer();
    assert.ok(x.until(() => sim.state === "applied"), "applied: " + sim.outcome + " " + x.events.join(" "));
    assert.ok(x.until(() => x.events.includes("confirmed:1")), x.events.join(" "));
    assert.equal([x.dev.running!.slot, x.dev.running!.reason, x.dev.running!.version], [1, 1, "2.0.0"]);
    x.dev.powerOn();
    assert.equal([x.dev.running!.slot, x.dev.running!.reason], [1, 0]);
  });
}

t("with a noisy wire the shipped client still gets every chunk right", () => {
  const rand = rng(3);
  const x = setup("linux", (b) => {
    if (rand() < 0.1) {
      const c = b.slice();
      c[Math.floor(rand() * c.length)] ^= 0x10;
      return [c];
    }
    const cut = Math.floor(rand() * b.length);
    return [b.subarray(0, cut), b.subarray(cut)];
  });
  const v2 = appImage(x.r, "2.0.0", true, 20000);
  const sim = new NcpSimulator({ link: x.pair.a, clock: x.r.clock, image: v2, type: TYPE, version: "2.0.0", build: "test" });
  x.dev.powerOn();
  sim.offer();
  assert.ok(x.until(() => x.events.includes("confirmed:1")), sim.outcome + " " + x.events.join(" "));
  assert.ok(sim.resends > 0);
});

t("a bad release that never confirms is rolled back by the shipped stub", () => {
  const x = setup("linux");
  const v3 = appImage(x.r, "3.0.0", false);
  const sim = new NcpSimulator({ link: x.pair.a, clock: x.r.clock, image: v3, type: TYPE, version: "3.0.0", build: "test" });
  x.dev.powerOn();
  sim.offer();
  assert.ok(x.until(() => x.dev.running!.reason === 2), x.dev.boots.map((b) => b.version + "/" + b.reason).join(" "));
  assert.equal(x.dev.boots.map((b) => b.version), ["1.0.0", "3.0.0", "3.0.0", "3.0.0", "1.0.0"]);
  assert.ok(x.until(() => sim.reported[0].version === "1.0.0"));
});

t("an image that throws while loading and never resets is reset by the stub's trial timer, then rolled back", () => {
  const x = setup("linux");
  const broken = buildImage({ board: x.r.board.id, type: TYPE, version: "3.0.0", build: "test", payload: new TextEncoder().encode(bundle("linux", "client") + "\nthrow new Error('broken release');\n") });
  const s = session(x.r, powerOn(x.r));
  update(s, broken);
  x.dev.powerOn();
  assert.is(x.dev.running!.reason, 1, "on trial");
  assert.match(x.dev.vm!.log.join("\n"), /broken release/);
  assert.ok(x.until(() => x.dev.running!.reason === 2, 10 * 60_000), x.dev.boots.map((b) => b.version + "/" + b.reason).join(" "));
  assert.equal(x.dev.boots.map((b) => b.reason), [1, 1, 1, 2]);
});

t.run();
