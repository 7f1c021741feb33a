import CRC32 from "crc-32";
import { decideBoot } from "../boot/decide.js";
import type { Layout } from "../core/layout.js";
import { hostDigest } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { type Geometry, NorFlash } from "../platform/host/norflash.js";
import { rng } from "../testbench/rng.js";
import { imageValid, readRecord } from "../powercut/oracle.js";

/*
 * Boot fuzz: random contents of both record banks (valid records with random
 * fields, mutated ones, garbage; trial and confirm units erased, programmed,
 * torn, bit-flipped, out of order; ECC words locked while reading erased) and
 * of both slots (valid, rotten, erased), across erase value 0xFF/0x00, write
 * alignment 4/16, strict/lenient programming, and payloads checked by SHA-256
 * or by the record's CRC-32 (crcAtBoot). The stub then boots again
 * and again with an image that never confirms. Judged with the sweep's own
 * reading of flash (powercut/oracle.ts), never with core's decoders:
 *   throw  - decideBoot threw;
 *   unsafe - it started an image that does not verify, or wrote an image slot;
 *            or a reset() after a power-on (powerOn false) wrote anything or
 *            started another image than the power-on did;
 *   stuck  - after every trial could have been spent, it is not settled: the
 *            confirmed image (by the record) running with nothing pending,
 *            or nothing started when no confirmed image verifies, or, with no
 *            record at all, a verifying slot.
 */

export interface BootFuzzResult {
  states: number;
  throws: number;
  unsafe: number;
  stuck: number;
  /** The first few failures, each with the seed that reproduces it. */
  first: string[];
}

const BANKS = [0x0000, 0x0400];
const SLOTS = [{ address: 0x0800, size: 0x1800 }, { address: 0x2000, size: 0x1800 }];
const U = (align: number) => Math.max(4, align);

interface Template {
  geometry: Geometry;
  payloadCrc: number[];
  data: Uint8Array;
  layout: Layout;
}

function template(erase: number, align: number): Template {
  const geometry: Geometry = { base: 0, size: 0x3800, blockLength: 0x400, writeAlign: align, eraseValue: erase };
  const flash = new NorFlash({ geometry: geometry });
  const payloadCrc: number[] = [];
  for (let k = 0; k < 2; k++) {
    const p = new Uint8Array(1500 + k * 333);
    for (let i = 0; i < p.length; i++) p[i] = (i * 31 + k) & 0xff;
    const img = buildImage({ board: "FUZZ", type: "TMPLBOOT", version: k + ".0.0", build: "fuzz", payload: p });
    payloadCrc.push(crc32(p));
    const padded = new Uint8Array(Math.ceil(img.length / align) * align).fill(erase);
    padded.set(img);
    flash.write(padded, SLOTS[k].address);
  }
  return { geometry: geometry, payloadCrc: payloadCrc, data: flash.data.slice(), layout: { board: "FUZZ", slots: SLOTS, banks: BANKS, maxTrials: 3 } };
}

const crc32 = (b: Uint8Array) => CRC32.buf(b) >>> 0;

/** One bank's bytes, built by the README's table (not core's encoder), then maybe damaged. */
function bank(r: () => number, erase: number, align: number, payloadCrc: number[]): Uint8Array {
  const b = new Uint8Array(0x400).fill(erase);
  const kind = r();
  if (kind < 0.1) return b;
  if (kind < 0.15) {
    for (let i = 0; i < 64; i++) b[i] = (r() * 256) | 0;
    return b;
  }
  const u = U(align);
  const n = r() < 0.8 ? 1 + ((r() * 4) | 0) : (r() * 20) | 0;
  const confirmed = r() < 0.95 ? (r() * 2) | 0 : (r() * 4) | 0;
  const pending = r() < 0.5 ? 255 : r() < 0.9 ? 1 - (confirmed & 1) : (r() * 256) | 0;
  const seq = r() < 0.2 ? (0xfffffffc + ((r() * 8) | 0)) >>> 0 : (r() * 8) | 0;
  const h = new Uint8Array(28);
  h.set([0x45, 0x4f, 0x42, 0x52, r() < 0.97 ? 2 : 1, confirmed, pending, n]);
  h[8] = seq & 0xff; h[9] = (seq >>> 8) & 0xff; h[10] = (seq >>> 16) & 0xff; h[11] = seq >>> 24;
  h[12] = r() < 0.7 ? 0 : (r() * 16) | 0;
  // Payload CRC-32s: right for the template's images, or random.
  for (let k = 0; k < 2; k++) {
    const v = r() < 0.7 ? payloadCrc[k] : (r() * 4294967296) >>> 0;
    h[16 + 4 * k] = v & 0xff; h[17 + 4 * k] = (v >>> 8) & 0xff; h[18 + 4 * k] = (v >>> 16) & 0xff; h[19 + 4 * k] = v >>> 24;
  }
  const c = crc32(h.subarray(0, 24));
  h[24] = c & 0xff; h[25] = (c >>> 8) & 0xff; h[26] = (c >>> 16) & 0xff; h[27] = c >>> 24;
  b.set(h);
  const at = Math.ceil(28 / u) * u;
  const prog = 255 - erase;
  for (let k = 0; k <= Math.min(n, 16); k++) {
    const x = r();
    const o = at + k * u;
    if (x < 0.5) continue;
    if (x < 0.8) b.fill(k === 0 ? 0x5a : prog, o, o + u);
    else if (x < 0.9) b[o + ((r() * u) | 0)] ^= 1 << ((r() * 8) | 0);
    else for (let i = 0; i < u; i++) b[o + i] = (r() * 256) | 0;
  }
  if (r() < 0.05) b[(r() * 28) | 0] ^= 1 << ((r() * 8) | 0);
  return b;
}

/** `decide` replaces decideBoot (tests show each check can fail). */
export function bootFuzz(o: { states: number; seed: number; decide?: typeof decideBoot }): BootFuzzResult {
  const res: BootFuzzResult = { states: 0, throws: 0, unsafe: 0, stuck: 0, first: [] };
  const templates: Record<string, Template> = {};
  for (let i = 0; i < o.states; i++) {
    const seed = (o.seed * 1000003 + i) >>> 0;
    const r = rng(seed);
    const erase = r() < 0.5 ? 0xff : 0x00;
    const align = r() < 0.5 ? 4 : 16;
    const key = erase + "/" + align;
    const tp = templates[key] || (templates[key] = template(erase, align));
    const flash = new NorFlash({ geometry: tp.geometry, data: tp.data.slice(), strict: r() < 0.5, model: { ecc: true } });
    for (let k = 0; k < 2; k++) flash.data.set(bank(r, erase, align, tp.payloadCrc), BANKS[k]);
    for (let k = 0; k < 2; k++) {
      const x = r();
      const s = SLOTS[k];
      if (x < 0.1) flash.data.fill(erase, s.address, s.address + s.size);
      else if (x < 0.25) flash.data[s.address + ((r() * 1800) | 0)] ^= 1 << ((r() * 8) | 0);
    }
    // ECC words that read as they look but take no program.
    const locks = r() < 0.3 ? 1 + ((r() * 3) | 0) : 0;
    for (let k = 0; k < locks; k++) flash.lock(BANKS[(r() * 2) | 0] + ((r() * 128) | 0));
    res.states++;
    const fail = (what: string, list: "throws" | "unsafe" | "stuck") => {
      res[list]++;
      if (res.first.length < 10) res.first.push(list + " (seed " + o.seed + ", state " + i + "): " + what);
    };
    const verdict = run(flash, tp.layout, r() < 0.5, o.decide || decideBoot);
    if (verdict) fail(verdict.what, verdict.kind);
  }
  return res;
}

/** Boots until two boots in a row are settled, at most enough boots to spend every trial twice (fallback). */
function run(flash: NorFlash, layout: Layout, crcAtBoot: boolean, decide: typeof decideBoot): { kind: "throws" | "unsafe" | "stuck"; what: string } | undefined {
  const max = 2 * (16 + 2);
  let settledRow = 0;
  for (let boot = 0; boot < max; boot++) {
    const logAt = flash.log.length;
    let slot: number;
    try {
      slot = decide({ flash: flash, digest: hostDigest(flash), layout: layout, crcAtBoot: crcAtBoot }).slot;
    } catch (e) {
      return { kind: "throws", what: "boot " + boot + ": " + String(e) };
    }
    for (const op of flash.log.slice(logAt)) {
      if (op.start < BANKS[1] + 0x400 && op.end > BANKS[0]) continue;
      return { kind: "unsafe", what: "boot " + boot + ": " + op.kind + " 0x" + op.start.toString(16) + " outside the record banks" };
    }
    if (slot >= 0 && !imageValid(flash, SLOTS[slot].address, SLOTS[slot].size)) return { kind: "unsafe", what: "boot " + boot + ": started slot " + slot + ", which does not verify" };
    // reset() / load() after this power-on: the same image, nothing written.
    const ops = flash.ops;
    let again: number;
    try {
      again = decide({ flash: flash, digest: hostDigest(flash), layout: layout, crcAtBoot: crcAtBoot, powerOn: false }).slot;
    } catch (e) {
      return { kind: "throws", what: "reset() after boot " + boot + ": " + String(e) };
    }
    if (flash.ops !== ops) return { kind: "unsafe", what: "reset() after boot " + boot + " wrote to flash" };
    if (again !== slot) return { kind: "unsafe", what: "reset() after boot " + boot + " started slot " + again + ", the power-on slot " + slot };
    settledRow = settled(flash, layout, slot) ? settledRow + 1 : 0;
    if (settledRow >= 2) return undefined;
  }
  const rec = readRecord(flash, layout.banks);
  return { kind: "stuck", what: "not settled after " + max + " boots: " + JSON.stringify(rec) };
}

function settled(flash: NorFlash, layout: Layout, slot: number): boolean {
  const rec = readRecord(flash, layout.banks);
  const valid = (k: number) => imageValid(flash, SLOTS[k].address, SLOTS[k].size);
  if (!rec) return slot >= 0 || (!valid(0) && !valid(1));
  const trial = rec.pending !== 255 && !rec.confirmUnit;
  const c = rec.pending !== 255 && rec.confirmUnit ? rec.pending : rec.confirmed;
  if (trial) return false;
  return slot === c || (slot < 0 && !valid(c));
}
