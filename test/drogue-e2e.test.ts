import { test } from "uvu";
import * as assert from "uvu/assert";
import { espruinoBin, findSocat } from "../src/e2e/interpreter.js";
import { e2eSkipReason } from "../src/e2e/main.js";
import { runDrogueE2E } from "../src/e2e/drogue.js";

// The Drogue part of `npm run e2e`: the built drogue.js on Espruino's Linux interpreter over a pty, when ESPRUINO_BIN is set.
const skip = e2eSkipReason();

if (skip) {
  test("drogue e2e on the real interpreter: skipped", () => {
    console.log("  drogue e2e skipped: " + skip);
  });
} else {
  test("drogue e2e on Espruino's Linux interpreter: serial frames, doubled and misplaced Writes, power cut and resume, Swap, Sync, confirm", async () => {
    const r = await runDrogueE2E({ bin: espruinoBin().bin!, socat: findSocat()! });
    assert.equal(r.boots.map((b) => b.slot + ":" + b.reason + ":" + b.version), ["0:0:1.0.0", "0:0:1.0.0", "1:1:2.0.0"]);
    assert.ok(r.resumedAt > 0);
    console.log("  drogue e2e on the interpreter: " + r.seconds.toFixed(1) + " s, " + Math.round(r.bytesPerSecond) + " B/s");
  });
}

test.run();
