import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_CONFIRMED, BOOT_TRIAL } from "../src/boot/decide.js";
import * as E from "../src/core/errors.js";
import * as P from "../src/ncp/protocol.js";
import type { Wire } from "../src/platform/host/links.js";
import { ncpRig, type NcpRig } from "./support/ncp-rig.js";
import { WireWatch, type Seen } from "./support/ncp-wire.js";

const t = suite("ncp: a lost or doubled answer does not end the update");

/** A rig whose wire asks `rule` about every named frame: [] drops it, [b, b] doubles it. */
function rigWith(rule: (s: Seen, b: Uint8Array, x: NcpRig) => Uint8Array[] | undefined, o: Parameters<typeof ncpRig>[0] = {}) {
  const watch = new WireWatch();
  let x: NcpRig | undefined;
  const wire: Wire = (b, from) => {
    const s = watch.see(b, from);
    return (s && x && rule(s, b, x)) || [b];
  };
  x = ncpRig({ ...o, wire: wire });
  return { x: x, watch: watch };
}

/** v1 reports, the NCP offers v2, the update is applied, v2 boots on trial, reports and confirms. */
function completes(x: NcpRig, why = "") {
  x.dev.powerOn();
  assert.ok(x.until(() => x.sim.reported.length > 0), "v1 reports");
  x.sim.offer();
  assert.ok(x.until(() => x.sim.state === "applied" || x.sim.state === "failed"), "the transfer ends");
  assert.is(x.sim.outcome, "applied", why + " outcome: " + x.sim.outcome + "; events " + x.events.join(" "));
  assert.ok(x.until(() => x.sim.reported[0].version === "2.0.0" && !!x.dev.client && x.dev.client.confirmed), "v2 reports and confirms");
  assert.equal([x.dev.running!.slot, x.dev.running!.reason], [1, BOOT_TRIAL]);
  x.dev.powerOn();
  assert.equal([x.dev.running!.slot, x.dev.running!.reason, x.dev.running!.info!.version], [1, BOOT_CONFIRMED, "2.0.0"]);
}

const noCancel = (x: NcpRig) => {
  assert.not.ok(x.events.some((e) => e.startsWith("cancelled:")), "the client cancelled: " + x.events.join(" "));
  assert.not.ok(x.events.includes("refused:" + E.E_STATE), "a chunk refused with STATE: " + x.events.join(" "));
};

t("the NCP's answer to otaUpdateStart is lost: the first write confirms it, nothing is cancelled", () => {
  let lost = 0;
  const { x } = rigWith((s) => (s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_OTA_START && lost++ === 0 ? [] : undefined));
  completes(x);
  assert.is(lost, 1, "the answer was dropped");
  noCancel(x);
  assert.ok(x.events.includes("started:1"));
});

t("otaUpdateStart itself is lost twice: asked again until the NCP starts", () => {
  let lost = 0;
  const { x, watch } = rigWith((s) => (s.from === "b" && s.kind === "invoke" && s.uid === P.BLYNK_OTA_START && lost++ < 2 ? [] : undefined));
  completes(x);
  assert.is(watch.count("b", "invoke", P.BLYNK_OTA_START), 3);
  noCancel(x);
});

t("every answer to otaUpdateStart is false or lost, but chunks come: the update goes on", () => {
  const { x } = rigWith((s) => (s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_OTA_START ? [] : undefined));
  completes(x);
  noCancel(x);
});

t("no chunk ever comes after otaUpdateStart: the session's stall limit ends it, not the lost answers", () => {
  // The NCP takes otaUpdateStart but never sends a chunk (a dead network), and its answers are lost.
  const { x, watch } = rigWith((s) => (s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_OTA_START ? [] : undefined), { sim: { stallAfter: 0 } });
  x.dev.powerOn();
  x.until(() => x.sim.reported.length > 0);
  x.sim.offer();
  assert.ok(x.until(() => x.events.includes("started:0"), 30_000), x.events.join(" "));
  const tries = watch.count("b", "invoke", P.BLYNK_OTA_START);
  assert.ok(tries > 1 && tries <= 10, "bounded tries: " + tries);
  assert.not.ok(x.events.some((e) => e.startsWith("cancelled:") || e.startsWith("stalled:")));
  assert.ok(x.until(() => x.events.includes("stalled:" + E.E_STALLED), 70_000), x.events.join(" "));
  assert.is(x.record.read().pending, 255);
});

t("a lost answer to setFirmwareInfo is asked again at once: the trial image confirms a second later, not three", () => {
  let lost = 0;
  const { x } = rigWith((s, _b, y) => (y.dev.boots.length === 2 && s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_SET_FIRMWARE_INFO && lost++ === 0 ? [] : undefined));
  x.dev.powerOn();
  x.until(() => x.sim.reported.length > 0);
  x.sim.offer();
  assert.ok(x.until(() => x.dev.boots.length === 2), "v2 boots");
  const boot = x.clock.now();
  assert.ok(x.until(() => !!x.dev.client && x.dev.client.confirmed, 10_000), "v2 confirms");
  const took = x.clock.now() - boot;
  assert.ok(lost >= 2, "v2's first report lost its answer, the second got one");
  assert.ok(took < 2000, "confirmed " + took + " ms after the v2 boot");
  assert.is(x.sim.outcome, "applied");
});

t("setFirmwareInfo unanswered for a minute: a bounded number of tries, and the report gets through once answers come", () => {
  let mute = true;
  const { x, watch } = rigWith((s) => (mute && s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_SET_FIRMWARE_INFO ? [] : undefined));
  x.dev.powerOn();
  x.until(() => false, 60_000);
  const tries = watch.count("b", "invoke", P.BLYNK_SET_FIRMWARE_INFO);
  assert.ok(tries >= 5 && tries <= 10, "tries in 60 s: " + tries);
  assert.not.ok(x.events.includes("reported:0"));
  mute = false;
  assert.ok(x.until(() => x.events.includes("reported:0"), 16_000), "reported once answers come");
});

t("a lost answer to GetSHA256: asked again, the finish is answered once, true", () => {
  let lost = 0;
  const { x, watch } = rigWith((s) => (s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_OTA_GET_SHA256 && lost++ === 0 ? [] : undefined));
  completes(x);
  assert.is(watch.count("b", "invoke", P.BLYNK_OTA_GET_SHA256), 2);
  assert.is(watch.count("b", "result", P.CLIENT_OTA_FINISH), 1);
  assert.ok(x.events.includes("finished:0"));
  assert.not.ok(x.events.includes("finished:" + E.E_NO_DIGEST));
});

t("a finish doubled on the wire while the digest call runs: one digest call, one answer", () => {
  let doubled = 0;
  const { x, watch } = rigWith((s, b) => (s.from === "a" && s.kind === "invoke" && s.uid === P.CLIENT_OTA_FINISH && doubled++ === 0 ? [b, b] : undefined));
  completes(x);
  assert.is(doubled, 1);
  assert.is(watch.count("b", "invoke", P.BLYNK_OTA_GET_SHA256), 1);
  assert.is(watch.count("b", "result", P.CLIENT_OTA_FINISH), 1);
  assert.equal(x.events.filter((e) => e.startsWith("finished:")), ["finished:0"]);
});

t("the digest answers stay lost past the NCP's 5 s: it resends finish, the one answer goes to the resend", () => {
  let lost = 0;
  const { x, watch } = rigWith((s) => (s.from === "a" && s.kind === "result" && s.uid === P.BLYNK_OTA_GET_SHA256 && lost++ < 6 ? [] : undefined));
  completes(x);
  const finishes = watch.seen.filter((s) => s.from === "a" && s.kind === "invoke" && s.uid === P.CLIENT_OTA_FINISH);
  const answers = watch.seen.filter((s) => s.from === "b" && s.kind === "result" && s.uid === P.CLIENT_OTA_FINISH);
  assert.is(finishes.length, 2, "the NCP resent finish once");
  assert.equal(answers.map((a) => a.id), [finishes[1].id], "one answer, to the resend");
  assert.is(watch.count("b", "invoke", P.BLYNK_OTA_GET_SHA256), 7);
});

t("the answer to finish is lost and the board has rebooted when the NCP resends it: the new image answers true", () => {
  let lostFinish = 0;
  let resent = false;
  const { x } = rigWith((s) => {
    if (s.from === "b" && s.kind === "result" && s.uid === P.CLIENT_OTA_FINISH && lostFinish++ === 0) return [];
    if (s.from === "a" && s.kind === "invoke" && s.uid === P.CLIENT_OTA_FINISH && lostFinish > 0) resent = true;
    // Keep v2's reports from the NCP until it has resent finish.
    if (!resent && lostFinish > 0 && s.from === "b" && s.kind === "invoke" && s.uid === P.BLYNK_SET_FIRMWARE_INFO) return [];
    return undefined;
  });
  completes(x);
  assert.ok(resent, "the NCP resent finish to the rebooted board");
});

t("an offer doubled on the wire, its first answer lost: the second answer is true as well, one erase", () => {
  let seenOffer = 0;
  let lostAnswer = 0;
  const { x } = rigWith((s, b) => {
    if (s.from === "a" && s.kind === "invoke" && s.uid === P.CLIENT_OTA_AVAILABLE && seenOffer++ === 0) return [b, b];
    if (s.from === "b" && s.kind === "result" && s.uid === P.CLIENT_OTA_AVAILABLE && lostAnswer++ === 0) return [];
    return undefined;
  });
  completes(x);
  assert.is(lostAnswer, 2, "both offers answered, the first answer dropped");
  assert.equal(x.events.filter((e) => e.startsWith("erased:")), ["erased:0"], "one erase: " + x.events.join(" "));
});

t.run();
