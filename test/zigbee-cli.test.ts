import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseOtaHeader } from "zigbee-herdsman";
import { cli, refused, tmp } from "./support/cli.js";

const t = suite("cli: mkimage --zigbee-*, info and zigate-sim (the built CLI, as a child process)");

const dir = tmp();
writeFileSync(join(dir, "app.js"), "OTA.zigbee({manufacturer: 0x1234, imageType: 0x5678, baud: 115200});\n");
const mk = (more: string[]) => cli(["mkimage", "--app", "app.js", "--board", "linux", "--type", "ZBAPP", "--with-client", ...more], { cwd: dir });

t("mkimage wraps the image in a Zigbee OTA file; the file version comes from the version; info reads it", () => {
  const r = mk(["--out", "app.zigbee", "--version", "1.2.3", "--zigbee-manufacturer", "0x1234", "--zigbee-image-type", "0x5678"]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Zigbee OTA file, manufacturer 0x1234, image type 0x5678, file version 0x01020300/);
  const h = parseOtaHeader(readFileSync(join(dir, "app.zigbee")));
  assert.equal([h.manufacturerCode, h.imageType, h.fileVersion, h.otaHeaderString.replace(/\0+$/, "")], [0x1234, 0x5678, 0x01020300, "ZBAPP 1.2.3"]);
  const i = cli(["info", "app.zigbee"], { cwd: dir });
  assert.is(i.code, 0);
  assert.match(i.out, /tag 0: LINUX ZBAPP v1.2.3/);
  const v = mk(["--out", "b.zigbee", "--version", "beta", "--zigbee-manufacturer", "0x1234", "--zigbee-image-type", "0x5678", "--zigbee-file-version", "0x00000007"]);
  assert.is(v.code, 0, v.err);
  assert.is(parseOtaHeader(readFileSync(join(dir, "b.zigbee"))).fileVersion, 7);
});

t("mkimage refuses half a Zigbee option set, bad codes, a version without a file version", () => {
  refused(mk(["--out", "x", "--version", "1.0.0", "--zigbee-manufacturer", "0x1234"]), 2, /needs both --zigbee-manufacturer and --zigbee-image-type/);
  refused(mk(["--out", "x", "--version", "1.0.0", "--zigbee-manufacturer", "0x12345", "--zigbee-image-type", "1"]), 2, /--zigbee-manufacturer "0x12345": needs a 16-bit number/);
  refused(mk(["--out", "x", "--version", "beta", "--zigbee-manufacturer", "1", "--zigbee-image-type", "1"]), 2, /gives no Zigbee file version/);
});

t("zigate-sim --in-process: the board ends on the new image, confirmed (exit 0); with a reset and faults too", () => {
  mk(["--out", "app.zigbee", "--version", "1.1.0", "--zigbee-manufacturer", "0x1234", "--zigbee-image-type", "0x5678"]);
  const r = cli(["zigate-sim", "--in-process", "--image", "app.zigbee"], { cwd: dir, timeout: 120_000 });
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /zigate-sim: the board runs v1.1.0 \(file version 0x01010000\), confirmed/);
  const f = cli(["zigate-sim", "--in-process", "--image", "app.zigbee", "--reset-at", "12000", "--radio-loss", "0.03", "--serial-faults", "corrupt=0.02", "--pause-at", "3000:5"], { cwd: dir, timeout: 120_000 });
  assert.is(f.code, 0, f.out + f.err);
  assert.match(f.out, /resetting the board/);
  assert.match(f.out, /board: resume 0 \d+/);
});

t("zigate-sim refuses what cannot run", () => {
  refused(cli(["zigate-sim", "--image", "app.zigbee"], { cwd: dir }), 2, /needs --image FILE and --port PATH or --in-process/);
  refused(cli(["zigate-sim", "--image", "app.zigbee", "--in-process", "--port", "/dev/null"], { cwd: dir }), 2, /exclude each other/);
  refused(cli(["zigate-sim", "--image", "app.zigbee", "--in-process", "--board", "pico"], { cwd: dir }), 2, /pico: no OTA layout/);
  refused(cli(["zigate-sim", "--image", "app.zigbee", "--in-process", "--pause-at", "abc"], { cwd: dir }), 2, /needs OFFSET:SECONDS/);
  refused(cli(["zigate-sim", "--image", "app.js", "--in-process"], { cwd: dir }), 1, /not a Zigbee OTA file/);
});

t.run();
