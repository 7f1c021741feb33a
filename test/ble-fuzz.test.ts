import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BleOtaClient, commandPacket, sectorPackets, startPacket } from "../src/peers/ble/client.js";
import { rng } from "../src/testbench/rng.js";
import * as P from "../src/bleota/protocol.js";
import { bleImage, rig, strayOps } from "./support/ble.js";

const t = suite("ble: hostile writes against the built ble.js");

t("20000 random, mutated and out-of-place writes: no exception, nothing outside the staging slot and the record, and a clean update still completes", () => {
  const img = bleImage("puckjs", "1.0.1");
  const x = rig("puckjs", img, { mtu: 185 });
  const nrf = x.nrf;
  const r = rng(7);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const sectors = [0, 1, 2].map((k) => sectorPackets(img, k, 185));
  const lengths = [0, 1, 127, 128, P.SECTOR, P.SECTOR + 1, img.length, img.length - 1, img.length + 1, 12288, 12289, 0xffffffff];
  nrf.connect(185);
  for (let i = 0; i < 20000; i++) {
    const u = r();
    let p: Uint8Array;
    let ch = P.RECV_FW;
    if (u < 0.1) {
      ch = P.COMMAND;
      p = r() < 0.7 ? startPacket(pick(lengths)) : commandPacket(pick([P.CMD_STOP, P.CMD_ACK, 0, 9]));
      if (r() < 0.2) p[Math.floor(r() * p.length)] ^= 1 << Math.floor(r() * 8);
    } else if (u < 0.4) {
      p = new Uint8Array(Math.floor(r() * 190)).map(() => Math.floor(r() * 256));
      if (r() < 0.5 && p.length > 2) p[1] = 0;
    } else {
      p = pick(pick(sectors)).slice();
      if (r() < 0.5) p[Math.floor(r() * p.length)] ^= 1 << Math.floor(r() * 8);
      if (r() < 0.1) p = p.subarray(0, Math.floor(r() * p.length));
    }
    nrf.write(P.SERVICE, ch, p);
    if (r() < 0.005) {
      nrf.disconnect();
      nrf.connect(185);
    }
    if (r() < 0.002) {
      x.device.powerOn();
      nrf.connect(185);
    }
    x.clock.advance(5);
  }
  assert.equal(strayOps(x), []);
  assert.is(x.device.running!.version, "0.0.0", "nothing was staged and started by the noise");
  nrf.disconnect();
  const c = new BleOtaClient({ nrf: nrf, clock: x.clock, image: img, mtu: 185 });
  assert.ok(c.run(), c.outcome);
  x.clock.advance(2000);
  assert.equal([x.device.running!.slot, x.device.running!.version], [1, "1.0.1"]);
  assert.equal(strayOps(x), []);
});

t.run();
