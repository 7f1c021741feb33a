import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { encodeFrame, frameBound } from "../src/ncp/frame.js";
import { crc8 } from "../src/ncp/crc8.js";
import * as P from "../src/ncp/protocol.js";
import { Writer } from "../src/ncp/wire.js";
import { consoleLines, installOn } from "../src/e2e/interpreter.js";
import { loadBoard } from "../src/board/files.js";
import { crc32 } from "../src/platform/host/digest.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { TYPE, bigImage, instrApp } from "./common.js";

/*
 * Exact instruction counts on Espruino's Linux interpreter, with valgrind
 * (cachegrind, no cache simulation: `I refs`, the x86 instructions of the
 * whole process). A unit of work costs the difference between a run with N
 * and one with M units, divided by M - N: start-up, boot stub and exit cancel
 * out. Each run is a power-on of the linux board (boot stub in .boot0, the
 * image in slot 0) in its own directory; the application is
 * bench/instr-app.js. Timers are made deterministic there, so a count is the
 * same on every run.
 */

export const N_CHUNKS = 10;
export const M_CHUNKS = 30;

export function findValgrind(): string | undefined {
  for (const d of (process.env.PATH || "").split(delimiter)) {
    const f = join(d, "valgrind");
    try {
      readFileSync(f, { flag: "r" }).length;
      return f;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** One power-on under cachegrind; the console's `INSTR {..}` line and the instruction count. */
export async function counted(valgrind: string, bin: string, dir: string): Promise<{ refs: number; info: Record<string, number> }> {
  const args = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", bin];
  const p = spawn(valgrind, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  p.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const timer = setTimeout(() => p.kill("SIGKILL"), 180_000);
  const code = await new Promise<number | null>((res) => p.on("exit", (c) => res(c)));
  clearTimeout(timer);
  const m = /I\s+refs:\s+([\d,]+)/.exec(out);
  const line = consoleLines(out).find((l) => l.startsWith("INSTR "));
  if (!m || !line || code !== 0) throw new Error("instruction run failed (exit " + code + "):\n" + out.slice(-3000));
  return { refs: Number(m[1].replace(/,/g, "")), info: JSON.parse(line.slice(6)) };
}

/** Frames the fake NCP hands the client: RESULTs and the offer as base64, the writes as one file. */
export function frames(chunks: number): { results: string[]; offer: string; file: Uint8Array; index: [number, number][]; frameBytes: number } {
  const w = new Writer(2048);
  const frame = (f: (w: Writer) => void): Uint8Array => {
    f(w.reset());
    const out = new Uint8Array(frameBound(w.p));
    return out.subarray(0, encodeFrame(w.b, w.p, out, crc8));
  };
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
  const results: string[] = [];
  for (let id = 1; id <= 6; id++) results.push(b64(frame((x) => x.u16(P.OP_RESULT).u16(id).u8(P.ST_OK).u8(1))));
  const big = bigImage("2.0.0");
  const offer = b64(frame((x) => x.u16(P.OP_INVOKE).u16(P.CLIENT_OTA_AVAILABLE).u16(1000).str("firmware.bin").u32(big.length).str(TYPE).str("2.0.0").str("bench")));
  const parts: Uint8Array[] = [];
  const index: [number, number][] = [];
  let at = 0;
  for (let k = 0; k < chunks; k++) {
    const data = big.subarray(k * 1024, (k + 1) * 1024);
    const f = frame((x) => x.u16(P.OP_INVOKE).u16(P.CLIENT_OTA_WRITE).u16(1001 + k).u32(k * 1024).bin(data).u32(crc32(data)));
    parts.push(f);
    index.push([at, at + f.length]);
    at += f.length;
  }
  const file = new Uint8Array(at);
  parts.forEach((p, k) => file.set(p, index[k][0]));
  return { results: results, offer: offer, file: file, index: index, frameBytes: at / chunks };
}

export interface InstrFigures {
  /** Client image minus bare image, power-on to the application's first line. */
  clientLoadInstructions: number;
  loadInstructions: { bare: number; client: number };
  /** One 1 KB chunk, frames handed over in 64-byte pieces, harness subtracted. */
  chunkInstructionsPerKB: number;
  chunkInstructionsPerKBWholeFrames: number;
  /** The same in pieces minus whole frames, per extra handler call. */
  instructionsPerExtraHandlerCall: number;
  harnessInstructionsPerChunk: { pieces64: number; whole: number };
  handlerCallsPerChunk: number;
  chunkFrameBytes: number;
  /** process.memory().usage after OTA.ncp() has reported, minus the bare image at its first line. */
  jsVarsAfterStart: number;
  jsVars: { bare: number; afterStart: number };
  runs: Record<string, number>;
}

/**
 * Every instruction figure: load (bare vs client image), chunks (N vs M, in
 * 64-byte pieces and whole frames, each minus the same feeding without a
 * client), jsVarsAfterStart.
 */
export async function instructionFigures(o: { bin: string; valgrind: string; log: (s: string) => void }): Promise<InstrFigures> {
  const board = loadBoard("linux");
  const app = instrApp("instr-app");
  const client = bundle("linux", "client");
  const fr = frames(M_CHUNKS);
  const root = mkdtempSync(join(tmpdir(), "eota-instr-"));
  const runs: Record<string, number> = {};
  try {
    const images = new Map<string, string>();
    // One installed flash per image, copied for each run (every run starts from the same flash).
    const install = (withClient: boolean, config: object, code = client): string => {
      const payload = (withClient ? code + "\n" : "") + "var BENCH=" + JSON.stringify(config) + ";\n" + app;
      const key = createHash("sha256").update(String(withClient) + payload).digest("hex");
      const have = images.get(key);
      if (have) return have;
      const d = mkdtempSync(join(root, "img-"));
      installOn(o.bin, d, board, buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "bench", payload: new TextEncoder().encode(payload) }));
      images.set(key, d);
      return d;
    };
    const run = async (name: string, withClient: boolean, config: object, code = client) => {
      const src = install(withClient, config, code);
      const d = mkdtempSync(join(root, "run-"));
      copyFileSync(join(src, "espruino.flash"), join(d, "espruino.flash"));
      writeFileSync(join(d, "frames.bin"), fr.file);
      const r = await counted(o.valgrind, o.bin, d);
      runs[name] = r.refs;
      o.log("instructions: " + name + " " + r.refs.toLocaleString("en"));
      rmSync(d, { recursive: true, force: true });
      return r;
    };
    const base = { results: fr.results, offer: fr.offer, file: "frames.bin", chunks: fr.index };
    const bare = await run("load, bare image", false, { ...base, mode: "load" });
    const withClient = await run("load, image with client", true, { ...base, mode: "load" });
    const per = async (piece: number) => {
      const cfg = (mode: string, n: number) => ({ ...base, mode: mode, n: n, piece: piece });
      const label = piece ? piece + "-byte pieces" : "whole frames";
      const a = await run("chunks " + N_CHUNKS + ", " + label, true, cfg("chunks", N_CHUNKS));
      const b = await run("chunks " + M_CHUNKS + ", " + label, true, cfg("chunks", M_CHUNKS));
      if (a.info.progress !== N_CHUNKS || b.info.progress !== M_CHUNKS || a.info.refused || b.info.refused) {
        throw new Error("the client did not take every chunk: " + JSON.stringify([a.info, b.info]));
      }
      const fa = await run("harness " + N_CHUNKS + ", " + label, false, cfg("floor", N_CHUNKS));
      const fb = await run("harness " + M_CHUNKS + ", " + label, false, cfg("floor", M_CHUNKS));
      const harness = (fb.refs - fa.refs) / (M_CHUNKS - N_CHUNKS);
      return { perChunk: (b.refs - a.refs) / (M_CHUNKS - N_CHUNKS) - harness, harness: harness, afterStart: a.info.afterStart };
    };
    const p64 = await per(64);
    const whole = await per(0);
    const calls = Math.ceil(fr.frameBytes / 64);
    return {
      clientLoadInstructions: withClient.refs - bare.refs,
      loadInstructions: { bare: bare.refs, client: withClient.refs },
      chunkInstructionsPerKB: Math.round(p64.perChunk),
      chunkInstructionsPerKBWholeFrames: Math.round(whole.perChunk),
      instructionsPerExtraHandlerCall: Math.round((p64.perChunk - whole.perChunk) / (calls - 1)),
      harnessInstructionsPerChunk: { pieces64: Math.round(p64.harness), whole: Math.round(whole.harness) },
      handlerCallsPerChunk: calls,
      chunkFrameBytes: Math.round(fr.frameBytes * 100) / 100,
      jsVarsAfterStart: p64.afterStart - bare.info.usage,
      jsVars: { bare: bare.info.usage, afterStart: p64.afterStart },
      runs: runs,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
