import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Board, sleep } from "./interpreter.js";

/*
 * The e2e's first install, as a user does it: the interpreter started with
 * `--telnet` (its console on TCP port 2323) in the board's directory, and
 * `espruino-ota install --port tcp://127.0.0.1:2323 --board linux` (the built
 * CLI, through the espruino package) putting the stub and the image on it.
 * Port 2323 is fixed in Espruino's Linux build and other runs on this machine
 * may hold it: wait until it is free, then make sure the interpreter that
 * answers on it is ours before anything is written.
 */

export const TELNET = 2323;
const CLI = fileURLToPath(new URL("../../dist/cli.mjs", import.meta.url));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
  });
}

/** What the console on `port` prints for `js` (sent without echo), within `ms`. */
function ask(port: number, js: string, want: RegExp, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const s = connect({ host: "127.0.0.1", port: port });
    const done = () => (s.destroy(), resolve(got));
    const timer = setTimeout(done, ms);
    s.on("connect", () => s.write("\x10" + js + "\n"));
    s.on("data", (d) => {
      got += d.toString("latin1");
      if (want.test(got)) (clearTimeout(timer), done());
    });
    s.on("error", () => (clearTimeout(timer), done()));
  });
}

/** Runs the built CLI (dist/cli.mjs), as a user would; its exit code and output. */
export function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("exit", (code) => resolve({ code: code, out: out }));
  });
}

/** Installs `image` into `dir`'s espruino.flash through `espruino-ota install` over the telnet console; returns the CLI's output. */
export async function installOverTelnet(o: { bin: string; dir: string; image: Uint8Array; log: (l: string) => void; verbose?: boolean }): Promise<string> {
  const end = Date.now() + 240_000;
  while (!(await portFree(TELNET))) {
    if (Date.now() > end) throw new Error("TCP port " + TELNET + " stayed in use for 240 s (another Espruino --telnet?)");
    o.log("port " + TELNET + " is in use; waiting");
    await sleep(2000);
  }
  const board = new Board({ bin: o.bin, dir: o.dir, args: ["--telnet"], restart: false, log: o.verbose ? o.log : undefined });
  board.powerOn();
  try {
    const tag = "e2e" + Math.floor(Math.random() * 1e9);
    board.send("global.EOTA_E2E='" + tag + "'\n");
    const mine = new RegExp("EOTA_TAG " + tag);
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = mine.test(await ask(TELNET, "print('EOTA_TAG '+global.EOTA_E2E)", mine, 1000));
      if (!ok) await sleep(200);
    }
    if (!ok) throw new Error("the console on port " + TELNET + " is not the interpreter started in " + o.dir + "\n" + board.tail());
    writeFileSync(join(o.dir, "v1.img"), o.image);
    const r = await cli(["install", "--port", "tcp://127.0.0.1:" + TELNET, "--board", "linux", "--image", join(o.dir, "v1.img")]);
    if (r.code !== 0 || !/^booted: slot 0, .* reason 0 \(confirmed image\)$/m.test(r.out)) throw new Error("espruino-ota install failed (exit " + r.code + "):\n" + r.out + "\n" + board.tail());
    return r.out;
  } finally {
    await board.powerOff();
  }
}
