import { FrameDecoder } from "../ncp/frame.js";
import { crc8 } from "../ncp/crc8.js";
import * as P from "../ncp/protocol.js";
import { Reader } from "../ncp/wire.js";
import { loadBoard } from "../board/files.js";
import { sha256 } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { installFactory } from "../testbench/install.js";
import { NorFlash } from "../platform/host/norflash.js";
import { rng } from "../testbench/rng.js";
import { Frames } from "./messages.js";
import { mutate, randomBytes } from "./mutate.js";
import { FuzzTarget } from "./target.js";

export interface FuzzResult {
  inputs: number;
  crashes: number;
  strayWrites: number;
  /** Times the running image no longer verified. */
  lost: number;
  hangs: number;
  /** Client events by name and code, summed over every board. */
  events: Record<string, number>;
  kinds: Record<string, number>;
  firstCrash: string;
}

const TYPE = "TMPLFUZZ";
const CLIENT_UIDS = [P.MCU_PING, P.MCU_REBOOT, P.MCU_HAS_UID, P.CLIENT_STATE_CHANGE, P.CLIENT_VPIN_CHANGE, P.CLIENT_PROCESS_EVENT,
  P.CLIENT_OTA_AVAILABLE, P.CLIENT_OTA_WRITE, P.CLIENT_OTA_FINISH, P.CLIENT_OTA_CANCEL];

/**
 * Deterministic fuzzing of the client as the NCP sees it: decoder, RPC
 * dispatch and session on emulated flash. Inputs mix random bytes, mutated
 * valid frames, frames with bad fields, and valid update sequences with
 * calls duplicated, reordered or dropped, so every session state is reached.
 */
export function runFuzz(o: { seed: number; inputs: number; board?: string }): FuzzResult {
  const rand = rng(o.seed);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const board = loadBoard(o.board || "linux");
  const res: FuzzResult = { inputs: 0, crashes: 0, strayWrites: 0, lost: 0, hangs: 0, events: {}, kinds: {}, firstCrash: "" };
  const f = new Frames();
  let version = 1;
  const image = (v: number) => buildImage({ board: board.id, type: TYPE, version: v + ".0", build: "fuzz", payload: randomBytes(rand, 1500 + Math.floor(rand() * 3000)) });
  let target: FuzzTarget;
  let img = image(2);
  let sent = 0;
  const fresh = () => {
    const flash = new NorFlash({ geometry: board.geometry, strict: rand() < 0.5 });
    installFactory(flash, board, image(version), 0);
    target = new FuzzTarget(board, flash);
    wire(target);
  };
  // The NCP side: answers the client's calls a moment later, mostly right.
  const wire = (t: FuzzTarget) => {
    const dec = new FrameDecoder({
      crc8: crc8,
      onFrame: (b, len) => {
        const r = new Reader().reset(b, 0, len);
        if (r.u16() !== P.OP_INVOKE) return;
        const uid = r.u16();
        const id = r.u16();
        const bad = rand() < 0.05;
        let reply: Uint8Array;
        if (uid === P.BLYNK_OTA_GET_SHA256) reply = f.result(id, bad ? pick([P.ST_ERROR, P.ST_NO_UID]) : 0, (w) => w.bin(bad ? sha256(new Uint8Array(1)) : sha256(img)).u8(1));
        else if (uid === P.NCP_PING) reply = f.result(id, bad ? P.ST_ERROR : 0);
        else reply = f.result(id, 0, (w) => w.u8(bad ? 0 : 1));
        t.clock.setTimeout(() => t.feed(f.frame(reply)), 1 + Math.floor(rand() * 5));
      },
    });
    t.onReply = (b) => dec.feed(b);
  };
  fresh();
  const chunk = board.chunkSize;
  const next = (): [string, Uint8Array, number] => {
    const r = rand();
    if (r < 0.15) return ["random", randomBytes(rand, Math.floor(rand() * (rand() < 0.1 ? 2000 : 300))), 0];
    if (r < 0.35) {
      const m = pick([f.offer(img.length, TYPE, ""), f.write(sent, img.subarray(sent, sent + chunk)), f.invoke(P.CLIENT_OTA_FINISH), f.invoke(pick(CLIENT_UIDS))]);
      return ["mutated", rand() < 0.5 ? f.frame(mutate(rand, m)) : mutate(rand, f.frame(m)), 0];
    }
    if (r < 0.55) return ["bad field", f.frame(badField()), 0];
    return ["sequence", f.frame(step()), rand() < 0.02 ? 61_000 : rand() < 0.1 ? 300 : 2];
  };
  const badField = (): Uint8Array => {
    const k = Math.floor(rand() * 8);
    if (k === 0) return f.invoke(Math.floor(rand() * 0x10000));
    if (k === 1) return f.offer(pick([0, 1, 127, 1 << 30, img.length + 1, 0xffffffff]), pick([TYPE, "", "X"]), pick(["", "1.0", "9.9"]));
    if (k === 2) return f.write(pick([sent, sent + chunk, sent - chunk, 0xffffffff, Math.floor(rand() * img.length)]) >>> 0, img.subarray(sent, sent + chunk), Math.floor(rand() * 2 ** 32));
    if (k === 3) return f.write(sent, randomBytes(rand, pick([0, 1, chunk + 1, 1520, 4000])));
    if (k === 4) return f.invoke(P.CLIENT_OTA_AVAILABLE, (w) => w.u8(0x41).u8(0x42)); // String without NUL
    if (k === 5) return f.invoke(P.CLIENT_OTA_WRITE, (w) => w.u32(sent).u16(1500).u8(1)); // Binary past the end
    if (k === 6) return f.result(Math.floor(rand() * 0x10000), Math.floor(rand() * 256), (w) => w.u8(1));
    return f.invoke(pick(CLIENT_UIDS), (w) => w.u32(Math.floor(rand() * 2 ** 32)));
  };
  // A valid update, walked with calls repeated, skipped or sent out of order.
  const step = (): Uint8Array => {
    const s = target.client ? target.client.status() : undefined;
    const state = s ? s.state : 0;
    if (state === 0 || rand() < 0.01) {
      img = image(++version + 1);
      sent = 0;
      return f.offer(img.length, pick([TYPE, ""]), pick(["", (version + 1) + ".0"]));
    }
    if (state === 2 && s) sent = rand() < 0.9 ? s.received : pick([0, s.received - chunk, s.received + chunk]);
    if (sent >= img.length || state === 3) return rand() < 0.9 ? f.invoke(P.CLIENT_OTA_FINISH) : f.invoke(P.CLIENT_OTA_CANCEL);
    return f.write(Math.max(0, sent), img.subarray(Math.max(0, sent), Math.max(0, sent) + chunk), rand() < 0.03 ? 1 : undefined);
  };
  for (let i = 0; i < o.inputs; i++) {
    const [kind, bytes, ms] = next();
    res.kinds[kind] = (res.kinds[kind] || 0) + 1;
    const t0 = Date.now();
    target!.feed(bytes, ms);
    if (Date.now() - t0 > 2000) res.hangs++;
    res.inputs++;
    if (i % 500 === 499 && !target!.intact()) res.lost++;
    if (i % 20000 === 19999) collect(), fresh();
  }
  collect();
  function collect() {
    res.crashes += target.crashes;
    res.strayWrites += target.strayWrites;
    if (!res.firstCrash) res.firstCrash = target.firstCrash;
    for (const k in target.events) res.events[k] = (res.events[k] || 0) + target.events[k];
    target.events = {};
    target.crashes = 0;
    target.strayWrites = 0;
  }
  return res;
}
