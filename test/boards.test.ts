import { suite } from "uvu";
import * as assert from "uvu/assert";
import { checkLayout } from "../src/core/layout.js";
import { boardKeys, loadBoard } from "../src/platform/host/boards.js";
import { NorFlash } from "../src/platform/host/norflash.js";

const t = suite("boards");

t("every board required by the project has a file", () => {
  for (const k of ["linux", "puckjs", "pixljs", "mdbt42q", "banglejs2", "pico", "espruinowifi", "esp32"]) assert.ok(boardKeys().includes(k), k);
});

for (const key of boardKeys()) {
  t(key + ": slots and banks are whole blocks inside flash and do not overlap", () => {
    const b = loadBoard(key);
    assert.is(checkLayout(b.layout, new NorFlash({ geometry: b.geometry })), "");
    assert.ok(b.chunkSize > 0 && b.chunkSize <= 1024);
  });
}

t("a layout with overlapping areas is refused", () => {
  const b = loadBoard("linux");
  const bad = { ...b.layout, banks: [b.layout.slots[0].address, b.layout.banks[1]] };
  assert.match(checkLayout(bad, new NorFlash({ geometry: b.geometry })), /overlap/);
});

t.run();
