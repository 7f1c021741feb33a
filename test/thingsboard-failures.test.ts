import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_ROLLBACK, BOOT_TRIAL } from "../src/boot/decide.js";
import { NO_SLOT } from "../src/core/layout.js";
import { loadProgress } from "../src/thingsboard/progress.js";
import { tbRig, settle, until, type TbRig } from "./support/thingsboard.js";

const t = suite("thingsboard: each failure is FAILED with its fw_error");

async function failing(setup: (x: TbRig) => void, o: { algorithms?: string[]; chunkSize?: number } = {}) {
  const x = await tbRig({ transport: "mqtt", algorithms: o.algorithms, chunkSize: o.chunkSize });
  await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
  setup(x);
  // A server that closes the link (v2/fw/error) loses the report; it is sent again after the board redials.
  await until(() => x.board.client.lastError !== "", "device-side failure");
  // Either the report arrives, or the link was closed and the board's only timer is its redial.
  await until(() => x.sim.states().includes("FAILED") || x.r.clock.pending > 0, "report or redial");
  if (!x.sim.states().includes("FAILED")) x.r.clock.advance(5000);
  const f = await x.sim.waitState("FAILED");
  return { x: x, error: f.fw_error, states: x.sim.states() };
}

async function check(name: string, setup: (x: TbRig) => void, error: string, states: string[], o: { algorithms?: string[]; chunkSize?: number } = {}) {
  t(name, async () => {
    const r = await failing(setup, o);
    try {
      assert.is(r.error, error);
      assert.equal(r.states, states);
      const rec = r.x.r.record.read();
      assert.equal([rec.confirmed, rec.pending], [0, NO_SLOT], "nothing staged, running image untouched");
    } finally {
      await r.x.close();
    }
  });
}

check("a wrong fw_checksum (SHA256) fails the verification after download", (x) => x.sim.assign(x.pkg("2.0.0", { checksum: "00".repeat(32) })),
  "DIGEST: SHA256", ["DOWNLOADING", "DOWNLOADED", "FAILED"]);
check("a wrong fw_checksum (CRC32) fails the verification after download", (x) => x.sim.assign(x.pkg("2.0.0", { algorithm: "CRC32", checksum: "2639f4cb" })),
  "DIGEST: CRC32", ["DOWNLOADING", "DOWNLOADED", "FAILED"]);
check("an algorithm this board cannot compute is refused before downloading", (x) => x.sim.assign(x.pkg("2.0.0", { algorithm: "MD5" })),
  "UNSUPPORTED_CHECKSUM: MD5", ["FAILED"], { algorithms: ["SHA256", "CRC32"] });
check("a checksum that is not hex of the algorithm's length is refused", (x) => x.sim.assign(x.pkg("2.0.0", { checksum: "abc" })),
  "BAD_CHECKSUM_VALUE: SHA256", ["FAILED"]);
check("a chunk of the wrong size is refused", (x) => {
  x.sim.faults.shortChunk = 2;
  x.sim.assign(x.pkg("2.0.0"));
}, "CHUNK_LENGTH: 2 has 1023 bytes, not 1024", ["DOWNLOADING", "FAILED"]);
check("an empty payload (past the end of the server's file) before fw_size bytes is refused", (x) => {
  const p = x.pkg("2.0.0");
  x.sim.assign(Object.assign(p, { size: p.data.length, data: p.data.subarray(0, 4096) }));
}, "EMPTY_CHUNK: 4", ["DOWNLOADING", "FAILED"]);
check("fw_size disagreeing with the image header is refused at chunk 0", (x) => {
  const p = x.pkg("2.0.0");
  x.sim.assign(Object.assign(p, { size: p.data.length + 1 }));
}, "HEADER_MISMATCH", ["DOWNLOADING", "FAILED"]);
check("an image for another board is refused at chunk 0", (x) => {
  const p = x.pkg("2.0.0");
  const other = x.pkg("2.0.0");
  other.data = new Uint8Array(p.data);
  other.data.set(new TextEncoder().encode("PUCKJS\0"), 48);
  x.sim.assign(other);
}, "HEADER_CRC", ["DOWNLOADING", "FAILED"]);
check("a chunk size above the server's max payload gets PAYLOAD_TOO_LARGE", (x) => x.sim.assign(x.pkg("2.0.0", {}, 70000)),
  "SERVER: PAYLOAD_TOO_LARGE", ["DOWNLOADING", "FAILED"], { chunkSize: 65537 });
check("a package larger than the staging slot is refused", (x) => x.sim.assign(x.pkg("2.0.0", {}, 140000)), "TOO_LARGE", ["FAILED"]);

t("a server that stops answering: requests are resent, then the session's stall limit ends it FAILED (STALLED), keeping the prefix", async () => {
  const r = await failing((x) => {
    x.sim.faults.stallFrom = 5;
    x.sim.assign(x.pkg("2.0.0"));
    void x.sim.waitRequest((q) => q.chunk === 5).then(async () => {
      for (let i = 0; i < 7; i++) {
        await settle();
        x.r.clock.advance(10000);
      }
    });
  });
  const x = r.x;
  try {
    assert.is(r.error, "STALLED");
    assert.equal(r.states, ["DOWNLOADING", "FAILED"]);
    assert.ok(x.sim.requests.filter((q) => q.chunk === 5).length > 1, "resent");
    const saved = loadProgress(x.store);
    assert.equal(saved && [saved.kind, saved.bytes], ["dl", 4096], "checkpoints every 4 KB by default");
    // The server recovers; the next power-on picks up at the checkpoint.
    x.sim.faults = {};
    const before = x.sim.requests.length;
    x.powerCycle();
    await x.rebootAsked;
    assert.is(x.sim.requests[before].chunk, 4);
  } finally {
    await x.close();
  }
});

t("an image that never confirms is rolled back and reported FAILED (ROLLED_BACK), and not fetched again", async () => {
  const x = await tbRig({ transport: "mqtt" });
  try {
    x.sim.assign(x.pkg("2.0.0"));
    await x.rebootAsked;
    await x.sim.waitState("UPDATING");
    for (let i = 0; i < x.r.board.layout.maxTrials; i++) {
      assert.is(x.powerCycle().boot.reason, BOOT_TRIAL);
      await x.sim.waitTelemetry((v) => v.current_fw_version === "2.0.0");
    }
    const before = x.sim.requests.length;
    const b = x.powerCycle();
    assert.is(b.boot.reason, BOOT_ROLLBACK);
    const f = await x.sim.waitState("FAILED");
    assert.is(f.fw_error, "ROLLED_BACK");
    x.powerCycle();
    await x.sim.waitTelemetry((v) => x.sim.telemetry.filter((w) => w.current_fw_version === "1.0.0").length >= 3);
    for (let i = 0; i < 50; i++) await settle();
    assert.is(x.sim.requests.length, before, "the rolled-back package is not pulled again");
    assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "FAILED"]);
  } finally {
    await x.close();
  }
});

t.run();
