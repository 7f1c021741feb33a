import { suite } from "uvu";
import * as assert from "uvu/assert";
import { NO_FAULTS, type BleFaults } from "../src/peers/ble/faults.js";
import { runBleUpdate } from "../src/peers/ble/run.js";
import { bleImage, rig, strayOps } from "./support/ble.js";

const t = suite("ble: whole updates of the built ble.js, with faults");

// One board per family: nRF52832 memory-mapped (12 KB slots), nRF52840 with SPI flash, ESP32, the Linux build.
const FAMILIES: [string, number][] = [["puckjs", 0], ["banglejs2", 20000], ["esp32", 20000], ["linux", 20000]];
const F = (f: Partial<BleFaults>): BleFaults => ({ ...NO_FAULTS, ...f });
const CASES: [string, number, BleFaults][] = [
  ["no faults, MTU 23", 23, NO_FAULTS],
  ["no faults, MTU 517", 517, NO_FAULTS],
  ["lost packets", 185, F({ lost: 0.02, seed: 2 })],
  ["doubled packets", 185, F({ doubled: 0.02, seed: 3 })],
  ["corrupted packets", 185, F({ corrupt: 0.02, seed: 4 })],
  ["packets naming the wrong sector", 185, F({ wrong: 0.02, seed: 5 })],
  ["all four at once", 185, F({ lost: 0.005, doubled: 0.005, corrupt: 0.005, wrong: 0.005, seed: 6 })],
];

for (const [key, size] of FAMILIES) {
  for (const [name, mtu, faults] of CASES) {
    t(key + ": " + name + ": the new image boots, reports its version in DIS and is confirmed; nothing written outside the staging slot", () => {
      const x = rig(key, bleImage(key, "1.0.1", size), { mtu: mtu, faults: faults });
      const r = runBleUpdate(x);
      assert.ok(r.confirmed, r.outcome);
      assert.equal([x.device.running!.slot, x.device.running!.version], [1, "1.0.1"]);
      const faulty = faults.lost + faults.doubled + faults.corrupt + faults.wrong > 0;
      if (faulty) assert.ok(r.resends > 0, "the faults cost resends");
      else assert.is(r.resends, 0);
      assert.equal(strayOps(x), []);
    });
  }
}

t.run();
