import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Journal } from "../src/core/journal.js";
import { crc32 } from "../src/platform/host/digest.js";
import { type FlashModel, NorFlash } from "../src/platform/host/norflash.js";
import { PowerCut } from "../src/platform/host/power.js";

const t = suite("journal");
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

function mk(o: { erase?: number; align?: number; model?: FlashModel; page?: number } = {}) {
  const page = o.page || 1024;
  const flash = new NorFlash({ geometry: { base: 0x1000, size: 2 * page, blockLength: page, writeAlign: o.align || 4, eraseValue: o.erase === undefined ? 0xff : o.erase }, model: o.model });
  return { flash: flash, j: new Journal({ flash: flash, crc32: crc32, pages: [0x1000, 0x1000 + page] }) };
}

t("saves and loads the latest record, across many page switches; undefined clears it", () => {
  for (const g of [{}, { erase: 0 }, { align: 16 }]) {
    const { j } = mk(g);
    assert.is(j.load(), undefined);
    for (let i = 0; i < 200; i++) {
      const v = '{"kind":"dl","bytes":' + i * 1024 + ',"target":{"title":"x","version":"' + i + '"}}';
      j.save(text(v));
      assert.is(str(j.load()), v);
    }
    j.save(undefined);
    assert.is(j.load(), undefined);
  }
});

t("a power cut at any operation of a save leaves the old record or the new one, and the next save works", () => {
  for (const model of [{}, { ecc: true }, { bitTear: true }, { ecc: true, preProgram: true }] as FlashModel[]) {
    for (const fill of [0, 3, 11]) {
      for (const tear of [false, true]) {
        for (let at = 1; at <= 4; at++) {
          const { flash, j } = mk({ model: model, page: 512 });
          let old: string | undefined;
          for (let i = 0; i < fill; i++) j.save(text((old = "record " + i + " " + "x".repeat(40))));
          flash.cutPower({ at: flash.ops + at, tear: tear, seed: at * 7 + fill });
          const next = "record new " + "y".repeat(40);
          let cut = false;
          try {
            j.save(text(next));
          } catch (e) {
            if (!(e instanceof PowerCut)) throw e;
            cut = true;
          }
          flash.powerOn();
          const got = str(j.load());
          const what = JSON.stringify(model) + " fill " + fill + " op " + at + (tear ? " torn" : "");
          if (cut) assert.ok(got === old || got === next, what + ": " + got);
          else assert.is(got, next, what);
          j.save(text("after " + at));
          assert.is(str(j.load()), "after " + at, what + ": the save after the cut");
        }
      }
    }
  }
});

t.run();
