import { test } from "uvu";
import * as assert from "uvu/assert";
import { espruinoBin, findSocat } from "../src/e2e/interpreter.js";
import { e2eSkipReason } from "../src/e2e/main.js";
import { runZigbeeE2E } from "../src/e2e/zigbee.js";

// `npm run e2e`'s Zigbee part: the built zigbee.js on Espruino's Linux interpreter over a pty, when ESPRUINO_BIN is set.
const skip = e2eSkipReason();

if (skip) {
  test("Zigbee e2e on the real interpreter: skipped", () => {
    console.log("  zigbee e2e skipped: " + skip);
  });
} else {
  test("Zigbee e2e on Espruino's Linux interpreter: ZiGate rig over a pty, power cut, resume, Upgrade End, trial, confirm; then zigate-sim --port to the same board", async () => {
    const r = await runZigbeeE2E({ bin: espruinoBin().bin!, socat: findSocat()! });
    assert.equal(r.boots.map((b) => b.slot + ":" + b.reason + ":" + b.version), ["0:0:1.0.0", "0:0:1.0.0", "1:1:1.1.0", "0:1:1.2.0"]);
    assert.ok(r.resumedAt > 0);
    console.log("  zigbee e2e on the interpreter: " + r.seconds.toFixed(1) + " s");
  });
}

test.run();
