import type { Layout } from "../core/layout.js";
import { type OtaConfig, type OtaPlan, POWER_ON_MARK, type StorageArea, planOta } from "../core/storage-plan.js";

/*
 * The one board schema: what a board file (boards/*.json, docs/boards.md) may
 * hold, the host's Board derived from it, and the constants build.mjs bakes
 * into the device bundles. No I/O here (files.ts reads the files), so the
 * device entries can import its types.
 */

/** A board's flash, as the NOR emulator models it. */
export interface Geometry {
  base: number;
  size: number;
  /** Uniform erase block size, or... */
  blockLength?: number;
  /** ...explicit sectors (STM32: 16/64/128 KB), lengths in order from `base`. */
  sectors?: number[];
  writeAlign: number;
  eraseValue: number;
}

/** Seconds an image may stay on trial unconfirmed, where the board file names none. */
export const TRIAL_TIMEOUT = 120;

/** A board file, numbers decoded; docs/boards.md describes each field. */
export interface Board {
  key: string;
  id: string;
  name: string;
  geometry: Geometry;
  storage: StorageArea;
  ota: OtaConfig & { stubFile: string; trialTimeout: number };
  /** The OTA files in Storage and the layout they give (core/storage-plan.ts); absent on the synthetic STM32 board. */
  plan?: OtaPlan;
  layout: Layout;
  sha256: boolean;
  memoryMapped: boolean;
  jsVars: number;
  chunkSize: number;
  /** Load images into RAM rather than run them from a flash string (the Linux build only). */
  loadToRam: boolean;
  /** The Espruino version whose source the board file was read from (`firmware.version`, "2v29"). */
  firmware: string;
}

/**
 * What build.mjs bakes into each board's device bundles (`__BOARD__`): only
 * what device code reads. It is its own Layout (`board` = `id`), so device
 * code passes it as one rather than carrying code that copies it.
 */
export interface DeviceBoard extends Layout {
  id: string;
  base: number;
  size: number;
  blockLength: number;
  writeAlign: number;
  eraseValue: number;
  sha256: boolean;
  memoryMapped: boolean;
  chunkSize: number;
  /** Milliseconds an image on trial may run without confirming before the stub resets the board (`ota.trialTimeout`). */
  trialMs: number;
  /** Address of the `.eota` Storage file's header, and its data length: the stub checks it is there. */
  otaHeader: number;
  otaLength: number;
  /** Run images from a RAM copy (the Linux build, where a flash string re-reads a file at every call). */
  loadToRam: boolean;
  /** Two journal pages inside .eota for a transport's progress (core/journal.ts), or none. */
  journal: number[];
}

type Json = Record<string, unknown>;

/** Reads one field of a board file, or throws "<key>: <field> <what is wrong>". */
class Fields {
  constructor(private key_: string, private j_: Json, private at_: string) {}

  private fail_(name: string, want: string, v: unknown): never {
    throw new Error(this.key_ + ": " + this.at_ + name + " must be " + want + ", not " + JSON.stringify(v));
  }

  has(name: string): boolean {
    return this.j_[name] !== undefined && this.j_[name] !== null;
  }

  /** A whole number in [min, max], written as a number or a hex string ("0x6C000"). */
  int(name: string, min = 0, max = 0xffffffff): number {
    const v = this.j_[name];
    const n = typeof v === "number" ? v : typeof v === "string" && /^0x[0-9a-f]+$/i.test(v) ? Number(v) : NaN;
    if (!(Number.isInteger(n) && n >= min && n <= max)) this.fail_(name, "a whole number " + min + ".." + max, v);
    return n;
  }

  ints(name: string, count?: number): number[] {
    const v = this.j_[name];
    if (!Array.isArray(v) || (count !== undefined && v.length !== count) || !v.length) this.fail_(name, count ? count + " whole numbers" : "a list of whole numbers", v);
    const list = new Fields(this.key_, v as unknown as Json, this.at_ + name + ".");
    return v.map((_, i) => list.int(String(i), 1));
  }

  bool(name: string): boolean {
    const v = this.j_[name];
    if (typeof v !== "boolean") this.fail_(name, "true or false", v);
    return v as boolean;
  }

  str(name: string): string {
    const v = this.j_[name];
    if (typeof v !== "string" || !v) this.fail_(name, "a string", v);
    return v as string;
  }

  obj(name: string): Fields {
    const v = this.j_[name];
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail_(name, "an object", v);
    return new Fields(this.key_, v as Json, this.at_ + name + ".");
  }
}

/** Why a board file has no OTA layout (`ota: null`), or "" when it has one. */
export function unsupportedReason(j: Json): string {
  return j.ota ? "" : String(j.unsupported || "no ota section");
}

/** The flash a board file describes (also that of a board without an OTA layout). */
export function boardGeometry(key: string, j: Json): Geometry {
  const f = new Fields(key, j, "").obj("flash");
  const g: Geometry = { base: f.int("base"), size: f.int("size", 1), writeAlign: f.int("writeAlign", 1, 64), eraseValue: f.int("eraseValue", 0, 255) };
  if (f.has("blockLength")) g.blockLength = f.int("blockLength", 1);
  else g.sectors = f.ints("sectors");
  return g;
}

/**
 * A supported board from its file's JSON: every field checked (a bad one is
 * refused naming it), numbers decoded, defaults applied, the OTA files
 * planned. Throws the file's reason for a board with no OTA layout.
 */
export function parseBoard(key: string, j: Json): Board {
  if (typeof j !== "object" || j === null) throw new Error(key + ": not a board file");
  const top = new Fields(key, j, "");
  if (!j.ota) throw new Error(key + ": no OTA layout on this board: " + unsupportedReason(j));
  const geometry = boardGeometry(key, j);
  const s = top.obj("storage");
  const page = geometry.blockLength || Math.max(...(geometry.sectors as number[]));
  const storage: StorageArea = { start: s.int("start"), size: s.int("size", 1), page: page, align: s.int("align", 4, 8) };
  const o = top.obj("ota");
  const ota = {
    stubFile: o.str("stubFile"), stubPages: o.int("stubPages", 1), slotPages: o.ints("slotPages", 2), maxTrials: o.int("maxTrials", 1, 16),
    trialTimeout: o.has("trialTimeout") ? o.int("trialTimeout", 1, 86400) : TRIAL_TIMEOUT, journalPages: o.has("journalPages") ? o.int("journalPages", 0, 2) : 0,
  };
  const plan = planOta(top.str("id"), storage, ota, { stubFile: ota.stubFile, powerOnLength: POWER_ON_MARK.length });
  if (typeof plan === "string") throw new Error(key + ": " + plan);
  return {
    key: key, id: top.str("id"), name: top.str("name"), geometry: geometry, storage: storage, ota: ota, plan: plan, layout: plan.layout,
    sha256: top.bool("sha256"), memoryMapped: top.bool("memoryMapped"), jsVars: top.int("jsVars"), chunkSize: o.int("chunkSize", 1, 65536),
    loadToRam: top.has("loadToRam") ? top.bool("loadToRam") : false, firmware: top.obj("firmware").str("version"),
  };
}

/** The board constants baked into its device bundles. */
export function deviceBoard(b: Board): DeviceBoard {
  const g = b.geometry;
  if (!b.plan) throw new Error(b.key + ": no OTA files planned");
  const ota = b.plan.files[2];
  return {
    id: b.id, board: b.id, base: g.base, size: g.size, blockLength: b.storage.page, writeAlign: g.writeAlign,
    eraseValue: g.eraseValue, slots: b.layout.slots, banks: b.layout.banks, maxTrials: b.layout.maxTrials,
    sha256: b.sha256, memoryMapped: b.memoryMapped, chunkSize: b.chunkSize,
    trialMs: b.ota.trialTimeout * 1000, otaHeader: ota.header, otaLength: ota.length, loadToRam: b.loadToRam, journal: b.plan.journal,
  };
}
