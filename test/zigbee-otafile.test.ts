import { suite } from "uvu";
import * as assert from "uvu/assert";
import { E_PAYLOAD_DIGEST, E_WRONG_BOARD } from "../src/core/errors.js";
import { BootRecord } from "../src/core/record.js";
import { onTrial } from "../src/core/state.js";
import { crc32 } from "../src/platform/host/digest.js";
import { runZigbee, zigbeeRig, type ZigbeeRigOptions } from "../src/peers/zigate/run.js";
import {
  buildOtaFile, fileVersionOf, ZF_FILE_ID, ZF_FILE_VERSION, ZF_HARDWARE, ZF_HEADER_LENGTH, ZF_HEADER_VERSION, ZF_IMAGE_TYPE, ZF_IMAGE_VERSION,
  ZF_MANUFACTURER, ZF_NO_UPGRADE_IMAGE, ZF_SIZE, ZF_TWO_IMAGES, ZF_UNKNOWN_TAG,
} from "../src/zigbee/otafile.js";
import { ST_INVALID_IMAGE } from "../src/zigbee/zcl.js";
import { ITYPE, MFR, zigbeeFile, zigbeeImage } from "./support/zigbee.js";

const t = suite("Zigbee OTA file checks: each refusal, on the built bundle (README Bad-input catalog)");

// Small images: a refused file never runs.
const IMG = zigbeeImage({ version: "1.1.0", payload: "//" + "x".repeat(3000) });
const GOOD = zigbeeFile(IMG, "1.1.0");
const LOADED = { manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("1.1.0") };

const mutate = (f: Uint8Array, fn: (c: Uint8Array) => void) => {
  const c = f.slice();
  fn(c);
  return c;
};

function refused(o: Partial<ZigbeeRigOptions> & { file: Uint8Array }) {
  const x = zigbeeRig({ image: IMG, manufacturer: MFR, imageType: ITYPE, ...o, plugin: { header: LOADED, ...o.plugin } });
  runZigbee(x, { limitMs: 120_000 });
  x.clock.advance(10_000);
  const ev = x.events.find((e) => e.name === "refused" || (e.name === "offer" && e.a !== 0));
  const st = new BootRecord({ flash: x.flash, crc32: crc32, banks: x.board.layout.banks }).read();
  assert.is(x.device.running!.version, o.factoryVersion || "1.0.0", "the board keeps its image");
  assert.not.ok(onTrial(st), "nothing pending");
  return { x: x, code: ev ? (ev.a as number) : -1, name: ev ? ev.name : "", requests: x.plugin.requests };
}

/** A refusal after blocks were read: Upgrade End INVALID_IMAGE. */
function afterBlocks(file: Uint8Array, code: number, o: Partial<ZigbeeRigOptions> = {}) {
  const r = refused({ file: file, ...o });
  assert.is(r.code, code, "code");
  assert.is(r.name, "refused");
  assert.is(r.x.plugin.endStatus, ST_INVALID_IMAGE, "Upgrade End INVALID_IMAGE");
  return r;
}

/** A refusal from the Query Next Image Response alone: not one block asked for, no Upgrade End. */
function beforeBlocks(code: number, o: Partial<ZigbeeRigOptions>) {
  const r = refused({ file: GOOD, ...o });
  assert.is(r.code, code, "code");
  assert.is(r.name, "offer");
  assert.is(r.requests, 0, "no block requested");
  assert.is(r.x.plugin.endStatus, -1);
}

t("FILE_ID: not 0x0BEEF11E", () => void afterBlocks(mutate(GOOD, (c) => (c[0] ^= 0xff)), ZF_FILE_ID));
t("HEADER_VERSION: not 0x0100", () => void afterBlocks(mutate(GOOD, (c) => (c[5] = 2)), ZF_HEADER_VERSION));
t("HEADER_LENGTH: length disagrees with the field control", () => void afterBlocks(mutate(GOOD, (c) => (c[6] = 57)), ZF_HEADER_LENGTH));
t("HEADER_LENGTH: reserved field control bits", () => void afterBlocks(mutate(GOOD, (c) => (c[9] = 0x80)), ZF_HEADER_LENGTH));
t("MANUFACTURER: the file names another manufacturer than the server did", () => void afterBlocks(zigbeeFile(IMG, "1.1.0", { manufacturer: 0x9999 }), ZF_MANUFACTURER));
t("IMAGE_TYPE: the file names another image type", () => void afterBlocks(zigbeeFile(IMG, "1.1.0", { imageType: 0x0001 }), ZF_IMAGE_TYPE));
t("FILE_VERSION: the file's version differs from the one offered", () => void afterBlocks(zigbeeFile(IMG, "1.2.0"), ZF_FILE_VERSION));
t("FILE_SIZE: total size differs from the size offered", () => void afterBlocks(GOOD, ZF_SIZE, { plugin: { header: { ...LOADED, size: GOOD.length + 64 } } }));
t("FILE_SIZE: a sub-element runs past the end", () => void afterBlocks(mutate(GOOD, (c) => (c[60] = 0x7f)), ZF_SIZE));
t("NO_UPGRADE_IMAGE: no tag 0 in the file", () => void afterBlocks(mutate(GOOD, (c) => (c[57] = 0xf0)), ZF_NO_UPGRADE_IMAGE));
t("TWO_UPGRADE_IMAGES: a second tag 0", () => void afterBlocks(zigbeeFile(IMG, "1.1.0", { elements: [{ tag: 0, data: new Uint8Array(10) }] }), ZF_TWO_IMAGES));
t("UNKNOWN_TAG: a reserved tag (0x0100) is content we cannot ignore", () => {
  const r = afterBlocks(zigbeeFile(IMG, "1.1.0", { elements: [{ tag: 0x0100, data: new Uint8Array(8), before: true }] }), ZF_UNKNOWN_TAG);
  assert.not.ok(r.x.events.some((e) => e.name === "resume" || e.name === "progress"), "refused before anything was staged");
});
t("IMAGE_VERSION: our image's version does not map to the file version", () => void afterBlocks(zigbeeFile(zigbeeImage({ version: "1.2.0", payload: "//x" }), "1.1.0"), ZF_IMAGE_VERSION));
t("HARDWARE_VERSION: the file's hardware range leaves this board out", () => void afterBlocks(zigbeeFile(IMG, "1.1.0", { hardware: { min: 1, max: 3 } }), ZF_HARDWARE, { extra: ",hardwareVersion:5" }));
t("core WRONG_BOARD inside tag 0: INVALID_IMAGE", () => void afterBlocks(zigbeeFile(zigbeeImage({ version: "1.1.0", board: "esp32", payload: "//x" }), "1.1.0"), E_WRONG_BOARD));
t("core PAYLOAD_DIGEST inside tag 0: INVALID_IMAGE at the end", () => {
  // A byte of the payload (tag 0's data starts at 62, the payload 128 bytes later).
  const bad = mutate(GOOD, (c) => (c[62 + 128 + 100] ^= 1));
  const r = afterBlocks(bad, E_PAYLOAD_DIGEST);
  assert.ok(r.x.events.some((e) => e.name === "finished" && e.a === E_PAYLOAD_DIGEST));
});
t("FILE_VERSION before the first block: not newer than the running one", () => beforeBlocks(ZF_FILE_VERSION, { factoryVersion: "1.1.0" }));
t("FILE_SIZE before the first block: larger than the slot", () => beforeBlocks(ZF_SIZE, { plugin: { header: { ...LOADED, size: 4 << 20 } } }));
t("another manufacturer's server: the ZiGate answers NO_IMAGE_AVAILABLE; nothing asked", () => {
  const r = refused({ file: GOOD, manufacturer: 0x4321 });
  assert.is(r.requests, 0);
  assert.ok(r.x.events.some((e) => e.name === "no-image" && e.a === 0x98));
});

t("signature, certificate, integrity-code and manufacturer tags are skipped unread (not trusted); the update completes", () => {
  const img = zigbeeImage({ version: "1.1.0" });
  const file = buildOtaFile({
    manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("1.1.0"), image: img, securityCredential: 2, hardware: { min: 0, max: 9 },
    elements: [{ tag: 1, data: new Uint8Array(50).fill(0xee), before: true }, { tag: 2, data: new Uint8Array(48) }, { tag: 3, data: new Uint8Array(16) }, { tag: 0xf001, data: new Uint8Array(5) }],
  });
  const x = zigbeeRig({ file: file });
  const r = runZigbee(x);
  assert.ok(r.completed, r.outcome);
  const tags = x.events.filter((e) => e.name === "element").map((e) => e.a);
  assert.equal(tags, [1, 0, 2, 3, 0xf001]);
  // Skipped tags were never fetched: fewer bytes requested than the file holds.
  // Header 61 bytes (security credential + hardware versions), tag 1's data at 67..117: never asked for.
  assert.ok(!x.plugin.offsets.some((o) => o > 61 && o < 117), "the signature's bytes were not asked for: " + x.plugin.offsets.slice(0, 6));
});

t.run();
