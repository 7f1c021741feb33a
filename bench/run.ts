import { espruinoBin, espruinoVersion, findSocat } from "../src/e2e/interpreter.js";
import { GOALS, LINE_RATE, bundleBytes } from "./common.js";
import { ioFloor, runOnce } from "./espruino.js";
import { benchNode } from "./node.js";

/*
 * npm run bench [-- --json]
 * Figures for the client where it runs. Each timing is a ratio against a floor
 * measured in the same run on the same interpreter. With ESPRUINO_BIN (and
 * socat) two 128 KB updates run on Espruino's Linux interpreter over a pty:
 *   "time": the pty paced at 115200 baud 8N1, only getTime() around the
 *           client's serial handler -> chunkPathRatio, lineRate, jsVarsPerChunk
 *   "mem":  unpaced (the pty as fast as the interpreter reads it), memory
 *           sampled at every reachable point, built-ins timed -> jsVarsPeak
 * Without it: bundleBytes, and the chunk path of the built bundle under the
 * Espruino stand-in in Node; the other figures are listed as missing.
 */

type Figure = "chunkPathRatio" | "jsVarsPerChunk" | "jsVarsPeak" | "bundleBytes" | "lineRate";

interface Report {
  interpreter: string;
  chunkPathRatio: number | null;
  jsVarsPerChunk: number | null;
  jsVarsPeak: number | null;
  bundleBytes: number;
  lineRate: number | null;
  goals: typeof GOALS;
  /** Figures that meet their goal. */
  met: Partial<Record<Figure, boolean>>;
  /** Figures not measured here (detail.missingBecause says why). */
  missing: string[];
  detail: Record<string, unknown>;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

async function main(): Promise<number> {
  const json = process.argv.includes("--json");
  const log = (s: string) => (json ? process.stderr : process.stdout).write("bench: " + s + "\n");
  const e = espruinoBin();
  const socat = findSocat();
  const rep: Report = {
    interpreter: "node", chunkPathRatio: null, jsVarsPerChunk: null, jsVarsPeak: null, bundleBytes: bundleBytes(),
    lineRate: null, goals: GOALS, met: {}, missing: [], detail: {},
  };
  if (e.bin && socat) {
    rep.interpreter = espruinoVersion(e.bin);
    log("on " + rep.interpreter + " (" + e.bin + ")");
    const t = await runOnce({ bin: e.bin, socat: socat, mode: "time", paced: true, log: log });
    const m = await runOnce({ bin: e.bin, socat: socat, mode: "mem", paced: false, log: log });
    const d = t.device;
    const io = await ioFloor({ bin: e.bin, socat: socat, frameBytes: Math.round(t.frameBytes), rounds: 30 });
    log("I/O floor: a handler that does nothing but answer gets " + io.lineRate.toFixed(2) + " of the line");
    rep.chunkPathRatio = r2(d.chunkPathMsPerKB / t.floor.msPerKB);
    rep.jsVarsPerChunk = d.memAfter100! - d.memAfter10!;
    rep.lineRate = r4(t.imageBytes / t.seconds / LINE_RATE);
    const peak = Math.max(m.device.peakTransfer, m.device.peakFinish);
    rep.jsVarsPeak = peak - m.device.base;
    const builtin = Object.values(m.device.builtinMsPerKB).reduce((a, b) => a + b, 0) + m.device.convertMsPerKB;
    const memPath = m.device.chunkPathMsPerKB - m.device.sampleInPathMsPerKB;
    rep.detail = {
      imageBytes: t.imageBytes,
      chunks: d.chunks,
      chunkPathMsPerKB: r4(d.chunkPathMsPerKB),
      floorMsPerKB: r4(t.floor.msPerKB),
      floor: "E.CRC32 + Flash.write of " + t.floor.pieces + " 1 KB pieces into an erased page, same interpreter run, before the update",
      handlerCallsPerChunk: r2(d.calls / d.chunks),
      // The chunk path split: handler calls that completed a frame (CRC-8, write, answer) and the ones that only took bytes in.
      frameEndCallsMsPerKB: r4(d.frameEndMsPerKB),
      bytesInCallsMsPerKB: r4(d.chunkPathMsPerKB - d.frameEndMsPerKB),
      chunkFrameBytes: r2(t.frameBytes),
      chunkPathMsPerChunk: r2((d.chunkPathMsPerKB * t.imageBytes) / 1024 / d.chunks),
      // Host side: a chunk frame's last byte into the pty -> the first byte of its answer back.
      replyLatencyMs: r2(t.replyLatencyMs),
      replyLatencyUnpacedMs: r2(m.replyLatencyMs),
      // The same exchange with a handler that only counts bytes and answers (no client): this build's I/O floor.
      lineRateIoFloor: r4(io.lineRate),
      replyLatencyIoFloorMs: r2(io.replyLatencyMs),
      // If bytes reached the handler as they arrive (a board's UART), the same interpreter time would allow:
      lineRateIfUartImmediate: r4((1024 / LINE_RATE) / ((t.frameBytes + 9) / LINE_RATE + (d.chunkPathMsPerKB * t.imageBytes) / 1024 / d.chunks / 1000)),
      updateSeconds: r2(t.seconds),
      transferSeconds: r2(d.transferSeconds),
      transferLineRate: r4(t.imageBytes / d.transferSeconds / LINE_RATE),
      lineTimePerChunkMs: r2((1024 * 1000) / LINE_RATE),
      roundTripPerChunkMs: r2((d.transferSeconds * 1000) / d.chunks),
      jsVarsAfterChunk10: d.memAfter10,
      jsVarsAfterChunk100: d.memAfter100,
      jsVarsAfterEvery10Chunks: d.memEvery10,
      jsVarsIdle: m.device.base,
      jsVarsPeakTransfer: m.device.peakTransfer - m.device.base,
      jsVarsPeakTransferAt: m.device.peakTransferAt,
      jsVarsPeakFinish: m.device.peakFinish - m.device.base,
      jsVarsPeakFinishAt: m.device.peakFinishAt,
      jsVarsSamples: m.device.samples,
      memRunHandlerCallsPerChunk: r2(m.device.calls / m.device.chunks),
      jsVarsTotal: m.device.total,
      // Where the chunk path's time goes: built-ins timed one by one in the mem run (wrapped); the rest is
      // the time run's total minus them (the mem run's own total carries the wrappers' cost).
      breakdownMsPerKB: {
        ...Object.fromEntries(Object.entries(m.device.builtinMsPerKB).map(([k, v]) => [k, r4(v)])),
        "E.toUint8Array": r4(m.device.convertMsPerKB),
        "JavaScript (the rest)": r4(d.chunkPathMsPerKB - builtin),
        total: r4(d.chunkPathMsPerKB),
        memRunTotal: r4(memPath),
      },
      jsCrc8MsPerKB: r4(t.floor.jsCrc8MsPerKB),
      loopIterationUs: r2(t.floor.loopIterationUs),
    };
  } else {
    const why = e.why || "socat is not installed (apt-get install socat)";
    log("no interpreter: " + why);
    log("measuring under Node: the built bundle under the Espruino stand-in");
    const n = benchNode();
    rep.chunkPathRatio = r2(n.chunkPathMsPerKB / n.floorMsPerKB);
    rep.missing = ["jsVarsPerChunk", "jsVarsPeak", "lineRate"];
    rep.detail = {
      missingBecause: why,
      chunkPathMsPerKB: r4(n.chunkPathMsPerKB), floorMsPerKB: r4(n.floorMsPerKB),
      floor: "crc-32 + the NOR emulator's write of the same 1 KB pieces, in Node", imageBytes: n.bytes,
    };
  }
  const goalMet: Record<Figure, (v: number) => boolean> = {
    chunkPathRatio: (v) => v <= GOALS.chunkPathRatio, jsVarsPerChunk: (v) => v <= GOALS.jsVarsPerChunk,
    jsVarsPeak: (v) => v <= GOALS.jsVarsPeak, bundleBytes: (v) => v <= GOALS.bundleBytes, lineRate: (v) => v >= GOALS.lineRate,
  };
  for (const f of Object.keys(goalMet) as Figure[]) {
    const v = rep[f];
    if (v !== null) rep.met[f] = goalMet[f](v);
  }
  if (json) {
    process.stdout.write(JSON.stringify(rep) + "\n");
    return 0;
  }
  console.log("\nfigures on " + rep.interpreter + ":");
  const rows: [Figure, string, string][] = [
    ["chunkPathRatio", "chunk path per KB / (E.CRC32 + Flash.write) per KB", "<= " + GOALS.chunkPathRatio],
    ["jsVarsPerChunk", "JsVars after chunk 100 - after chunk 10", "= " + GOALS.jsVarsPerChunk],
    ["jsVarsPeak", "peak JsVars above idle during a 128 KB update", "<= " + GOALS.jsVarsPeak],
    ["bundleBytes", "client.js + boot.js (linux), minified", "<= " + GOALS.bundleBytes],
    ["lineRate", "image bytes/s end to end at 115200 / 11520", ">= " + GOALS.lineRate],
  ];
  for (const [f, what, goal] of rows) {
    const v = rep[f];
    const mark = v === null ? "missing" : rep.met[f] ? "ok" : "NOT MET";
    console.log("  " + f.padEnd(15) + String(v === null ? "-" : v).padStart(9) + "  goal " + goal.padEnd(7) + " " + mark.padEnd(8) + " " + what);
  }
  if (rep.missing.length) console.log("missing: " + rep.missing.join(", ") + " (they need Espruino's interpreter: " + rep.detail.missingBecause + ")");
  console.log("detail: " + JSON.stringify(rep.detail, null, 2));
  return 0;
}

main().then((c) => process.exit(c), (e) => {
  console.error("bench: FAILED: " + (e instanceof Error ? e.stack || e.message : e));
  process.exit(1);
});
