import { espruinoBin, findSocat } from "./interpreter.js";
import { runBleE2E } from "./ble.js";
import { runCoapE2E } from "./coap.js";
import { runE2E } from "./run.js";
import { runZigbeeE2E } from "./zigbee.js";

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
  console.log("e2e: passed in " + r.seconds.toFixed(1) + " s (" + r.boots.length + " power-ons; v2 at " + Math.round(r.bytesPerSecond) + " B/s over the pty)");
  console.log("e2e: ble passed in " + (await runBleE2E({ bin: espruinoBin().bin!, verbose: verbose, keep: keep, log: (l) => console.log("e2e: ble: " + l) })).seconds.toFixed(1) + " s");
  const c = await runCoapE2E({ bin: espruinoBin().bin!, verbose: verbose, keep: keep, log: (l) => console.log("e2e: " + l) });
  console.log("e2e: ThingsBoard over CoAP passed in " + c.seconds.toFixed(1) + " s (stopped mid-download, resumed at chunk " + c.resumedAt + ")");
  const z = await runZigbeeE2E({ bin: espruinoBin().bin!, socat: findSocat()!, verbose: verbose, keep: keep, log: (l) => console.log("e2e zigbee: " + l) });
  console.log("e2e zigbee: passed in " + z.seconds.toFixed(1) + " s (" + z.boots.length + " power-ons, resumed at " + z.resumedAt + " B; " + Math.round(z.bytesPerSecond) + " B/s over the pty)");
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
