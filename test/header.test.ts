import { suite } from "uvu";
import * as assert from "uvu/assert";
import { E_FORMAT, E_HEADER_CRC, E_MAGIC, OK } from "../src/core/errors.js";
import { HEADER_SIZE, encodeHeader, parseHeader } from "../src/core/header.js";
import { setU16, setU32 } from "../src/core/bytes.js";
import { crc32, sha256 } from "../src/platform/host/digest.js";
import { buildImage, readBlynkTag } from "../src/testbench/image.js";

const t = suite("header");
const info = {
  payloadLength: 10, imageLength: 200, sha256: sha256(new Uint8Array(10)),
  board: "PUCKJS", type: "TMPL1234ABCD", version: "1.2.3", build: "2026-11-26 12:00",
};

t("the header is 128 bytes and this exact layout (test vector for ports)", () => {
  const h = encodeHeader({ ...info, sha256: new Uint8Array(32).fill(0x11) }, crc32);
  assert.is(h.length, HEADER_SIZE);
  const hex = Buffer.from(h).toString("hex");
  assert.is(hex.slice(0, 32), "454f5441" + "0100" + "8000" + "0a000000" + "c8000000");
  assert.is(hex.slice(32, 96), "11".repeat(32));
  assert.is(Buffer.from(h.subarray(48, 54)).toString(), "PUCKJS");
  assert.is(h[54], 0);
  assert.is(Buffer.from(h.subarray(92, 97)).toString(), "1.2.3");
  assert.is(Buffer.from(h).readUInt32LE(124), crc32(h.subarray(0, 124)));
});

t("parse returns every field of what encode wrote", () => {
  const r = parseHeader(encodeHeader(info, crc32), crc32);
  assert.is(r.code, OK);
  assert.equal({ ...r.info, sha256: [...r.info!.sha256] }, { ...info, sha256: [...info.sha256] });
});

t("a wrong magic, a flipped bit, a wrong format or impossible lengths are refused", () => {
  const good = encodeHeader(info, crc32);
  const bad = (mutate: (b: Uint8Array) => void, fix = true) => {
    const b = good.slice();
    mutate(b);
    if (fix) setU32(b, 124, crc32(b.subarray(0, 124)));
    return parseHeader(b, crc32).code;
  };
  assert.is(bad((b) => (b[0] = 0x46)), E_MAGIC);
  assert.is(bad((b) => (b[70] ^= 4), false), E_HEADER_CRC);
  assert.is(bad((b) => setU16(b, 4, 2)), E_FORMAT);
  assert.is(bad((b) => setU16(b, 6, 64)), E_FORMAT);
  assert.is(bad((b) => setU32(b, 12, 100)), E_FORMAT);
  assert.is(parseHeader(good.subarray(0, 100), crc32).code, E_MAGIC);
});

t("encode refuses text that does not fit its field", () => {
  assert.throws(() => encodeHeader({ ...info, version: "1.2.3-very-long-tag" }, crc32), /version/);
});

t("an image carries the Blynk info tag that Blynk.Cloud scans for", () => {
  const img = buildImage({ board: "LINUX", type: "TMPLxyz", version: "2.0.1", build: "Nov 26 2026", payload: new Uint8Array([1, 2, 3]) });
  assert.equal(readBlynkTag(img), { mcu: "2.0.1", "fw-type": "TMPLxyz", build: "Nov 26 2026", blynk: "1.0.0" });
  const h = parseHeader(img, crc32).info!;
  assert.is(h.imageLength, img.length);
  assert.equal([...h.sha256], [...sha256(new Uint8Array([1, 2, 3]))]);
});

t.run();
