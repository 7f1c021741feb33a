import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FLAG_ROLLED_BACK } from "../src/core/record.js";
import { NO_SLOT } from "../src/core/layout.js";
import { type RunOptions, runInProcess } from "../src/peers/drogue/run.js";

/*
 * The whole flow on the *built* drogue.js (dist/espruino/linux), under the
 * Espruino stand-in on emulated flash, against the service simulator, on each
 * encoding (postcard frames over serial, CBOR over HTTP and over MQTT) with
 * each fault of issue 16.
 */
const t = suite("drogue: the built drogue.js against the service, each transport, each fault");

const TRANSPORTS: RunOptions["transport"][] = ["serial", "http", "mqtt"];

async function run(o: Omit<RunOptions, "board">) {
  return runInProcess(Object.assign({ board: "linux" }, o));
}

function confirmedV2(r: Awaited<ReturnType<typeof run>>, version = "2.0.0"): void {
  assert.is(r.outcome, "confirmed", r.events.join("\n"));
  const last = r.boots[r.boots.length - 1];
  assert.is(last.version, version);
  assert.is(r.record.pending === NO_SLOT || r.record.pendingConfirmed, true, "confirmed, nothing on trial");
  // Confirmed only after the Sync that named its version.
  const i = r.events.indexOf("boot " + version + " slot 1 reason 1");
  assert.ok(i >= 0, "the new image booted on trial");
  const tail = r.events.slice(i);
  assert.ok(tail.indexOf("confirmed 1") >= 0 && tail.indexOf("confirmed 1") < tail.indexOf("synced " + version), "confirm on the Sync");
}

for (const tr of TRANSPORTS) {
  t(tr + ": v1 -> v2, swap, v2 reports, gets Sync, confirms", async () => {
    const r = await run({ transport: tr });
    confirmedV2(r);
    assert.ok(r.service.log.some((e) => e.answers.some((c) => c.kind === 3)), "a Swap was sent");
  });

  t(tr + ": lost Writes (2nd, 5th) are asked for again", async () => {
    const r = await run({ transport: tr, faults: { lose: [2, 5] } });
    confirmedV2(r);
    assert.ok(tr === "http" ? r.events.some((e) => e.startsWith("garbled")) : r.events.includes("timeout"), "noticed the lost answer");
  });

  t(tr + ": doubled Writes (1st, 3rd, 4th) are written once", async () => {
    const r = await run({ transport: tr, faults: { double: [1, 3, 4] } });
    confirmedV2(r);
    assert.ok(r.events.some((e) => e.startsWith("duplicate") || e.startsWith("stale")), r.events.join("\n"));
  });

  t(tr + ": doubled Writes without correlation ids (drgdfu's frames) are written once", async () => {
    const r = await run({ transport: tr, faults: { double: [1, 3, 4], noCid: true } });
    confirmedV2(r);
    assert.ok(r.events.some((e) => e.startsWith("duplicate")), r.events.join("\n"));
    assert.not.ok(r.events.some((e) => e.startsWith("stale")));
  });

  t(tr + ": a Write at an unexpected offset is refused, the next Status says where to go on", async () => {
    const r = await run({ transport: tr, faults: { wrongOffset: [3] } });
    confirmedV2(r);
    assert.ok(r.events.some((e) => e.startsWith("refused OFFSET")), r.events.join("\n"));
  });

  t(tr + ": a reset mid-transfer resumes at the staged prefix (update.offset)", async () => {
    const r = await run({ transport: tr, resetAfter: 12 });
    confirmedV2(r);
    assert.ok(r.events.some((e) => e.startsWith("resumed 2.0.0")), r.events.join("\n"));
    assert.ok((r.resumedAt as number) >= 4096, "resumed at " + r.resumedAt);
    assert.ok(!r.events.slice(r.events.indexOf("reset")).some((e) => e.startsWith("start ")), "no start over");
  });

  t(tr + ": a staged prefix damaged across the reset is not resumed: the update starts over", async () => {
    const r = await run({ transport: tr, resetAfter: 12, damageAtReset: true });
    confirmedV2(r);
    assert.not.ok(r.events.some((e) => e.startsWith("resumed")), r.events.join("\n"));
    assert.is(r.resumedAt, -1, "the first Status after the reset names no update");
    assert.is(r.events.filter((e) => e === "start 2.0.0").length, 2);
  });

  t(tr + ": a Swap with a wrong checksum is refused and nothing is marked pending", async () => {
    const r = await run({ transport: tr, faults: { badChecksum: true }, until: (ev) => ev.some((e) => e.startsWith("declined")) });
    assert.is(r.outcome, "stopped", r.events.join("\n"));
    assert.ok(r.events.includes("failed DIGEST 2.0.0"), r.events.join("\n"));
    assert.not.ok(r.events.some((e) => e.startsWith("swap")));
    assert.is(r.record.pending, NO_SLOT);
    assert.is(r.boots.length, 1, "no reset");
  });

  t(tr + ": a Swap without a checksum: the header's payload SHA-256 decides; one of 5 bytes is refused", async () => {
    confirmedV2(await run({ transport: tr, faults: { checksum: new Uint8Array(0) } }));
    const r = await run({ transport: tr, faults: { checksum: new Uint8Array(5) }, until: (ev) => ev.some((e) => e.startsWith("declined")) });
    assert.ok(r.events.includes("failed DIGEST 2.0.0"), r.events.join("\n"));
    assert.is(r.record.pending, NO_SLOT);
  });

  t(tr + ": a Swap naming a version not being written is refused; the download goes on", async () => {
    const r = await run({ transport: tr, faults: { strayswap: 5 } });
    confirmedV2(r);
    assert.ok(r.events.includes("refused STATE 9.9.9"), r.events.join("\n"));
  });

  t(tr + ": the target changing mid-update starts over with the new version", async () => {
    const r = await run({ transport: tr, switchAfter: 6000 });
    confirmedV2(r, "3.0.0");
    assert.ok(r.events.includes("start 2.0.0") && r.events.includes("start 3.0.0"), r.events.join("\n"));
  });

  t(tr + ": a new image that never reports is rolled back, and not taken again", async () => {
    const r = await run({ transport: tr, silent: true });
    assert.is(r.outcome, "rolled back", r.events.join("\n"));
    assert.ok((r.record.flags & FLAG_ROLLED_BACK) !== 0);
    assert.ok(r.events.includes("rolledBack 2.0.0"));
    assert.is(r.boots[r.boots.length - 1].reason, 2);
  });
}

t("serial: a bit flipped on the line (drgdfu's frames carry no CRC) is caught at Swap by the SHA-256; nothing marked; a later try succeeds", async () => {
  const r = await run({ transport: "serial", corruptFrame: 4 });
  confirmedV2(r);
  const i = r.events.indexOf("failed PAYLOAD_DIGEST 2.0.0");
  assert.ok(i >= 0, r.events.join("\n"));
  assert.ok(r.events.indexOf("swap 2.0.0") > i, "the Swap accepted only on the retry");
  assert.is(r.events.filter((e) => e === "start 2.0.0").length, 2);
});

t.run();
