import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_ROLLBACK, BOOT_TRIAL } from "../src/boot/decide.js";
import * as E from "../src/core/errors.js";
import { rng } from "../src/testbench/rng.js";
import { snapshot, TYPE } from "./support/rig.js";
import { buildImage } from "../src/testbench/image.js";
import { ncpRig, type NcpRig } from "./support/ncp-rig.js";

const t = suite("ncp update through the simulator");

function runningSlotBytes(x: NcpRig) {
  const s = x.board.layout.slots[0];
  return snapshot(x.flash, s.address, s.size);
}

/** Offer, transfer, finish, reboot into v2 on trial, report, confirm. */
function fullUpdate(x: NcpRig) {
  x.dev.powerOn();
  x.until(() => x.sim.reported.length > 0);
  x.sim.offer();
  assert.ok(x.until(() => x.sim.state === "applied" || x.sim.state === "failed"), "transfer ends");
  assert.is(x.sim.outcome, "applied", "outcome: " + x.sim.outcome + " events " + x.events.join(" "));
  assert.ok(x.until(() => x.sim.reported[0].version === "2.0.0" && !!x.dev.client && x.dev.client.confirmed), "v2 reports and confirms");
  assert.equal([x.dev.running!.slot, x.dev.running!.reason], [1, BOOT_TRIAL]);
  x.dev.powerOn();
  assert.equal([x.dev.running!.slot, x.dev.running!.reason, x.dev.running!.info!.version], [1, BOOT_CONFIRMED, "2.0.0"]);
}

t("a clean update: offer, chunks, finish, reboot into v2 on trial, setFirmwareInfo, confirm", () => {
  const x = ncpRig();
  fullUpdate(x);
  assert.is(x.sim.chunkSize, 1024);
  assert.is(x.sim.resends, 0);
  assert.equal(x.sim.reported.map((r) => r.version), ["2.0.0", "1.0.0"]);
  assert.is(x.sim.reported[0].type, TYPE);
});

t("the proposed chunk size follows the board (Puck.js: 512)", () => {
  const x = ncpRig({ key: "puckjs", size: 5000 });
  fullUpdate(x);
  assert.is(x.sim.chunkSize, 512);
});

t("corrupted bytes on the wire: frames dropped, writes resent, update completes", () => {
  const rand = rng(1);
  const x = ncpRig({
    wire: (b) => {
      if (b.length > 100 && rand() < 0.2) {
        const c = b.slice();
        c[Math.floor(rand() * c.length)] ^= 1 << Math.floor(rand() * 8);
        return [c];
      }
      return [b];
    },
  });
  fullUpdate(x);
  assert.ok(x.sim.resends > 0, "some writes were resent");
});

t("lost replies: the NCP resends a chunk already written and the exact resend succeeds", () => {
  let n = 0;
  const x = ncpRig({ wire: (b, from) => (from === "b" && b.length < 20 && ++n % 4 === 0 ? [] : [b]) });
  fullUpdate(x);
  assert.ok(x.sim.resends > 0);
  assert.not.ok(x.events.some((e) => e === "refused:" + E.E_OFFSET), "no resend was refused: " + x.events.join(" "));
});

t("dropped and duplicated frames, split and delayed delivery", () => {
  const rand = rng(7);
  const x = ncpRig({
    wire: (b) => {
      const r = rand();
      if (r < 0.05) return [];
      if (r < 0.1) return [b, b];
      const cut = Math.floor(rand() * b.length);
      return [b.subarray(0, cut), b.subarray(cut)];
    },
  });
  fullUpdate(x);
});

t("a faster UART rate for the transfer, and the fall-back when the NCP does not follow", () => {
  const fast = ncpRig({ baud: { initial: 38400, fast: 460800 } });
  fullUpdate(fast);
  const stuck = ncpRig({ baud: { initial: 38400, fast: 460800 }, sim: { ignoreBaud: true } });
  fullUpdate(stuck);
});

t("a stall: the client cancels after 60 s without a chunk; the running image is untouched", () => {
  const x = ncpRig({ sim: { stallAfter: 3 } });
  const before = runningSlotBytes(x);
  x.dev.powerOn();
  x.sim.offer();
  assert.ok(x.until(() => x.events.includes("stalled:" + E.E_STALLED), 120_000));
  assert.equal(runningSlotBytes(x), before);
  assert.is(x.record.read().pending, 255);
});

t("a reset mid-transfer: the NCP gives up, the old image runs, a new offer then succeeds", () => {
  const x = ncpRig();
  const before = runningSlotBytes(x);
  x.dev.powerOn();
  x.until(() => x.sim.reported.length > 0);
  x.sim.offer();
  assert.ok(x.until(() => x.sim.sent >= 8192));
  x.dev.kill();
  x.until(() => false, 50);
  x.dev.powerOn();
  assert.ok(x.until(() => x.sim.state === "failed"));
  assert.match(x.sim.outcome, /cancelled|failed/);
  assert.equal([x.dev.running!.slot, x.dev.running!.info!.version], [0, "1.0.0"]);
  assert.equal(runningSlotBytes(x), before);
  x.sim.offer();
  assert.ok(x.until(() => x.sim.state === "applied"));
  assert.ok(x.until(() => x.dev.running!.info!.version === "2.0.0"));
});

t("a wrong digest from the NCP is refused at finish and nothing is marked", () => {
  const x = ncpRig({ sim: { wrongSha256: true } });
  x.dev.powerOn();
  x.sim.offer();
  assert.ok(x.until(() => x.sim.state === "failed"));
  assert.is(x.sim.outcome, "finish refused");
  assert.ok(x.events.includes("finished:" + E.E_DIGEST));
  assert.is(x.record.read().pending, 255);
});

t("an NCP without GetSHA256: the header digest decides", () => {
  const x = ncpRig({ sim: { noSha256: true } });
  fullUpdate(x);
});

t("an offer for another firmware type is refused at once", () => {
  const x = ncpRig({ sim: { type: "TMPLother" } });
  x.dev.powerOn();
  x.sim.offer();
  assert.ok(x.until(() => x.sim.state === "failed"));
  assert.is(x.sim.outcome, "refused");
  assert.ok(x.events.includes("offer:" + E.E_WRONG_TYPE));
});

t("an image that never confirms rolls back after 3 boots and reports the old version again", () => {
  const base = ncpRig();
  const payload = new TextEncoder().encode("/* v3 UNHEALTHY: never confirms */" + "x".repeat(6000));
  const bad = buildImage({ board: base.board.id, type: TYPE, version: "3.0.0", build: "test", payload: payload });
  const x = ncpRig({ version: "3.0.0", img: bad });
  x.dev.powerOn();
  x.sim.offer();
  assert.ok(x.until(() => x.dev.running!.reason === BOOT_ROLLBACK, 120_000));
  assert.is(x.dev.boots.filter((b) => b.reason === BOOT_TRIAL).length, 3);
  assert.ok(x.until(() => x.sim.reported[0].version === "1.0.0"));
  assert.not.ok(x.dev.client!.confirmed);
});

t("liveness: a ping every 15 s; after 3 unanswered the client restores the link and reports again", () => {
  let mute = false;
  const x = ncpRig({ baud: { initial: 38400, fast: 460800 }, wire: (b) => (mute ? [] : [b]) });
  x.dev.powerOn();
  assert.ok(x.until(() => x.sim.reported.length === 1));
  mute = true;
  assert.ok(x.until(() => x.events.includes("link:0"), 120_000), "gives up on the link after 3 pings");
  mute = false;
  assert.ok(x.until(() => x.sim.reported.length === 2, 10_000), "reports again once the NCP answers");
});

t.run();
