import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HEADER_SIZE } from "../src/core/header.js";
import { Board, installOn, ptyPair, until } from "../src/e2e/interpreter.js";
import { NcpSimulator } from "../src/peers/ncp/simulator.js";
import { loadBoard } from "../src/board/files.js";
import { realClock } from "../src/platform/host/clock.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { openSerial } from "../src/platform/host/serial.js";
import { BAUD, LINE_RATE, TYPE, bigImage, deviceApp } from "./common.js";
import { lineLink } from "./line.js";

/** What bench/app.js prints at the end of a run (see there). */
export interface DeviceResult {
  mode: string;
  code: number;
  bytes: number;
  chunks: number;
  calls: number;
  chunkPathMsPerKB: number;
  convertMsPerKB: number;
  transferSeconds: number;
  memAfter10?: number;
  memAfter100?: number;
  memEvery10: number[];
  frameEndMsPerKB: number;
  base: number;
  peakTransfer: number;
  peakFinish: number;
  peakTransferAt: string;
  peakFinishAt: string;
  samples: number;
  sampleMs: number;
  sampleInPathMsPerKB: number;
  builtinMsPerKB: Record<string, number>;
  total: number;
  /** mem mode: the highest usage seen at each sample point during the update (offer .. finish). */
  peakByPoint?: Record<string, number>;
}

export interface Floor {
  msPerKB: number;
  pieces: number;
  jsCrc8MsPerKB: number;
  loopIterationUs: number;
}

export interface RunResult {
  device: DeviceResult;
  floor: Floor;
  /** Offer sent .. finish answered true, host clock. */
  seconds: number;
  imageBytes: number;
  /** Mean time from a frame's last byte into the pty to the first byte of the answer (ms), over the chunk writes. */
  replyLatencyMs: number;
  /** Mean length of the chunk-write frames on the wire (escaped). */
  frameBytes: number;
}

/**
 * One 128 KB update on the interpreter, in its own directory: v1 (client +
 * bench/app.js) installed in slot 0, the NCP simulator pushes the big image
 * into slot 1 over the pty, paced at the line rate when `paced`.
 */
export async function runOnce(o: { bin: string; socat: string; mode: "time" | "mem"; paced: boolean; log: (s: string) => void }): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "eota-bench-"));
  const cleanups: (() => void | Promise<void>)[] = [];
  let ok = false;
  try {
    const board = loadBoard("linux");
    const L = board.layout;
    const pty = await ptyPair(o.socat, dir);
    cleanups.push(pty.close);
    // Scratch page for the floor: the first erase block of slot 1, the staging slot, which the
    // floor erases again after use and the update's start() erases anyway.
    const page = board.geometry.blockLength || 0;
    const scratch = L.slots[1].address;
    if (!page || scratch % page !== 0 || L.slots[1].size < page) throw new Error("no scratch page at the start of slot 1");
    const config = { pty: pty.b, baud: BAUD, mode: o.mode, scratch: scratch, image0: L.slots[0].address + HEADER_SIZE, image0Length: 0, pieces: 128 };
    const js = () => bundle("linux", "client") + "\nvar BENCH=" + JSON.stringify(config) + ";\n" + deviceApp();
    config.image0Length = Math.floor((new TextEncoder().encode(js()).length) / 1024) * 1024;
    const v1 = buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "bench", payload: new TextEncoder().encode(js()) });
    const big = bigImage("2.0.0");
    installOn(o.bin, dir, board, v1);

    const serial = await openSerial(pty.a, BAUD);
    cleanups.push(() => serial.close());
    const link = lineLink(serial, o.paced ? BAUD : 0);
    const dev = new Board({ bin: o.bin, dir: dir, restart: false });
    cleanups.push(() => dev.powerOff());
    const ctx = () => "console:\n" + dev.tail();
    const line = (tag: string) => dev.lines().find((l) => l.startsWith(tag + " ") || l === tag);
    const sim = new NcpSimulator({ link: link, clock: realClock, image: big, type: TYPE, version: "2.0.0", build: "bench", baud: BAUD });
    dev.powerOn();
    await until(() => line("READY"), 30_000, "the bench app to start and report", ctx);
    const floor = JSON.parse(line("FLOOR")!.slice(6)) as Floor;
    o.log(o.mode + (o.paced ? ", paced" : ", unpaced") + ": offering " + big.length + " B");
    const t0 = performance.now();
    sim.offer();
    await until(() => sim.state !== "offered" && sim.state !== "sending" && sim.state !== "finishing", 600_000, "the 128 KB update", ctx);
    const seconds = (performance.now() - t0) / 1000;
    if (sim.state !== "applied") throw new Error("the bench update failed: " + sim.outcome + "\n" + ctx());
    const res = await until(() => line("RESULT"), 10_000, "the device's result", ctx);
    const device = JSON.parse(res.slice(7)) as DeviceResult;
    if (device.code !== 0) throw new Error("finish refused, code " + device.code);
    o.log(o.mode + ": " + seconds.toFixed(1) + " s, " + Math.round(big.length / seconds) + " B/s (" + (big.length / seconds / LINE_RATE).toFixed(2) + " of the line)");
    ok = true;
    // Chunk writes are the host's only frames over 512 bytes.
    const writes = link.stats.replies.filter((r) => r.bytes > 512);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    return {
      device: device, floor: floor, seconds: seconds, imageBytes: big.length,
      replyLatencyMs: mean(writes.map((r) => r.ms)), frameBytes: mean(writes.map((r) => r.bytes)),
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (ok) rmSync(dir, { recursive: true, force: true });
    else o.log("files kept in " + dir);
  }
}

/**
 * The interpreter build's own I/O floor for the exchange the update is made
 * of: a trivial handler that counts bytes and answers 8 bytes once a whole
 * chunk frame has arrived, driven like the time run (paced at the line rate).
 * No client code runs: what this reaches is the best `lineRate` a client
 * costing nothing could get on this build over this pty.
 */
export async function ioFloor(o: { bin: string; socat: string; frameBytes: number; rounds: number }): Promise<{ lineRate: number; replyLatencyMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "eota-bench-io-"));
  const cleanups: (() => void | Promise<void>)[] = [];
  try {
    const pty = await ptyPair(o.socat, dir);
    cleanups.push(pty.close);
    writeFileSync(join(dir, "echo.js"), [
      "Serial1.setup(" + BAUD + ",{path:" + JSON.stringify(pty.b) + "});",
      "var n=0;",
      "Serial1.on('data',function(d){n+=d.length;if(n>=" + o.frameBytes + "){n-=" + o.frameBytes + ";Serial1.write('\\xAA1234567');}});",
      "setTimeout(function(){},600000);",
      "print('ECHO READY');",
    ].join("\n"));
    const serial = await openSerial(pty.a, BAUD);
    cleanups.push(() => serial.close());
    const link = lineLink(serial, BAUD);
    const dev = new Board({ bin: o.bin, dir: dir, restart: false, args: ["echo.js"] });
    cleanups.push(() => dev.powerOff());
    dev.powerOn();
    await until(() => dev.lines().some((l) => l.startsWith("ECHO READY")), 10_000, "the echo script", () => dev.tail());
    const frame = new Uint8Array(o.frameBytes).fill(0x41);
    let got = 0;
    let rounds = 0;
    let t0 = 0;
    link.onData((d) => {
      got += d.length;
      if (got < 8) return;
      got -= 8;
      if (++rounds === 1) t0 = performance.now(); // the first round starts the clock
      if (rounds <= o.rounds) link.write(frame);
    });
    link.write(frame);
    await until(() => rounds > o.rounds, 60_000, "the echo rounds", () => dev.tail());
    const secs = (performance.now() - t0) / 1000;
    const lat = link.stats.replies.map((r) => r.ms).slice(1);
    return { lineRate: (1024 * o.rounds) / secs / LINE_RATE, replyLatencyMs: lat.reduce((a, b) => a + b, 0) / lat.length };
  } finally {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  }
}
