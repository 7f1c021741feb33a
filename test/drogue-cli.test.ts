import { suite } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { cli, CLI, refused, tmp } from "./support/cli.js";
import { loadBoard } from "../src/board/files.js";
import { realClock } from "../src/platform/host/clock.js";
import { installFactory } from "../src/testbench/install.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { httpModule, mqttModule } from "../src/testbench/espruino-net.js";
import { BundleBoard } from "../src/testbench/bundle-board.js";
import { drogueApp, drogueImage } from "../src/testbench/apps.js";
import { BootRecord } from "../src/core/record.js";
import { crc32 } from "../src/platform/host/digest.js";

/* `espruino-ota drogue-sim` as a user runs it (the built CLI and the built drogue.js). */
const t = suite("cli: drogue-sim");

t("mkimage --with-drogue, then drogue-sim --in-process: the new image runs, confirmed after its Sync (exit 0)", () => {
  const d = tmp();
  const port = 20000 + (process.pid % 20000);
  const apps: Record<string, string> = {
    serial: "DFU.start();", http: "DFU.start({http:{server:\"127.0.0.1\",port:" + port + "}});",
    mqtt: "DFU.start({mqtt:{server:\"127.0.0.1\",port:" + (port + 1) + ",app:\"app\",device:\"dev1\"}});",
  };
  for (const tr of ["serial", "http", "mqtt"]) {
    writeFileSync(join(d, "app.js"), apps[tr] + "\n");
    const mk = cli(["mkimage", "--app", "app.js", "--with-drogue", "--board", "linux", "--type", "DROGUE", "--version", "2.0.0", "--out", "app.img"], { cwd: d });
    assert.is(mk.code, 0, mk.err);
    const r = cli(["drogue-sim", "--in-process", "--board", "linux", "--image", "app.img", "--transport", tr, "--double", "2", "--wrong-offset", "4",
      "--http-port", String(port), "--mqtt-port", String(port + 1)], { cwd: d, timeout: 120_000 });
    assert.is(r.code, 0, r.out + r.err);
    assert.match(r.out, /drogue-sim: confirmed after [\d.]+ s \(emulated\): \d+ Writes, 1 Swap, 1 Sync; board linux runs 2\.0\.0/);
    assert.match(r.out, /100 %/);
  }
});

t("an image that never starts the client: warned, rolled back, exit 1", () => {
  const d = tmp();
  writeFileSync(join(d, "app.js"), "// nothing\n");
  assert.is(cli(["mkimage", "--app", "app.js", "--with-drogue", "--board", "linux", "--type", "DROGUE", "--version", "2.0.0", "--out", "app.img"], { cwd: d }).code, 0);
  const r = cli(["drogue-sim", "--in-process", "--image", "app.img"], { cwd: d, timeout: 120_000 });
  assert.is(r.code, 1);
  assert.match(r.out, /never calls DFU.start\(\)/);
  assert.match(r.out, /drogue-sim: rolled back after/);
});

t("drogue-sim --serve: a board (the built drogue.js, real time) updates over HTTP, then over MQTT; exit 0 on the Sync", async () => {
  const board = loadBoard("linux");
  const port = 21000 + (process.pid % 20000);
  for (const tr of ["http", "mqtt"] as const) {
    const d = tmp();
    const app = drogueApp(tr, tr === "http" ? port : port + 1);
    writeFileSync(join(d, "v2.img"), drogueImage(board, "DROGUE", "2.0.0", app));
    const p = spawn(process.execPath, [CLI, "drogue-sim", "--serve", "--http-port", String(port), "--mqtt-port", String(port + 1), "--image", "v2.img", "--wait", "60"], { cwd: d });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => p.on("exit", resolve));
    for (let i = 0; i < 200 && !out.includes("mqtt://"); i++) await new Promise((r) => setTimeout(r, 25));
    const flash = new NorFlash({ geometry: board.geometry, strict: true });
    installFactory(flash, board, drogueImage(board, "DROGUE", "1.0.0", app), 0);
    const dev = new BundleBoard<number | string>({ board: board, flash: flash, clock: realClock as never, modules: () => ({ http: httpModule(), MQTT: mqttModule() }) });
    dev.powerOn();
    const code = await exited;
    await new Promise((r) => setTimeout(r, 300));
    dev.kill();
    assert.is(code, 0, out);
    assert.match(out, /status 2\.0\.0 -> Sync/);
    assert.equal(dev.boots.map((b) => b.version + ":" + b.reason), ["1.0.0:0", "2.0.0:1"]);
    const st = new BootRecord({ flash: flash, crc32: crc32, banks: board.layout.banks }).read();
    assert.ok(st.pendingConfirmed, tr + ": confirmed after the Sync");
  }
});

t("refusals: pico has no OTA layout; no mode prints the usage", () => {
  const d = tmp();
  refused(cli(["drogue-sim", "--in-process", "--board", "pico", "--image", "x.img"], { cwd: d }), 2, /drogue-sim: --board pico: no OTA layout/);
  const u = cli(["drogue-sim", "--image", "x.img"], { cwd: d });
  assert.is(u.code, 2);
  assert.match(u.out, /espruino-ota drogue-sim --image FILE/);
});

t.run();
