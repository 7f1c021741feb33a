import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cli, cliHere, refused, tmp } from "./support/cli.js";

const t = suite("ble: the command line (mkimage --with-ble, ble-sim)");

const dir = tmp();
const at = (f: string) => join(dir, f);
writeFileSync(at("app.js"), "OTA.ble();\n");

t("mkimage --with-ble puts ble.js before the app; the puckjs image fits its 12 KB slot", () => {
  const r = cli(["mkimage", "--app", at("app.js"), "--with-ble", "--board", "puckjs", "--type", "TMPLBLE", "--version", "1.0.1", "--out", at("app.img")]);
  assert.is(r.code, 0, r.err);
  const m = /image (\d+) B/.exec(r.out);
  assert.ok(m && Number(m[1]) <= 12288 && Number(m[1]) > 11000, r.out);
});

t("ble-sim --in-process --board puckjs --image app.img ends with the image confirmed (exit 0)", () => {
  const r = cli(["ble-sim", "--in-process", "--board", "puckjs", "--image", at("app.img")]);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /ble-sim: confirmed; 0 resends; \d+ packets at MTU 23/);
  assert.match(r.out, /board: power on -> slot 1 v1\.0\.1 \(reason 1\)/);
  assert.match(r.out, /100 %/);
});

t("ble-sim with faults over seeds prints a row per run and confirms every one", () => {
  const r = cli(["ble-sim", "--in-process", "--image", at("app.img"), "--mtu", "185", "--faults", "lost=0.01,corrupt=0.01", "--faults", "disconnect=40", "--seeds", "2"]);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /ble-sim: 4\/4 seeds confirmed/);
});

t("refusals: ble-sim alone (usage, exit 2), without --in-process, a bad --mtu or --faults; mkimage with both clients", async () => {
  const alone = await cliHere(["ble-sim"]);
  assert.is(alone.code, 2);
  assert.match(alone.out, /ble-sim --image FILE --in-process/);
  assert.is((await cliHere(["ble-sim", "--image", at("app.img")])).code, 2);
  refused(await cliHere(["ble-sim", "--in-process", "--image", at("app.img"), "--mtu", "22"]), 2, /--mtu "22"/);
  refused(await cliHere(["ble-sim", "--in-process", "--image", at("app.img"), "--faults", "drop=0.1"]), 2, /unknown fault "drop"/);
  refused(await cliHere(["ble-sim", "--in-process", "--image", at("app.img"), "--faults", "lost=2"]), 2, /lost=2: a probability from 0 to 1/);
  refused(await cliHere(["mkimage", "--app", at("app.js"), "--with-ble", "--with-client", "--board", "puckjs", "--type", "T", "--version", "1", "--out", at("x.img")]), 2, /exclude each other/);
});

t.run();
