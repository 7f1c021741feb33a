import type { Link } from "../../hal/link.js";
import { parseHeader } from "../../core/header.js";
import { loadBoard } from "../../board/files.js";
import { FakeClock } from "../../platform/host/clock.js";
import { crc32 } from "../../platform/host/digest.js";
import { bundle } from "../../testbench/espruino-vm.js";
import { buildImage } from "../../testbench/image.js";
import { installFactory } from "../../testbench/install.js";
import { LinkPair } from "../../platform/host/links.js";
import { NorFlash } from "../../platform/host/norflash.js";
import { PoweredBoard } from "../../testbench/powered-board.js";
import { ncpTransport } from "../../testbench/transports.js";
import { BundleBoard, type BootInfo } from "../../testbench/bundle-board.js";
import { appSource } from "../../testbench/apps.js";
import { faultyLink, type Faults } from "./faults.js";
import { NcpSimulator, type SimOptions } from "./simulator.js";

export interface InProcessOptions {
  /** The image to offer (mkimage's output). */
  image: Uint8Array;
  /** Board key (linux). */
  board?: string;
  /** The NCP's and the client's UART rate (38400). */
  baud?: number;
  faults?: Faults;
  /** Run the client's TypeScript sources (PoweredBoard) instead of the built bundle. */
  sources?: boolean;
  /** Simulator options (retries, stallAfter, rebootAfter, noSha256, log, ...). */
  sim?: Partial<SimOptions>;
  onBoot?: (b: BootInfo) => void;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

/** A board on emulated flash running v0.0.0 of the image's type, the NCP simulator on the other end of a (faulty) wire. */
export interface InProcessRig {
  sim: NcpSimulator;
  clock: FakeClock;
  /** The NCP's end of the wire, faults applied. */
  link: Link;
  /** Version of the offered image. */
  version: string;
}

export function inProcessRig(o: InProcessOptions): InProcessRig {
  const h = parseHeader(o.image, crc32).info;
  if (!h) throw new Error("not an image (mkimage makes one)");
  const board = loadBoard(o.board || "linux");
  const baud = o.baud || 38400;
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  const pair = new LinkPair({ clock: clock, baud: baud });
  const app = (o.sources ? "" : bundle(board.key, "client") + "\n") + appSource({ baud: baud, healthy: true });
  installFactory(flash, board, buildImage({ board: board.id, type: h.type, version: "0.0.0", build: "factory", payload: new TextEncoder().encode(app) }), 0);
  if (o.sources) {
    const dev = new PoweredBoard({ board: board, flash: flash, clock: clock, transport: ncpTransport({ link: pair.b, onEvent: o.onEvent }) });
    const b = dev.powerOn();
    if (o.onBoot && b.info) o.onBoot({ slot: b.slot, reason: b.reason, type: b.info.type, version: b.info.version });
  } else {
    new BundleBoard({ board: board, flash: flash, clock: clock, link: pair.b, onEvent: o.onEvent, onBoot: o.onBoot }).powerOn();
  }
  const link = o.faults ? faultyLink(pair.a, o.faults, clock) : pair.a;
  const sim = new NcpSimulator({ link: link, clock: clock, image: o.image, type: h.type, version: h.version, build: h.build, baud: baud, ...o.sim });
  return { sim: sim, clock: clock, link: link, version: h.version };
}

export interface RunResult {
  /** The NCP finished (finish answered true, or the new version reported while finishing). */
  applied: boolean;
  /** The rebooted board reported the new version. */
  reported: boolean;
  /** applied and reported. */
  completed: boolean;
  outcome: string;
  resends: number;
  /** Simulated ms from the offer to the report (or to the end). */
  ms: number;
}

/** Waits for the first report, offers, and runs until the new version reports or the update ends; all in simulated time. */
export function runUpdate(x: InProcessRig, o: { waitMs?: number; limitMs?: number } = {}): RunResult {
  const c = x.clock;
  const sim = x.sim;
  c.runUntil(() => sim.reported.length > 0, 30_000);
  const t0 = c.now();
  sim.offer();
  const active = () => sim.state === "offered" || sim.state === "sending" || sim.state === "finishing";
  c.runUntil(() => !active(), o.limitMs || 30 * 60_000);
  const isNew = () => sim.reported.length > 0 && sim.reported[0].version === x.version;
  if (sim.state === "applied") c.runUntil(isNew, o.waitMs === undefined ? 60_000 : o.waitMs);
  const applied = sim.state === "applied";
  const reported = applied && isNew();
  return { applied: applied, reported: reported, completed: applied && reported, outcome: sim.outcome || sim.state, resends: sim.resends, ms: c.now() - t0 };
}
