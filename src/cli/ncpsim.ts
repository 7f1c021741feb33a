import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseHeader } from "../core/header.js";
import { BundleBoard, appSource } from "../ncpsim/bundle-board.js";
import { faultyLink, parseFaults } from "../ncpsim/faults.js";
import { NcpSimulator } from "../ncpsim/simulator.js";
import { loadBoard } from "../platform/host/boards.js";
import { FakeClock, realClock } from "../platform/host/clock.js";
import { crc32 } from "../platform/host/digest.js";
import { bundle } from "../platform/host/espruino-vm.js";
import { buildImage } from "../platform/host/image.js";
import { installFactory } from "../platform/host/install.js";
import { LinkPair } from "../platform/host/links.js";
import { NorFlash } from "../platform/host/norflash.js";
import { openSerial } from "../platform/host/serial.js";
import type { Link } from "../hal/link.js";
import type { Clock } from "../hal/clock.js";

export const NCPSIM_USAGE = `espruino-ota ncp-sim --image FILE (--port PATH | --in-process) [options]
  --port PATH         serial port or pty the board's Serial1 is on
  --baud N            the NCP's initial rate (38400)
  --in-process        run the built client bundle for --board on emulated flash instead
  --faults LIST       corrupt=P,drop=P,dup=P,delay=MS,seed=N on both directions
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
      "in-process": { type: "boolean" }, board: { type: "string", default: "linux" }, faults: { type: "string" },
      "stall-after": { type: "string" }, "reset-after": { type: "string" }, "no-sha256": { type: "boolean" },
      wait: { type: "string", default: "60" },
    },
  });
  if (!v.image || (!v.port && !v["in-process"])) {
    process.stdout.write(NCPSIM_USAGE);
    return 2;
  }
  const img = new Uint8Array(readFileSync(v.image));
  const h = parseHeader(img, crc32).info;
  if (!h) throw new Error(v.image + " is not an image (mkimage makes one)");
  const baud = Number(v.baud);
  let clock: Clock = realClock;
  let link: Link;
  let step: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms));
  if (v["in-process"]) {
    const board = loadBoard(v.board as string);
    const fake = new FakeClock();
    clock = fake;
    const flash = new NorFlash({ geometry: board.geometry });
    const pair = new LinkPair({ clock: fake, baud: baud });
    const app = bundle(board.key, "client") + "\n" + appSource({ baud: baud, healthy: true });
    installFactory(flash, board.layout, buildImage({ board: board.id, type: h.type, version: "0.0.0", build: "factory", payload: new TextEncoder().encode(app) }), 0);
    const dev = new BundleBoard({ board: board, flash: flash, clock: fake, link: pair.b, onBoot: (b) => console.log(`board: power on -> slot ${b.slot} v${b.version} (reason ${b.reason})`) });
    dev.powerOn();
    link = pair.a;
    step = async (ms) => fake.advance(ms);
  } else {
    link = await openSerial(v.port as string, baud);
  }
  if (v.faults) link = faultyLink(link, parseFaults(v.faults), clock);
  const sim = new NcpSimulator({
    link: link, clock: clock, image: img, type: h.type, version: h.version, build: h.build, baud: baud,
    stallAfter: v["stall-after"] ? Number(v["stall-after"]) : undefined,
    rebootAfter: v["reset-after"] ? Number(v["reset-after"]) : undefined,
    noSha256: v["no-sha256"], log: (s) => console.log("ncp: " + s),
  });
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
