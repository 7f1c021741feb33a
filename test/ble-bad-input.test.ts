import { suite } from "uvu";
import * as assert from "uvu/assert";
import { E_INCOMPLETE, E_PAYLOAD_DIGEST, E_SIZE, E_TOO_LARGE, E_TRIAL_ACTIVE } from "../src/core/errors.js";
import { HEADER_SIZE } from "../src/core/header.js";
import { BleOtaClient, commandPacket, sectorPackets, startPacket } from "../src/peers/ble/client.js";
import * as P from "../src/bleota/protocol.js";
import { bleImage, rig, strayOps, wire } from "./support/ble.js";

const t = suite("ble: every bad packet gets the protocol's answer, and nothing is written outside the staging slot");

const MTU = 185;
const { RECV_FW: FW, COMMAND: CMD, PROGRESS: PR } = P;

function begin(img = bleImage("puckjs", "1.0.1")) {
  const x = rig("puckjs", img, { mtu: MTU });
  const w = wire(x);
  assert.ok(x.nrf.connect(MTU));
  w.cmd(startPacket(img.length));
  assert.equal(w.take()[0], [CMD, P.CMD_ACK, P.CMD_START, P.ACCEPT], "Start accepted");
  const sector = (k: number) => sectorPackets(img, k, MTU);
  const slot = x.board.layout.slots[1].address;
  const staged = (k: number) => Buffer.from(x.flash.read(Math.min(P.SECTOR, img.length - k * P.SECTOR), slot + k * P.SECTOR)).equals(img.subarray(k * P.SECTOR, (k + 1) * P.SECTOR));
  return { x: x, w: w, img: img, sector: sector, staged: staged };
}

const fwOnly = (n: number[][]) => n.filter((a) => a[0] === FW);

t("a packet before Start, and one after Stop, get a sector index error naming 0xFFFF (no transfer)", () => {
  const img = bleImage("puckjs", "1.0.1");
  const x = rig("puckjs", img, { mtu: MTU });
  const w = wire(x);
  x.nrf.connect(MTU);
  w.fw(sectorPackets(img, 0, MTU)[0]);
  assert.equal(w.take(), [[FW, 0, P.FW_INDEX, P.NO_SECTOR]]);
  w.cmd(startPacket(img.length));
  w.take();
  for (let k = 0; k < 3; k++) for (const p of sectorPackets(img, k, MTU)) w.fw(p);
  w.cmd(commandPacket(P.CMD_STOP));
  assert.equal(w.take().filter((a) => a[0] === CMD), [[CMD, P.CMD_ACK, P.CMD_STOP, P.ACCEPT]]);
  w.fw(sectorPackets(img, 2, MTU)[0]);
  assert.equal(w.take(), [[FW, 2, P.FW_INDEX, P.NO_SECTOR]]);
  assert.equal(strayOps(x), []);
});

t("a short packet (under 3 bytes) gets a payload length error; the sector sent again from packet 0 goes through", () => {
  const b = begin();
  const s0 = b.sector(0);
  b.w.fw(s0[0]);
  b.w.fw(new Uint8Array([0, 0]));
  assert.equal(b.w.take(), [[FW, 0, P.FW_LENGTH, 0]]);
  for (const p of s0) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0]]);
  assert.ok(b.staged(0));
  assert.equal(strayOps(b.x), []);
});

t("a long packet (more data than the sector holds) gets a payload length error; a write over maxLen is refused by the stack", () => {
  const b = begin();
  const s0 = b.sector(0);
  for (const p of s0.slice(0, -1)) b.w.fw(p);
  const long = new Uint8Array(P.FW_HEAD + 175);
  long[2] = s0.length - 1;
  b.w.fw(long);
  assert.equal(b.w.take(), [[FW, 0, P.FW_LENGTH, 0]]);
  b.x.nrf.mtu = 517;
  assert.not.ok(b.x.nrf.write(P.SERVICE, FW, new Uint8Array(513)), "513 bytes: over RECV_FW's maxLen (512, the nRF limit)");
  assert.equal(b.w.take(), []);
  for (const p of s0) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0]]);
  assert.equal(strayOps(b.x), []);
});

t("a sector's last packet that leaves it short gets a payload length error", () => {
  const b = begin();
  const s0 = b.sector(0);
  for (const p of s0.slice(0, -2)) b.w.fw(p);
  const last = s0[s0.length - 1].slice();
  last[2] = P.LAST_SEQ;
  b.w.fw(last);
  assert.equal(b.w.take(), [[FW, 0, P.FW_LENGTH, 0]]);
  assert.equal(strayOps(b.x), []);
});

t("a wrong CRC16 gets a CRC error naming the sector; it is erased and taken again; the image completes", () => {
  const b = begin();
  b.w.fw(b.sector(0)[0]);
  for (const p of b.sector(0).slice(1)) b.w.fw(p);
  const s1 = b.sector(1).map((p) => p.slice());
  s1[3][10] ^= 0x40;
  for (const p of s1) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0], [FW, 1, P.FW_CRC, 1]]);
  assert.not.ok(b.staged(1));
  for (const k of [1, 2]) for (const p of b.sector(k)) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 1, P.FW_OK, 0], [FW, 2, P.FW_OK, 0]]);
  b.w.cmd(commandPacket(P.CMD_STOP));
  assert.equal(b.w.take().filter((a) => a[0] === CMD), [[CMD, P.CMD_ACK, P.CMD_STOP, P.ACCEPT]]);
  // (A tail shorter than the write alignment waits in RAM until Stop.)
  assert.ok(b.staged(1) && b.staged(2));
  assert.equal(strayOps(b.x), []);
});

t("an out-of-order packet (one skipped), a doubled packet and a packet of another sector get a sector index error naming the sector", () => {
  const b = begin();
  const s0 = b.sector(0);
  b.w.fw(s0[0]);
  b.w.fw(s0[2]);
  assert.equal(b.w.take(), [[FW, 0, P.FW_INDEX, 0]], "skipped");
  b.w.fw(s0[0]);
  b.w.fw(s0[1]);
  b.w.fw(s0[1]);
  assert.equal(b.w.take(), [[FW, 0, P.FW_INDEX, 0]], "doubled");
  b.w.fw(s0[0]);
  b.w.fw(b.sector(1)[0]);
  assert.equal(b.w.take(), [[FW, 1, P.FW_INDEX, 0]], "another sector");
  for (const p of s0) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0]]);
  assert.ok(b.staged(0));
  assert.equal(strayOps(b.x), []);
});

t("the image's last packet doubled after its sector was acknowledged: an index error naming the sector after it; Stop still goes through", () => {
  const b = begin();
  for (let k = 0; k < 3; k++) for (const p of b.sector(k)) b.w.fw(p);
  const last = b.sector(2);
  b.w.fw(last[last.length - 1]);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0], [FW, 1, P.FW_OK, 0], [FW, 2, P.FW_OK, 0], [FW, 2, P.FW_INDEX, 3]]);
  b.w.cmd(commandPacket(P.CMD_STOP));
  assert.equal(b.w.take().filter((a) => a[0] === CMD), [[CMD, P.CMD_ACK, P.CMD_STOP, P.ACCEPT]]);
  assert.equal(strayOps(b.x), []);
});

t("Stop before every byte, and commands with a bad CRC16, a wrong length or an unknown id, are rejected", () => {
  const b = begin();
  for (const p of b.sector(0)) b.w.fw(p);
  b.w.take();
  b.w.cmd(commandPacket(P.CMD_STOP));
  assert.equal(b.w.take(), [[CMD, P.CMD_ACK, P.CMD_STOP, P.REJECT], [PR, Math.floor((P.SECTOR * 100) / b.img.length), E_INCOMPLETE]]);
  const bad = commandPacket(P.CMD_STOP);
  bad[19] ^= 1;
  b.w.cmd(bad);
  b.w.cmd(commandPacket(7));
  b.w.cmd(commandPacket(P.CMD_START).subarray(0, 19));
  assert.equal(b.w.take().filter((a) => a[0] === CMD), [[CMD, 3, 2, 1], [CMD, 3, 7, 1], [CMD, 3, 1, 1]]);
  for (const k of [1, 2]) for (const p of b.sector(k)) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 1, P.FW_OK, 0], [FW, 2, P.FW_OK, 0]], "the transfer went on");
  assert.equal(strayOps(b.x), []);
});

t("Start of 0 bytes, of less than a header, or larger than the slot is rejected with SIZE / TOO_LARGE", () => {
  const img = bleImage("puckjs", "1.0.1");
  const x = rig("puckjs", img, { mtu: MTU });
  const w = wire(x);
  x.nrf.connect(MTU);
  for (const n of [0, HEADER_SIZE - 1, x.board.layout.slots[1].size + 1]) w.cmd(startPacket(n));
  assert.equal(w.take(), [[CMD, 3, 1, 1], [PR, 0, E_SIZE], [CMD, 3, 1, 1], [PR, 0, E_SIZE], [CMD, 3, 1, 1], [PR, 0, E_TOO_LARGE]]);
  assert.equal(x.flash.log, []);
});

t("an image for another board: its sector 0 ends the transfer (0xFFFF) with WRONG_BOARD on the progress characteristic", () => {
  const img = bleImage("puckjs", "1.0.1", 0, { board: "MDBT42Q" });
  const x = rig("puckjs", img, { mtu: MTU });
  const c = x.client;
  assert.not.ok(c.run());
  assert.is(c.outcome, "sector 0 refused: WRONG_BOARD; not resending");
  assert.equal(strayOps(x), []);
});

t("a damaged payload: Stop is rejected (PAYLOAD_DIGEST) and the next Start of that length starts over", () => {
  const img = bleImage("puckjs", "1.0.1");
  img[img.length - 100] ^= 1;
  const b = begin(img);
  for (let k = 0; k < 3; k++) for (const p of b.sector(k)) b.w.fw(p);
  b.w.take();
  b.w.cmd(commandPacket(P.CMD_STOP));
  assert.equal(b.w.take(), [[CMD, 3, 2, 1], [PR, 100, E_PAYLOAD_DIGEST]]);
  b.w.cmd(startPacket(img.length));
  for (const p of b.sector(0)) b.w.fw(p);
  assert.equal(fwOnly(b.w.take()), [[FW, 0, P.FW_OK, 0]], "no resume: sector 0 taken again");
  assert.equal(b.x.device.running!.version, "0.0.0");
  assert.equal(strayOps(b.x), []);
});

t("Start while the running image is on trial is rejected with TRIAL_ACTIVE; a second central cannot connect", () => {
  const v2 = bleImage("puckjs", "1.0.1", 0, { app: "OTA.ble({autoConfirm:false});\n" });
  const x = rig("puckjs", v2, { mtu: MTU });
  assert.ok(x.client.run(), x.client.outcome);
  x.clock.advance(2000);
  assert.equal([x.device.running!.version, x.device.running!.reason], ["1.0.1", 1]);
  const w = wire(x);
  assert.ok(x.nrf.connect(MTU));
  assert.not.ok(x.nrf.connect(MTU), "one central at a time");
  w.cmd(startPacket(v2.length));
  assert.equal(w.take(), [[CMD, 3, 1, 1], [PR, 0, E_TRIAL_ACTIVE]]);
  const c = new BleOtaClient({ nrf: x.nrf, clock: x.clock, image: v2, mtu: MTU });
  assert.not.ok(c.run());
  assert.is(c.outcome, "Start refused: TRIAL_ACTIVE");
});

t.run();
