import { suite } from "uvu";
import * as assert from "uvu/assert";
import { TYPE } from "./support/rig.js";
import { settle, tbRig, type TbRig, until } from "./support/thingsboard.js";

/*
 * The device against the stand-in behaving as a real ThingsBoard server does
 * (issue 18): an assignment is two pushes in either order, pushes carry
 * unrelated shared attributes, URL packages, HTTP 500 on a rate limit and
 * 404 during a re-assignment, protobuf device profiles, fw_error cleared.
 */
const t = suite("thingsboard: as a real server behaves");
const URL = "https://example.com/fw.bin";

async function idle(n = 200) {
  for (let i = 0; i < n; i++) await settle();
}

/** Whole emulated seconds pass only once the device waits on a backoff (a timer that is not the 10 s request timeout), until `done`. */
async function runBackoffs(x: TbRig, done: () => boolean): Promise<void> {
  const c = x.r.clock;
  for (;;) {
    await until(() => done() || (c.nextAt !== undefined && c.nextAt - c.now() !== 10000), "a backoff or the end");
    if (done()) return;
    c.advance((c.nextAt as number) - c.now());
  }
}

for (const order of ["values-first", "deleted-first"] as const) {
  t(`item 1: an unsupported checksum is FAILED once (assignment pushed ${order}), not again on an unrelated push; a new identity starts again`, async () => {
    const x = await tbRig({ transport: "mqtt", algorithms: ["SHA256", "CRC32"] });
    try {
      await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
      x.sim.pushOrder = order;
      x.sim.assign(x.pkg("2.0.0", { algorithm: "MD5" }));
      assert.is((await x.sim.waitState("FAILED")).fw_error, "UNSUPPORTED_CHECKSUM: MD5");
      x.sim.setShared("targetTemperature", 21);
      await idle();
      assert.equal(x.sim.states(), ["FAILED"], "one FAILED for the two pushes and the unrelated one");
      x.sim.assign(x.pkg("2.0.1", { algorithm: "MD5" }));
      await until(() => x.sim.states().length === 2, "second FAILED");
      await idle();
      assert.equal(x.sim.states(), ["FAILED", "FAILED"]);
      assert.equal(x.sim.requests, []);
    } finally {
      await x.close();
    }
  });

  t(`item 1: a URL package replaced by an uploaded one (pushed ${order}) starts the new one with no spurious FAILED`, async () => {
    const x = await tbRig({ transport: "mqtt" });
    try {
      await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
      x.sim.pushOrder = order;
      x.sim.assign(x.pkg("2.0.0", { url: URL }));
      assert.is((await x.sim.waitState("FAILED")).fw_error, "URL_PACKAGE");
      x.sim.assign(x.pkg("2.1.0"));
      await x.rebootAsked;
      await x.sim.waitState("UPDATING");
      assert.equal(x.sim.states(), ["FAILED", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
    } finally {
      await x.close();
    }
  });
}

t("item 1: a package that failed its checksum is not downloaded again after an unrelated push or a deletion push", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    x.sim.assign(x.pkg("2.0.0", { checksum: "00".repeat(32) }));
    assert.is((await x.sim.waitState("FAILED")).fw_error, "DIGEST: SHA256");
    const n = x.sim.requests.length;
    x.sim.setShared("mode", "eco");
    x.sim.emit("attributes", { deleted: ["fw_url"] });
    await idle();
    assert.is(x.sim.requests.length, n, "no chunk asked for again");
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "FAILED"]);
  } finally {
    await x.close();
  }
});

t("item 2: a URL package assigned before power-on (MQTT) is FAILED URL_PACKAGE from the attributes request, with no fetch", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    x.sim.assign(x.pkg("2.0.0", { url: URL }));
    x.powerCycle();
    assert.is((await x.sim.waitState("FAILED")).fw_error, "URL_PACKAGE");
    await idle();
    assert.equal(x.sim.requests, []);
    assert.equal(x.sim.states(), ["FAILED"]);
  } finally {
    await x.close();
  }
});

t("item 2: a URL package over HTTP (with a checksum too) is FAILED URL_PACKAGE with no fetch, and not reported again by later polls", async () => {
  const x = await tbRig({ transport: "http" });
  try {
    const p = x.pkg("2.0.0", { url: URL });
    x.sim.assign(Object.assign(p, { checksum: "ab".repeat(32) }));
    x.board.check();
    assert.is((await x.sim.waitState("FAILED")).fw_error, "URL_PACKAGE");
    for (let i = 0; i < 3; i++) {
      x.board.check();
      await idle();
    }
    assert.equal(x.sim.requests, []);
    assert.equal(x.sim.states(), ["FAILED"]);
  } finally {
    await x.close();
  }
});

t("item 3: HTTP 500 (the rate limit) on chunks is retried with a backoff and the pull goes on from where it stood", async () => {
  const x = await tbRig({ transport: "http" });
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    x.sim.on("request", (q) => {
      if (q.chunk === 1 && q.answered && !x.sim.faults.httpError) x.sim.faults.httpError = { status: 500, count: 3 };
    });
    const pkg = x.pkg("2.0.0");
    x.sim.assign(pkg);
    x.board.check();
    await runBackoffs(x, () => x.sim.states().includes("UPDATING") || x.sim.states().includes("FAILED"));
    await x.rebootAsked;
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
    const n = Math.ceil(pkg.data.length / 1024);
    assert.equal(x.sim.requests.map((q) => q.chunk), [0, 1, 2, 2, 2, ...Array.from({ length: n - 2 }, (_, i) => i + 2)]);
    assert.is(x.r.clock.now(), 1000 + 2000 + 4000, "backoff 1 s, 2 s, 4 s");
  } finally {
    await x.close();
  }
});

t("item 3: a persistent 404 fails the package after 8 attempts over 2 minutes; a poll before the backoff does nothing, one after it resumes from the staged prefix", async () => {
  const x = await tbRig({ transport: "http" });
  try {
    await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
    let once = true;
    x.sim.on("request", (q) => {
      if (q.chunk === 4 && q.answered && once) x.sim.faults.httpError = { status: 404, count: 1000 };
      if (q.chunk === 4) once = false;
    });
    x.sim.assign(x.pkg("2.0.0", {}, 8000));
    x.board.check();
    await runBackoffs(x, () => x.sim.states().includes("FAILED"));
    const f = await x.sim.waitState("FAILED");
    assert.is(f.fw_error, "HTTP: 404");
    assert.is(x.sim.requests.filter((q) => q.chunk === 5).length, 8);
    assert.ok(x.r.clock.now() >= 120000, "over at least 2 minutes");
    x.sim.faults = {};
    const n = x.sim.requests.length;
    x.board.check();
    await idle();
    assert.is(x.sim.requests.length, n, "within the backoff: no chunk request");
    assert.equal(x.sim.states(), ["DOWNLOADING", "FAILED"], "and FAILED not posted again");
    x.r.clock.advance(60000);
    x.board.check();
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    assert.is(x.sim.requests[n].chunk, 4, "resumed at the 4 KB checkpoint");
    assert.equal(x.sim.states(), ["DOWNLOADING", "FAILED", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
  } finally {
    await x.close();
  }
});

t("item 4: a protobuf device profile gets one FAILED NOT_JSON and one log line naming the cause", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    x.sim.payloadType = "PROTOBUF";
    x.sim.assign(x.pkg("2.0.0"));
    x.powerCycle();
    const f = await x.sim.waitState("FAILED");
    assert.match(String(f.fw_error), /^NOT_JSON: /);
    x.sim.setShared("x", 1);
    x.sim.assign(x.pkg("2.0.1"));
    await idle();
    assert.equal(x.sim.states(), ["FAILED"]);
    assert.is(x.logs.filter((l) => /not JSON.*must be JSON/.test(l)).length, 1);
    assert.equal(x.sim.requests, []);
  } finally {
    await x.close();
  }
});

t("item 5: fw_error \"\" goes with every state that is not FAILED, through to UPDATED", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    x.sim.assign(x.pkg("2.0.0", { checksum: "11".repeat(32) }, 2000));
    await x.sim.waitState("FAILED");
    x.sim.assign(x.pkg("2.0.0", {}, 2000));
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    const b = x.powerCycle();
    await x.sim.waitTelemetry((v) => v.current_fw_version === "2.0.0");
    assert.ok(b.client.confirm());
    const done = await x.sim.waitState("UPDATED");
    assert.is(done.current_fw_title, TYPE);
    const states = x.sim.telemetry.filter((v) => v.fw_state !== undefined);
    assert.equal(states.map((v) => v.fw_state), ["DOWNLOADING", "DOWNLOADED", "FAILED", "DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
    for (const v of states) assert.is(v.fw_error, v.fw_state === "FAILED" ? "DIGEST: SHA256" : "", String(v.fw_state));
  } finally {
    await x.close();
  }
});

t.run();
