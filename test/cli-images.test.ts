import { rmSync } from "node:fs";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { checkImage } from "../src/cli/image-check.js";
import { loadBoard } from "../src/board/files.js";
import { image } from "./support/rig.js";
import { cliHere, refused, tmp } from "./support/cli.js";

/* Issue 17: info checks the whole file; install-script and mkimage refuse what would not work on the board. */
const t = suite("cli: images");

const dir = tmp();
const at = (f: string) => join(dir, f);
const linux = image(loadBoard("linux"), "1.0.0", 300);
const puck = image(loadBoard("puckjs"), "1.0.0", 300);
const flip = (b: Uint8Array, i: number) => {
  const c = new Uint8Array(b);
  c[i] ^= 1;
  return c;
};
const FILES: Record<string, Uint8Array> = {
  "v1.img": linux,
  "puck.img": puck,
  "empty.img": new Uint8Array(0),
  "garbage.img": new Uint8Array(300).map((_, i) => (i * 77 + 13) & 255),
  "app.js": new TextEncoder().encode("OTA.ncp({baud: 38400});\n"),
  "header-bit.img": flip(linux, 50),
  "cut.img": linux.subarray(0, linux.length - 1),
  "header-only.img": linux.subarray(0, 128),
  "payload-byte.img": flip(linux, 200),
  "trailer.img": flip(linux, 128 + 300 + 2),
  "extra.img": new Uint8Array([...linux, 0]),
};
for (const [f, b] of Object.entries(FILES)) writeFileSync(at(f), b);

t("checkImage: a whole image passes; each damage is named", () => {
  assert.is(checkImage(linux).problem, "");
  assert.is(checkImage(puck).problem, "");
});

// Rows: "info with no file"; "info on garbage, an empty file, a flipped header bit"; "info on an image cut by one byte, a header-only file, a flipped payload byte".
const INFO: [string, RegExp][] = [
  ["nofile.img", /nofile\.img: no such file/],
  ["empty.img", /empty\.img: empty file/],
  ["garbage.img", /garbage\.img: not an image: no EOTA magic at the start \(MAGIC\)/],
  ["app.js", /app\.js: not an image: 24 bytes, shorter than the 128-byte header/],
  ["header-bit.img", /header-bit\.img: header CRC-32 wrong: the header is damaged \(HEADER_CRC\)/],
  ["cut.img", /cut\.img: truncated: \d+ bytes, the header says \d+ \(1 missing\)/],
  ["header-only.img", /header-only\.img: truncated: 128 bytes, the header says \d+/],
  ["payload-byte.img", /payload-byte\.img: payload SHA-256 differs from the header's: the payload is damaged \(PAYLOAD_DIGEST\)/],
  ["trailer.img", /trailer\.img: Blynk info tag after the payload missing or disagrees with the header/],
  ["extra.img", /extra\.img: \d+ bytes, the header says \d+ \(1 extra bytes after the image\)/],
];

t("info with no file: usage error, exit 2", async () => refused(await cliHere(["info"]), 2, /info: needs an image FILE/));

for (const [f, what] of INFO) {
  t("info " + f + ": exit 1, naming what is wrong", async () => refused(await cliHere(["info", at(f)]), 1, what));
}

t("info on a whole image: its header, exit 0; with a bad one beside it: exit 1", async () => {
  const r = await cliHere(["info", at("v1.img"), at("puck.img")]);
  assert.is(r.code, 0, JSON.stringify(r));
  assert.match(r.out, /v1\.img: LINUX TMPL\w* v1\.0\.0 .*payload \d+ B, image \d+ B/);
  assert.match(r.out, /puck\.img: PUCKJS /);
  const s = await cliHere(["info", at("v1.img"), at("cut.img")]);
  assert.is(s.code, 1);
  assert.match(s.out, /v1\.img: LINUX/);
  assert.match(s.err, /cut\.img: truncated/);
});

// Row: "install-script with garbage, app.js, a truncated or corrupt image, or a puckjs image with --board linux".
const INSTALL: [string[], number, RegExp][] = [
  [["--board", "linux", "--image", "garbage.img"], 1, /garbage\.img: not an image: no EOTA magic/],
  [["--board", "linux", "--image", "app.js"], 1, /app\.js: not an image: 24 bytes/],
  [["--board", "linux", "--image", "cut.img"], 1, /cut\.img: truncated/],
  [["--board", "linux", "--image", "header-bit.img"], 1, /HEADER_CRC/],
  [["--board", "linux", "--image", "payload-byte.img"], 1, /PAYLOAD_DIGEST/],
  [["--board", "linux", "--image", "puck.img"], 1, /puck\.img: built for PUCKJS, not LINUX \(linux\): the client would refuse it \(WRONG_BOARD\)/],
  [["--board", "linux", "--image", "nofile.img"], 1, /nofile\.img: no such file/],
  [["--image", "v1.img"], 2, /install-script: needs --board \(the board decides the layout; boards: banglejs2, esp32, linux, mdbt42q, pixljs, puckjs\)/],
  [["--board", "linux"], 2, /install-script: needs --image/],
  [["--board", "nope", "--image", "v1.img"], 2, /--board "nope": no such board \(boards: banglejs2, esp32, linux, mdbt42q, pixljs, puckjs\)/],
  [["--board", "pico", "--image", "v1.img"], 2, /--board pico: no OTA layout on this board's stock firmware \(Storage is three 16 KB sectors.*; boards: banglejs2/],
  [["--board", "espruinowifi", "--image", "v1.img"], 2, /--board espruinowifi: no OTA layout .*one 64 KB sector/],
];
for (const [args, code, what] of INSTALL) {
  t("install-script " + args.join(" ") + ": refused, nothing written", async () => refused(await cliHere(["install-script", ...args], { cwd: dir }), code, what));
}

t("install-script with a whole image for the board: the installer, exit 0", async () => {
  const r = await cliHere(["install-script", "--board", "puckjs", "--image", at("puck.img")]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /process\.env\.BOARD!=="PUCKJS"/);
});

// Rows: "mkimage without --board", "--version héllo or with a newline", "--out equal to --app", "a wrong --board".
const MK = ["--type", "TMPL1", "--version", "1.0.0"];
const MKIMAGE: [string[], number, RegExp][] = [
  [["--app", "app.js", "--out", "a.img", ...MK], 2, /mkimage: needs --board \(the board decides the header's board id and the slot size\)/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "T", "--version", "héllo"], 2, /--version "héllo": only printable ASCII fits the header \(character "é" does not\)/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "T", "--version", "1.0\n"], 2, /--version "1.0\\n": only printable ASCII fits the header \(a newline does not\)/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "TMPL\u00e9", "--version", "1"], 2, /--type "TMPLé": only printable ASCII/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "T", "--version", "1", "--build", "x\ty"], 2, /--build "x\\ty": only printable ASCII/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "T", "--version", "1.0.0.0.0.0.0"], 2, /--version "1.0.0.0.0.0.0": 13 characters, the header holds 12/],
  [["--app", "app.js", "--out", "a.img", "--board", "linux", "--type", "T", "--version", ""], 2, /--version "": must not be empty/],
  [["--app", "app.js", "--out", "app.js", "--board", "linux", ...MK], 2, /mkimage: --out app\.js is the --app file: it would overwrite the application's source/],
  [["--app", "app.js", "--out", "./sub/../app.js", "--board", "linux", ...MK], 2, /is the --app file/],
  [["--app", "app.js", "--out", "a.img", "--board", "nope", ...MK], 2, /--board "nope": no such board \(boards: banglejs2, esp32, linux, mdbt42q, pixljs, puckjs\)/],
  [["--app", "app.js", "--out", "a.img", "--board", "pico", ...MK], 2, /--board pico: no OTA layout on this board's stock firmware/],
  [["--app", "missing.js", "--out", "a.img", "--board", "linux", ...MK], 1, /missing\.js: no such file/],
  [["--app", "app.js", "--out", "a.img", "--board", "puckjs", "--with-client", ...MK], 1,
    /mkimage: the image would be \d+ bytes, larger than puckjs's 12 KB slot \(12288 bytes\); the client bundle alone is \d+ bytes; nothing written/],
  [["--app", "app.js", "--out", "a.img", "--board", "pixljs", "--with-client", ...MK], 1, /larger than pixljs's 8 KB slot/],
];
for (const [args, code, what] of MKIMAGE) {
  t("mkimage " + JSON.stringify(args.join(" ")) + ": refused", async () => {
    const before = readFileSync(at("app.js"));
    refused(await cliHere(["mkimage", ...args], { cwd: dir }), code, what);
    assert.equal(readFileSync(at("app.js")), before, "the app is untouched");
    assert.throws(() => readFileSync(at("a.img")), "no image written");
  });
}

t("mkimage for the board: the image, and info agrees", async () => {
  const r = await cliHere(["mkimage", "--app", "app.js", "--out", "ok.img", "--board", "puckjs", ...MK, "--build", "b1"], { cwd: dir });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /ok\.img: PUCKJS TMPL1 v1\.0\.0 \(b1\)/);
  assert.is(checkImage(new Uint8Array(readFileSync(at("ok.img")))).problem, "");
});

t.after(() => rmSync(dir, { recursive: true, force: true }));

t.run();
