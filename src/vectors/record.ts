import { type RecordFields } from "../core/record.js";
import { openRecord } from "../core/open.js";
import { crc32 } from "../platform/host/digest.js";
import { rng } from "../testbench/rng.js";
import { type BankSpec, bankBytes } from "./bank.js";
import { type Region, hex, makeFlash, stateJson, trim } from "./util.js";

const BANKS = [0x000, 0x200];
const geometry = (erase: number, align: number) => ({ base: 0, size: 0x400, blockLength: 0x200, writeAlign: align, eraseValue: erase });

interface Case {
  name: string;
  erase?: number;
  align?: number;
  banks: (BankSpec | undefined)[];
  locked?: number[];
}

function contents(c: Case): Region[] {
  const erase = c.erase === undefined ? 255 : c.erase;
  const out: Region[] = [];
  c.banks.forEach((s, i) => {
    if (s) out.push({ address: BANKS[i], data: hex(trim(bankBytes(s, erase, c.align || 4), erase)) });
  });
  return out;
}

const ok = (o: Partial<BankSpec>): BankSpec => ({ confirmed: 0, pending: 255, n: 3, seq: 1, ...o });

function decodeCases(): Case[] {
  const cs: Case[] = [
    { name: "both banks erased (0xFF): no record", banks: [] },
    { name: "both banks erased (0x00): no record", erase: 0, banks: [] },
    { name: "bank 0 confirmed slot 0", banks: [ok({})] },
    { name: "only bank 1", banks: [undefined, ok({ confirmed: 1, seq: 7 })] },
    { name: "higher sequence wins (bank 1)", banks: [ok({ seq: 1 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "higher sequence wins (bank 0)", banks: [ok({ seq: 5 }), ok({ seq: 4, confirmed: 1 })] },
    { name: "equal sequence: bank 0", banks: [ok({ seq: 9 }), ok({ seq: 9, confirmed: 1 })] },
    { name: "sequence wrap: 0 is newer than 0xFFFFFFFF", banks: [ok({ seq: 0xffffffff }), ok({ seq: 0, confirmed: 1 })] },
    { name: "sequence wrap: 0x80000000 is newer than 0x7FFFFFFF", banks: [ok({ seq: 0x80000000, confirmed: 1 }), ok({ seq: 0x7fffffff })] },
    { name: "sequences 2^31 apart: bank 0 stays (serial arithmetic, signed difference)", banks: [ok({ seq: 0 }), ok({ seq: 0x80000000, confirmed: 1 })] },
    { name: "sequences 2^31 apart, reversed: bank 0 stays", banks: [ok({ seq: 0x80000000 }), ok({ seq: 0, confirmed: 1 })] },
    { name: "pending slot 1, nothing spent", banks: [ok({ pending: 1 })] },
    { name: "pending, 2 of 3 trials spent in order", banks: [ok({ pending: 1, units: "epp" })] },
    { name: "non-contiguous trial units: 2 spent", banks: [ok({ pending: 1, units: "eepp" })] },
    { name: "a torn trial unit (one byte programmed) is spent", banks: [ok({ pending: 1, units: "e1" })] },
    { name: "a trial unit with one flipped bit is spent", banks: [ok({ pending: 1, units: "eeb" })] },
    { name: "units past N do not count", banks: [ok({ pending: 1, n: 2, units: "epppp" })] },
    { name: "N = 16, all spent", banks: [ok({ pending: 1, n: 16, units: "e" + "p".repeat(16) })] },
    { name: "confirm unit complete: pending confirmed", banks: [ok({ pending: 1, units: "cp" })] },
    { name: "confirm unit half written: torn", banks: [ok({ pending: 1, units: "hp" })] },
    { name: "confirm unit with one programmed byte: torn", banks: [ok({ pending: 1, units: "1" })] },
    { name: "confirm unit programmed to the wrong value: torn", banks: [ok({ pending: 1, units: "p" })] },
    { name: "confirm unit complete without a pending slot: not pending-confirmed", banks: [ok({ units: "c" })] },
    { name: "flags and payload CRC-32s are carried as read", banks: [ok({ flags: 0x0f, crc: [0xcbf43926, 0x12345678] })] },
    { name: "bad magic: the other bank", banks: [ok({ magic: 0x52424f46, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "format 1 is not read", banks: [ok({ format: 1, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "bad CRC-32", banks: [ok({ badCrc: 1, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "confirmed slot 2", banks: [ok({ confirmed: 2, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "pending equal to confirmed", banks: [ok({ pending: 0, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "pending slot 2", banks: [ok({ pending: 2, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "N = 0", banks: [ok({ n: 0, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "N = 17", banks: [ok({ n: 17, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "bytes 13..15 not zero", banks: [ok({ pad: 1, seq: 3 }), ok({ seq: 2, confirmed: 1 })] },
    { name: "neither bank decodes", banks: [ok({ badCrc: 0x100 }), ok({ format: 3 })] },
  ];
  // Every erase value and unit size: U = max(4, writeAlign), units from roundUp(28, U).
  for (const erase of [255, 0]) {
    for (const align of [1, 4, 8, 16]) {
      cs.push({ name: "erase 0x" + erase.toString(16) + ", write alignment " + align + ": trial, one unit torn, one spent", erase: erase, align: align,
        banks: [ok({ seq: 4 }), ok({ seq: 5, confirmed: 1, pending: 0, n: 4, units: "e1epe" })] });
      cs.push({ name: "erase 0x" + erase.toString(16) + ", write alignment " + align + ": pending confirmed", erase: erase, align: align,
        banks: [ok({ seq: 6, pending: 1, units: "cp" }), ok({ seq: 5 })] });
    }
  }
  // Random banks, as a boot fuzz would make them.
  const r = rng(19);
  for (let i = 0; i < 40; i++) {
    const erase = r() < 0.5 ? 255 : 0;
    const align = [4, 8, 16][(r() * 3) | 0];
    cs.push({ name: "random " + i, erase: erase, align: align, banks: [randomBank(r), randomBank(r)] });
  }
  return cs;
}

/** A random bank: mostly valid, sometimes with a field out of range, units in any state. */
export function randomBank(r: () => number): BankSpec | undefined {
  if (r() < 0.1) return undefined;
  const n = r() < 0.9 ? 1 + ((r() * 4) | 0) : (r() * 18) | 0;
  const confirmed = r() < 0.95 ? (r() * 2) | 0 : 2;
  const pending = r() < 0.45 ? 255 : r() < 0.95 ? 1 - (confirmed & 1) : confirmed;
  const seq = r() < 0.2 ? (0xfffffffe + ((r() * 4) | 0)) >>> 0 : (r() * 6) | 0;
  let units = "";
  for (let k = 0; k <= n; k++) {
    const x = r();
    units += x < 0.5 ? "e" : x < 0.8 ? (k === 0 ? "c" : "p") : x < 0.87 ? "h" : x < 0.94 ? "1" : "b";
  }
  const crcs: [number, number] = [(r() * 4294967296) >>> 0, (r() * 4294967296) >>> 0];
  return { confirmed: confirmed, pending: pending, n: n, seq: seq, flags: r() < 0.6 ? 0 : (r() * 16) | 0, crc: crcs, units: units, badCrc: r() < 0.05 ? 1 : 0 };
}

type Action = { kind: "write"; fields: RecordFields } | { kind: "countTrial" } | { kind: "confirm" };

function planCases(): (Case & { action: Action })[] {
  const w = (f: RecordFields): Action => ({ kind: "write", fields: f });
  return [
    { name: "write after no record: bank 0, sequence 1", banks: [], action: w({ confirmed: 0, pending: 255, maxTrials: 3, flags: 0 }) },
    { name: "write goes to the other bank, sequence + 1", banks: [ok({ seq: 4 })], action: w({ confirmed: 0, pending: 1, maxTrials: 3, flags: 0, crcSlot: 1, crc: 0xcbf43926 }) },
    { name: "write carries the CRC-32 bits and values, keeps only flag bits 0-1 given", banks: [undefined, ok({ seq: 8, flags: 0x0d, crc: [0x11111111, 0x22222222] })],
      action: w({ confirmed: 1, pending: 255, maxTrials: 5, flags: 0x0e }) },
    { name: "write replaces one slot's CRC-32", banks: [ok({ seq: 2, flags: 0x0c, crc: [0x11111111, 0x22222222] })], action: w({ confirmed: 0, pending: 1, maxTrials: 3, flags: 0, crcSlot: 1, crc: 0x33333333 }) },
    { name: "write wraps the sequence", banks: [ok({ seq: 0xffffffff })], action: w({ confirmed: 0, pending: 255, maxTrials: 3, flags: 1 }) },
    { name: "write into a bank holding garbage: erased first", banks: [ok({ seq: 2 }), ok({ seq: 1, confirmed: 1, units: "cppp" })], action: w({ confirmed: 1, pending: 255, maxTrials: 3, flags: 0 }) },
    { name: "write, erase 0x00, alignment 16", erase: 0, align: 16, banks: [ok({ seq: 2 })], action: w({ confirmed: 0, pending: 1, maxTrials: 16, flags: 2 }) },
    { name: "count a trial: first unit", banks: [ok({ pending: 1 })], action: { kind: "countTrial" } },
    { name: "count a trial: the first erased unit, not the next in order", banks: [ok({ pending: 1, units: "eepe" })], action: { kind: "countTrial" } },
    { name: "count a trial, erase 0x00, alignment 8", erase: 0, align: 8, banks: [ok({ pending: 1, units: "ep" })], action: { kind: "countTrial" } },
    { name: "count a trial: no erased unit left (null)", banks: [ok({ pending: 1, units: "eppp" })], action: { kind: "countTrial" } },
    { name: "count a trial: the unit is ECC-locked, the program refused (null)", banks: [ok({ pending: 1 })], locked: [0x20], action: { kind: "countTrial" } },
    { name: "confirm: the confirm unit", banks: [ok({ pending: 1, units: "ep" })], action: { kind: "confirm" } },
    { name: "confirm, alignment 16, erase 0x00", erase: 0, align: 16, banks: [undefined, ok({ pending: 0, confirmed: 1, units: "ep" })], action: { kind: "confirm" } },
    { name: "confirm: already confirmed, nothing written", banks: [ok({ pending: 1, units: "cp" })], action: { kind: "confirm" } },
    { name: "confirm: a torn unit is never programmed twice, a new record names the image confirmed", banks: [ok({ pending: 1, seq: 3, units: "hp" })], action: { kind: "confirm" } },
    { name: "confirm: an ECC-locked unit refuses, a new record", banks: [ok({ pending: 1, seq: 3, units: "ep" })], locked: [0x1c], action: { kind: "confirm" } },
  ];
}

export function recordVectors() {
  return {
    about: "Boot record (README \"Boot record\", format 2). Flash: base 0, two banks of one 0x200-byte erase block at 0x000 and 0x200; " +
      "`contents` placed on erased flash; `locked`: ECC words (U bytes from a multiple of U) that read as they look but refuse any program " +
      "until their block is erased. decode: -> the record the reader takes (valid false: none). plans: an action on the record read " +
      "from that flash -> the flash operations, in order (programs only ever hit erased bytes), and the record after it (null: not " +
      "done; write sets sequence + 1 in the other bank, or bank 0 after no record; fields.flags bits 0-1 only, CRC-32 bits and values " +
      "carried over, crcSlot/crc set one). countTrial programs the first erased trial unit with ~erase; confirm programs the confirm " +
      "unit with 0x5A, or writes a new record {confirmed: pending, pending: 255, flags 0} when the unit is torn or refuses.",
    banks: BANKS,
    bankSize: 0x200,
    decode: decodeCases().map((c) => {
      const erase = c.erase === undefined ? 255 : c.erase;
      const align = c.align || 4;
      const cont = contents(c);
      const flash = makeFlash(geometry(erase, align), cont);
      const s = openRecord({ flash: flash, digest: { crc32: crc32 }, layout: { banks: BANKS } }).read();
      return { name: c.name, eraseValue: erase, writeAlign: align, contents: cont, expect: stateJson(s) };
    }),
    plans: planCases().map((c) => {
      const erase = c.erase === undefined ? 255 : c.erase;
      const align = c.align || 4;
      const cont = contents(c);
      const flash = makeFlash(geometry(erase, align), cont, c.locked);
      const rec = openRecord({ flash: flash, digest: { crc32: crc32 }, layout: { banks: BANKS } });
      const s = rec.read();
      const a = c.action;
      const after = a.kind === "write" ? rec.write(s, a.fields) : a.kind === "countTrial" ? rec.countTrial(s) : rec.confirm(s);
      return {
        name: c.name, eraseValue: erase, writeAlign: align, contents: cont, locked: c.locked || [],
        action: a.kind, fields: a.kind === "write" ? { crcSlot: 255, crc: 0, ...a.fields } : undefined,
        ops: flash.ops, after: after ? stateJson(after) : null,
      };
    }),
  };
}
