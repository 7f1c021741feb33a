import { suite } from "uvu";
import * as assert from "uvu/assert";
import { OTA_FILE, POWER_ON_FILE } from "../src/core/storage-plan.js";
import { BundleBoard } from "../src/testbench/bundle-board.js";
import { appSource } from "../src/testbench/apps.js";
import { boardKeys, boardStorage, loadBoard } from "../src/board/files.js";
import { FakeClock } from "../src/platform/host/clock.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { LinkPair } from "../src/platform/host/links.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { PowerCut } from "../src/platform/host/power.js";
import { TYPE, image } from "./support/rig.js";

/* The OTA files as citizens of Espruino's Storage (issue 10), on the Storage emulator (storage.ts). */
const t = suite("OTA files in Storage");

function installed(key: string) {
  const board = loadBoard(key);
  const flash = new NorFlash({ geometry: board.geometry, strict: false });
  installFactory(flash, board, image(board, "1.0.0", 2000), 0);
  return { board: board, flash: flash, st: boardStorage(board, flash)! };
}

for (const key of boardKeys()) {
  t(key + ": the install is a valid Storage with our files where the plan puts them; the next file starts on a page after them", () => {
    const { board, st } = installed(key);
    assert.ok(st.isValid());
    assert.is(st.powerOn(), "ok");
    assert.equal(st.entries().map((e) => [e.name, e.header, e.size]), board.plan!.files.map((f) => [f.name, f.header, f.length]));
    if (board.plan!.end < board.storage.start + board.storage.size) assert.is(st.wouldCreateAt(100), board.plan!.end);
  });
}

t("linux: the application rewrites its files until Storage compacts, many times: not one byte of the OTA files changes", () => {
  const { board, flash, st } = installed("linux");
  const end = board.plan!.end;
  const ours = flash.read(end - board.storage.start, board.storage.start);
  const logAt = flash.log.length;
  let compactions = 0;
  for (let i = 0; i < 60; i++) {
    const before = st.stats().trashCount;
    st.write("app" + (i % 3), new Uint8Array(4000 + (i % 5) * 100).fill(i));
    if (st.stats().trashCount < before) compactions++;
    if (i % 7 === 6) st.erase("app" + (i % 3));
  }
  assert.ok(compactions >= 5, compactions + " compactions");
  assert.ok(st.isValid());
  assert.equal(flash.read(end - board.storage.start, board.storage.start), ours);
  for (const op of flash.log.slice(logAt)) assert.ok(op.start >= end, op.kind + " at 0x" + op.start.toString(16));
  assert.ok(st.list().includes(OTA_FILE) && st.list().includes(POWER_ON_FILE));
});

t("Storage.eraseAll() by the user: nothing of ours runs (the REPL is free), and a fresh install boots again", () => {
  const board = loadBoard("linux");
  const flash = new NorFlash({ geometry: board.geometry, strict: false });
  const clock = new FakeClock();
  const pair = new LinkPair({ clock: clock, baud: 115200 });
  const app = (v: string) => buildImage({ board: board.id, type: TYPE, version: v, build: "t",
    payload: new TextEncoder().encode(bundle("linux", "client") + "\n" + appSource({ baud: 115200, healthy: true })) });
  installFactory(flash, board, app("1.0.0"), 0);
  const dev = new BundleBoard({ board: board, flash: flash, clock: clock, link: pair.b });
  dev.powerOn();
  assert.is(dev.running!.version, "1.0.0");
  dev.storage()!.eraseAll();
  dev.powerOn();
  assert.equal([dev.running!.slot, dev.running!.reason], [-1, 4]);
  assert.is(dev.vm, undefined, "no stub, no image");
  installFactory(flash, board, app("1.0.1"), 0);
  dev.powerOn();
  assert.is(dev.running!.version, "1.0.1");
});

t("a cut while the application's files compact often makes Espruino erase all of Storage at power-on: the board then runs nothing of ours", () => {
  const board = loadBoard("linux");
  let wiped = 0;
  for (let at = 1; at <= 12; at++) {
    const flash = new NorFlash({ geometry: board.geometry, strict: false });
    const clock = new FakeClock();
    installFactory(flash, board, image(board, "1.0.0", 2000), 0);
    const dev = new BundleBoard({ board: board, flash: flash, clock: clock, link: new LinkPair({ clock: clock, baud: 115200 }).b });
    const st = dev.storage()!;
    for (let i = 0; i < 4; i++) st.write("app" + (i % 3), new Uint8Array(3500).fill(i));
    flash.cutPower({ at: flash.ops + at, tear: true, seed: at });
    try {
      st.write("app0", new Uint8Array(3500).fill(9));
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
    }
    flash.powerOn();
    dev.powerOn();
    if (dev.running!.slot < 0) {
      wiped++;
      assert.equal(dev.storage()!.list(), []);
    } else assert.is(dev.running!.version, "1.0.0");
  }
  assert.ok(wiped > 0, "Espruino wiped Storage after " + wiped + " of 12 cuts");
});

t.run();
