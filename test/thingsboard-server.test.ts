import { suite } from "uvu";
import * as assert from "uvu/assert";
import mqtt from "mqtt";
import { FW_ALL_KEYS, TbSim } from "../src/peers/thingsboard/server.js";

const t = suite("thingsboard: the tb-sim stand-in answers as the server does");
const TOKEN = "tok";
const data = new Uint8Array(2500).map((_, i) => i & 255);

async function withSim(fn: (sim: TbSim, c: mqtt.MqttClient) => Promise<void>) {
  const sim = await TbSim.start({ token: TOKEN });
  sim.assign({ title: "T", version: "1", data: data });
  const c = await mqtt.connectAsync({ host: "127.0.0.1", port: sim.mqttPort, username: TOKEN, reconnectPeriod: 0 });
  try {
    await fn(sim, c);
  } finally {
    await c.endAsync(true);
    await sim.close();
  }
}

/** Publishes and resolves with the next message on `topic`. */
function ask(c: mqtt.MqttClient, topic: string, payload: string, reply: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const fn = (tp: string, p: Buffer) => {
      if (tp !== reply) return;
      c.off("message", fn);
      resolve(p);
    };
    c.on("message", fn);
    c.publish(topic, payload);
  });
}

t("MQTT: only the exact filters are accepted (.../# gets SUBACK 0x80)", () => withSim(async (sim, c) => {
  const granted = await new Promise<number[]>((resolve) => {
    c.subscribe(["v2/fw/response/+/chunk/+", "v2/fw/error", "v2/fw/response/#", "#", "v1/devices/me/attributes"], (e, g) => {
      resolve(e && "packet" in e ? (e as unknown as { packet: { granted: number[] } }).packet.granted : (g || []).map((x) => x.qos));
    });
  });
  assert.equal(granted, [0, 0, 128, 128, 0]);
}));

t("MQTT: chunks by requestId, empty past the end, empty payload reuses the size, 0 is the whole file", () => withSim(async (sim, c) => {
  await c.subscribeAsync(["v2/fw/response/+/chunk/+"]);
  assert.equal(new Uint8Array(await ask(c, "v2/fw/request/1/chunk/1", "1000", "v2/fw/response/1/chunk/1")), data.subarray(1000, 2000));
  assert.is((await ask(c, "v2/fw/request/1/chunk/2", "", "v2/fw/response/1/chunk/2")).length, 500, "size remembered: 1000");
  assert.is((await ask(c, "v2/fw/request/1/chunk/3", "1000", "v2/fw/response/1/chunk/3")).length, 0, "past the end");
  assert.is((await ask(c, "v2/fw/request/2/chunk/0", "0", "v2/fw/response/2/chunk/0")).length, 2500);
}));

t("MQTT: a requestId stays pinned to the package it first served; a new id gets the new one", () => withSim(async (sim, c) => {
  await c.subscribeAsync(["v2/fw/response/+/chunk/+"]);
  await ask(c, "v2/fw/request/7/chunk/0", "100", "v2/fw/response/7/chunk/0");
  sim.assign({ title: "T", version: "2", data: new Uint8Array(300).fill(9) });
  assert.equal(new Uint8Array(await ask(c, "v2/fw/request/7/chunk/1", "100", "v2/fw/response/7/chunk/1")), data.subarray(100, 200));
  assert.equal(new Uint8Array(await ask(c, "v2/fw/request/8/chunk/1", "100", "v2/fw/response/8/chunk/1")), new Uint8Array(100).fill(9));
}));

t("MQTT: a size over the max payload gets PAYLOAD_TOO_LARGE on v2/fw/error and the connection closes", () => withSim(async (sim, c) => {
  await c.subscribeAsync(["v2/fw/error"]);
  const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
  assert.is((await ask(c, "v2/fw/request/1/chunk/0", "65537", "v2/fw/error")).toString(), "PAYLOAD_TOO_LARGE");
  await closed;
}));

t("MQTT: the attributes request is answered with the shared fw_* keys; unassigning pushes all nine fw_* keys deleted", () => withSim(async (sim, c) => {
  await c.subscribeAsync(["v1/devices/me/attributes/response/+", "v1/devices/me/attributes"]);
  const r = JSON.parse((await ask(c, "v1/devices/me/attributes/request/5", JSON.stringify({ sharedKeys: "fw_title,fw_size,nope" }), "v1/devices/me/attributes/response/5")).toString());
  assert.equal(r, { shared: { fw_title: "T", fw_size: 2500 } });
  const pushed = new Promise<Buffer>((resolve) => c.once("message", (tp, p) => resolve(p)));
  sim.unassign();
  // DefaultOtaPackageStateService deletes all nine OtaPackageKey attributes.
  assert.equal(JSON.parse((await pushed).toString()).deleted, FW_ALL_KEYS);
  assert.is(FW_ALL_KEYS.length, 9);
}));

/** Collects the next `n` messages on `topic`. */
function next(c: mqtt.MqttClient, topic: string, n: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve) => {
    const fn = (tp: string, p: Buffer) => {
      if (tp !== topic) return;
      got.push(p);
      if (got.length < n) return;
      c.off("message", fn);
      resolve(got);
    };
    c.on("message", fn);
  });
}

t("MQTT: an assignment is two pushes, values (with fw_tag) and the deleted keys, in either order; unrelated shared attributes are pushed too", () => withSim(async (sim, c) => {
  await c.subscribeAsync(["v1/devices/me/attributes"]);
  let got = next(c, "v1/devices/me/attributes", 2);
  sim.assign({ title: "T", version: "2", data: data });
  let [a, b] = (await got).map((p) => JSON.parse(p.toString()));
  assert.equal([a.fw_title, a.fw_version, a.fw_tag, a.fw_size, a.fw_url], ["T", "2", "T 2", 2500, undefined]);
  assert.equal(b, { deleted: ["fw_url"] });
  sim.pushOrder = "deleted-first";
  got = next(c, "v1/devices/me/attributes", 2);
  sim.assign({ title: "T", version: "3", data: new Uint8Array(0), url: "https://example.com/fw.bin" });
  [a, b] = (await got).map((p) => JSON.parse(p.toString()));
  assert.equal(a, { deleted: ["fw_tag", "fw_size", "fw_checksum_algorithm", "fw_checksum"] });
  assert.equal(b, { fw_title: "T", fw_version: "3", fw_url: "https://example.com/fw.bin" });
  got = next(c, "v1/devices/me/attributes", 1);
  sim.setShared("targetTemperature", 21);
  assert.equal(JSON.parse((await got)[0].toString()), { targetTemperature: 21 });
}));

t("URL packages: the attributes carry fw_url; a chunk request gets FAILURE and a closed link (MQTT), 404 (HTTP)", () => withSim(async (sim, c) => {
  sim.assign({ title: "T", version: "3", data: new Uint8Array(0), url: "https://example.com/fw.bin" });
  await c.subscribeAsync(["v1/devices/me/attributes/response/+", "v2/fw/error"]);
  const r = JSON.parse((await ask(c, "v1/devices/me/attributes/request/1", JSON.stringify({ sharedKeys: "fw_title,fw_version,fw_url,fw_size" }), "v1/devices/me/attributes/response/1")).toString());
  assert.equal(r, { shared: { fw_title: "T", fw_version: "3", fw_url: "https://example.com/fw.bin" } });
  const res = await fetch("http://127.0.0.1:" + sim.httpPort + "/api/v1/" + TOKEN + "/firmware?title=T&version=3&size=100&chunk=0");
  assert.is(res.status, 404);
  const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
  assert.is((await ask(c, "v2/fw/request/1/chunk/0", "100", "v2/fw/error")).toString(), "FAILURE");
  await closed;
}));

t("HTTP: a rate limit answers chunk GETs 500 (faults.httpError), then the bytes again", () => withSim(async (sim) => {
  const get = () => fetch("http://127.0.0.1:" + sim.httpPort + "/api/v1/" + TOKEN + "/firmware?title=T&version=1&size=1000&chunk=0");
  sim.faults.httpError = { status: 500, count: 2 };
  assert.equal([(await get()).status, (await get()).status, (await get()).status], [500, 500, 200]);
}));

t("MQTT: a device profile with protobuf payloads answers the attributes request in protobuf, not JSON", () => withSim(async (sim, c) => {
  sim.payloadType = "PROTOBUF";
  await c.subscribeAsync(["v1/devices/me/attributes/response/+"]);
  const p = await ask(c, "v1/devices/me/attributes/request/2", JSON.stringify({ sharedKeys: "fw_title" }), "v1/devices/me/attributes/response/2");
  assert.throws(() => JSON.parse(p.toString("latin1")));
  assert.ok(p.includes(Buffer.from("fw_title")));
}));

t("HTTP: 401 bad token, 400 title/version mismatch, 404 nothing assigned, 200 chunk, 200 empty past the end", () => withSim(async (sim) => {
  const get = (path: string) => fetch("http://127.0.0.1:" + sim.httpPort + path);
  assert.is((await get("/api/v1/bad/firmware?title=T&version=1")).status, 401);
  assert.is((await get("/api/v1/" + TOKEN + "/firmware?title=T&version=9")).status, 400);
  const ok = await get("/api/v1/" + TOKEN + "/firmware?title=T&version=1&size=1000&chunk=2");
  assert.equal([ok.status, (await ok.arrayBuffer()).byteLength], [200, 500]);
  const past = await get("/api/v1/" + TOKEN + "/firmware?title=T&version=1&size=1000&chunk=3");
  assert.equal([past.status, (await past.arrayBuffer()).byteLength], [200, 0]);
  assert.is((await (await get("/api/v1/" + TOKEN + "/firmware?title=T&version=1")).arrayBuffer()).byteLength, 2500, "size 0: whole file");
  sim.unassign();
  assert.is((await get("/api/v1/" + TOKEN + "/firmware?title=T&version=1")).status, 404);
}));

t.run();
