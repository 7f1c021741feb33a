import { BundleBoard } from "../src/testbench/bundle-board.js";
import { NcpSimulator } from "../src/peers/ncp/simulator.js";
import type { Link } from "../src/hal/link.js";
import { loadBoard } from "../src/board/files.js";
import { FakeClock } from "../src/platform/host/clock.js";
import { crc32 } from "../src/platform/host/digest.js";
import { bundle } from "../src/testbench/espruino-vm.js";
import { buildImage } from "../src/testbench/image.js";
import { installFactory } from "../src/testbench/install.js";
import { LinkPair } from "../src/platform/host/links.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { TYPE, bigImage } from "./common.js";

/**
 * Without the interpreter: the built client bundle under the Espruino
 * stand-in (src/testbench/espruino-vm.ts, NOR emulator behind it) takes
 * the same 128 KB update from the simulator over a link timed by a fake clock (no wall time).
 * Chunk path = wall time inside the bundle's serial handler, from the call
 * after otaUpdateStart's answer to the one that answered the last chunk;
 * floor = crc-32 + the emulator's write of the same 1 KB pieces.
 */
export function benchNode(): { chunkPathMsPerKB: number; floorMsPerKB: number; calls: number; bytes: number } {
  const board = loadBoard("linux");
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  const app = bundle("linux", "client") + "\nOTA.ncp({baud:115200,onEvent:global.HOST_EVENT});\n";
  installFactory(flash, board, buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "bench", payload: new TextEncoder().encode(app) }), 0);
  const pair = new LinkPair({ clock: clock, baud: 115200 });
  let arm = false, active = false, stop = false, t = 0, calls = 0;
  const timed: Link = {
    write: (b) => pair.b.write(b),
    setBaud: (b) => pair.b.setBaud(b),
    onData: (h) =>
      pair.b.onData((d) => {
        const t0 = performance.now();
        h(d);
        const t1 = performance.now();
        if (active) {
          t += t1 - t0;
          calls++;
        }
        if (arm) [arm, active] = [false, true];
        if (stop) [stop, active] = [false, false];
      }),
  };
  const big = bigImage("2.0.0");
  let finished = false;
  const dev = new BundleBoard({
    board: board, flash: flash, clock: clock, link: timed,
    onEvent: (n, a, b) => {
      if (process.env.BENCH_DEBUG && n !== "progress") console.error("node bench event", n, a, b);
      if (n === "started") arm = true;
      if (n === "progress" && a! >= b!) stop = true;
      if (n === "finished") finished = a === 0;
    },
  });
  const sim = new NcpSimulator({ link: pair.a, clock: clock, image: big, type: TYPE, version: "2.0.0", build: "bench" });
  dev.powerOn();
  for (let i = 0; i < 10_000 && sim.reported.length === 0; i++) clock.advance(10);
  sim.offer();
  for (let i = 0; i < 100_000 && !finished; i++) clock.advance(10);
  dev.kill();
  if (!finished) throw new Error("the update under the stand-in did not finish: " + sim.outcome);

  // Floor: crc-32 and the NOR emulator's write of 1 KB pieces of the image, into an erased block.
  const f = new NorFlash({ geometry: board.geometry });
  const at = board.layout.slots[1].address;
  let floor = 0;
  for (let off = 0; off < big.length; off += 1024) {
    const piece = big.subarray(off, off + 1024);
    f.eraseBlock(at, at + 1024);
    const t0 = performance.now();
    crc32(piece);
    f.write(piece, at);
    floor += performance.now() - t0;
  }
  const kb = big.length / 1024;
  return { chunkPathMsPerKB: t / kb, floorMsPerKB: floor / kb, calls: calls, bytes: big.length };
}
