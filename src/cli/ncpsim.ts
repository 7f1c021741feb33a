import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseHeader } from "../core/header.js";
import { faultyLink, formatFaults, parseFaults, type Faults } from "../ncpsim/faults.js";
import { inProcessRig, runUpdate } from "../ncpsim/run.js";
import { NcpSimulator, type SimOptions } from "../ncpsim/simulator.js";
import { realClock } from "../platform/host/clock.js";
import { crc32 } from "../platform/host/digest.js";
import { openSerial } from "../platform/host/serial.js";
import type { Link } from "../hal/link.js";
import type { Clock } from "../hal/clock.js";

export const NCPSIM_USAGE = `espruino-ota ncp-sim --image FILE (--port PATH | --in-process) [options]
  --port PATH         serial port or pty the board's Serial1 is on
  --baud N            the NCP's initial rate (38400)
  --in-process        run the built client bundle for --board on emulated flash instead
  --faults LIST       corrupt=P,drop=P,dup=P,delay=MS,jitter=MS,dir=both|to-board|from-board,seed=N
                      (dir: which way, seen from the NCP; both by default); may be given several times
  --seeds N           with --in-process: N runs per --faults (seeds seed..seed+N-1), one table row each
  --retries N         resends of a failed write before the NCP gives up (Blynk: 5)
  --stall-after N     stop sending after N chunks    --reset-after N   mcu.reboot after N chunks
  --no-sha256         act as an NCP without GetSHA256
  --wait SECONDS      after finish, wait this long for the rebooted client to report (60)
`;

/** Plays the NCP against a board (or the in-process bundle) and offers one image. Exit 0 when applied and reported. */
export async function runNcpSim(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      image: { type: "string" }, port: { type: "string" }, baud: { type: "string", default: "38400" },
      "in-process": { type: "boolean" }, board: { type: "string", default: "linux" }, faults: { type: "string", multiple: true },
      seeds: { type: "string" }, retries: { type: "string" }, sources: { type: "boolean" },
      "stall-after": { type: "string" }, "reset-after": { type: "string" }, "no-sha256": { type: "boolean" },
      wait: { type: "string", default: "60" },
    },
  });
  if (!v.image || (!v.port && !v["in-process"]) || (v.seeds && !v["in-process"])) {
    process.stdout.write(NCPSIM_USAGE);
    return 2;
  }
  const img = new Uint8Array(readFileSync(v.image));
  const h = parseHeader(img, crc32).info;
  if (!h) throw new Error(v.image + " is not an image (mkimage makes one)");
  const baud = Number(v.baud);
  const settings: (Faults | undefined)[] = v.faults && v.faults.length ? v.faults.map(parseFaults) : [undefined];
  const simOpts: Partial<SimOptions> = {
    retries: v.retries ? Number(v.retries) : undefined,
    stallAfter: v["stall-after"] ? Number(v["stall-after"]) : undefined,
    rebootAfter: v["reset-after"] ? Number(v["reset-after"]) : undefined,
    noSha256: v["no-sha256"],
  };
  if (v.seeds) return seedTable(img, settings, Number(v.seeds), { board: v.board as string, baud: baud, sources: !!v.sources, sim: simOpts, waitMs: Number(v.wait) * 1000 });

  let clock: Clock = realClock;
  let link: Link;
  let sim: NcpSimulator;
  let step: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms));
  const log = (s: string) => console.log("ncp: " + s);
  if (v["in-process"]) {
    const x = inProcessRig({
      image: img, board: v.board as string, baud: baud, faults: settings[0], sources: !!v.sources, sim: { ...simOpts, log: log },
      onBoot: (b) => console.log(`board: power on -> slot ${b.slot} v${b.version} (reason ${b.reason})`),
    });
    clock = x.clock;
    link = x.link;
    sim = x.sim;
    step = async (ms) => x.clock.advance(ms);
  } else {
    link = await openSerial(v.port as string, baud);
    if (settings[0]) link = faultyLink(link, settings[0], clock);
    sim = new NcpSimulator({ link: link, clock: clock, image: img, type: h.type, version: h.version, build: h.build, baud: baud, ...simOpts, log: log });
  }
  const t0 = clock.now();
  let shown = -1;
  sim.offer();
  while (sim.state === "offered" || sim.state === "sending" || sim.state === "finishing") {
    await step(20);
    if (sim.sent !== shown && (process.stdout.isTTY || sim.sent === img.length)) {
      shown = sim.sent;
      const secs = Math.max(0.001, (clock.now() - t0) / 1000);
      process.stdout.write(`\r  ${sim.sent}/${img.length} B  ${Math.round(sim.sent / secs)} B/s   `);
    }
    if (clock.now() - t0 > 30 * 60_000) break;
  }
  process.stdout.write("\n");
  let reported = false;
  const until = clock.now() + Number(v.wait) * 1000;
  while (sim.state === "applied" && clock.now() < until && !(reported = sim.reported.length > 0 && sim.reported[0].version === h.version)) await step(50);
  console.log(`ncp-sim: ${sim.outcome || sim.state}; ${sim.resends} resends; client ${reported ? "reports v" + h.version : "did not report the new version"}`);
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
      const x = inProcessRig({ image: img, board: o.board, baud: o.baud, sources: o.sources, sim: o.sim, faults: f ? { ...f, seed: seed } : undefined });
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
