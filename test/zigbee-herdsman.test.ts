import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createRequire } from "node:module";
import { parseOtaHeader, parseOtaImage, setLogger, Zcl } from "zigbee-herdsman";
import { runZigbee, zigbeeRig } from "../src/peers/zigate/run.js";
import { encodeZiGate, MSG_BLOCK_REQUEST, MSG_UPGRADE_END_REQUEST, ZiGateDecoder, be16, be32 } from "../src/peers/zigate/zigate.js";
import { buildOtaFile, fileVersionOf, OTA_HEADER_MAX, parseOtaFileHeader, upgradeImageOf } from "../src/zigbee/otafile.js";
import { decodeToClient, decodeToServer, newZclOta, CMD_BLOCK_REQ, CMD_BLOCK_RSP, CMD_END_REQ, CMD_END_RSP, CMD_IMAGE_NOTIFY, CMD_QUERY_REQ, CMD_QUERY_RSP, ST_WAIT_FOR_DATA } from "../src/zigbee/zcl.js";
import { escapeInto, loopSum, XBeeDecoder, XBeeEncoder } from "../src/zigbee/xbee.js";
import { ITYPE, MFR, zigbeeFile, zigbeeImage } from "./support/zigbee.js";

// zigbee-herdsman's own ZiGate frame parser (its adapter's driver/frame), an independent reading of the serial format.
const require = createRequire(import.meta.url);
const HFrame = require("zigbee-herdsman/dist/adapter/zigate/driver/frame.js").default as new (b: Buffer) => {
  readMsgCode(): number; readMsgLength(): number; readChecksum(): number; calcChecksum(): number; readRSSI(): number; msgPayloadBytes: Buffer;
};
const isValidFrame = require("zigbee-herdsman/dist/adapter/zigate/driver/frame.js").default.isValid as (b: Buffer) => boolean;

// herdsman logs every frame it parses at debug level: quiet.
const quiet = () => {};
setLogger({ debug: quiet, info: quiet, warning: quiet, error: quiet });

const t = suite("cross-check against zigbee-herdsman: ZiGate frames, ZCL OTA payloads, OTA file headers");

/** One whole update with a pause, capturing the serial frames both ways and every ZCL frame on the radio. */
function capture() {
  const file = zigbeeFile(zigbeeImage({ version: "1.1.0" }), "1.1.0");
  const x = zigbeeRig({ file: file, plugin: { pauseAt: { offset: 2000, seconds: 3, minBlockPeriod: 20 }, upgrade: "absolute" } });
  const serial: { from: "host" | "zigate"; bytes: Uint8Array }[] = [];
  x.serial.setWire((b, from) => {
    serial.push({ from: from === "a" ? "host" : "zigate", bytes: b.slice() });
    return [b];
  });
  const zcl: { fromDevice: boolean; bytes: Uint8Array }[] = [];
  x.network.onZcl = (z, d) => zcl.push({ fromDevice: d, bytes: z.slice() });
  const r = runZigbee(x);
  assert.ok(r.completed, r.outcome);
  return { serial: serial, zcl: zcl, file: file };
}

const C = capture();

t("every ZiGate frame on the wire (both ways) parses with herdsman's frame parser: code, length, checksum, payload, LQI", () => {
  let n = 0;
  const codes = new Set<number>();
  for (const s of C.serial) {
    const ours: { type: number; payload: Uint8Array }[] = [];
    new ZiGateDecoder((f) => ours.push(f)).feed(s.bytes);
    assert.is(ours.length, 1, "one frame a write");
    const buf = Buffer.from(s.bytes);
    assert.ok(isValidFrame(buf));
    const h = new HFrame(buf);
    assert.is(h.readMsgCode(), ours[0].type);
    assert.is(h.readChecksum(), h.calcChecksum(), "checksum as herdsman computes it");
    // herdsman reads every frame as one from the ZiGate: the last byte the length counts is the LQI.
    const p = ours[0].payload;
    assert.equal([...h.msgPayloadBytes], [...p.subarray(0, p.length - 1)]);
    assert.is(h.readRSSI(), p[p.length - 1]);
    if (s.from === "zigate") assert.is(h.readRSSI(), 0xb4, "LQI");
    codes.add(ours[0].type);
    n++;
  }
  for (const c of [0x0500, 0x0505, 0x0502, 0x0506, 0x0504, 0x8000, 0x8501, 0x8503]) assert.ok(codes.has(c), "saw 0x" + c.toString(16));
  assert.ok(n > 900);
});

t("our encoder and herdsman's agree byte for byte on the escaping of bytes below 0x10", () => {
  const HF = require("zigbee-herdsman/dist/adapter/zigate/driver/frame.js").default;
  for (const payload of [[0x00, 0x01, 0x0f, 0x11, 0xff], [0x02, 0x03, 0x10 - 1]]) {
    const h = new HF();
    h.writeMsgCode(0x0502).writeMsgPayload(Buffer.from(payload));
    assert.equal([...h.toBuffer()], [...encodeZiGate(0x0502, new Uint8Array(payload))]);
  }
});

/** herdsman's ZCL decoding of one OTA-cluster frame. */
function hz(b: Uint8Array) {
  const buf = Buffer.from(b);
  const f = Zcl.Frame.fromBuffer(0x0019, Zcl.Header.fromBuffer(buf), buf, {});
  return { name: f.command.name, p: f.payload as Record<string, number | Buffer | undefined> };
}

t("every ZCL frame on the radio decodes to the same fields with herdsman's ZCL frame parser", () => {
  const seen = new Set<string>();
  for (const z of C.zcl) {
    const h = hz(z.bytes);
    const m = (z.fromDevice ? decodeToServer : decodeToClient)(z.bytes, z.bytes.length, newZclOta());
    assert.ok(m.ok, h.name);
    seen.add(h.name);
    const p = h.p;
    if (m.cmd === CMD_IMAGE_NOTIFY) {
      assert.is(h.name, "imageNotify");
      assert.equal([p.payloadType, p.queryJitter, p.manufacturerCode, p.imageType, p.fileVersion], [m.payloadType, m.jitter, m.manufacturer, m.imageType, m.fileVersion]);
    } else if (m.cmd === CMD_QUERY_REQ) {
      assert.is(h.name, "queryNextImageRequest");
      assert.equal([p.fieldControl, p.manufacturerCode, p.imageType, p.fileVersion], [m.fieldControl, m.manufacturer, m.imageType, m.fileVersion]);
    } else if (m.cmd === CMD_QUERY_RSP) {
      assert.is(h.name, "queryNextImageResponse");
      assert.equal([p.status, p.manufacturerCode, p.imageType, p.fileVersion, p.imageSize], [m.status, m.manufacturer, m.imageType, m.fileVersion, m.size]);
    } else if (m.cmd === CMD_BLOCK_REQ) {
      assert.is(h.name, "imageBlockRequest");
      assert.equal([p.fieldControl, p.manufacturerCode, p.imageType, p.fileVersion, p.fileOffset, p.maximumDataSize, p.minimumBlockPeriod],
        [m.fieldControl, m.manufacturer, m.imageType, m.fileVersion, m.offset, m.maxData, m.minBlockPeriod]);
    } else if (m.cmd === CMD_BLOCK_RSP && m.status === ST_WAIT_FOR_DATA) {
      assert.is(h.name, "imageBlockResponse");
      assert.equal([p.status, p.currentTime, p.requestTime, p.minimumBlockPeriod], [m.status, m.currentTime, m.requestTime, m.minBlockPeriod]);
      seen.add("wait");
    } else if (m.cmd === CMD_BLOCK_RSP) {
      assert.is(h.name, "imageBlockResponse");
      assert.equal([p.status, p.manufacturerCode, p.imageType, p.fileVersion, p.fileOffset, p.dataSize], [m.status, m.manufacturer, m.imageType, m.fileVersion, m.offset, m.data!.length]);
      assert.equal([...(p.data as Buffer)], [...m.data!]);
    } else if (m.cmd === CMD_END_REQ) {
      assert.is(h.name, "upgradeEndRequest");
      assert.equal([p.status, p.manufacturerCode, p.imageType, p.fileVersion], [m.status, m.manufacturer, m.imageType, m.fileVersion]);
    } else if (m.cmd === CMD_END_RSP) {
      assert.is(h.name, "upgradeEndResponse");
      assert.equal([p.manufacturerCode, p.imageType, p.fileVersion, p.currentTime, p.upgradeTime], [m.manufacturer, m.imageType, m.fileVersion, m.currentTime, m.upgradeTime]);
    } else assert.unreachable("command " + m.cmd);
  }
  for (const n of ["imageNotify", "queryNextImageRequest", "queryNextImageResponse", "imageBlockRequest", "imageBlockResponse", "wait", "upgradeEndRequest", "upgradeEndResponse"]) assert.ok(seen.has(n), n);
});

t("the ZiGate's 0x8501 / 0x8503 fields (seed layout, big-endian) are the device's request as herdsman reads it", () => {
  const ups: { type: number; p: Uint8Array }[] = [];
  const dec = new ZiGateDecoder((f) => ups.push({ type: f.type, p: f.payload }));
  for (const s of C.serial) if (s.from === "zigate") dec.feed(s.bytes);
  const reqs = C.zcl.filter((z) => z.fromDevice).map((z) => hz(z.bytes)).filter((h) => h.name !== "queryNextImageRequest");
  const msgs = ups.filter((u) => u.type === MSG_BLOCK_REQUEST || u.type === MSG_UPGRADE_END_REQUEST);
  assert.ok(msgs.length > 400);
  // Compare in order, every radio request that reached the ZiGate (no loss in this run).
  assert.is(msgs.length, reqs.length);
  msgs.forEach((u, i) => {
    const h = reqs[i].p;
    if (u.type === MSG_BLOCK_REQUEST) {
      assert.is(reqs[i].name, "imageBlockRequest");
      assert.equal([be16(u.p, 2), be32(u.p, 15), be32(u.p, 19), be16(u.p, 23), be16(u.p, 25), be16(u.p, 27), u.p[29], u.p[30]],
        [0x0019, h.fileOffset, h.fileVersion, h.imageType, h.manufacturerCode, h.minimumBlockPeriod, h.maximumDataSize, h.fieldControl]);
    } else {
      assert.is(reqs[i].name, "upgradeEndRequest");
      assert.equal([be32(u.p, 7), be16(u.p, 11), be16(u.p, 13), u.p[15]], [h.fileVersion, h.imageType, h.manufacturerCode, h.status]);
    }
  });
});

t("OTA file headers and sub-elements: ours and herdsman's parseOtaHeader / parseOtaImage agree (every field-control combination)", () => {
  const img = zigbeeImage({ version: "1.1.0", payload: "//x" });
  for (let fc = 0; fc < 8; fc++) {
    const f = buildOtaFile({
      manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("1.1.0"), image: img, headerString: "hdr " + fc,
      securityCredential: fc & 1 ? 3 : undefined, destination: fc & 2 ? new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) : undefined, hardware: fc & 4 ? { min: 2, max: 7 } : undefined,
      elements: [{ tag: 3, data: new Uint8Array(16).fill(9) }],
    });
    const ours = parseOtaFileHeader(f, Math.min(f.length, OTA_HEADER_MAX)).header!;
    const h = parseOtaHeader(Buffer.from(f));
    assert.equal([h.otaUpgradeFileIdentifier, h.otaHeaderVersion, h.otaHeaderLength, h.otaHeaderFieldControl, h.manufacturerCode, h.imageType, h.fileVersion, h.zigbeeStackVersion, h.totalImageSize],
      [0x0beef11e, ours.headerVersion, ours.headerLength, ours.fieldControl, ours.manufacturer, ours.imageType, ours.fileVersion, ours.stackVersion, ours.totalSize]);
    assert.is(h.otaHeaderString.replace(/\0+$/, ""), ours.headerString);
    if (fc & 1) assert.is(h.securityCredentialVersion, ours.securityCredential);
    if (fc & 4) assert.equal([h.minimumHardwareVersion, h.maximumHardwareVersion], [ours.minHardware, ours.maxHardware]);
    const hi = parseOtaImage(Buffer.from(f));
    const w = upgradeImageOf(f)!;
    assert.equal(hi.elements.map((e) => e.tagId), [0, 3]);
    assert.equal([...hi.elements[0].data], [...f.subarray(w.offset, w.offset + w.length)]);
  }
  // And the file served in the update.
  const h = parseOtaHeader(Buffer.from(C.file));
  assert.is(h.fileVersion, 0x01010000);
  assert.is(h.totalImageSize, C.file.length);
});

t("XBee API frames: Digi's documented examples (escape 0x11 -> 7D 31, checksum CB; Transmit Status checksum 71)", () => {
  const e = new XBeeEncoder({ maxData: 16, sum: loopSum });
  e.data.set([0x23, 0x11]);
  assert.equal([...e.encode(2)], [0x7e, 0x00, 0x02, 0x23, 0x7d, 0x31, 0xcb]);
  e.data.set([0x8b, 0x01, 0x7d, 0x84, 0x00, 0x00, 0x01]);
  const f = [...e.encode(7)];
  assert.is(f[f.length - 1], 0x71);
  // 0x7D in the data goes escaped in API mode 2.
  assert.equal(f.slice(0, 7), [0x7e, 0x00, 0x07, 0x8b, 0x01, 0x7d, 0x5d]);
  const out: number[][] = [];
  const d = new XBeeDecoder({ maxData: 16, sum: loopSum, onFrame: (b, n) => out.push([...b.subarray(0, n)]) });
  // Split anywhere, garbage before, a damaged frame between.
  const bad = Uint8Array.from([0x7e, 0x00, 0x02, 0x23, 0x7d, 0x31, 0xcc]);
  const all = Uint8Array.from([0x55, ...bad, ...e.encode(7), 0x11]);
  for (let i = 0; i < all.length; i += 3) d.feed(all.subarray(i, i + 3));
  assert.equal(out, [[0x8b, 0x01, 0x7d, 0x84, 0x00, 0x00, 0x01]]);
  assert.is(d.errors, 1);
  // A frame whose length field was damaged (claims 100 bytes) is given up as soon as the next frame starts.
  const out2: number[][] = [];
  const d2 = new XBeeDecoder({ maxData: 200, sum: loopSum, onFrame: (b, n) => out2.push([...b.subarray(0, n)]) });
  d2.feed(Uint8Array.from([0x7e, 0x00, 0x64, 0x23, 0x24]));
  d2.feed(e.encode(7));
  assert.equal(out2, [[0x8b, 0x01, 0x7d, 0x84, 0x00, 0x00, 0x01]]);
  const dst = new Uint8Array(20);
  assert.is(escapeInto(Uint8Array.from([0x7e, 0x7d, 0x11, 0x13, 0x20]), dst, 0, undefined), 9);
  assert.equal([...dst.subarray(0, 9)], [0x7d, 0x5e, 0x7d, 0x5d, 0x7d, 0x31, 0x7d, 0x33, 0x20]);
});

t.run();
