import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_TRIAL } from "../src/boot/decide.js";
import { IDLE, RECEIVING } from "../src/core/session.js";
import type { DatagramFate } from "../src/testbench/espruino-net.js";
import { loadProgress } from "../src/thingsboard/progress.js";
import { pollToUpdated, settle, type TbRig, tbRig, until } from "./support/thingsboard.js";

const t = suite("thingsboard: CoAP pull against the npm coap server");

/** The board's clock runs (4 ms of emulated time per real ms) while the server answers in real time. */
function running(x: TbRig): () => void {
  const h = setInterval(() => x.r.clock.advance(20), 5);
  return () => clearInterval(h);
}

const isChunkRequest = (b: Buffer, n: number) => b[1] === 1 && b.toString("latin1").includes("chunk=" + n);
const isReset = (b: Buffer) => b[0] >> 4 === 0x7;

t("an assigned package is pulled over CoAP (GET /fw/{token}, separate responses) and reported in order through to UPDATED", async () => {
  const x = await tbRig({ transport: "coap" });
  const stop = running(x);
  try {
    await pollToUpdated(x, "coap");
  } finally {
    stop();
    await x.close();
  }
});

t("lost and duplicated datagrams: a lost request is retransmitted under its message id, every answer arriving twice is acknowledged twice and used once", async () => {
  const dropped: number[] = [];
  let resets = 0;
  const fate: DatagramFate = (dir, b) => {
    if (dir === "in") return 2;
    if (isReset(b)) resets++;
    // The first transmission of each request for chunks 2 and 4 is lost.
    for (const n of [2, 4]) {
      if (isChunkRequest(b, n) && dropped.indexOf(n) < 0) {
        dropped.push(n);
        return 0;
      }
    }
    // Every telemetry report leaves twice (the server's de-duplication must not log it twice).
    return b[1] === 2 ? 2 : 1;
  };
  const x = await tbRig({ transport: "coap", fate: fate });
  const stop = running(x);
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    const pkg = x.pkg("2.0.0", {}, 6000);
    x.sim.assign(pkg);
    x.board.check();
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    assert.equal(dropped, [2, 4]);
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
    const n = Math.ceil(pkg.data.length / 1024);
    assert.equal(x.sim.requests.map((q) => q.chunk), Array.from({ length: n }, (_, i) => i), "each chunk asked for once at the server");
    assert.is(resets, 0, "duplicates are acknowledged, never reset");
    const slot = x.r.board.layout.slots[1 - x.board.boot.slot];
    assert.equal(x.r.flash.read(pkg.data.length, slot.address), pkg.data, "staged image is the package");
  } finally {
    stop();
    await x.close();
  }
});

t("a cut in the middle of the download resumes from the checkpoint over CoAP, reporting DOWNLOADING again", async () => {
  const x = await tbRig({ transport: "coap", checkpointEvery: 1 });
  let stop = running(x);
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    const pkg = x.pkg("2.0.0", {}, 7000);
    // 8 erases of 1 KB blocks, then one write per 1 KB chunk: op 12 is chunk 3's write, torn.
    x.r.flash.cutPower({ at: x.r.flash.ops + 12, tear: true, seed: 12 });
    x.sim.assign(pkg);
    x.board.check();
    await until(() => x.r.flash.dead, "power cut");
    stop();
    const saved = loadProgress(x.store);
    assert.equal(saved && [saved.kind, saved.bytes], ["dl", 3072]);
    const first = x.sim.requests.length;
    const b = x.powerCycle();
    stop = running(x);
    assert.is(b.boot.reason, BOOT_CONFIRMED, "the running image stays");
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    assert.is(x.sim.requests[first].chunk, 3, "resumed at chunk 3, not 0");
    const b2 = x.powerCycle();
    assert.is(b2.boot.reason, BOOT_TRIAL);
    assert.equal(x.r.flash.read(pkg.data.length, x.r.board.layout.slots[b2.boot.slot].address), pkg.data);
    assert.ok(b2.client.confirm());
    await x.sim.waitState("UPDATED");
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
  } finally {
    stop();
    await x.close();
  }
});

t("5.00 twice on a chunk is retried with a backoff and the update goes through; a re-assignment under the pull (4.00) ends it FAILED with COAP: 4.00", async () => {
  const x = await tbRig({ transport: "coap" });
  const stop = running(x);
  try {
    x.sim.faults.httpError = { status: 500, count: 2 };
    const pkg = x.pkg("2.0.0", {}, 3000);
    x.sim.assign(pkg);
    x.board.check();
    await x.rebootAsked;
    const rest = Array.from({ length: Math.ceil(pkg.data.length / 1024) }, (_, i) => [i, true]);
    assert.equal(x.sim.requests.map((q) => [q.chunk, q.answered]), [[0, false], [0, false], ...rest]);
    const y = await tbRig({ transport: "coap" });
    const stopY = running(y);
    try {
      y.sim.assign(y.pkg("2.0.0"));
      y.sim.faults.stallFrom = 2;
      y.board.check();
      await y.sim.waitRequest((q) => q.chunk === 2);
      // Reassigned without the device hearing of it (no push over CoAP here); the next ask names the old version.
      y.sim.pkg = y.pkg("3.0.0");
      y.sim.faults = {};
      const f = await y.sim.waitState("FAILED");
      assert.is(f.fw_error, "COAP: 4.00");
      assert.is(y.r.record.read().pending, 255, "nothing marked");
    } finally {
      stopY();
      await y.close();
    }
  } finally {
    stop();
    await x.close();
  }
});

t("unassigned mid-pull: the attributes GET answers 4.04 (none of the keys exist) and the pull stops quietly", async () => {
  const x = await tbRig({ transport: "coap" });
  const stop = running(x);
  try {
    x.sim.assign(x.pkg("2.0.0"));
    x.sim.faults.stallFrom = 2;
    x.board.check();
    await x.sim.waitRequest((q) => q.chunk === 2);
    assert.is(x.board.session.state, RECEIVING);
    x.sim.unassign();
    x.board.check();
    await until(() => x.board.session.state === IDLE, "the session cancelled");
    stop();
    // Long enough for the pull to give up (60 s) or fail on 4.04s (2 minutes), had it gone on.
    x.r.clock.advance(200000);
    await settle();
    assert.equal(x.sim.states(), ["DOWNLOADING"]);
    assert.ok(x.sim.requests.every((q) => q.chunk === 2 ? !q.answered : q.answered));
  } finally {
    stop();
    await x.close();
  }
});

t("a silent server: polls while an attributes request is unacknowledged queue no second one", async () => {
  const gets = new Set<number>();
  const fate: DatagramFate = (dir, b) => {
    if (dir === "out" && b[1] === 1 && b.toString("latin1").includes("attributes")) gets.add(b.readUInt16BE(2));
    return 0;
  };
  const x = await tbRig({ transport: "coap", fate: fate });
  try {
    for (let i = 0; i < 5; i++) x.board.check();
    // Each request gives up after its fifth transmission (at most 93 s): 20 minutes lets every queued one go out.
    for (let i = 0; i < 12; i++) x.r.clock.advance(100000);
    assert.is(gets.size, 1, "one attributes GET (and its retransmissions)");
  } finally {
    await x.close();
  }
});

t.run();
