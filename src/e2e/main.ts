import { espruinoBin, findSocat } from "./interpreter.js";
import { runBleE2E } from "./ble.js";
import { runCoapE2E } from "./coap.js";
import { runE2E } from "./run.js";
import { runZigbeeE2E } from "./zigbee.js";
import { runDrogueE2E } from "./drogue.js";

/** `npm run e2e`: the whole update, reboot, confirm and rollback on Espruino's Linux interpreter. Skips (exit 0) without one. */
async function main(): Promise<number> {
  const verbose = process.argv.includes("--verbose");
  const keep = process.argv.includes("--keep");
  const skip = e2eSkipReason();
  if (skip) {
    console.log("e2e: skipped: " + skip);
    return 0;
  }
  const bin = espruinoBin().bin!;
  const socat = findSocat()!;
  const o = (name: string) => ({ bin: bin, socat: socat, verbose: verbose, keep: keep, log: (l: string) => console.log("e2e " + name + ": " + l) });
  // One step a transport, each in its own temp directory; a step throws on failure.
  const steps: [string, () => Promise<string>][] = [
    ["blynk", async () => {
      const r = await runE2E(o("blynk"));
      return r.seconds.toFixed(1) + " s (" + r.boots.length + " power-ons; v2 at " + Math.round(r.bytesPerSecond) + " B/s over the pty)";
    }],
    ["ble", async () => (await runBleE2E(o("ble"))).seconds.toFixed(1) + " s"],
    ["coap", async () => {
      const c = await runCoapE2E(o("coap"));
      return c.seconds.toFixed(1) + " s (ThingsBoard over CoAP, stopped mid-download, resumed at chunk " + c.resumedAt + ")";
    }],
    ["zigbee", async () => {
      const z = await runZigbeeE2E(o("zigbee"));
      return z.seconds.toFixed(1) + " s (" + z.boots.length + " power-ons, resumed at " + z.resumedAt + " B; " + Math.round(z.bytesPerSecond) + " B/s over the pty)";
    }],
    ["drogue", async () => (await runDrogueE2E(o("drogue"))).seconds.toFixed(1) + " s (serial and HTTP)"],
  ];
  for (const [name, run] of steps) console.log("e2e " + name + ": passed in " + (await run()));
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
