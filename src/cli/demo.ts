import { BundleBoard } from "../testbench/bundle-board.js";
import { appSource } from "../testbench/apps.js";
import { NcpSimulator } from "../peers/ncp/simulator.js";
import { errorName } from "../core/errors.js";
import { loadBoard } from "../board/files.js";
import { FakeClock } from "../platform/host/clock.js";
import { bundle } from "../testbench/espruino-vm.js";
import { buildImage } from "../testbench/image.js";
import { installFactory } from "../testbench/install.js";
import { LinkPair } from "../platform/host/links.js";
import { NorFlash } from "../platform/host/norflash.js";

const REASONS = ["confirmed", "on trial", "rolled back", "found by scan", "none"];
const BAUD = 115200;
const TYPE = "TMPL0DEMO";

/**
 * The main job, with no hardware: the shipped device bundles run under the
 * Espruino stand-in on emulated NOR flash, the NCP simulator drives a
 * Blynk.Air update over a simulated 115200 baud UART, the board reboots into
 * v2 on trial and confirms it, then a bad v3 never confirms and is rolled back.
 */
export async function runDemo(key = "linux"): Promise<number> {
  const board = loadBoard(key);
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  const pair = new LinkPair({ clock: clock, baud: BAUD });
  const say = (s: string) => process.stdout.write(s + "\n");
  const app = (version: string, healthy: boolean, pad: number) => {
    const js = bundle(key, "client") + "\n" + appSource({ baud: BAUD, healthy: healthy }) + "// " + "-".repeat(pad) + "\n";
    return buildImage({ board: board.id, type: TYPE, version: version, build: "demo", payload: new TextEncoder().encode(js) });
  };
  let offerT0 = 0;
  let trials = 0;
  let shownStep = -1;
  let size = 0;
  const dev = new BundleBoard({
    board: board, flash: flash, clock: clock, link: pair.b,
    onBoot: (b) => {
      say(`power on -> slot ${b.slot}, v${b.version} (${REASONS[b.reason]})`);
      if (b.version === "3.0.0" && b.reason === 1) {
        trials++;
        say(`  v3 never confirms itself (a bad release: no OTA.confirm(), it resets after 5 s), so each power-on spends a trial: ${trials} of ${board.layout.maxTrials}`);
      }
      if (b.reason === 2) say(`  ${board.layout.maxTrials} trials spent without a confirm: the stub rolls back to the confirmed v${b.version}`);
    },
    onEvent: (name, a, b) => {
      if (name === "progress" && a !== undefined && b) {
        const secs = (clock.now() - offerT0) / 1000;
        const step = Math.floor((a / b) * 10);
        if (process.stdout.isTTY || step > shownStep) {
          shownStep = step;
          const bar = "#".repeat(Math.round((a / b) * 30)).padEnd(30, ".");
          process.stdout.write((process.stdout.isTTY ? "\r\x1b[K" : "") + `  [${bar}] ${a}/${b} B  ${Math.round(a / Math.max(secs, 0.001))} B/s` + (process.stdout.isTTY ? "" : "\n"));
        }
        if (a === b && process.stdout.isTTY) process.stdout.write("\n");
      } else if (name === "finished" || name === "refused" || name === "offer") {
        if (a) say("  client: " + name + " " + errorName(a));
      } else if (name === "confirmed") say("  client: image confirmed itself (" + (a ? "ok" : "failed") + ")");
    },
  });
  const until = (f: () => boolean, ms = 600_000) => clock.runUntil(f, ms);
  const push = (img: Uint8Array, version: string) => {
    const sim = new NcpSimulator({ link: pair.a, clock: clock, image: img, type: TYPE, version: version, build: "demo" });
    size = img.length;
    say(`NCP offers v${version} (${size} bytes)`);
    offerT0 = clock.now();
    shownStep = -1;
    sim.offer();
    until(() => sim.state === "applied" || sim.state === "failed");
    say(`  NCP: ${sim.outcome} after ${((clock.now() - offerT0) / 1000).toFixed(1)} s of line time, chunk ${sim.chunkSize} B, ${sim.resends} resends`);
    return sim;
  };

  installFactory(flash, board, app("1.0.0", true, 2000), 0);
  say(`factory: v1.0.0 in slot 0 (board ${board.id}, emulated NOR flash, ${BAUD} baud UART)`);
  const files = dev.storage()!.entries().map((e) => e.name + " @0x" + e.header.toString(16));
  say(`  Storage: ${files.join(", ")}; slots at 0x${board.layout.slots[0].address.toString(16)} and 0x${board.layout.slots[1].address.toString(16)} inside .eota`);
  dev.powerOn();
  const s2 = push(app("2.0.0", true, 30000), "2.0.0");
  if (s2.state !== "applied") return 1;
  until(() => s2.reported.length > 0 && s2.reported[0].version === "2.0.0");
  say("  NCP: client reports " + s2.reported[0].type + " v" + s2.reported[0].version);
  until(() => false, 1000);
  const s3 = push(app("3.0.0", false, 10000), "3.0.0");
  if (s3.state !== "applied") return 1;
  until(() => dev.running!.reason === 2);
  const last = dev.running!;
  until(() => s3.reported.length > 0 && s3.reported[0].version === last.version);
  say("  NCP: client reports " + s3.reported[0].type + " v" + s3.reported[0].version);
  const ok = last.reason === 2 && last.version === "2.0.0" && dev.storage()!.isValid();
  say(ok
    ? `demo: v1 -> v2 over Blynk.NCP (confirmed on trial); bad v3 rolled back to v2 after ${board.layout.maxTrials} trial boots; ${flash.erases} erases, ${flash.writes} writes, 0 bricked`
    : "demo: FAILED: ended on v" + last.version);
  return ok ? 0 : 1;
}
