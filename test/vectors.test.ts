import { readFileSync, readdirSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateVectors } from "../src/vectors/index.js";

const t = suite("vectors");
const dir = new URL("../vectors/", import.meta.url);

t("the checked-in vectors are exactly what the TypeScript implementation generates (npx tsx src/vectors/main.ts rewrites them)", () => {
  const files = generateVectors();
  for (const name of Object.keys(files)) {
    let have = "";
    try {
      have = readFileSync(new URL(name, dir), "utf8");
    } catch (e) {
      assert.unreachable("vectors/" + name + " is missing");
    }
    if (have !== files[name]) assert.unreachable("vectors/" + name + " differs from what src/vectors generates");
  }
  assert.equal(readdirSync(dir).filter((f) => f.endsWith(".json")).sort(), Object.keys(files).sort(), "no stale vector files");
});

t("the CRC check values are the standard ones", () => {
  const c = JSON.parse(readFileSync(new URL("checksums.json", dir), "utf8")).cases.find((x: { input: string }) => x.input === "313233343536373839");
  assert.equal([c.crc8, c.crc16, c.crc32], [0xf4, 0x29b1, 0xcbf43926]);
  assert.is(JSON.parse(readFileSync(new URL("ncp.json", dir), "utf8")).encode[0].frame, "aabc67010102007" + "0bb");
});

t.run();
