import { suite } from "uvu";
import * as assert from "uvu/assert";
import { installScript } from "../src/install/script.js";
import { loadBoard, boardStorage } from "../src/board/files.js";
import { FakeClock } from "../src/platform/host/clock.js";
import { espruinoVM } from "../src/testbench/espruino-vm.js";
import { installFactory } from "../src/testbench/install.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { image } from "./support/rig.js";

/* The installer as shipped (install-script output), run under the stand-in with Espruino's Storage rules. */
const t = suite("install-script");

function run(key: string, o: { board?: string; version?: string; files?: string[]; erase?: boolean } = {}) {
  const board = loadBoard(key);
  const flash = new NorFlash({ geometry: board.geometry, strict: false });
  const storage = boardStorage(board, flash)!;
  for (const f of o.files || []) storage.write(f, "x");
  const img = image(board, "1.0.0", 2000);
  const dev = espruinoVM({ flash: flash, clock: new FakeClock(), memoryMapped: board.memoryMapped, storage: storage,
    firmware: { board: o.board || board.id, version: o.version || "2v29" } });
  dev.run(installScript(board, img, { eraseStorage: o.erase }), "install.js");
  return { board: board, flash: flash, storage: storage, img: img, log: dev.log.join("\n") };
}

for (const key of ["linux", "puckjs", "esp32"]) {
  t(key + ": into an empty Storage it writes exactly what installFactory computes, and Storage stays valid", () => {
    const r = run(key);
    assert.match(r.log, /OTA install: done/);
    const want = new NorFlash({ geometry: r.board.geometry, strict: false });
    installFactory(want, r.board, r.img, 0, "");
    const from = r.board.plan!.files[0].header;
    const n = r.board.plan!.end - from;
    const got = r.flash.read(n, from);
    const exp = want.read(n, from);
    // The stub file's text differs (the real stub vs spaces); everything else is byte for byte.
    const stub = r.board.plan!.files[1];
    const skip = (a: number) => a >= stub.header + 32 && a < stub.header + 32 + stub.length;
    for (let i = 0; i < n; i++) if (!skip(from + i) && got[i] !== exp[i]) assert.unreachable("byte at 0x" + (from + i).toString(16));
    assert.ok(r.storage.isValid());
    assert.equal(r.storage.list(), [".bootPowerOn", r.board.ota.stubFile, ".eota"]);
  });
}

t("it refuses a Storage that holds files, another board, and firmware without .bootPowerOn; --erase-storage erases first", () => {
  let r = run("linux", { files: ["settings.json"] });
  assert.match(r.log, /Storage holds files \(settings.json\)/);
  assert.equal(r.storage.list(), ["settings.json"]);
  r = run("linux", { board: "PUCKJS" });
  assert.match(r.log, /this script is for LINUX, the board is PUCKJS/);
  assert.equal(r.storage.list(), []);
  r = run("linux", { version: "2v18" });
  assert.match(r.log, /no \.bootPowerOn/);
  r = run("linux", { files: ["settings.json"], erase: true });
  assert.match(r.log, /OTA install: done/);
  assert.equal(r.storage.list(), [".bootPowerOn", ".boot0", ".eota"]);
});

t.run();
