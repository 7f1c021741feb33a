import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WRITE } from "../src/drogue/protocol.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { commandFrame } from "../src/peers/drogue/codec.js";
import { espruinoBin, installOn } from "../src/e2e/interpreter.js";
import { loadBoard } from "../src/board/files.js";
import { buildImage } from "../src/testbench/image.js";
import { TYPE, bigImage, instrApp } from "./common.js";
import { counted, findValgrind, M_CHUNKS, N_CHUNKS } from "./instr.js";

/*
 * `npx tsx bench/drogue-instr.ts`: instructions per KB of the Drogue serial
 * path on Espruino's Linux interpreter (valgrind), as bench/instr.ts counts
 * the Blynk client's: a power-on with N and one with M Writes of 968 bytes
 * (drgdfu's MTU) in 1024-byte postcard frames handed over in 64-byte pieces,
 * the same feeding without a client subtracted. Also the bundle's size and the
 * JsVars: after start (first Status) and the peak sampled at every Status.
 */
async function main(): Promise<void> {
  const bin = espruinoBin().bin;
  const valgrind = findValgrind();
  const js = bundle("linux", "drogue");
  const sizes = Object.fromEntries(["linux", "esp32", "puckjs"].map((k) => [k, bundle(k, "drogue").length]));
  console.log("drogue.js bytes (minified): " + JSON.stringify(sizes));
  if (!bin || !valgrind) return void console.log("no ESPRUINO_BIN or valgrind: instruction counts skipped");
  const app = instrApp("drogue-instr-app");
  const big = bigImage("2.0.0");
  const MTU = 968;
  const parts: Uint8Array[] = [];
  const index: [number, number][] = [];
  for (let k = 0; k < M_CHUNKS; k++) {
    parts.push(commandFrame({ kind: WRITE, version: new TextEncoder().encode("2.0.0"), cid: null, offset: k * MTU, data: big.subarray(k * MTU, (k + 1) * MTU) }));
    index.push([k * 1024, (k + 1) * 1024]);
  }
  const file = new Uint8Array(parts.length * 1024);
  parts.forEach((p, k) => file.set(p, k * 1024));
  const root = mkdtempSync(join(tmpdir(), "eota-drogue-instr-"));
  const board = loadBoard("linux");
  const images = new Map<string, string>();
  const run = async (name: string, withClient: boolean, config: object) => {
    const payload = (withClient ? js + "\n" : "") + "var BENCH=" + JSON.stringify(config) + ";\n" + app;
    let src = images.get(payload);
    if (!src) {
      src = mkdtempSync(join(root, "img-"));
      installOn(bin, src, board, buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "bench", payload: new TextEncoder().encode(payload) }));
      images.set(payload, src);
    }
    const d = mkdtempSync(join(root, "run-"));
    copyFileSync(join(src, "espruino.flash"), join(d, "espruino.flash"));
    writeFileSync(join(d, "frames.bin"), file);
    const r = await counted(valgrind, bin, d);
    console.log("  " + name + ": " + r.refs.toLocaleString("en") + " " + JSON.stringify(r.info));
    rmSync(d, { recursive: true, force: true });
    return r;
  };
  try {
    // DROGUE_CHECKPOINT=N: progress saved every N bytes instead of 4096 (to see what the checkpoints cost).
    const base = { file: "frames.bin", frames: index, checkpointEvery: Number(process.env.DROGUE_CHECKPOINT) || undefined };
    const bare = await run("load, bare image", false, { ...base, mode: "load" });
    const withClient = await run("load, image with drogue.js", true, { ...base, mode: "load" });
    const per = async (piece: number) => {
      const cfg = (mode: string, n: number) => ({ ...base, mode: mode, n: n, piece: piece });
      const a = await run("writes " + N_CHUNKS + ", pieces " + piece, true, cfg("chunks", N_CHUNKS));
      const b = await run("writes " + M_CHUNKS + ", pieces " + piece, true, cfg("chunks", M_CHUNKS));
      if (a.info.writes !== N_CHUNKS || b.info.writes !== M_CHUNKS || a.info.refused || b.info.refused) throw new Error("not every Write taken: " + JSON.stringify([a.info, b.info]));
      const fa = await run("harness " + N_CHUNKS + ", pieces " + piece, false, cfg("floor", N_CHUNKS));
      const fb = await run("harness " + M_CHUNKS + ", pieces " + piece, false, cfg("floor", M_CHUNKS));
      const perWrite = (b.refs - a.refs - (fb.refs - fa.refs)) / (M_CHUNKS - N_CHUNKS);
      return { perKB: Math.round((perWrite * 1024) / MTU), afterStart: a.info.afterStart, peak: Math.max(a.info.peak - a.info.fileVars, b.info.peak - b.info.fileVars), fileVars: b.info.fileVars, perWriteJsVars: (b.info.gc30 - b.info.gc10) / 20 };
    };
    const p64 = await per(64);
    const whole = await per(0);
    console.log(JSON.stringify({
      drogueInstructionsPerKB: p64.perKB, drogueInstructionsPerKBWholeFrames: whole.perKB,
      clientLoadInstructions: withClient.refs - bare.refs,
      jsVarsAfterStart: p64.afterStart - bare.info.usage, jsVarsPeakAboveStart: p64.peak - p64.afterStart, jsVarsPerWrite: p64.perWriteJsVars, harnessFileJsVars: p64.fileVars, jsVars: { bare: bare.info.usage, afterStart: p64.afterStart, peak: p64.peak },
    }, null, 1));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
