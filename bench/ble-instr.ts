import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDevice } from "../build.mjs";
import { sectorPackets, startPacket } from "../src/peers/ble/client.js";
import { NRF_SHIM } from "../src/e2e/ble.js";
import { installOn } from "../src/e2e/interpreter.js";
import { loadBoard } from "../src/board/files.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import * as P from "../src/bleota/protocol.js";
import { findValgrind } from "./instr.js";

/*
 * ESP BLE OTA costs on Espruino's Linux interpreter, in x86 instructions
 * (valgrind cachegrind, `I refs`; differences of two runs, as bench/instr.ts):
 *   crc16PerKB     the device's CRC16 loop alone (wordCrc16, src/bleota/crc16.ts), 12 KB minus 4 KB, per KB;
 *                  crc16ByteLoopPerKB the byte-a-step loop (tableCrc16) for comparison
 *   packetsPerKB   firmware packets through ble.js's handler (CRC16, session.write with E.CRC32 and read-back,
 *                  the ACK), three sectors minus one, per KB, less the harness (the same packets decoded, no handler)
 *   jsVarsOtaBle   process.memory().usage across OTA.ble() and the connection (linux: the code is a RAM copy, so this counts
 *                  only objects; the functions were already in RAM); jsVarsAfter3Sectors: usage after 3 sectors minus that
 * `npm run bench:ble -- [MTU]` (or `npx tsx bench/ble-instr.ts [MTU]`) (ESPRUINO_BIN, valgrind); prints one JSON line.
 */

const bin = process.env.ESPRUINO_BIN;
const valgrind = findValgrind();
if (!bin || !valgrind) {
  console.log(JSON.stringify({ skipped: !bin ? "ESPRUINO_BIN is not set" : "valgrind is not installed" }));
  process.exit(0);
}
const mtu = Number(process.argv[2] || 185);

function refs(dir: string, args: string[]): { refs: number; out: string } {
  const r = spawnSync(valgrind!, ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", bin!, ...args], { cwd: dir, input: "", encoding: "latin1", timeout: 300_000 });
  const out = (r.stdout || "") + (r.stderr || "");
  const m = /I\s+refs:\s+([\d,]+)/.exec(out);
  if (!m) throw new Error("no instruction count:\n" + out.slice(-2000));
  return { refs: Number(m[1].replace(/,/g, "")), out: out };
}

async function crc16PerKB(fn: string): Promise<number> {
  // Built as the device bundles are (buildDevice: minified, Espruino's subset checked).
  const code = await buildDevice({
    stdin: { contents: 'import { crc16Table, tableCrc16, wordCrc16 } from "./src/bleota/crc16.js";\nglobal.C16 = { crc16Table: crc16Table, tableCrc16: tableCrc16, wordCrc16: wordCrc16 };', resolveDir: process.cwd(), loader: "ts" },
  });
  const dir = mkdtempSync(join(tmpdir(), "eota-crc16-"));
  const run = (kb: number) => {
    writeFileSync(join(dir, "c.js"), code + `\nvar f=C16.${fn}(C16.crc16Table()),b=new Uint8Array(4096),c=0;for(var i=0;i<${kb / 4};i++)c=f(b,0,4096,65535);print("CRC "+c);quit();\n`);
    const r = refs(dir, ["c.js"]);
    if (!/CRC \d+/.test(r.out)) throw new Error("crc16 run failed:\n" + r.out.slice(-2000));
    return r.refs;
  };
  const a = run(4);
  const b = run(12);
  rmSync(dir, { recursive: true, force: true });
  return (b - a) / 8;
}

function packetsPerKB(): { perKB: number; harnessPerKB: number; vars: { ble: number; after: number } } {
  const linux = loadBoard("linux");
  const app = (mode: string, sectors: number, img: Uint8Array | undefined) => {
    const pk: [number, string][] = [];
    if (img) {
      pk.push([P.COMMAND, Buffer.from(startPacket(img.length)).toString("base64")]);
      for (let k = 0; k < sectors; k++) for (const p of sectorPackets(img, k, mtu)) pk.push([P.RECV_FW, Buffer.from(p).toString("base64")]);
    }
    return "var BLEBENCH=" + JSON.stringify({ mode: mode, p: pk }) + ";\n" +
      "(function(){var C=BLEBENCH;var u0=process.memory().usage;OTA.ble({autoConfirm:false});NRF._c();var u1=process.memory().usage;var w=C.mode=='floor'?function(j,b){E.toArrayBuffer(atob(b));}:NRF._w;" +
      "for(var i=0;i<C.p.length;i++)w(C.p[i][0],C.p[i][1]);print('BENCH '+C.p.length+' '+JSON.stringify({ble:u1-u0,after:process.memory().usage-u1}));setTimeout(function(){quit();},0);})();\n";
  };
  // The image being sent: 4 sectors of the same text, so the two runs Start (and erase) alike.
  const sent = buildImage({ board: "LINUX", type: "TMPLB", version: "2.0.0", build: "b", payload: new TextEncoder().encode("//" + "y".repeat(16000)) });
  const run = (mode: string, sectors: number) => {
    const dir = mkdtempSync(join(tmpdir(), "eota-bleinstr-"));
    const js = NRF_SHIM + bundle("linux", "ble") + "\n" + app(mode, sectors, sent);
    installOn(bin!, dir, linux, buildImage({ board: "LINUX", type: "TMPLB", version: "1.0.0", build: "b", payload: new TextEncoder().encode(js) }));
    const r = refs(dir, []);
    rmSync(dir, { recursive: true, force: true });
    if (!/BENCH \d+/.test(r.out) || (mode === "with" && (r.out.match(/EOTA_N 32800 ..000000/g) || []).length !== sectors)) throw new Error("bench run did not complete:\n" + r.out.slice(-3000));
    if (mode === "with") vars = JSON.parse(/BENCH \d+ (\{.*\})/.exec(r.out)![1]);
    return r.refs;
  };
  let vars: { ble: number; after: number } = { ble: 0, after: 0 };
  const withA = run("with", 1);
  const withB = run("with", 3);
  const floorA = run("floor", 1);
  const floorB = run("floor", 3);
  return { perKB: (withB - withA - (floorB - floorA)) / 8, harnessPerKB: (floorB - floorA) / 8, vars: vars };
}

const word = await crc16PerKB("wordCrc16");
const byte = await crc16PerKB("tableCrc16");
const p = packetsPerKB();
console.log(JSON.stringify({ mtu: mtu, crc16PerKB: Math.round(word), crc16ByteLoopPerKB: Math.round(byte), packetsPerKB: Math.round(p.perKB), harnessPerKB: Math.round(p.harnessPerKB),
  jsVarsOtaBle: p.vars.ble, jsVarsAfter3Sectors: p.vars.after }));
