import { test } from "uvu";
import * as assert from "uvu/assert";
import { espruinoBin } from "../src/e2e/interpreter.js";
import { runBleE2E } from "../src/e2e/ble.js";

// ESP BLE OTA on Espruino's Linux interpreter (an NRF shim before ble.js) when ESPRUINO_BIN is set.
const e = espruinoBin();

if (!e.bin) {
  test("ble e2e on the real interpreter: skipped", () => {
    console.log("  ble e2e skipped: " + e.why);
  });
} else {
  test("ble e2e on Espruino's Linux interpreter: update with a CRC error and a resume, reboot, trial, confirm", async () => {
    const r = await runBleE2E({ bin: e.bin! });
    assert.equal(r.boots.map((b) => b.slot + ":" + b.reason + ":" + b.version), ["0:0:1.0.0", "1:1:2.0.0", "1:0:2.0.0"]);
    assert.is(r.resumedAt, 2);
  });
}

test.run();
