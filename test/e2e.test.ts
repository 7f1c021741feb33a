import { test } from "uvu";
import * as assert from "uvu/assert";
import { espruinoBin, findSocat } from "../src/e2e/interpreter.js";
import { e2eSkipReason } from "../src/e2e/main.js";
import { runCoapE2E } from "../src/e2e/coap.js";
import { runE2E } from "../src/e2e/run.js";

// The same run as `npm run e2e`: on Espruino's Linux interpreter when ESPRUINO_BIN is set, else one test that says why not.
const skip = e2eSkipReason();

if (skip) {
  test("e2e on the real interpreter: skipped", () => {
    console.log("  e2e skipped: " + skip);
  });
} else {
  test("e2e on Espruino's Linux interpreter: install through espruino-ota install, update, reboot, confirm, rollback after 3 trial boots, eraseAll", async () => {
    const r = await runE2E({ bin: espruinoBin().bin!, socat: findSocat()! });
    assert.match(r.installed, /^booted: slot 0, TMPL0E2E 1\.0\.0 \(build e2e\), reason 0 \(confirmed image\)$/m);
    // v1; v2 on trial, a power cycle on trial, confirmed; bad v3 three times; rolled back; v2 again; nothing after eraseAll; v1 after a fresh install.
    assert.equal(r.boots.map((b) => b.slot + ":" + b.reason + ":" + b.version), [
      "0:0:1.0.0", "1:1:2.0.0", "1:1:2.0.0", "1:0:2.0.0", "0:1:3.0.0", "0:1:3.0.0", "0:1:3.0.0", "1:2:2.0.0", "1:0:2.0.0", "-1:-1:", "0:0:1.0.0",
    ]);
    console.log("  e2e on the interpreter: " + r.seconds.toFixed(1) + " s");
  });

  test("e2e on Espruino's Linux interpreter: ThingsBoard over CoAP (dgram), stopped mid-download, resumed from the journal, UPDATED", async () => {
    const r = await runCoapE2E({ bin: espruinoBin().bin! });
    assert.ok(r.resumedAt > 0, "resumed at chunk " + r.resumedAt);
    assert.equal(r.states, ["DOWNLOADING", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
    assert.equal(r.boots.map((b) => b.slot + ":" + b.reason + ":" + b.version), ["0:0:1.0.0", "0:0:1.0.0", "1:1:2.0.0"]);
  });
}

test.run();
