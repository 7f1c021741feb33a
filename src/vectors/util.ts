import type { Flash, FlashBlock, FlashStatus } from "../hal/flash.js";
import type { BootState } from "../core/record.js";
import { type Geometry, NorFlash } from "../platform/host/norflash.js";
import { FlashFault } from "../platform/host/power.js";

/** Lowercase hex of bytes, as every vector file writes them. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

export function unhex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, "hex"));
}

export const text = (s: string) => new TextEncoder().encode(s);

/** One successful flash operation, in the order the code under test issued it. */
export type Op = { op: "erase"; start: number; end: number } | { op: "write"; address: number; data: string };

/**
 * A flash that logs every operation that took effect (a refused one throws
 * and is not logged). `refuse`: 1-based numbers of the write/erase calls,
 * counted as they are attempted, that fail without touching the flash.
 */
export class Recorder implements Flash {
  readonly ops: Op[] = [];
  private calls_ = 0;
  constructor(readonly inner: NorFlash, readonly refuse: number[] = []) {}
  private attempt_(): void {
    if (this.refuse.indexOf(++this.calls_) >= 0) throw new FlashFault("refused operation " + this.calls_);
  }
  status(): FlashStatus {
    return this.inner.status();
  }
  block(address: number): FlashBlock {
    return this.inner.block(address);
  }
  read(length: number, address: number): Uint8Array {
    return this.inner.read(length, address);
  }
  write(bytes: Uint8Array, address: number): void {
    this.attempt_();
    this.inner.write(bytes, address);
    this.ops.push({ op: "write", address: address, data: hex(bytes) });
  }
  eraseBlock(start: number, end: number): void {
    this.attempt_();
    this.inner.eraseBlock(start, end);
    this.ops.push({ op: "erase", start: start, end: end });
  }
}

/** Bytes placed into an erased flash before the code runs; `data` as hex. */
export interface Region {
  address: number;
  data: string;
}

/** Strips trailing bytes equal to the erase value: the rest of the flash reads erased anyway. */
export function trim(b: Uint8Array, erase: number): Uint8Array {
  let n = b.length;
  while (n > 0 && b[n - 1] === erase) n--;
  return b.subarray(0, n);
}

/** A strict NOR flash (programs only erased bytes) holding `contents`, with ECC words locked at `locked`, refusing calls `refuse`. */
export function makeFlash(g: Geometry, contents: Region[], locked: number[] = [], refuse: number[] = []): Recorder {
  const f = new NorFlash({ geometry: g, strict: true, model: { ecc: true } });
  for (const r of contents) f.data.set(unhex(r.data), r.address - g.base);
  for (const a of locked) f.lock(a);
  return new Recorder(f, refuse);
}

/** A decoded record as the vectors write it. */
export function stateJson(s: BootState) {
  return {
    valid: s.valid, bank: s.bank, seq: s.seq, confirmed: s.confirmed, pending: s.pending, maxTrials: s.maxTrials,
    flags: s.flags, trialsUsed: s.trialsUsed, pendingConfirmed: s.pendingConfirmed, confirmTorn: s.confirmTorn, crc: s.crc.slice(),
  };
}

/**
 * Stable, diff-friendly JSON: arrays of scalars and small flat objects on one
 * line, everything else indented. The same input always gives the same text.
 */
export function format(v: unknown, ind = ""): string {
  const flat = (x: unknown) => x === null || typeof x !== "object";
  if (flat(v)) return JSON.stringify(v);
  const inner = ind + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    if (v.every(flat)) return JSON.stringify(v);
    return "[\n" + v.map((x) => inner + format(x, inner)).join(",\n") + "\n" + ind + "]";
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  const one = "{" + keys.map((k) => JSON.stringify(k) + ": " + format(o[k], inner)).join(", ") + "}";
  if (keys.every((k) => flat(o[k]) || (Array.isArray(o[k]) && (o[k] as unknown[]).every(flat))) && one.length <= 120) return one;
  return "{\n" + keys.map((k) => inner + JSON.stringify(k) + ": " + format(o[k], inner)).join(",\n") + "\n" + ind + "}";
}
