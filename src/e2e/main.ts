import { espruinoBin, findSocat } from "./interpreter.js";
import { runE2E } from "./run.js";

/** `npm run e2e`: the whole update, reboot, confirm and rollback on Espruino's Linux interpreter. Skips (exit 0) without one. */
async function main(): Promise<number> {
  const verbose = process.argv.includes("--verbose");
  const keep = process.argv.includes("--keep");
  const skip = e2eSkipReason();
  if (skip) {
    console.log("e2e: skipped: " + skip);
    return 0;
  }
  const r = await runE2E({ bin: espruinoBin().bin!, socat: findSocat()!, verbose: verbose, keep: keep, log: (l) => console.log("e2e: " + l) });
  await (await import("./drogue.js")).runDrogueE2E({ bin: espruinoBin().bin!, socat: findSocat()!, verbose: verbose, keep: keep, log: (l) => console.log("e2e drogue: " + l) });
  console.log("e2e: passed in " + r.seconds.toFixed(1) + " s (" + r.boots.length + " power-ons; v2 at " + Math.round(r.bytesPerSecond) + " B/s over the pty)");
  return 0;
}

/** Why the e2e run cannot happen here, or undefined. */
export function e2eSkipReason(): string | undefined {
  const e = espruinoBin();
  if (!e.bin) return e.why;
  if (!findSocat()) return "socat is not installed (it links the interpreter's Serial1 to the simulator over a pty pair: apt-get install socat)";
  return undefined;
}

if (import.meta.url === "file://" + process.argv[1]) {
  main().then((c) => process.exit(c), (e) => {
    console.error("e2e: FAILED: " + (e instanceof Error ? e.message : e));
    process.exit(1);
  });
}
