import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runsConfirmed, runZigbee, zigbeeRig, type ZigbeeRigOptions } from "../src/peers/zigate/run.js";
import { decodeToServer, newZclOta, CMD_BLOCK_REQ, CMD_END_REQ, ST_ABORT } from "../src/zigbee/zcl.js";
import { zigbeeFile, zigbeeImage } from "./support/zigbee.js";
import { ZF_ROLLED_BACK } from "../src/zigbee/otafile.js";

const t = suite("Zigbee OTA: the built zigbee bundle fetches a file from the ZiGate rig, under faults");

const FILE = zigbeeFile(zigbeeImage({ version: "1.1.0" }), "1.1.0");

function run(o: Partial<ZigbeeRigOptions> = {}, r: { resetAt?: number; limitMs?: number } = {}) {
  const x = zigbeeRig({ file: FILE, ...o });
  const sent: { cmd: number; offset: number; status: number; at: number }[] = [];
  x.network.onZcl = (z, fromDevice) => {
    if (!fromDevice) return;
    const m = decodeToServer(z, z.length, newZclOta());
    if (m.ok) sent.push({ cmd: m.cmd, offset: m.offset, status: m.status, at: x.clock.now() });
  };
  const res = runZigbee(x, r);
  const names = x.events.map((e) => e.name);
  return { x: x, res: res, sent: sent, names: names };
}

t("clean: query, header, tag 0 staged, Upgrade End SUCCESS, reset into the trial, confirmed after the next query", () => {
  const { x, res, names } = run();
  assert.ok(res.completed, res.outcome);
  assert.is(x.device.running!.version, "1.1.0");
  assert.is(x.device.running!.reason, 1, "trial boot");
  for (const n of ["notify", "query", "offer", "header", "element", "finished", "upgrade", "confirmed"]) assert.ok(names.includes(n), n);
  assert.equal(x.queries.slice(-1), [x.fileVersion], "the new image queries with its file version");
  assert.is(x.plugin.endStatus, 0);
});

for (const seed of [7, 8, 9, 10, 11]) {
  t("lost, corrupted and doubled frames on both serial links and lost radio frames, seed " + seed + ": block requests retried, completes", () => {
    const f = { drop: 0.03, corrupt: 0.03, duplicate: 0.03 };
    const { res, names, x } = run({ serialFaults: f, uartFaults: f, radioLoss: 0.05, seed: seed });
    assert.ok(res.completed, res.outcome);
    assert.ok(names.includes("retry"), "some requests were asked again");
    assert.ok(x.network.lost > 0, "radio frames were lost");
    assert.ok(x.network.decoder.errors + x.node.decoder.errors + x.plugin.decoder.errors > 0, "damaged frames were dropped");
    assert.ok(x.plugin.requests > 470, "more requests than blocks: " + x.plugin.requests);
  });
}

for (const seed of [2, 3]) {
  t("serial corruption only, seed " + seed + ": the XBee and ZiGate decoders drop damaged frames and nothing damaged is staged", () => {
    const { res, x } = run({ serialFaults: { corrupt: 0.06 }, uartFaults: { corrupt: 0.06 }, seed: seed });
    assert.ok(res.completed, res.outcome);
    assert.ok(x.network.decoder.errors + x.plugin.decoder.errors + x.node.decoder.errors > 0, "damage was seen");
  });
}

t("WAIT_FOR_DATA (0x0506): the client waits requestTime - currentTime and keeps minBlockPeriod", () => {
  const { res, sent, names } = run({ plugin: { pauseAt: { offset: 3000, seconds: 30, minBlockPeriod: 250 } } });
  assert.ok(res.completed, res.outcome);
  assert.ok(names.includes("wait"));
  const blocks = sent.filter((s) => s.cmd === CMD_BLOCK_REQ);
  const i = blocks.findIndex((b) => b.offset >= 3000);
  assert.ok(blocks[i + 1].at - blocks[i].at >= 30_000, "paused 30 s: " + (blocks[i + 1].at - blocks[i].at));
  for (let k = i + 1; k < i + 20; k++) assert.ok(blocks[k + 1].at - blocks[k].at >= 245, "minBlockPeriod kept: " + (blocks[k + 1].at - blocks[k].at));
});

t("server ABORT mid-transfer: the client stops, the board keeps v1.0.0, no Upgrade End", () => {
  const { res, x, sent } = run({ plugin: { abortAt: 9000 } });
  assert.not.ok(res.completed);
  x.clock.advance(60_000);
  assert.ok(x.events.some((e) => e.name === "server-abort"));
  assert.is(x.device.running!.version, "1.0.0");
  assert.not.ok(sent.some((s) => s.cmd === CMD_END_REQ));
  assert.not.ok(runsConfirmed(x));
});

for (const what of ["offset", "size", "version"] as const) {
  t("a block answered with the wrong " + what + " is not staged; the client asks again and completes", () => {
    const { res, names } = run({ plugin: { wrongAt: { offset: 4862, what: what, times: 2 } } });
    assert.ok(res.completed, res.outcome);
    assert.ok(names.includes("bad-block"));
  });
}

t("a wrong answer every time: the client gives up with Upgrade End ABORT", () => {
  const { res, sent, names, x } = run({ plugin: { wrongAt: { offset: 4862, what: "version", times: 1000 } } }, { limitMs: 10 * 60_000 });
  assert.not.ok(res.completed);
  assert.ok(names.includes("gave-up"));
  assert.ok(sent.some((s) => s.cmd === CMD_END_REQ && s.status === ST_ABORT));
  assert.is(x.plugin.endStatus, ST_ABORT);
});

t("the radio dies mid-transfer: retries with backoff, then Upgrade End ABORT is sent; the link back resumes the download", () => {
  const x = zigbeeRig({ file: FILE, extra: ",queryEvery:120" });
  const sent: { cmd: number; status: number; at: number; offset: number }[] = [];
  x.network.onZcl = (z, dev) => {
    const m = decodeToServer(z, z.length, newZclOta());
    if (dev && m.ok) sent.push({ cmd: m.cmd, status: m.status, at: x.clock.now(), offset: m.offset });
  };
  x.plugin.start();
  x.clock.runUntil(() => x.plugin.served > 10_000, 600_000);
  x.network.loss = 1;
  x.clock.runUntil(() => sent.some((s) => s.cmd === CMD_END_REQ && s.status === ST_ABORT), 600_000);
  const last = sent.filter((s) => s.cmd === CMD_BLOCK_REQ).slice(-6);
  const gaps = last.slice(1).map((s, i) => s.at - last[i].at);
  assert.ok(gaps[gaps.length - 1] > gaps[0], "backoff grows: " + gaps.join(","));
  x.network.loss = 0;
  x.clock.runUntil(() => runsConfirmed(x), 3_600_000);
  assert.ok(runsConfirmed(x));
  const after = x.events.find((e) => e.name === "resume");
  assert.ok(after && after.a === 0 && (after.b as number) >= 8192, "resumed from the checkpoint: " + JSON.stringify(after));
});

t("a reset mid-transfer: after power-on the client resumes from the staged prefix (blocks by offset)", () => {
  const { res, x } = run({}, { resetAt: 14_000 });
  assert.ok(res.completed, res.outcome);
  assert.is(res.resets, 1);
  const r = x.events.find((e) => e.name === "resume");
  assert.ok(r && r.a === 0 && (r.b as number) > 0, JSON.stringify(r));
  const firstAfter = x.plugin.offsets.filter((o) => o > 100).find((o, i, a) => i > 0 && o < a[i - 1]);
  assert.ok(firstAfter !== undefined && firstAfter >= 8192, "asked from the prefix on, not from 0: " + firstAfter);
});

for (const mode of ["absolute", "wait"] as const) {
  t("Upgrade End Response " + mode + ": the reset waits for the server's time", () => {
    const { res, names, x } = run({ plugin: { upgrade: mode } });
    assert.ok(res.completed, res.outcome);
    const u = x.events.find((e) => e.name === "upgrade")!;
    assert.is(u.a, mode === "wait" ? -1 : 2000);
    assert.ok(names.includes("confirmed"));
  });
}

t("Upgrade End never answered: asked 8 times, then the staged image is applied anyway", () => {
  const { res, x, sent } = run({ plugin: { noEndResponse: true } });
  assert.ok(res.completed, res.outcome);
  assert.is(sent.filter((s) => s.cmd === CMD_END_REQ && s.status === 0).length, 8);
  assert.ok(x.events.some((e) => e.name === "upgrade" && e.b === 1));
});

t("an image that never confirms: trial boots, rollback; the rolled-back file version is not fetched again (ROLLED_BACK)", () => {
  const bad = zigbeeFile(zigbeeImage({ version: "1.2.0", extra: ",autoConfirm:false" }), "1.2.0");
  const x = zigbeeRig({ file: bad, extra: ",queryEvery:600" });
  x.plugin.start();
  x.clock.runUntil(() => x.device.boots.some((b) => b.reason === 2), 3_600_000);
  const back = x.device.running!;
  assert.equal([back.slot, back.reason, back.version], [0, 2, "1.0.0"], "rolled back");
  const before = x.plugin.requests;
  x.clock.advance(3 * 600_000);
  assert.is(x.plugin.requests, before, "no block asked for after the rollback");
  const refusals = x.events.filter((e) => e.name === "offer" && e.a === ZF_ROLLED_BACK);
  assert.ok(refusals.length >= 2, "each query's offer refused: " + refusals.length);
});

t.run();
