import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BleOtaClient, sectorPackets, startPacket } from "../src/peers/ble/client.js";
import { NO_FAULTS } from "../src/peers/ble/faults.js";
import { runBleUpdate } from "../src/peers/ble/run.js";
import * as P from "../src/bleota/protocol.js";
import { bleImage, rig, strayOps, wire } from "./support/ble.js";

const t = suite("ble: resume after a disconnect or a reset");

/** The sector that packet number n (1-based, as the client counts) belongs to. */
function sectorOf(img: Uint8Array, mtu: number, n: number): number {
  let k = 0;
  for (let seen = 0; ; k++) {
    seen += sectorPackets(img, k, mtu).length;
    if (n <= seen) return k;
  }
}

for (const [key, size, mtu] of [["puckjs", 0, 23], ["banglejs2", 20000, 185], ["esp32", 20000, 185], ["linux", 20000, 517]] as const) {
  for (const what of ["disconnect", "reset"] as const) {
    t(key + ": a " + what + " in the middle of a sector: the next Start resumes at that sector, named by the first sector index error", () => {
      const img = bleImage(key, "1.0.1", size);
      const total = Math.ceil(img.length / P.SECTOR);
      let n = 0;
      for (let k = 0; k < total - 1; k++) n += sectorPackets(img, k, mtu).length;
      // Half way through the last sector but one... or the one before it.
      const at = n - Math.floor(sectorPackets(img, total - 2, mtu).length / 2);
      const x = rig(key, img, { mtu: mtu, faults: { ...NO_FAULTS, [what]: at } });
      const r = runBleUpdate(x);
      assert.ok(r.confirmed, r.outcome);
      assert.equal(x.client.resumes, [sectorOf(img, mtu, at)]);
      assert.ok(x.client.resumes[0] > 0);
      assert.equal(strayOps(x), []);
    });
  }
}

t("after a reset with the first sectors staged, Start for another image of the same length starts over (its header differs)", () => {
  const a = bleImage("puckjs", "1.0.1");
  const b = bleImage("puckjs", "1.0.2");
  assert.is(a.length, b.length);
  const x = rig("puckjs", a, { mtu: 185 });
  const w = wire(x);
  assert.ok(x.nrf.connect(185));
  w.cmd(startPacket(a.length));
  for (const k of [0, 1]) for (const p of sectorPackets(a, k, 185)) w.fw(p);
  assert.equal(w.take().filter((n) => n[0] === P.RECV_FW).map((n) => n.slice(1, 3)), [[0, P.FW_OK], [1, P.FW_OK]]);
  x.device.powerOn();
  const c = new BleOtaClient({ nrf: x.nrf, clock: x.clock, image: b, mtu: 185 });
  assert.ok(c.run(), c.outcome);
  assert.equal(c.resumes, []);
  x.clock.advance(2000);
  assert.equal(x.device.running!.version, "1.0.2");
});

t("a disconnect, then 70 s without a central (the session stalls): Start resumes from what flash holds", () => {
  const img = bleImage("linux", "1.0.1", 20000);
  const x = rig("linux", img, { mtu: 185 });
  const w = wire(x);
  assert.ok(x.nrf.connect(185));
  w.cmd(startPacket(img.length));
  for (const k of [0, 1]) for (const p of sectorPackets(img, k, 185)) w.fw(p);
  const s2 = sectorPackets(img, 2, 185);
  for (const p of s2.slice(0, 5)) w.fw(p);
  x.nrf.disconnect();
  x.clock.advance(70_000);
  // No notification without a central; the value waits for a read.
  assert.ok(x.nrf.connect(185));
  assert.is(x.nrf.read(P.SERVICE, P.PROGRESS)![1], 24, "STALLED on the progress characteristic");
  x.nrf.disconnect();
  const c = new BleOtaClient({ nrf: x.nrf, clock: x.clock, image: img, mtu: 185 });
  assert.ok(c.run(), c.outcome);
  assert.equal(c.resumes, [2]);
  x.clock.advance(2000);
  assert.equal(x.device.running!.version, "1.0.1");
});

t("a reset at a sector boundary resumes one sector early (the last sector holding data is sent again)", () => {
  const img = bleImage("linux", "1.0.1", 20000);
  const per = sectorPackets(img, 0, 517).length;
  // Sectors 0 and 1 complete; the reset comes before sector 2's first packet.
  const x = rig("linux", img, { mtu: 517, faults: { ...NO_FAULTS, reset: 2 * per + 1 } });
  const r = runBleUpdate(x);
  assert.ok(r.confirmed, r.outcome);
  assert.equal(x.client.resumes, [1]);
});

t.run();
