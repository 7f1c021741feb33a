import { espruinoBin, espruinoVersion, findSocat } from "../src/e2e/interpreter.js";
import { BUNDLE_BOARD, GOALS, LINE_RATE, TIME_GOALS, bundleBytes } from "./common.js";
import { CHIPS, CYCLES_PER_INSTRUCTION, REPLY_BYTES, ceiling, estimate } from "./device.js";
import { ioFloor, runOnce } from "./espruino.js";
import { M_CHUNKS, N_CHUNKS, findValgrind, instructionFigures } from "./instr.js";
import { benchNode } from "./node.js";

/*
 * npm run bench [-- --json]
 * The figures of issue 11 (README "Benchmarks"). With ESPRUINO_BIN and
 * valgrind: exact instruction counts on Espruino's Linux interpreter
 * (bench/instr.ts: chunk path per KB, client load, JsVars after start), and
 * a device estimate from them (bench/device.ts). With socat too: two 128 KB
 * updates over a pty (bench/espruino.ts):
 *   "time": the pty paced at 115200 baud 8N1, only getTime() around the
 *           client's serial handler -> jsVarsPerChunk, detail.chunkPathRatio, detail.lineRate
 *   "mem":  unpaced, memory sampled at every reachable point, built-ins
 *           timed -> jsVarsPeak
 * Without them: bundleBytes, and the chunk path of the built bundle under the
 * Espruino stand-in in Node (detail); the rest is listed as missing.
 */
type Figure = keyof typeof GOALS;

interface Report {
  interpreter: string;
  chunkInstructionsPerKB: number | null;
  clientLoadInstructions: number | null;
  jsVarsAfterStart: number | null;
  jsVarsPeak: number | null;
  jsVarsPerChunk: number | null;
  bundleBytes: number;
  /** Estimated from the instruction counts (bench/device.ts): not measured on a board. */
  device: Record<string, unknown> | null;
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
  const valgrind = findValgrind();
  const rep: Report = {
    interpreter: "node", chunkInstructionsPerKB: null, clientLoadInstructions: null, jsVarsAfterStart: null, jsVarsPeak: null,
    jsVarsPerChunk: null, bundleBytes: bundleBytes(), device: null, goals: GOALS, met: {}, missing: [], detail: {},
  };
  const why: string[] = [];
  rep.detail.bundleBytesOf = BUNDLE_BOARD + " boot.js + client.js, minified, as built";
  rep.detail.bundleBytesLinux = bundleBytes("linux");
  if (e.bin) rep.interpreter = espruinoVersion(e.bin);
  if (e.bin && valgrind) {
    log("instruction counts on " + rep.interpreter + " (" + e.bin + "), valgrind cachegrind");
    const f = await instructionFigures({ bin: e.bin, valgrind: valgrind, log: log });
    rep.chunkInstructionsPerKB = f.chunkInstructionsPerKB;
    rep.clientLoadInstructions = f.clientLoadInstructions;
    rep.jsVarsAfterStart = f.jsVarsAfterStart;
    rep.device = {
      estimate: "from the instruction counts, not measured on a board (README, Benchmarks)",
      assumptions: {
        cyclesPerInstruction: CYCLES_PER_INSTRUCTION,
        instructions: "one x86 instruction of the -Os Linux build ~ one Thumb-2 instruction of a board build",
        flash: Object.fromEntries(Object.entries(CHIPS).map(([k, c]) => [k, c.note])),
        line: "stop-and-wait: chunk frame (" + f.chunkFrameBytes + " B) + answer (" + REPLY_BYTES + " B) on the wire, plus processing; 10 bits a byte",
      },
      ...estimate({ chunkInstructionsPerKB: f.chunkInstructionsPerKB, clientLoadInstructions: f.clientLoadInstructions, chunkFrameBytes: f.chunkFrameBytes }),
      ceilingNrf52LineRate115200: ceiling(f.chunkFrameBytes, 115200, "nrf52832"),
    };
    rep.detail.instructions = {
      how: "valgrind --tool=cachegrind --cache-sim=no, I refs of a whole power-on; a unit = (M - N runs) / (M - N), N = " + N_CHUNKS + ", M = " + M_CHUNKS +
        " chunks of 1 KB, minus the same feeding without a client",
      chunkInstructionsPerKBWholeFrames: f.chunkInstructionsPerKBWholeFrames,
      instructionsPerExtraHandlerCall: f.instructionsPerExtraHandlerCall,
      handlerCallsPerChunk64: f.handlerCallsPerChunk,
      harnessInstructionsPerChunk: f.harnessInstructionsPerChunk,
      chunkFrameBytes: f.chunkFrameBytes,
      loadInstructions: f.loadInstructions,
      jsVars: f.jsVars,
      runs: f.runs,
    };
  } else why.push(!e.bin ? e.why! : "valgrind is not installed (apt-get install valgrind)");
  if (e.bin && socat) {
    log("time and memory runs on " + rep.interpreter + " over a pty");
    const t = await runOnce({ bin: e.bin, socat: socat, mode: "time", paced: true, log: log });
    const m = await runOnce({ bin: e.bin, socat: socat, mode: "mem", paced: false, log: log });
    const d = t.device;
    const io = await ioFloor({ bin: e.bin, socat: socat, frameBytes: Math.round(t.frameBytes), rounds: 30 });
    log("I/O floor: a handler that does nothing but answer gets " + io.lineRate.toFixed(2) + " of the line");
    rep.jsVarsPerChunk = d.memAfter100! - d.memAfter10!;
    const peak = Math.max(m.device.peakTransfer, m.device.peakFinish);
    rep.jsVarsPeak = peak - m.device.base;
    const builtin = Object.values(m.device.builtinMsPerKB).reduce((a, b) => a + b, 0) + m.device.convertMsPerKB;
    const memPath = m.device.chunkPathMsPerKB - m.device.sampleInPathMsPerKB;
    Object.assign(rep.detail, {
      timeGoals: TIME_GOALS,
      chunkPathRatio: r2(d.chunkPathMsPerKB / t.floor.msPerKB),
      lineRate: r4(t.imageBytes / t.seconds / LINE_RATE),
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
      finishSeconds: r2(t.seconds - d.transferSeconds),
      lineTimePerChunkMs: r2((1024 * 1000) / LINE_RATE),
      roundTripPerChunkMs: r2((d.transferSeconds * 1000) / d.chunks),
      jsVarsAfterChunks10to29: d.memAfter10,
      jsVarsAfterChunks100to119: d.memAfter100,
      jsVarsAfterEvery10Chunks: d.memEvery10,
      jsVarsIdle: m.device.base,
      jsVarsPeakTransfer: m.device.peakTransfer - m.device.base,
      jsVarsPeakTransferAt: m.device.peakTransferAt,
      jsVarsPeakFinish: m.device.peakFinish - m.device.base,
      jsVarsPeakFinishAt: m.device.peakFinishAt,
      jsVarsSamples: m.device.samples,
      // Above idle, the highest at each sample point: where the peak's neighbours are.
      jsVarsPeakByPoint: Object.fromEntries(Object.entries(m.device.peakByPoint || {}).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, v - m.device.base])),
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
    });
  } else why.push(!e.bin ? e.why! : "socat is not installed (apt-get install socat)");
  if (!e.bin) {
    log("no interpreter: " + e.why);
    log("measuring under Node: the built bundle under the Espruino stand-in");
    const n = benchNode();
    Object.assign(rep.detail, {
      timeGoals: TIME_GOALS,
      chunkPathRatio: r2(n.chunkPathMsPerKB / n.floorMsPerKB),
      chunkPathMsPerKB: r4(n.chunkPathMsPerKB), floorMsPerKB: r4(n.floorMsPerKB),
      floor: "crc-32 + the NOR emulator's write of the same 1 KB pieces, in Node", imageBytes: n.bytes,
    });
  }
  const goalMet: Record<Figure, () => boolean | undefined> = {
    chunkInstructionsPerKB: () => (rep.chunkInstructionsPerKB === null ? undefined : rep.chunkInstructionsPerKB <= GOALS.chunkInstructionsPerKB),
    clientLoadInstructions: () => (rep.clientLoadInstructions === null ? undefined : rep.clientLoadInstructions <= GOALS.clientLoadInstructions),
    jsVarsAfterStart: () => (rep.jsVarsAfterStart === null ? undefined : rep.jsVarsAfterStart <= GOALS.jsVarsAfterStart),
    jsVarsPeak: () => (rep.jsVarsPeak === null ? undefined : rep.jsVarsPeak <= GOALS.jsVarsPeak),
    jsVarsPerChunk: () => (rep.jsVarsPerChunk === null ? undefined : rep.jsVarsPerChunk <= GOALS.jsVarsPerChunk),
    bundleBytes: () => rep.bundleBytes <= GOALS.bundleBytes,
    nrf52LineRate115200: () => {
      const n = rep.device && (rep.device.nrf52832 as { lineRate115200: number } | undefined);
      return n ? n.lineRate115200 >= GOALS.nrf52LineRate115200 : undefined;
    },
  };
  for (const f of Object.keys(goalMet) as Figure[]) {
    const v = goalMet[f]();
    if (v === undefined) rep.missing.push(f);
    else rep.met[f] = v;
  }
  if (why.length) rep.detail.missingBecause = why.join("; ");
  if (json) {
    process.stdout.write(JSON.stringify(rep) + "\n");
    return 0;
  }
  console.log("\nfigures on " + rep.interpreter + ":");
  const nrf = rep.device && (rep.device.nrf52832 as { lineRate115200: number } | undefined);
  const rows: [Figure, number | null, string, string][] = [
    ["chunkInstructionsPerKB", rep.chunkInstructionsPerKB, "x86 instructions per 1 KB chunk, 64-byte pieces (valgrind)", "<= " + GOALS.chunkInstructionsPerKB],
    ["clientLoadInstructions", rep.clientLoadInstructions, "power-on to the app's first line: client image - bare image", "<= " + GOALS.clientLoadInstructions],
    ["jsVarsAfterStart", rep.jsVarsAfterStart, "JsVars after OTA.ncp() has reported - bare image", "<= " + GOALS.jsVarsAfterStart],
    ["jsVarsPeak", rep.jsVarsPeak, "peak JsVars above idle, 128 KB update incl. finish (linux)", "<= " + GOALS.jsVarsPeak],
    ["jsVarsPerChunk", rep.jsVarsPerChunk, "JsVars after chunks 100..119 - after chunks 10..29 (least of each)", "= " + GOALS.jsVarsPerChunk],
    ["bundleBytes", rep.bundleBytes, BUNDLE_BOARD + " boot.js + client.js, minified", "<= " + GOALS.bundleBytes],
    ["nrf52LineRate115200", nrf ? nrf.lineRate115200 : null, "nRF52832 line rate at 115200, ESTIMATED", ">= " + GOALS.nrf52LineRate115200],
  ];
  for (const [f, v, what, goal] of rows) {
    const mark = v === null ? "missing" : rep.met[f] ? "ok" : "NOT MET";
    console.log("  " + f.padEnd(23) + String(v === null ? "-" : v).padStart(11) + "  goal " + goal.padEnd(11) + " " + mark.padEnd(8) + " " + what);
  }
  if (rep.missing.length) console.log("missing: " + rep.missing.join(", ") + " (" + rep.detail.missingBecause + ")");
  console.log("device: " + JSON.stringify(rep.device, null, 2));
  console.log("detail: " + JSON.stringify(rep.detail, null, 2));
  return 0;
}

main().then((c) => process.exit(c), (e) => {
  console.error("bench: FAILED: " + (e instanceof Error ? e.stack || e.message : e));
  process.exit(1);
});
