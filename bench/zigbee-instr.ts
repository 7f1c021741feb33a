import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { espruinoBin, installOn } from "../src/e2e/interpreter.js";
import { loadBoard } from "../src/board/files.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { buildOtaFile, fileVersionOf } from "../src/zigbee/otafile.js";
import { loopSum, XB_EXPLICIT_RX, XBeeEncoder } from "../src/zigbee/xbee.js";
import { CLUSTER_OTA, encodeBlockRsp, encodeQueryRsp, PROFILE_HA, ST_SUCCESS } from "../src/zigbee/zcl.js";
import { bigImage, instrApp, TYPE } from "./common.js";
import { spawn } from "node:child_process";
import { consoleLines } from "../src/e2e/interpreter.js";
import { findValgrind } from "./instr.js";

/*
 * `npx tsx bench/zigbee-instr.ts`: x86 instructions per KB of image on the
 * Zigbee client's block path (Espruino's Linux interpreter under cachegrind,
 * as bench/instr.ts does for Blynk.NCP): runs with N and M block answers,
 * minus the same feeding without a client, per KB of block data; the load
 * cost of zigbee.js; JsVars after OTA.zigbee() and at the peak of the
 * transfer, over a bare image's at its first line. Blocks of 64 bytes.
 */
const MFR = 0x1234;
const ITYPE = 0x5678;
const N = 32;
const M = 96;
const MAX = 64;

/**
 * bench/instr.ts's counted(), but the run ends by E.reboot() (exit 1 on Linux) for every image: after
 * the client has handled a frame, quit() on the 2v29 Linux build walks a leak report of the client's
 * objects ("USED VAR ...") that does not end; E.reboot() exits without it.
 */
async function counted(valgrind: string, bin: string, dir: string): Promise<{ refs: number; info: Record<string, number> }> {
  const p = spawn(valgrind, ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", bin], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  p.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const timer = setTimeout(() => p.kill("SIGKILL"), 300_000);
  const code = await new Promise<number | null>((res) => p.on("exit", (c) => res(c)));
  clearTimeout(timer);
  const m = /I\s+refs:\s+([\d,]+)/.exec(out);
  const line = consoleLines(out).find((l) => l.startsWith("INSTR "));
  if (!m || !line || (code !== 0 && code !== 1)) throw new Error("instruction run failed (exit " + code + "):\n" + out.slice(-2000));
  return { refs: Number(m[1].replace(/,/g, "")), info: JSON.parse(line.slice(6)) };
}

export function answers(n: number): { file: Uint8Array; frames: [number, number][] } {
  const img = bigImage("2.0.0");
  const ota = buildOtaFile({ manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("2.0.0"), image: img });
  const ver = fileVersionOf("2.0.0");
  const enc = new XBeeEncoder({ maxData: 200, sum: loopSum });
  const frame = (zcl: Uint8Array) => {
    const d = enc.data;
    d[0] = XB_EXPLICIT_RX;
    d.fill(0, 1, 11);
    d[11] = 1;
    d[12] = 1;
    d.set([CLUSTER_OTA >> 8, CLUSTER_OTA & 255, PROFILE_HA >> 8, PROFILE_HA & 255, 1], 13);
    d.set(zcl, 18);
    return enc.encode(18 + zcl.length).slice();
  };
  const zcls: Uint8Array[] = [encodeQueryRsp(1, ST_SUCCESS, MFR, ITYPE, ver, ota.length)];
  const block = (tsn: number, at: number, len: number) => encodeBlockRsp(tsn, ST_SUCCESS, MFR, ITYPE, ver, at, ota.subarray(at, at + len));
  zcls.push(block(2, 0, 56), block(3, 56, 6));
  for (let j = 0; zcls.length < n; j++) zcls.push(block(zcls.length + 1, 62 + MAX * j, MAX));
  const parts = zcls.map(frame);
  const frames: [number, number][] = [];
  let at = 0;
  for (const p of parts) {
    frames.push([at, at + p.length]);
    at += p.length;
  }
  const file = new Uint8Array(at);
  parts.forEach((p, i) => file.set(p, frames[i][0]));
  return { file: file, frames: frames };
}

export async function main(): Promise<void> {
  const bin = espruinoBin().bin;
  const valgrind = findValgrind();
  if (!bin || !valgrind) return console.log("zigbee-instr: needs ESPRUINO_BIN and valgrind");
  const board = loadBoard("linux");
  const app = instrApp("zigbee-instr-app");
  const root = mkdtempSync(join(tmpdir(), "eota-zb-instr-"));
  const a = answers(3 + M);
  const imgs = new Map<string, string>();
  try {
    const run = async (name: string, withClient: boolean, cfg: object) => {
      const payload = (withClient ? bundle("linux", "zigbee") + "\n" : "") + "var BENCH=" + JSON.stringify({ ...cfg, exit: "reboot", file: "frames.bin", frames: a.frames, manufacturer: MFR, imageType: ITYPE }) + ";\n" + app;
      const key = payload;
      let src = imgs.get(key);
      if (!src) {
        src = mkdtempSync(join(root, "img-"));
        installOn(bin, src, board, buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "bench", payload: new TextEncoder().encode(payload) }));
        imgs.set(key, src);
      }
      const d = mkdtempSync(join(root, "run-"));
      copyFileSync(join(src, "espruino.flash"), join(d, "espruino.flash"));
      writeFileSync(join(d, "frames.bin"), a.file);
      const r = await counted(valgrind, bin, d);
      console.log("  " + name.padEnd(34) + r.refs.toLocaleString("en").padStart(16) + "  " + JSON.stringify(r.info));
      rmSync(d, { recursive: true, force: true });
      return r;
    };
    const bare = await run("load, bare image", false, { mode: "load" });
    const load = await run("load, image with zigbee.js", true, { mode: "load" });
    const out: Record<string, number> = {};
    for (const piece of [0, 32]) {
      const label = piece ? piece + "-byte pieces" : "whole frames";
      const n = await run("blocks " + N + ", " + label, true, { mode: "blocks", n: 3 + N, piece: piece });
      const m = await run("blocks " + M + ", " + label, true, { mode: "blocks", n: 3 + M, piece: piece });
      if (n.info.answers !== 3 + N || m.info.answers !== 3 + M || n.info.refused || m.info.refused) throw new Error("the client did not take every block: " + JSON.stringify([n.info, m.info]));
      const fn = await run("harness " + N + ", " + label, false, { mode: "floor", n: 3 + N, piece: piece });
      const fm = await run("harness " + M + ", " + label, false, { mode: "floor", n: 3 + M, piece: piece });
      const perBlock = (m.refs - n.refs - (fm.refs - fn.refs)) / (M - N);
      out["instructionsPerKB " + label] = Math.round((perBlock * 1024) / MAX);
    }
    const s = await run("blocks " + M + ", JsVars sampled", true, { mode: "blocks", n: 3 + M, piece: 0, sample: true });
    out["jsVarsAfterStart"] = (s.info.afterStart as number) - (bare.info.usage as number);
    out["jsVarsPeak (over bare)"] = (s.info.peak as number) - (bare.info.usage as number);
    out["jsVarsPeak (over after start)"] = (s.info.peak as number) - (s.info.afterStart as number);
    out.loadInstructions = load.refs - bare.refs;
    out["zigbee.js bytes (linux)"] = bundle("linux", "zigbee").length;
    console.log(JSON.stringify(out, null, 2));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1].endsWith("zigbee-instr.ts")) main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
