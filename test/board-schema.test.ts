import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BOARDS_DIR, boardKeys, loadBoard } from "../src/board/files.js";
import { TRIAL_TIMEOUT, deviceBoard, parseBoard } from "../src/board/schema.js";

const t = suite("board schema");

const file = (key: string) => JSON.parse(readFileSync(join(BOARDS_DIR, key + ".json"), "utf8"));

/** puckjs.json with one field changed (`undefined` removes it). */
function puck(edit: (j: Record<string, any>) => void) {
  const j = file("puckjs");
  edit(j);
  return j;
}

t("every supported board file parses, and its device constants are its layout too", () => {
  for (const key of boardKeys()) {
    const b = loadBoard(key);
    const d = deviceBoard(b);
    assert.equal([d.board, d.slots, d.banks, d.maxTrials], [b.layout.board, b.layout.slots, b.layout.banks, b.layout.maxTrials], key);
    assert.is(d.trialMs, b.ota.trialTimeout * 1000, key);
    assert.is(d.otaHeader, b.plan!.files[2].header, key);
  }
});

t("a bad field is refused, naming the board, the field and the value", () => {
  const cases: [(j: Record<string, any>) => void, RegExp][] = [
    [(j) => (j.ota.maxTrials = 20), /^puckjs: ota\.maxTrials must be a whole number 1\.\.16, not 20$/],
    [(j) => (j.ota.trialTimeout = "soon"), /^puckjs: ota\.trialTimeout must be a whole number 1\.\.86400, not "soon"$/],
    [(j) => (j.storage.start = "6C000"), /^puckjs: storage\.start must be a whole number/],
    [(j) => (j.flash.writeAlign = 0), /^puckjs: flash\.writeAlign must be/],
    [(j) => (j.ota.slotPages = [3]), /^puckjs: ota\.slotPages must be 2 whole numbers, not \[3\]$/],
    [(j) => (j.ota.slotPages = [3, -1]), /^puckjs: ota\.slotPages\.1 must be a whole number/],
    [(j) => (j.sha256 = "yes"), /^puckjs: sha256 must be true or false, not "yes"$/],
    [(j) => delete j.id, /^puckjs: id must be a string, not undefined$/],
    [(j) => delete j.storage, /^puckjs: storage must be an object/],
    [(j) => (j.ota.slotPages = [4, 4]), /^puckjs: /],
  ];
  for (const [edit, msg] of cases) assert.throws(() => parseBoard("puckjs", puck(edit)), msg);
});

t("defaults: trialTimeout 120 s, no journal, images run from flash", () => {
  const b = parseBoard("puckjs", puck((j) => {
    delete j.ota.trialTimeout;
    delete j.ota.journalPages;
  }));
  assert.equal([b.ota.trialTimeout, TRIAL_TIMEOUT, b.ota.journalPages, b.loadToRam], [120, 120, 0, false]);
});

t("a board without an OTA layout is refused with its reason", () => {
  assert.throws(() => parseBoard("pico", file("pico")), /^pico: no OTA layout on this board: Storage is three/);
});

t.run();
