import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CRC16_INIT, crc16Table, tableCrc16, wordCrc16 } from "../src/bleota/crc16.js";
import * as P from "../src/bleota/protocol.js";
import { commandPacket, startPacket } from "../src/peers/ble/client.js";
import { bleImage, rig, wire } from "./support/ble.js";

const t = suite("ble: CRC-16/CCITT-FALSE");

/** Bit by bit, as Espressif's crc16_ccitt but with init 0xFFFF (the seed's tool). */
function reference(b: Uint8Array, init = 0xffff): number {
  let c = init;
  for (const x of b) {
    c ^= x << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

const crc16 = tableCrc16(crc16Table());
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

t("the golden vectors from the seed's log: Start 558144 ends in 79 1D, Stop in E8 B5", () => {
  const start = startPacket(558144);
  assert.is(hex(start.subarray(0, 6)), "010040840800");
  assert.is(hex(start.subarray(18)), "791d");
  assert.is(hex(commandPacket(P.CMD_STOP).subarray(18)), "e8b5");
  assert.is(crc16(new TextEncoder().encode("123456789"), 0, 9, CRC16_INIT), 0x29b1);
  // Espressif's crc16_ccitt starts at 0: the seed's bytes are not what it would send.
  assert.equal([reference(start.subarray(0, 18), 0), reference(commandPacket(P.CMD_STOP).subarray(0, 18), 0)], [0x58d2, 0xf043]);
});

t("the table and the four-bytes-a-statement loop agree with the bit loop, piece by piece", () => {
  const t16 = crc16Table();
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    assert.is(t16[i], c, "entry " + i);
  }
  const data = new Uint8Array(4096).map((_, i) => (i * 131 + (i >> 3)) & 255);
  for (const n of [0, 1, 3, 4, 5, 17, 511, 4096]) {
    const d = data.subarray(0, n);
    assert.is(crc16(d, 0, n, CRC16_INIT), reference(d), "length " + n);
    const half = n >> 1;
    assert.is(crc16(d, half, n, crc16(d, 0, half, CRC16_INIT)), reference(d), "two pieces, length " + n);
  }
});

t("the device's two-bytes-a-step loop agrees at every alignment and length, and across pieces", () => {
  const word = wordCrc16(crc16Table());
  const buf = new Uint8Array(600).map((_, i) => (i * 97 + 13) & 255);
  for (const off of [0, 1, 2, 3]) {
    for (const n of [0, 1, 2, 3, 7, 8, 9, 16, 17, 511, 512]) {
      const d = buf.subarray(off, off + n);
      assert.is(word(d, 0, n, CRC16_INIT), reference(d), "offset " + off + ", length " + n);
      assert.is(word(buf, off, off + n, CRC16_INIT), reference(d), "start " + off + ", length " + n);
    }
  }
  const d = buf.subarray(3, 500);
  assert.is(word(d, 5, d.length, word(d, 0, 5, CRC16_INIT)), reference(d));
});

t("the built ble.js accepts the golden Start and answers with an ACK whose CRC16 checks out; a flipped CRC byte is rejected", () => {
  const img = bleImage("puckjs", "1.0.1");
  const x = rig("puckjs", img);
  const w = wire(x);
  assert.ok(x.nrf.connect(23));
  const bad = startPacket(img.length);
  bad[18] ^= 1;
  w.cmd(bad);
  const r = w.raw();
  assert.is(r[0][0], P.COMMAND);
  assert.is(hex(r[0][1].subarray(0, 6)), "030001000100", "ACK of command 1: reject");
  assert.is(P.commandId(r[0][1], crc16), P.CMD_ACK, "the board's ACK carries a right CRC16");
  w.cmd(startPacket(img.length));
  const a = w.raw()[0][1];
  assert.is(hex(a.subarray(0, 6)), "030001000000", "ACK of command 1: accept");
  assert.is(reference(a.subarray(0, 18)), P.u16(a, 18));
});

t.run();
