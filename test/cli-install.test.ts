import { spawn, spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BootRecord } from "../src/core/record.js";
import { findSocat } from "../src/e2e/interpreter.js";
import { loadBoard } from "../src/board/files.js";
import { crc32 } from "../src/platform/host/digest.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { CLI, cliHere, refused, tmp } from "./support/cli.js";
import { consoleBoard, type ConsoleBoard } from "./support/console-server.js";

/*
 * Issue 17: `espruino-ota install` / `status` through the espruino package's library API, against the
 * Espruino stand-in behind a local TCP console (test/support/console-server.ts).
 */
const t = suite("cli: install and status over a board's console");

const linux = loadBoard("linux");
const dir = tmp();
const v1 = buildImage({ board: "LINUX", type: "TMPL0INST", version: "1.0.0", build: "test", payload: new TextEncoder().encode(bundle("linux", "client") + "\nglobal.APP='1.0.0';") });
const img = join(dir, "v1.img");
writeFileSync(img, v1);
const install = (b: ConsoleBoard, ...more: string[]) => cliHere(["install", "--port", b.url, "--board", "linux", "--image", img, ...more]);

/** Nothing of the OTA area written: Storage as it was and every byte of the area erased. */
function untouched(b: ConsoleBoard, files: string[] = []): void {
  assert.equal(b.storage.list(), files);
  const [from, to] = [linux.plan!.files[0].header, linux.plan!.end];
  if (files.length) return;
  assert.ok(b.flash.read(to - from, from).every((v) => v === 0xff), "the OTA area is still erased");
  assert.not.ok(b.lines.some((l) => /\.write\(|eraseAll/.test(l)), "no write was sent");
}

/** Every HTTP(S) request made while `f` runs (the package fetches modules and board JSON through these when online). */
async function requestsDuring<T>(f: () => Promise<T>): Promise<[T, string[]]> {
  const made: string[] = [];
  const saved = [http.request, https.request, http.get, https.get];
  // A request that fails as with no network, so the package carries on and the assertion names the URL.
  const spy = (what: string) => ((...a: unknown[]) => {
    made.push(what + " " + JSON.stringify(a[0]));
    const req = new EventEmitter() as EventEmitter & { write(): void; end(): void };
    req.write = () => {};
    req.end = () => void setImmediate(() => req.emit("error", new Error("offline")));
    return req;
  }) as unknown as typeof http.request;
  http.request = spy("http");
  https.request = spy("https");
  http.get = spy("http");
  https.get = spy("https");
  try {
    return [await f(), made];
  } finally {
    [http.request, https.request, http.get, https.get] = saved;
  }
}

t("install: checks, every piece read back, the record last, load(): the flash holds what installFactory computes and slot 0 boots; nothing asked online", async () => {
  const b = await consoleBoard(linux);
  try {
    const [r, online] = await requestsDuring(() => install(b));
    assert.equal(online, []);
    assert.is(r.code, 0, JSON.stringify(r));
    assert.match(r.out, "install: LINUX 2v29 on " + b.url + ", Storage 262144 bytes, empty; the OTA area is free");
    assert.match(r.out, /\[#{30}\] 100 %/);
    assert.match(r.out, "booted: slot 0, TMPL0INST 1.0.0 (build test), reason 0 (confirmed image)");
    assert.is(r.err, "");
    const want = new NorFlash({ geometry: linux.geometry, strict: false });
    installFactory(want, linux, v1, 0, bundle("linux", "boot"));
    const [from, to] = [linux.plan!.files[0].header, linux.plan!.end];
    assert.ok(Buffer.from(b.flash.read(to - from, from)).equals(Buffer.from(want.read(to - from, from))), "byte for byte");
    assert.equal(b.storage.list(), [".bootPowerOn", ".boot0", ".eota"]);
    assert.ok(b.storage.isValid());
    // The record was the last write, after every piece of the files had read back.
    const writes = b.lines.filter((l) => /\.write\(/.test(l));
    assert.ok(writes.length > 30);
    assert.match(writes[writes.length - 1], /F\.write\(/);
    assert.not.ok(writes.slice(0, -1).some((l, i) => /F\.write\(/.test(l) && writes.slice(i + 1).some((m) => /S\.write\(/.test(m))));
    assert.ok(b.lines.some((l) => l.includes("load()")));

    const [s, online2] = await requestsDuring(() => cliHere(["status", "--port", b.url]));
    assert.equal(online2, []);
    assert.is(s.code, 0, JSON.stringify(s));
    assert.match(s.out, "board: LINUX 2v29");
    assert.match(s.out, 'OTA.boot: {"slot":0,"reason":0,"type":"TMPL0INST","version":"1.0.0","build":"test"}');
    assert.match(s.out, /OTA\.state\(\): \{"valid":true,.*"confirmed":0,"pending":255/);
  } finally {
    await b.close();
  }
});

t("install refuses another board, old firmware, a Storage of the wrong size: one line, exit 1, nothing written", async () => {
  for (const [o, what] of [
    [{ id: "PUCKJS" }, /the board is PUCKJS, not LINUX \(--board linux\): nothing written/],
    [{ version: "2v18" }, /firmware 2v18 has no \.bootPowerOn \(2v19 and later\)/],
    [{ version: "2v25" }, /firmware 2v25 is older than 2v29, whose Storage rules the board file follows/],
  ] as const) {
    const b = await consoleBoard(linux, o);
    try {
      refused(await install(b), 1, what);
      untouched(b);
    } finally {
      await b.close();
    }
  }
});

t("install refuses a Storage that holds files (nothing written) unless --erase-storage, and flash in the area that is not erased", async () => {
  let b = await consoleBoard(linux, { files: ["settings.json", "app.js"] });
  try {
    refused(await install(b), 1, /Storage holds files \(settings\.json, app\.js\): the OTA files must come first; back them up and install with --erase-storage; nothing written/);
    untouched(b, ["settings.json", "app.js"]);
    const r = await install(b, "--erase-storage");
    assert.is(r.code, 0, JSON.stringify(r));
    assert.match(r.out, "Storage 262144 bytes, 2 files, erased (--erase-storage); the OTA area is free");
    assert.equal(b.storage.list(), [".bootPowerOn", ".boot0", ".eota"]);
  } finally {
    await b.close();
  }
  b = await consoleBoard(linux);
  try {
    b.flash.write(new Uint8Array([1, 2, 3, 4]), linux.layout.slots[1].address);
    refused(await install(b), 1, new RegExp("flash at 0x" + linux.layout.slots[1].address.toString(16) + ", where the OTA files go, is not erased"));
    assert.equal(b.storage.list(), []);
    assert.not.ok(b.lines.some((l) => /\.write\(/.test(l)));
  } finally {
    await b.close();
  }
});

t("a piece that does not read back (CRC-32 on the board differs): exit 1 naming it, no boot record, no reset", async () => {
  const b = await consoleBoard(linux);
  try {
    // The board's flash drops a bit of the first write into slot 0 (the image's header).
    const at = linux.layout.slots[0].address;
    const write = b.flash.write.bind(b.flash);
    let done = false;
    b.flash.write = (data: Uint8Array, addr: number) => {
      if (!done && addr <= at && addr + data.length > at) {
        done = true;
        data = data.slice();
        data[at - addr] &= 0xfe;
      }
      write(data, addr);
    };
    const r = await install(b);
    // The progress bar stood on stdout; the refusal is one line on stderr.
    refused({ ...r, out: "" }, 1, /read-back of \.eota at offset \d+ \(768 bytes at 0x[0-9a-f]+\): CRC-32 0x[0-9a-f]+ on the board, 0x[0-9a-f]+ here; no boot record written: install again with --erase-storage/);
    assert.not.ok(new BootRecord({ flash: b.flash, crc32: crc32, banks: linux.layout.banks }).read().valid, "no record");
    assert.not.ok(b.lines.some((l) => /F\.write\(|load\(\)/.test(l)));
  } finally {
    await b.close();
  }
});

t("install and status: bad command lines exit 2; a console that is not there, or no boot stub, exit 1", async () => {
  refused(await cliHere(["install", "--board", "linux", "--image", img]), 2, /install: needs --port; see espruino-ota install --help/);
  refused(await cliHere(["install", "--port", "tcp://127.0.0.1:1"]), 2, /install: needs --board and --image \(boards: /);
  refused(await cliHere(["status"]), 2, /status: needs --port/);
  refused(await cliHere(["install", "--port", "tcp://x:y", "--board", "linux", "--image", img]), 2, /--port tcp:\/\/x:y: needs tcp:\/\/host:port/);
  refused(await cliHere(["install", "--port", "tcp://127.0.0.1:1", "--board", "linux", "--image", img]), 1, /tcp:\/\/127\.0\.0\.1:1: connection refused/);
  refused(await cliHere(["status", "--port", join(dir, "ttyNONE")]), 1, /ttyNONE: no such serial port/);
  const b = await consoleBoard(linux);
  try {
    const s = await cliHere(["status", "--port", b.url]);
    assert.is(s.code, 1);
    assert.match(s.err, /no OTA boot stub ran on this board \(not installed: espruino-ota install\)/);
  } finally {
    await b.close();
  }
});

// A serial port through the package's Node Serial device (its prebuilt serialport binding): socat links a pty to the
// stand-in's TCP console. serialport never lists a pty; the command offers the named port anyway.
t("a serial port when the package's serialport cannot load: one line saying so, exit 2", () => {
  // A preload that makes require("serialport") fail, as on a machine where its native binding is not built.
  const hook = join(dir, "no-serialport.cjs");
  writeFileSync(hook, "const M=require('module');const r=M._resolveFilename;M._resolveFilename=function(n,...a){if(n==='serialport')throw new Error('Cannot find module serialport');return r.call(this,n,...a);};");
  const port = join(dir, "ttyFAKE");
  writeFileSync(port, "");
  const r = spawnSync(process.execPath, ["-r", hook, CLI, "status", "--port", port], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ESPRUINO_OTA_DEBUG: "" } });
  refused({ code: r.status, out: r.stdout, err: r.stderr }, 2, /ttyFAKE: serial ports need the espruino package's native serialport binding, which is not built here \(npm rebuild serialport, or use tcp:\/\/host:port\)/);
});

const socat = findSocat();
t("install and status over a serial port (a pty linked to the console by socat)" + (socat ? "" : ": skipped, socat is not installed"), async () => {
  if (!socat) return;
  const b = await consoleBoard(linux);
  const pty = join(dir, "ttyBOARD");
  // One socat per command: it ends when the command closes the port.
  const overPty = async (args: string[]) => {
    const p = spawn(socat, ["pty,raw,echo=0,link=" + pty, "tcp:" + b.url.slice("tcp://".length)], { stdio: "ignore" });
    try {
      for (let i = 0; i < 100 && !existsSync(pty); i++) await new Promise((r) => setTimeout(r, 20));
      return await cliHere([...args, "--port", pty]);
    } finally {
      p.kill("SIGKILL");
      for (let i = 0; i < 100 && existsSync(pty); i++) await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const r = await overPty(["install", "--board", "linux", "--image", img]);
    assert.is(r.code, 0, JSON.stringify(r));
    assert.match(r.out, "install: LINUX 2v29 on " + pty);
    assert.match(r.out, "booted: slot 0, TMPL0INST 1.0.0 (build test), reason 0 (confirmed image)");
    const s = await overPty(["status"]);
    assert.is(s.code, 0, JSON.stringify(s));
    assert.match(s.out, 'OTA.boot: {"slot":0,"reason":0,"type":"TMPL0INST","version":"1.0.0","build":"test"}');
  } finally {
    await b.close();
  }
});

t.run();
