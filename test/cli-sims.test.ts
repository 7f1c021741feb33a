import { rmSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Progress } from "../src/cli/progress.js";
import { diagnose } from "../src/cli/ncpsim.js";
import * as E from "../src/core/errors.js";
import { loadBoard } from "../src/board/files.js";
import { appSource } from "../src/testbench/apps.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { image, TYPE } from "./support/rig.js";
import { cli, cliHere, refused, tmp } from "./support/cli.js";

/* Issue 17: the simulators name the client's refusal, stop resending after a final one, say "no answer from the board". */
const t = suite("cli: simulators");

const dir = tmp();
const at = (f: string) => join(dir, f);
const linux = loadBoard("linux");
const puck = loadBoard("puckjs");
const v1 = image(linux, "1.0.0", 300);
writeFileSync(at("v1.img"), v1);
writeFileSync(at("v0.img"), image(linux, "0.0.0", 300));
writeFileSync(at("cut.img"), v1.subarray(0, v1.length - 1));
writeFileSync(at("puck.img"), image(puck, "2.0.0", 300));
// With the client in it, so the rebooted board reports the new version.
const js = bundle("linux", "client") + "\n" + appSource({ baud: 38400, healthy: true });
writeFileSync(at("v2-client.img"), buildImage({ board: linux.id, type: TYPE, version: "2.0.0", build: "test", payload: new TextEncoder().encode(js) }));

t("tb-sim alone: its usage (every option), exit 2", async () => {
  const r = await cliHere(["tb-sim"]);
  assert.is(r.code, 2);
  for (const o of ["--image", "--token", "--mqtt-port", "--http-port", "--coap-port", "--emulate", "--board", "--wait"]) assert.match(r.out, o);
});

t("ncp-sim alone: its usage, exit 2", async () => {
  const r = await cliHere(["ncp-sim"]);
  assert.is(r.code, 2);
  assert.match(r.out, /--port PATH/);
});

async function busyPort(): Promise<{ port: number; close: () => void }> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { port: (s.address() as AddressInfo).port, close: () => s.close() };
}

t("tb-sim on a port in use: one line naming the port, exit 1, no stack trace (the built CLI)", async () => {
  const busy = await busyPort();
  try {
    // spawnSync blocks this process, but the kernel keeps the port bound.
    refused(cli(["tb-sim", "--image", at("v1.img"), "--mqtt-port", String(busy.port), "--http-port", "0", "--coap-port", "0"]), 1,
      new RegExp("cannot listen for MQTT on 127\\.0\\.0\\.1:" + busy.port + ": the port is in use .*--mqtt-port / --http-port / --coap-port"));
    refused(cli(["tb-sim", "--image", at("v1.img"), "--mqtt-port", "0", "--http-port", String(busy.port), "--coap-port", "0"]), 1,
      new RegExp("cannot listen for HTTP on 127\\.0\\.0\\.1:" + busy.port + ": the port is in use"));
  } finally {
    busy.close();
  }
  const udp = createSocket("udp4");
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  try {
    const port = udp.address().port;
    refused(cli(["tb-sim", "--image", at("v1.img"), "--mqtt-port", "0", "--http-port", "0", "--coap-port", String(port)]), 1,
      new RegExp("cannot listen for CoAP on 127\\.0\\.0\\.1:" + port + ": the port is in use"));
  } finally {
    udp.close();
  }
});

t("tb-sim with nobody asking: 'no answer from the board' after --wait, exit 1", async () => {
  const r = await cliHere(["tb-sim", "--image", at("v1.img"), "--mqtt-port", "0", "--http-port", "0", "--coap-port", "0", "--wait", "0.3"]);
  assert.is(r.code, 1, JSON.stringify(r));
  assert.match(r.out, /tb-sim: no answer from the board on mqtt port \d+, http port \d+ or coap port \d+ \(127\.0\.0\.1\) after 0\.3 s/);
});

t("the README's tb-sim line with a puckjs image: the emulated board is the image's board, UPDATED", async () => {
  const r = await cliHere(["tb-sim", "--image", at("puck.img"), "--mqtt-port", "0", "--http-port", "0", "--coap-port", "0", "--emulate", "mqtt"]);
  assert.is(r.code, 0, JSON.stringify(r));
  assert.match(r.out, /board puckjs power-on 2: slot 1 v2\.0\.0/);
  assert.match(r.out, /the board runs the new image and confirmed it/);
});

t("the README's tb-sim line with --emulate coap: the emulated board pulls over CoAP, reboots, UPDATED", async () => {
  const r = await cliHere(["tb-sim", "--image", at("puck.img"), "--mqtt-port", "0", "--http-port", "0", "--coap-port", "0", "--emulate", "coap"]);
  assert.is(r.code, 0, JSON.stringify(r));
  assert.match(r.out, /coap:\/\/127\.0\.0\.1:\d+\/fw\/ESPRUINO_OTA_TOKEN/);
  assert.match(r.out, /board puckjs power-on 2: slot 1 v2\.0\.0/);
  assert.match(r.out, /device: \{"fw_state":"DOWNLOADING"/);
  assert.match(r.out, /the board runs the new image and confirmed it/);
});

t("tb-sim --emulate with a wrong --board: the client's refusal by name", async () => {
  const r = await cliHere(["tb-sim", "--image", at("puck.img"), "--mqtt-port", "0", "--http-port", "0", "--coap-port", "0", "--emulate", "http", "--board", "linux"]);
  assert.is(r.code, 1, JSON.stringify(r));
  assert.match(r.out, /tb-sim: update FAILED: the client refused it: WRONG_BOARD/);
});

// Row: "ncp-sim with a wrong-board, truncated or same-version image".
const REFUSALS: [string, string[], RegExp][] = [
  ["wrong board", ["--image", at("puck.img"), "--board", "linux"], /ncp-sim: not applied: cancelled: write @0 refused: WRONG_BOARD; 0 resends/],
  ["truncated", ["--image", at("cut.img")], /ncp-sim: not applied: cancelled: write @0 refused: HEADER_MISMATCH; 0 resends/],
  ["same version", ["--image", at("v0.img")], /ncp-sim: not applied: refused: SAME_VERSION; 0 resends/],
];
for (const [name, args, what] of REFUSALS) {
  t("ncp-sim --in-process, " + name + ": the refusal by name, no resend", async () => {
    const r = await cliHere(["ncp-sim", "--in-process", "--wait", "1", ...args]);
    assert.is(r.code, 1, JSON.stringify(r));
    assert.match(r.out, what);
    assert.not.match(r.out, /resend \d|status 0\)/);
  });
}

t("ncp-sim --in-process, a whole image: applied; without a terminal one progress line per 10 %, never back to 0", async () => {
  const r = await cliHere(["ncp-sim", "--in-process", "--image", at("v2-client.img"), "--wait", "30"]);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /ncp-sim: applied; 0 resends; client reports v2\.0\.0/);
  const bars = r.out.split("\n").filter((l) => l.includes("%  "));
  assert.ok(bars.length >= 6 && bars.length <= 11, bars.join("\n"));
  assert.match(bars[bars.length - 1], /100 %/);
  assert.not.match(r.out, /\r/);
});

const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;
t("ncp-sim on a port where nothing answers: 'no answer from the board on PORT' after its wait" + (hasPython ? "" : " (skipped: no python3 for a pty)"), async () => {
  if (!hasPython) return;
  const py = spawn("python3", ["-c", "import pty,os,time\nm,s=pty.openpty()\nprint(os.ttyname(s),flush=True)\ntime.sleep(30)"]);
  try {
    const port = await new Promise<string>((resolve) => py.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
    const r = await cliHere(["ncp-sim", "--port", port, "--image", at("v1.img"), "--retries", "0"]);
    assert.is(r.code, 1, JSON.stringify(r));
    assert.match(r.out, new RegExp("ncp-sim: no answer from the board on " + port + " after 5 s \\(38400 baud\\)"));
    assert.not.match(r.out, /status 17/);
  } finally {
    py.kill();
  }
});

t("ncp-sim on a port that does not exist: one line, exit 1", async () => {
  refused(await cliHere(["ncp-sim", "--port", at("no-such-tty"), "--image", at("v1.img")]), 1, /ncp-sim: cannot open .*no-such-tty/);
});

t("on a port, the refusal is named from the image and what the board reported", () => {
  const ex = (img: Uint8Array, run?: { type: string; version: string }, board = linux) => diagnose(img, board, () => run);
  const v1b = image(linux, "1.0.0", 300);
  assert.is(ex(v1b, { type: TYPE, version: "1.0.0" })("offer", 0), E.E_SAME_VERSION);
  assert.is(ex(v1b, { type: "TMPLOTHER", version: "0.9" })("offer", 0), E.E_WRONG_TYPE);
  assert.is(ex(v1b, { type: TYPE, version: "0.9" })("offer", 0), undefined);
  assert.is(ex(image(puck, "2.0.0", 13000), undefined, puck)("offer", 0), E.E_TOO_LARGE);
  assert.is(ex(image(puck, "2.0.0", 300))("write", 0), E.E_WRONG_BOARD);
  assert.is(ex(v1b.subarray(0, v1b.length - 1))("write", 0), E.E_HEADER_MISMATCH);
  const bit = new Uint8Array(v1b);
  bit[50] ^= 1;
  assert.is(ex(bit)("write", 0), E.E_HEADER_CRC);
  assert.is(ex(v1b)("write", 0), undefined);
  const pay = new Uint8Array(v1b);
  pay[200] ^= 1;
  assert.is(ex(pay)("finish", pay.length), E.E_PAYLOAD_DIGEST);
});

// Row: "ncp-sim progress on a terminal: log lines land on the byte counter's line; the counter drops back to 0 after finish".
t("Progress on a terminal: redraws in place, log lines above the bar, never back to 0", () => {
  let s = "";
  const p = new Progress({ isTTY: true, write: (x: string) => (s += x) }, 1000, () => 0);
  p.update(100);
  p.log("ncp: write @100 refused: CHUNK_CRC, resend 1");
  p.update(500);
  p.update(0);
  p.update(1000);
  p.end();
  const lines = s.split("\n");
  // The log line starts on a cleared line and the bar is drawn again after it.
  assert.match(lines[0], /^\r\x1b\[K.*100\/1000 B.*\r\x1b\[Kncp: write @100 refused: CHUNK_CRC, resend 1$/);
  assert.match(lines[1], /100\/1000 B.*\r\x1b\[K.*500\/1000 B.*\r\x1b\[K.*1000\/1000 B/);
  assert.not.match(s, / 0\/1000/);
  assert.is(lines[2], "");
});

t("Progress without a terminal: one line per 10 %, log lines between them", () => {
  let s = "";
  const p = new Progress({ isTTY: false, write: (x: string) => (s += x) }, 1000, () => 0);
  for (let n = 0; n <= 1000; n += 7) p.update(n);
  p.log("a log line");
  p.update(1000);
  p.end();
  const lines = s.split("\n").filter((l) => l);
  assert.is(lines.filter((l) => l.includes("%")).length, 11);
  assert.ok(lines.every((l) => !l.includes("\r")));
  assert.is(lines[lines.length - 2], "a log line");
});

t.after(() => rmSync(dir, { recursive: true, force: true }));

t.run();
