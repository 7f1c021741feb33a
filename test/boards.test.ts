import { suite } from "uvu";
import * as assert from "uvu/assert";
import { checkLayout } from "../src/core/layout.js";
import { allBoardKeys, boardKeys, loadBoard, unsupported } from "../src/board/files.js";
import { NorFlash } from "../src/platform/host/norflash.js";

const t = suite("boards");

t("every board required by the project has a file; Pico and Espruino WiFi say why they have no OTA layout", () => {
  for (const k of ["linux", "puckjs", "pixljs", "mdbt42q", "banglejs2", "pico", "espruinowifi", "esp32"]) assert.ok(allBoardKeys().includes(k), k);
  assert.equal(boardKeys(), ["banglejs2", "esp32", "linux", "mdbt42q", "pixljs", "puckjs"]);
  for (const k of ["pico", "espruinowifi"]) {
    assert.match(unsupported(k), /sector/);
    assert.throws(() => loadBoard(k), /no OTA layout/);
  }
});

for (const key of boardKeys()) {
  t(key + ": the OTA files fill whole pages of Storage from its start, .eota's data starts and ends on a page", () => {
    const b = loadBoard(key);
    const p = b.plan!;
    const page = b.storage.page;
    assert.is(p.files[0].header, b.storage.start);
    const ota = p.files[2];
    assert.is((ota.header + 32) % page, 0);
    assert.is(ota.header + 32 + ota.length, p.end);
    assert.is(p.end % page, 0);
    assert.ok(p.end <= b.storage.start + b.storage.size);
    // Each file follows the one before at Storage's alignment, as Storage itself places them.
    for (let i = 1; i < 3; i++) {
      const prev = p.files[i - 1];
      assert.is(p.files[i].header, Math.ceil((prev.header + 32 + prev.length) / b.storage.align) * b.storage.align);
    }
    for (const a of [...b.layout.banks, ...b.layout.slots.map((s) => s.address)]) assert.ok(a >= ota.header + 32 && a < p.end);
  });
}

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
