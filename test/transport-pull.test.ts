import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ResumableSession } from "../src/core/resume.js";
import { Pull } from "../src/transport/pull.js";

const t = suite("transport pull");

/** A session that takes writes at its `received` offset, and a clock whose timers run when told. */
function setup(o: { size: number; chunkSize: number; received?: number; aligned?: boolean; checkpointEvery?: number }) {
  const writes: [number, number][] = [];
  const session = {
    received: o.received || 0,
    state: 2,
    write(offset: number, data: Uint8Array): number {
      if (offset !== session.received) return 9;
      writes.push([offset, data.length]);
      session.received += data.length;
      return 0;
    },
    cancel() {},
    checkpoint: () => ({ bytes: session.received, crc: 0 }),
    tick: () => 0,
  };
  const timers: (() => void)[] = [];
  const asked: [number, number][] = [];
  const ended: [string, boolean][] = [];
  const saved: number[] = [];
  const settings = {
    session: session as unknown as ResumableSession,
    clock: { now: () => 0, setTimeout: (f: () => void) => timers.push(f), clearTimeout: () => {} },
    crc32: () => 0,
    chunkSize: o.chunkSize,
    checkpointEvery: o.checkpointEvery || 1 << 30,
  };
  const pull = new Pull(settings, {
    size: o.size,
    aligned: o.aligned,
    fetch: (offset, length) => asked.push([offset, length]),
    onCheckpoint: (c) => saved.push(c.bytes),
    onEnd: (e, keep) => ended.push([e, keep]),
  });
  // Answers every request with the bytes asked for.
  const serve = () => {
    while (!ended.length) {
      const [offset, length] = asked[asked.length - 1];
      pull.data(offset, new Uint8Array(length));
    }
  };
  return { pull: pull, writes: writes, asked: asked, ended: ended, saved: saved, serve: serve };
}

t("by byte offset: each request starts where the session stands, the last one short", () => {
  const x = setup({ size: 2500, chunkSize: 1024, received: 100 });
  x.pull.start();
  x.serve();
  assert.equal(x.asked, [[100, 1024], [1124, 1024], [2148, 352]]);
  assert.equal(x.writes, [[100, 1024], [1124, 1024], [2148, 352]]);
  assert.equal(x.ended, [["", true]]);
});

t("aligned (ThingsBoard's chunk index): a resume inside a chunk asks for the whole chunk and writes only what is new", () => {
  const x = setup({ size: 2500, chunkSize: 1024, received: 100, aligned: true });
  x.pull.start();
  x.serve();
  assert.equal(x.asked, [[0, 1024], [1024, 1024], [2048, 452]]);
  assert.equal(x.writes, [[100, 924], [1024, 1024], [2048, 452]]);
  assert.equal(x.ended, [["", true]]);
});

t("an answer of the wrong length or empty ends the pull, naming the chunk; a stale answer is ignored", () => {
  const x = setup({ size: 4096, chunkSize: 1024, aligned: true });
  x.pull.start();
  x.pull.data(0, new Uint8Array(1024));
  x.pull.data(0, new Uint8Array(1024));
  assert.equal(x.writes, [[0, 1024]]);
  x.pull.data(1024, new Uint8Array(1023));
  assert.equal(x.ended, [["CHUNK_LENGTH: 1 has 1023 bytes, not 1024", false]]);
  const y = setup({ size: 4096, chunkSize: 1024 });
  y.pull.start();
  y.pull.data(0, new Uint8Array(0));
  assert.equal(y.ended, [["EMPTY_CHUNK: 0", false]]);
});

t("checkpoints every checkpointEvery bytes, none at the end", () => {
  const x = setup({ size: 5000, chunkSize: 1000, checkpointEvery: 2000 });
  x.pull.start();
  x.serve();
  assert.equal(x.saved, [2000, 4000]);
});

t.run();
