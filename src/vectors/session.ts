import { Session } from "../core/session.js";
import type { Layout } from "../core/layout.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { hostDigest } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { type BankSpec, bankBytes } from "./bank.js";
import { payloadOf } from "./header.js";
import { type Op, type Region, hex, makeFlash, trim } from "./util.js";

const BOARD = "VECTORS";
const TYPE = "TMPLVEC";
const LAYOUT: Layout = { board: BOARD, slots: [{ address: 0x400, size: 0x600 }, { address: 0xa00, size: 0x600 }], banks: [0x000, 0x200], maxTrials: 3 };

type Call =
  | { call: "offer"; size: number; type: string; version: string }
  | { call: "start" }
  | { call: "write"; offset: number; data: Uint8Array; crc?: number }
  | { call: "finish"; sha256?: Uint8Array }
  | { call: "cancel" }
  | { call: "tick" };

interface Case {
  name: string;
  erase?: number;
  align?: number;
  chunkMax?: number;
  bank?: BankSpec;
  calls: (img: Uint8Array) => (Call & { now?: number })[];
  image?: (img: Uint8Array) => Uint8Array;
}

const v2 = buildImage({ board: BOARD, type: TYPE, version: "2.0.0", build: "v", payload: payloadOf(400, 7) });
const v1 = buildImage({ board: BOARD, type: TYPE, version: "1.0.0", build: "v", payload: payloadOf(200, 3) });

function chunks(img: Uint8Array, size: number, from = 0): Call[] {
  const out: Call[] = [];
  for (let o = from; o < img.length; o += size) out.push({ call: "write", offset: o, data: img.subarray(o, Math.min(img.length, o + size)) });
  return out;
}

const offer = (img: Uint8Array, version = "2.0.0"): Call => ({ call: "offer", size: img.length, type: TYPE, version: version });
const whole = (img: Uint8Array, size = 256): Call[] => [offer(img), { call: "start" }, ...chunks(img, size), { call: "finish", sha256: sha256(img) }];
const confirmed = (o: Partial<BankSpec> = {}): BankSpec => ({ confirmed: 0, pending: 255, n: 3, seq: 1, ...o });

function cases(): Case[] {
  return [
    { name: "a whole update: erase the staging blocks, write, finish marks slot 1 pending with its payload CRC-32", calls: (i) => whole(i) },
    { name: "no record yet: start writes one naming the running slot first", bank: undefined, calls: (i) => whole(i) },
    { name: "a confirmed pending image (slot 0, running): start writes a record naming it confirmed, stages into slot 1",
      bank: { confirmed: 1, pending: 0, n: 3, seq: 5, units: "cp" }, calls: (i) => whole(i) },
    { name: "offer refusals: size, too large, type, same version; then an offer without type and version",
      calls: () => [
        { call: "offer", size: 127, type: "", version: "" }, { call: "offer", size: 0x601, type: "", version: "" },
        { call: "offer", size: 600, type: "TMPLother", version: "" }, { call: "offer", size: 600, type: TYPE, version: "1.0.0" },
        { call: "offer", size: 600, type: "", version: "" }, { call: "offer", size: 600, type: "", version: "" },
      ] },
    { name: "on trial: offers refused", bank: { confirmed: 0, pending: 1, n: 3, seq: 2, units: "ep" }, calls: (i) => [offer(i)] },
    { name: "order: start, write and finish before an offer are refused", calls: (i) => [{ call: "start" }, { call: "write", offset: 0, data: i.subarray(0, 16) }, { call: "finish" }] },
    { name: "chunk refusals leave the session running; an exact resend is answered OK without writing",
      calls: (i) => [
        offer(i), { call: "start" },
        { call: "write", offset: 0, data: i.subarray(0, 256), crc: crc32(i.subarray(0, 256)) ^ 1 },
        { call: "write", offset: 256, data: i.subarray(256, 512) },
        { call: "write", offset: 0, data: i.subarray(0, 257) },
        { call: "write", offset: 0, data: new Uint8Array(0) },
        { call: "write", offset: 0, data: i.subarray(0, 256) },
        { call: "write", offset: 0, data: i.subarray(0, 256) },
        { call: "write", offset: 256, data: i.subarray(256, 512) },
        { call: "write", offset: 512, data: new Uint8Array(i.length - 512 + 1) },
        ...chunks(i, 256, 512), { call: "finish" },
      ] },
    { name: "a header for another board ends the session once 128 bytes are in", image: (i) => buildImage({ board: "OTHER", type: TYPE, version: "2.0.0", build: "v", payload: payloadOf(400, 7) }),
      calls: (i) => [offer(i), { call: "start" }, { call: "write", offset: 0, data: i.subarray(0, 100) }, { call: "write", offset: 100, data: i.subarray(100, 200) }, { call: "write", offset: 200, data: i.subarray(200, 300) }] },
    { name: "a header CRC error ends the session", image: (i) => {
      const b = i.slice();
      b[70] ^= 1;
      return b;
    }, calls: (i) => [offer(i), { call: "start" }, ...chunks(i, 256).slice(0, 1)] },
    { name: "a rotten payload: finish refuses (PAYLOAD_DIGEST), nothing marked", image: (i) => {
      const b = i.slice();
      b[300] ^= 1;
      return b;
    }, calls: (i) => whole(i) },
    { name: "the server's file SHA-256 differs: DIGEST", calls: (i) => [...whole(i).slice(0, -1), { call: "finish", sha256: new Uint8Array(32) }] },
    { name: "finish before the last chunk: INCOMPLETE", calls: (i) => [...whole(i).slice(0, -2), { call: "finish" }] },
    { name: "cancel, then a stall of a new session after 60 s without a call", calls: (i) => [
      offer(i), { call: "start" }, ...chunks(i, 256).slice(0, 1), { call: "cancel" },
      { ...offer(i), now: 1000 }, { call: "tick", now: 60999 }, { call: "tick", now: 61000 }, { call: "write", offset: 0, data: i.subarray(0, 16) },
    ] },
    { name: "alignment 16, erase 0x00, 100-byte chunks: whole units written, the tail padded at finish", erase: 0, align: 16, chunkMax: 100, calls: (i) => whole(i, 100) },
    { name: "alignment 8, chunks of 7 then 300", align: 8, chunkMax: 300, calls: (i) => [offer(i), { call: "start" }, { call: "write", offset: 0, data: i.subarray(0, 7) }, ...chunks(i, 300, 7), { call: "finish" }] },
  ];
}

export function sessionVectors() {
  return {
    about: "Update session (README \"Update session\", core/session.ts). Flash: base 0, size 0x1000, blocks of 0x200, strict NOR; " +
      "slot 0 holds the running image (firmware), the record bank 0 `contents`. Each call: its arguments (write: data as hex and the " +
      "CRC-32 the server sent; finish: the server's file SHA-256 or none), `now` in ms, the result code, the session state after " +
      "(0 IDLE, 1 OFFERED, 2 RECEIVING, 3 STAGED), bytes received, and the flash operations it made, in order.",
    layout: LAYOUT,
    flash: { base: 0, size: 0x1000, blockLength: 0x200 },
    firmware: { type: TYPE, version: "1.0.0" },
    running: 0,
    cases: cases().map((c) => {
      const erase = c.erase === undefined ? 255 : c.erase;
      const align = c.align || 4;
      const chunkMax = c.chunkMax || 256;
      const img = c.image ? c.image(v2) : v2;
      const contents: Region[] = [];
      const bank = "bank" in c ? c.bank : confirmed();
      if (bank) contents.push({ address: 0, data: hex(trim(bankBytes(bank, erase, align), erase)) });
      contents.push({ address: LAYOUT.slots[0].address, data: hex(v1) });
      const flash = makeFlash({ base: 0, size: 0x1000, blockLength: 0x200, writeAlign: align, eraseValue: erase }, contents);
      let now = 0;
      const running = 0;
      const boot = { slot: running, type: TYPE, version: "1.0.0" };
      const s = new Session({ flash: flash, digest: hostDigest(flash), layout: LAYOUT, boot: boot, clock: { now: () => now } }, chunkMax);
      const calls = c.calls(img).map((k) => {
        if (k.now !== undefined) now = k.now;
        const at = flash.ops.length;
        let result: number;
        let args: Record<string, unknown>;
        if (k.call === "offer") {
          args = { size: k.size, type: k.type, version: k.version };
          result = s.offer(k);
        } else if (k.call === "start") {
          args = {};
          result = s.start();
        } else if (k.call === "write") {
          const crc = k.crc === undefined ? crc32(k.data) : k.crc >>> 0;
          args = { offset: k.offset, data: hex(k.data), crc: crc };
          result = s.write(k.offset, k.data, crc);
        } else if (k.call === "finish") {
          args = { sha256: k.sha256 ? hex(k.sha256) : undefined };
          result = s.finish(k.sha256);
        } else if (k.call === "cancel") {
          args = {};
          result = s.cancel();
        } else {
          args = {};
          result = s.tick(now);
        }
        return { call: k.call, ...args, now: now, result: result, state: s.state, received: s.received, ops: flash.ops.slice(at) as Op[] };
      });
      return { name: c.name, eraseValue: erase, writeAlign: align, chunkMax: chunkMax, running: running, contents: contents, calls: calls };
    }),
  };
}
