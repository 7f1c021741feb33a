import { suite } from "uvu";
import * as assert from "uvu/assert";
import { sha256Pieces } from "../src/platform/espruino/sha256.js";
import { sha256 } from "../src/platform/host/digest.js";

const t = suite("JS SHA-256 (boards without crypto.SHA256)");

t("matches SHA-256 for every length around the padding edges and for larger inputs", () => {
  const data = new Uint8Array(3000).map((_, i) => (i * 131 + 7) & 255);
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 255, 256, 257, 1000, 3000]) {
    const got = sha256Pieces(n, (k, o) => data.subarray(o, o + k));
    assert.equal([...got], [...sha256(data.subarray(0, n))], "length " + n);
  }
});

t("'abc' gives the FIPS 180-2 vector", () => {
  const abc = new TextEncoder().encode("abc");
  assert.is(Buffer.from(sha256Pieces(3, (k, o) => abc.subarray(o, o + k))).toString("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

t.run();
