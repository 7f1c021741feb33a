import { decideBoot } from "../boot/decide.js";
import { HEADER_SIZE } from "../core/header.js";
import type { Layout } from "../core/layout.js";
import { crc32, hostDigest } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { rng } from "../testbench/rng.js";
import { type BankSpec, bankBytes } from "./bank.js";
import { payloadOf } from "./header.js";
import { randomBank } from "./record.js";
import { type Region, hex, makeFlash, stateJson, trim } from "./util.js";

const BOARD = "VECTORS";
const LAYOUT: Layout = { board: BOARD, slots: [{ address: 0x400, size: 0x600 }, { address: 0xa00, size: 0x600 }], banks: [0x000, 0x200], maxTrials: 3 };
const geometry = (erase: number, align: number) => ({ base: 0, size: 0x1000, blockLength: 0x200, writeAlign: align, eraseValue: erase });

/** "v" valid, "r" payload bit flipped, "h" header bit flipped, "w" built for another board, "e" erased. */
type Img = "v" | "r" | "h" | "w" | "e";

function image(slot: number, kind: Img): Uint8Array {
  if (kind === "e") return new Uint8Array(0);
  const img = buildImage({ board: kind === "w" ? "OTHER" : BOARD, type: "TMPLVEC", version: slot + ".0.0", build: "v", payload: payloadOf(24 + slot * 8, slot) });
  if (kind === "r") img[HEADER_SIZE + 5] ^= 0x20;
  if (kind === "h") img[100] ^= 1;
  return img;
}

/** The payload CRC-32 of slot k's valid image: what finish() writes into the record. */
export const goodCrc = (k: number) => crc32(payloadOf(24 + k * 8, k));

interface Case {
  name: string;
  erase?: number;
  align?: number;
  slots: [Img, Img];
  banks: (BankSpec | undefined)[];
  locked?: number[];
  refuse?: number[];
  crcAtBoot?: boolean;
  powerOn?: boolean;
}

const rec = (o: Partial<BankSpec>): BankSpec => ({ confirmed: 0, pending: 255, n: 3, seq: 1, flags: 0x0c, crc: [goodCrc(0), goodCrc(1)], ...o });

function cases(): Case[] {
  const cs: Case[] = [
    { name: "no record: the first slot that verifies (scan)", slots: ["v", "v"], banks: [] },
    { name: "no record, slot 0 rotten: slot 1", slots: ["r", "v"], banks: [] },
    { name: "no record, nothing verifies: nothing started", slots: ["h", "w"], banks: [] },
    { name: "confirmed slot 0: started, nothing written", slots: ["v", "v"], banks: [rec({})] },
    { name: "confirmed slot 1 in bank 1", slots: ["v", "v"], banks: [rec({ seq: 1 }), rec({ seq: 2, confirmed: 1 })] },
    { name: "pending slot 1, no trial spent: spend one, start it on trial", slots: ["v", "v"], banks: [rec({ pending: 1 })] },
    { name: "pending, 2 of 3 spent: the last trial", slots: ["v", "v"], banks: [rec({ pending: 1, units: "epp" })] },
    { name: "pending, non-contiguous spent units: the first erased one is programmed", slots: ["v", "v"], banks: [rec({ pending: 1, units: "epe" })] },
    { name: "pending, confirm unit torn: still a trial", slots: ["v", "v"], banks: [rec({ pending: 1, units: "hp" })] },
    { name: "trials spent: rolled back (new record, flag 1), confirmed started", slots: ["v", "v"], banks: [rec({ pending: 1, units: "eppp" })] },
    { name: "pending image rotten: rolled back at once", slots: ["v", "r"], banks: [rec({ pending: 1 })] },
    { name: "pending image confirmed: it is started", slots: ["v", "v"], banks: [rec({ pending: 1, units: "cp" })] },
    { name: "pending confirmed but rotten, fallback not tried: the other slot on trial (reason 5)", slots: ["v", "r"], banks: [rec({ pending: 1, units: "cp" })] },
    { name: "confirmed image rotten: fallback record, the other image on trial (reason 5)", slots: ["r", "v"], banks: [rec({})] },
    { name: "confirmed image rotten, fallback already tried: nothing started", slots: ["r", "v"], banks: [rec({ flags: 0x0e })] },
    { name: "confirmed image rotten, the other one too: fallback record written, nothing started", slots: ["r", "e"], banks: [rec({})] },
    { name: "fallback image on trial: reason 5 again", slots: ["r", "v"], banks: [rec({ pending: 1, flags: 0x0e, units: "ep" })] },
    { name: "fallback trials spent: rolled back to a rotten image, nothing started", slots: ["r", "v"], banks: [rec({ pending: 1, flags: 0x0e, units: "eppp" })] },
    { name: "trial unit ECC-locked: trials left move to a new record, counted there", slots: ["v", "v"], banks: [rec({ pending: 1, seq: 6, units: "ep" })], locked: [0x24] },
    { name: "refused: the trial unit's program, then the new record's erase: the confirmed image (outer catch)", slots: ["v", "v"], banks: [rec({ pending: 1, units: "e" })], refuse: [1, 2] },
    { name: "refused: the rollback record's erase: the confirmed image all the same (reason 2)", slots: ["v", "v"], banks: [rec({ pending: 1, units: "eppp" })], refuse: [1] },
    { name: "refused: the rollback record's write, the confirmed image rotten: nothing", slots: ["r", "v"], banks: [rec({ pending: 1, units: "eppp" })], refuse: [2] },
    { name: "refused: the fallback record's erase: outer catch, only the (rotten) confirmed slot may start: nothing", slots: ["r", "v"], banks: [rec({})], refuse: [1] },
    { name: "refused: the fallback record's trial unit: trials carried into a third record", slots: ["r", "v"], banks: [rec({ seq: 9 })], refuse: [3] },
    { name: "refused: every write and erase, no record: a scan still starts slot 1", slots: ["e", "v"], banks: [], refuse: [1, 2, 3, 4, 5, 6] },
    { name: "record in bank 1, sequence wraps when rolled back", slots: ["v", "v"], banks: [undefined, rec({ seq: 0xffffffff, pending: 0, confirmed: 1, units: "eppp" })] },
    { name: "crcAtBoot: the record's CRC-32 matches, no SHA-256 needed", slots: ["v", "v"], banks: [rec({})], crcAtBoot: true },
    { name: "crcAtBoot: a wrong record CRC-32 falls back to SHA-256, still started", slots: ["v", "v"], banks: [rec({ crc: [1, 2] })], crcAtBoot: true },
    { name: "crcAtBoot: CRC bit clear, SHA-256", slots: ["v", "v"], banks: [rec({ flags: 0, crc: [0, 0] })], crcAtBoot: true },
    { name: "crcAtBoot: a rotten payload does not match the CRC-32 and fails SHA-256", slots: ["r", "v"], banks: [rec({ flags: 0x0e })], crcAtBoot: true },
    { name: "soft reset, trial counted: the pending image again, nothing written", slots: ["v", "v"], banks: [rec({ pending: 1, units: "ep" })], powerOn: false },
    { name: "soft reset, fallback trial counted: reason 5", slots: ["r", "v"], banks: [rec({ pending: 1, flags: 0x0e, units: "ep" })], powerOn: false },
    { name: "soft reset, no trial counted: the confirmed image (reason 2)", slots: ["v", "v"], banks: [rec({ pending: 1 })], powerOn: false },
    { name: "soft reset, trial counted but the image rotten: the confirmed image", slots: ["v", "r"], banks: [rec({ pending: 1, units: "ep" })], powerOn: false },
    { name: "soft reset, confirmed: started", slots: ["v", "v"], banks: [rec({ confirmed: 1 })], powerOn: false },
    { name: "soft reset, pending confirmed", slots: ["v", "v"], banks: [rec({ pending: 1, units: "c" })], powerOn: false },
    { name: "soft reset, confirmed rotten: nothing, nothing written", slots: ["r", "v"], banks: [rec({})], powerOn: false },
    { name: "soft reset, no record: scan", slots: ["e", "v"], banks: [], powerOn: false },
  ];
  for (const erase of [255, 0]) {
    for (const align of [4, 8, 16]) {
      const tag = " (erase 0x" + erase.toString(16) + ", alignment " + align + ")";
      cs.push({ name: "trial" + tag, erase: erase, align: align, slots: ["v", "v"], banks: [rec({ seq: 3 }), rec({ seq: 4, pending: 1, units: "ep" })] });
      cs.push({ name: "rollback" + tag, erase: erase, align: align, slots: ["v", "v"], banks: [rec({ seq: 3 }), rec({ seq: 4, pending: 1, units: "eppp" })] });
      cs.push({ name: "fallback" + tag, erase: erase, align: align, slots: ["v", "r"], banks: [rec({ confirmed: 1 })] });
    }
  }
  const r = rng(1919);
  const kinds: Img[] = ["v", "v", "v", "v", "r", "h", "w", "e"];
  for (let i = 0; i < 120; i++) {
    const erase = r() < 0.5 ? 255 : 0;
    const align = [4, 8, 16][(r() * 3) | 0];
    const banks = [randomBank(r), randomBank(r)];
    for (const b of banks) if (b && r() < 0.6) b.crc = [goodCrc(0), goodCrc(1)];
    const u = Math.max(4, align);
    const locked: number[] = [];
    if (r() < 0.3) locked.push(LAYOUT.banks[(r() * 2) | 0] + Math.ceil(28 / u) * u + u * ((r() * 4) | 0));
    const refuse = r() < 0.2 ? [1 + ((r() * 4) | 0)] : [];
    cs.push({
      name: "random " + i, erase: erase, align: align, slots: [kinds[(r() * 8) | 0], kinds[(r() * 8) | 0]], banks: banks, locked: locked, refuse: refuse,
      crcAtBoot: r() < 0.4, powerOn: r() < 0.8,
    });
  }
  return cs;
}

export function bootVectors() {
  return {
    about: "Boot decision (README \"Boot record\", decideBoot). Flash: base 0, size 0x1000, erase blocks of 0x200, strict NOR " +
      "(a program only hits erased bytes; it ANDs into 0xFF-erased parts, ORs into 0x00-erased ones), `contents` placed on erased " +
      "flash, `locked` ECC words of U = max(4, writeAlign) bytes refuse programs until erased, `refuse` the write/erase calls " +
      "(1-based, counted as attempted, refused ones included) that fail without touching the flash. A slot verifies when its header " +
      "parses, names `layout.board`, fits the slot and its payload SHA-256 matches (with crcAtBoot, a payload CRC-32 equal to the " +
      "record's for that slot is enough). powerOn false = a soft reset. expect: slot (-1 = none), reason (0 confirmed, 1 trial, " +
      "2 rolled back, 3 scan, 4 nothing, 5 fallback), every flash operation that took effect in order (a refused program is not " +
      "listed), and the record the decision ended on.",
    layout: LAYOUT,
    flash: { base: 0, size: 0x1000, blockLength: 0x200 },
    cases: cases().map((c) => {
      const erase = c.erase === undefined ? 255 : c.erase;
      const align = c.align || 4;
      const contents: Region[] = [];
      c.banks.forEach((b, i) => {
        if (b) contents.push({ address: LAYOUT.banks[i], data: hex(trim(bankBytes(b, erase, align), erase)) });
      });
      c.slots.forEach((k, i) => {
        const img = image(i, k);
        if (img.length) contents.push({ address: LAYOUT.slots[i].address, data: hex(img) });
      });
      const flash = makeFlash(geometry(erase, align), contents, c.locked, c.refuse);
      const opts = { crcAtBoot: !!c.crcAtBoot, powerOn: c.powerOn !== false };
      const ch = decideBoot({ flash: flash, digest: hostDigest(flash), layout: LAYOUT, crcAtBoot: opts.crcAtBoot, powerOn: opts.powerOn });
      return {
        name: c.name, eraseValue: erase, writeAlign: align, options: opts, contents: contents, locked: c.locked || [], refuse: c.refuse || [],
        expect: { slot: ch.slot, reason: ch.reason, ops: flash.ops, state: stateJson(ch.state) },
      };
    }),
  };
}
