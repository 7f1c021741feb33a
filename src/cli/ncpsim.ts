import { HEADER_SIZE, parseHeader } from "../core/header.js";
import * as E from "../core/errors.js";
import { boardKeys, loadBoard, type Board } from "../board/files.js";
import { CliError, UsageError, parseCommand, type Parsed } from "./args.js";
import { NCP_SIM } from "./commands.js";
import { checkImage, readInput, slotRoom } from "./image-check.js";
import { Progress } from "./progress.js";
import { faultyLink, formatFaults, parseFaults, type Faults } from "../peers/ncp/faults.js";
import { inProcessRig, runUpdate } from "../peers/ncp/run.js";
import { NcpSimulator, type SimOptions } from "../peers/ncp/simulator.js";
import { realClock } from "../platform/host/clock.js";
import { crc32 } from "../platform/host/digest.js";
import { openSerial } from "../platform/host/serial.js";
import type { Link } from "../hal/link.js";
import type { Clock } from "../hal/clock.js";

export const NCPSIM_USAGE = NCP_SIM.usage + "\n";

/** The key of the supported board whose id the image carries, if any. */
export function boardOfImage(id: string): string | undefined {
  return boardKeys().find((k) => loadBoard(k).id === id);
}

/**
 * What a client on `board` would answer at each step, from the image alone and what the board reported
 * (over a real port the client only says true or false). undefined when it cannot be told.
 */
export function diagnose(img: Uint8Array, board: Board | undefined, reported: () => { type: string; version: string } | undefined) {
  return (step: "offer" | "write" | "finish", off: number): number | undefined => {
    const r = parseHeader(img, crc32);
    if (step === "offer") {
      const run = reported();
      if (img.length < HEADER_SIZE) return E.E_SIZE;
      if (board && img.length > slotRoom(board)) return E.E_TOO_LARGE;
      if (run && r.info && run.type !== r.info.type) return E.E_WRONG_TYPE;
      if (run && r.info && run.version === r.info.version) return E.E_SAME_VERSION;
      return undefined;
    }
    if (step === "write" && off === 0) {
      if (!r.info) return r.code;
      if (board && r.info.board !== board.id) return E.E_WRONG_BOARD;
      if (r.info.imageLength !== img.length) return E.E_HEADER_MISMATCH;
      return undefined;
    }
    if (step === "finish" && r.info) {
      const c = checkImage(img);
      if (c.problem.includes("PAYLOAD_DIGEST")) return E.E_PAYLOAD_DIGEST;
    }
    return undefined;
  };
}

/** The client's own codes, from its events in-process: the last offer, refused write or finish. */
function eventExplainer() {
  let last: { name: string; code: number; at: number } | undefined;
  return {
    onEvent: (name: string, a?: number, b?: number) => {
      if (name === "offer" || name === "refused" || name === "finished") last = { name: name, code: a || 0, at: b || 0 };
    },
    explain: (step: "offer" | "write" | "finish", off: number): number | undefined => {
      const want = step === "offer" ? "offer" : step === "write" ? "refused" : "finished";
      if (!last || last.name !== want || (step === "write" && last.at !== off)) return undefined;
      return last.code;
    },
  };
}

/** Plays the NCP against a board (or the in-process bundle) and offers one image. Exit 0 when applied and reported. */
export async function runNcpSim(args: string[] | Parsed): Promise<number> {
  let p: Parsed | "help";
  if (Array.isArray(args)) {
    p = parseCommand(NCP_SIM, args);
    if (p === "help") {
      process.stdout.write(NCPSIM_USAGE);
      return 0;
    }
  } else p = args;
  const v = p.values as {
    image?: string; port?: string; baud: number; "in-process"?: boolean; board?: string; faults?: string[]; seeds?: number; retries?: number;
    sources?: boolean; "stall-after"?: number; "reset-after"?: number; "no-sha256"?: boolean; wait: number;
  };
  if (!v.image || (!v.port && !v["in-process"])) {
    process.stdout.write(NCPSIM_USAGE);
    return 2;
  }
  if (v.port && v["in-process"]) throw new UsageError("ncp-sim: --port and --in-process exclude each other; see espruino-ota ncp-sim --help");
  if (v.seeds && !v["in-process"]) throw new UsageError("ncp-sim: --seeds needs --in-process; see espruino-ota ncp-sim --help");
  let settings: (Faults | undefined)[];
  try {
    settings = v.faults && v.faults.length ? v.faults.map(parseFaults) : [undefined];
  } catch (e) {
    throw new UsageError("ncp-sim: --faults: " + (e as Error).message + " (" + FAULTS_HELP + ")");
  }
  const img = readInput(v.image, "image");
  const check = checkImage(img);
  const h = check.info;
  if (!h) throw new CliError(v.image + ": " + check.problem + " (mkimage makes one)");
  const key = v.board || boardOfImage(h.board) || "linux";
  const board = loadBoard(key);
  if (check.problem) console.log("ncp: warning: " + v.image + ": " + check.problem + "; offering it anyway (the client must refuse it)");
  if (h.board !== board.id) console.log("ncp: warning: " + v.image + " is built for " + h.board + ", the board is " + board.id + " (" + key + "); offering it anyway (the client must refuse it)");
  const baud = v.baud;
  const simOpts: Partial<SimOptions> = {
    retries: v.retries, stallAfter: v["stall-after"], rebootAfter: v["reset-after"], noSha256: v["no-sha256"],
  };
  if (v.seeds) return seedTable(img, settings, v.seeds, { board: key, baud: baud, sources: !!v.sources, sim: simOpts, waitMs: v.wait * 1000 });

  let clock: Clock = realClock;
  let link: Link;
  let sim: NcpSimulator;
  let step: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms));
  const bar = new Progress(process.stdout, img.length, () => clock.now());
  const log = (s: string) => bar.log("ncp: " + s);
  if (v["in-process"]) {
    const ex = eventExplainer();
    const x = inProcessRig({
      image: img, board: key, baud: baud, faults: settings[0], sources: !!v.sources, sim: { ...simOpts, log: log, explain: ex.explain },
      onBoot: (b) => bar.log(`board: power on -> slot ${b.slot} v${b.version} (reason ${b.reason})`), onEvent: ex.onEvent,
    });
    clock = x.clock;
    link = x.link;
    sim = x.sim;
    step = async (ms) => x.clock.advance(ms);
  } else {
    try {
      link = await openSerial(v.port as string, baud);
    } catch (e) {
      throw new CliError("ncp-sim: cannot open " + v.port + ": " + String((e as Error).message).split("\n")[0]);
    }
    if (settings[0]) link = faultyLink(link, settings[0], clock);
    let s: NcpSimulator | undefined = undefined;
    const explain = diagnose(img, board, () => (s && s.reported.length ? s.reported[0] : undefined));
    sim = s = new NcpSimulator({ link: link, clock: clock, image: img, type: h.type, version: h.version, build: h.build, baud: baud, ...simOpts, log: log, explain: explain });
  }
  const t0 = clock.now();
  sim.offer();
  while (sim.state === "offered" || sim.state === "sending" || sim.state === "finishing") {
    await step(20);
    if (sim.state === "sending" || sim.state === "finishing") bar.update(sim.sent);
    if (clock.now() - t0 > 30 * 60_000) break;
  }
  if (sim.state === "applied") bar.update(img.length);
  bar.end();
  let reported = false;
  const until = clock.now() + v.wait * 1000;
  while (sim.state === "applied" && clock.now() < until && !(reported = sim.reported.length > 0 && sim.reported[0].version === h.version)) await step(50);
  if (sim.outcome === "offer unanswered") {
    const where = v.port ? "on " + v.port : "in-process";
    console.log(`ncp-sim: no answer from the board ${where} after ${((clock.now() - t0) / 1000).toFixed(0)} s (${baud} baud): is it running the client, wired to this port, at this rate?`);
  } else if (sim.state === "applied" && !reported) {
    console.log(`ncp-sim: ${sim.outcome}; ${sim.resends} resends; no answer from the board ${v.port ? "on " + v.port : "in-process"}: it did not report v${h.version} within ${v.wait} s`);
  } else if (sim.state === "failed") {
    console.log(`ncp-sim: not applied: ${sim.outcome}; ${sim.resends} resends`);
  } else {
    console.log(`ncp-sim: ${sim.outcome || sim.state}; ${sim.resends} resends; client ${reported ? "reports v" + h.version : "did not report the new version"}`);
  }
  if (link && "close" in link) (link as { close: () => void }).close();
  return sim.state === "applied" && reported ? 0 : 1;
}

/** Runs every fault setting over `n` seeds in-process and prints one row per run; exit 0 when every run completed. */
function seedTable(img: Uint8Array, settings: (Faults | undefined)[], n: number, o: { board: string; baud: number; sources: boolean; sim: Partial<SimOptions>; waitMs: number }): number {
  process.stdout.write(line(["faults", "seed", "completed", "resends", "time", "outcome"]) + "\n");
  let ok = 0;
  let runs = 0;
  for (const f of settings) {
    for (let i = 0; i < n; i++) {
      const seed = (f && f.seed ? f.seed : 1) + i;
      const ex = eventExplainer();
      const x = inProcessRig({ image: img, board: o.board, baud: o.baud, sources: o.sources, sim: { ...o.sim, explain: ex.explain }, onEvent: ex.onEvent, faults: f ? { ...f, seed: seed } : undefined });
      const r = runUpdate(x, { waitMs: o.waitMs });
      runs++;
      if (r.completed) ok++;
      const why = r.outcome + (r.applied && !r.reported ? ", no report" : "");
      process.stdout.write(line([f ? formatFaults(f) : "none", String(seed), r.completed ? "yes" : "no", String(r.resends), (r.ms / 1000).toFixed(1) + " s", why]) + "\n");
    }
  }
  console.log(`ncp-sim: ${ok}/${runs} seeds applied`);
  return ok === runs ? 0 : 1;
}

const WIDTHS = [44, 5, 9, 7, 9, 0];

function line(cells: string[]): string {
  return cells.map((c, i) => c.padEnd(WIDTHS[i])).join(" ").trimEnd();
}

const FAULTS_HELP = "corrupt=P,drop=P,dup=P with P from 0 to 1, delay=MS, jitter=MS, dir=both|to-board|from-board, seed=N";
