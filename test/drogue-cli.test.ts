import { suite } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, refused, tmp } from "./support/cli.js";

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

t("refusals: pico has no OTA layout; no mode prints the usage", () => {
  const d = tmp();
  refused(cli(["drogue-sim", "--in-process", "--board", "pico", "--image", "x.img"], { cwd: d }), 2, /drogue-sim: --board pico: no OTA layout/);
  const u = cli(["drogue-sim", "--image", "x.img"], { cwd: d });
  assert.is(u.code, 2);
  assert.match(u.out, /espruino-ota drogue-sim --image FILE/);
});

t.run();
