import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_TRIAL } from "../src/boot/decide.js";
import { loadProgress } from "../src/thingsboard/progress.js";
import { tbRig, until, type TbRig } from "./support/thingsboard.js";

const t = suite("thingsboard: resume after a power cut");

/** Runs a whole update with no cut and returns how many flash operations it took. */
async function opsOfUpdate(key: string, size: number): Promise<number> {
  const x = await tbRig({ transport: "mqtt", key: key, checkpointEvery: 1 });
  try {
    const before = x.r.flash.ops;
    x.sim.assign(x.pkg("2.0.0", {}, size));
    await x.rebootAsked;
    return x.r.flash.ops - before;
  } finally {
    await x.close();
  }
}

/** Cuts power at flash operation `at` (counted from the assignment) of an update, powers on again, and lets it finish. */
async function cutAndResume(key: string, size: number, at: number, tear: boolean) {
  const x: TbRig = await tbRig({ transport: "mqtt", key: key, checkpointEvery: 1 });
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    const pkg = x.pkg("2.0.0", {}, size);
    x.r.flash.cutPower({ at: x.r.flash.ops + at, tear: tear, seed: at });
    x.sim.assign(pkg);
    await until(() => x.r.flash.dead, "power cut");
    const saved = loadProgress(x.store);
    const firstRun = x.sim.requests.length;
    const b = x.powerCycle();
    assert.is(b.boot.reason, BOOT_CONFIRMED, "the running image stays");
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    const resumedFrom = x.sim.requests.length > firstRun ? x.sim.requests[firstRun].chunk : -1;
    const b2 = x.powerCycle();
    assert.is(b2.boot.reason, BOOT_TRIAL);
    const slot = x.r.board.layout.slots[b2.boot.slot];
    assert.equal(x.r.flash.read(pkg.data.length, slot.address), pkg.data, "staged image is the package");
    assert.ok(b2.client.confirm());
    await x.sim.waitState("UPDATED");
    return { saved: saved, resumedFrom: resumedFrom, states: x.sim.states(), chunk: x.r.board.chunkSize };
  } finally {
    await x.close();
  }
}

t("linux: a cut in the middle of chunk 4 resumes at chunk 4, not 0", async () => {
  // 8 erases of 1 KB blocks, then one write per 1 KB chunk: op 12 is chunk 3's write (0-based).
  const r = await cutAndResume("linux", 7000, 12, true);
  assert.equal(r.saved && [r.saved.kind, r.saved.bytes], ["dl", 3072]);
  assert.is(r.resumedFrom, 3);
  assert.equal(r.states, ["DOWNLOADING", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
});

t("puckjs: a torn write inside a 4 KB block steps back to the block's start; a clean cut keeps every chunk", async () => {
  // 2 erases of 4 KB blocks, then 512-byte chunks: op 2 + 11 writes chunk 10, in the second block.
  const torn = await cutAndResume("puckjs", 7000, 13, true);
  assert.is(torn.saved!.bytes, 10 * 512);
  assert.is(torn.resumedFrom, 8, "back to 4096, the start of the block holding the torn bytes");
  const clean = await cutAndResume("puckjs", 7000, 13, false);
  assert.is(clean.resumedFrom, 10, "nothing was written past the checkpoint: go on from it");
});

t("a cut at every flash operation of an update, clean or torn, ends with the package staged and UPDATED", async () => {
  for (const key of ["linux", "puckjs"]) {
    const n = await opsOfUpdate(key, 6000);
    for (let at = 1; at <= n; at++) {
      for (const tear of [false, true]) {
        const r = await cutAndResume(key, 6000, at, tear);
        const from = r.saved && r.saved.kind === "dl" ? r.saved.bytes! : 0;
        assert.ok(r.resumedFrom * r.chunk <= from, key + " op " + at + ": never past the checkpoint");
        assert.is(r.states[r.states.length - 1], "UPDATED");
      }
    }
  }
});

t.run();
