import { BOOT_TRIAL } from "../boot/decide.js";
import { type Board, STM32_TEST, boardKeys, loadBoard } from "../board/files.js";
import { buildImage, blynkTag } from "../testbench/image.js";
import { installFactory } from "../testbench/install.js";
import { type FlashModel, NorFlash } from "../platform/host/norflash.js";
import { NO_RECORD } from "../core/record.js";
import { openRecord } from "../core/open.js";
import { NO_SLOT } from "../core/layout.js";
import { crc32 } from "../platform/host/digest.js";
import { POWER_ON_MARK, planOta } from "../core/storage-plan.js";
import { rng } from "../testbench/rng.js";
import { type Campaign, Device, type DeviceOptions, type DeviceState, FW_TYPE } from "./device.js";
import type { Img } from "./oracle.js";

/**
 * A board file, or a variant of one: `board:opt:opt...` with
 * `00`/`ff` (erase value), `a8`/`a16`/`a32` (write alignment), `ecc`, `bits`,
 * `pre` (FlashModel: ECC locks, random-bit tears, erase with a pre-programming
 * phase), `s2`, `s3`... (another set of tear seeds: only the name changes).
 */
export interface Target {
  name: string;
  board: Board;
  model: FlashModel;
}

export function target(spec: string): Target {
  const [key, ...opts] = spec.split(":");
  if (!boardKeys().includes(key) && key !== STM32_TEST) throw new Error("unknown board " + key + " (one of " + boardKeys().join(", ") + ", " + STM32_TEST + ")");
  const board = loadBoard(key);
  const geo = { ...board.geometry };
  const model: FlashModel = {};
  for (const o of opts) {
    if (o === "00" || o === "ff") geo.eraseValue = o === "00" ? 0 : 0xff;
    else if (/^a(8|16|32)$/.test(o)) geo.writeAlign = Number(o.slice(1));
    else if (o === "ecc") model.ecc = true;
    else if (o === "bits") model.bitTear = true;
    else if (o === "pre") model.preProgram = true;
    else if (!/^s\d+$/.test(o)) throw new Error("unknown variant " + o + " in " + spec + " (00, ff, a8, a16, a32, ecc, bits, pre, s<N>)");
  }
  if (geo.writeAlign === board.geometry.writeAlign || !board.plan) return { name: spec, board: { ...board, geometry: geo }, model: model };
  // Storage's own alignment follows a wider write (as FLASH_64BITS_ALIGNMENT does for 8): plan the files again.
  const storage = { ...board.storage, align: Math.max(board.storage.align, geo.writeAlign) };
  const plan = planOta(board.id, storage, board.ota, { stubFile: board.ota.stubFile, powerOnLength: POWER_ON_MARK.length });
  if (typeof plan === "string") throw new Error(spec + ": " + plan);
  return { name: spec, board: { ...board, geometry: geo, storage: storage, plan: plan, layout: plan.layout }, model: model };
}

export interface Scenario {
  name: string;
  what: string;
  /** Versions delivered (without cuts) before the swept part starts. */
  pre: string[];
  target: string;
  /** The swept part starts with the target already started on trial: only the confirm and after. */
  resumeAtTrial?: boolean;
  /** How the factory left the record: absent (banks erased), or with its sequence number just below the wrap. */
  record?: "none" | "wrap";
  /** What else the board does meanwhile (device.ts). */
  device?: DeviceOptions;
}

export const SCENARIOS: Scenario[] = [
  { name: "update", what: "v1 -> v2 into slot 1: offer, erase, chunks, finish, mark, reboot, trial, confirm", pre: [], target: "2.0.0" },
  { name: "update-back", what: "confirmed v2 -> v3 into slot 0: the record is rewritten before v1's slot is erased", pre: ["2.0.0"], target: "3.0.0" },
  { name: "rollback", what: "v2 -> v3-bad, which never confirms: N trial boots, then back to v2", pre: ["2.0.0"], target: "3.0.1-bad" },
  { name: "confirm", what: "v2 running on trial confirms itself, then boots as confirmed", pre: [], target: "2.0.0", resumeAtTrial: true },
  { name: "no-record", what: "factory v1 with no boot record (banks erased) -> v2: the first record is written before anything is erased", pre: [], target: "2.0.0", record: "none" },
  { name: "after-rollback", what: "v2, a v3-bad rolled back, then v4 into the slot v3 left", pre: ["2.0.0", "3.0.1-bad"], target: "4.0.0" },
  { name: "seq-wrap", what: "v1 -> v2 with the record's sequence number at 0xFFFFFFFE: it wraps during the update", pre: [], target: "2.0.0", record: "wrap" },
  {
    name: "app-files", what: "v1 -> v2 while the application rewrites its own Storage files until Storage compacts; cuts in those writes too",
    pre: [], target: "2.0.0", device: { appFiles: true },
  },
  { name: "soft-reset", what: "v1 -> v2 with reset()/load() twice after every power-up, once mid-update and once between finish and the reboot: no trial spent, nothing written", pre: [], target: "2.0.0", device: { softResets: true } },
];

/** Deterministic payload per version; the total length is left unaligned so finish() writes a padded tail. */
export function makeImage(board: Board, version: string): Img {
  const slot = Math.min(board.layout.slots[0].size, board.layout.slots[1].size);
  let seed = 0;
  for (let i = 0; i < version.length; i++) seed = (seed * 31 + version.charCodeAt(i)) >>> 0;
  const r = rng(seed);
  const meta = { type: FW_TYPE, version: version, build: "sweep" };
  let total = Math.min(9001, Math.floor(slot * 0.7));
  if (total % board.geometry.writeAlign === 0) total--;
  const payload = new Uint8Array(total - 128 - blynkTag(meta).length);
  for (let i = 0; i < payload.length; i++) payload[i] = (r() * 256) | 0;
  const bytes = buildImage({ board: board.id, payload: payload, ...meta });
  return { version: version, bytes: bytes, healthy: !version.endsWith("-bad") };
}

export interface Prepared {
  campaign: Campaign;
  start: DeviceState;
  device?: DeviceOptions;
}

/** Factory v1 in slot 0, then each earlier version delivered and confirmed, with no cut. */
export function prepare(t: Target, s: Scenario): Prepared {
  const board = t.board;
  const known = ["1.0.0", ...s.pre, s.target].map((v) => makeImage(board, v));
  const flash = new NorFlash({ geometry: board.geometry });
  installFactory(flash, board, known[0].bytes, 0);
  if (s.record) {
    for (const a of board.layout.banks) flash.eraseBlock(flash.block(a).start, flash.block(a).start + flash.block(a).length);
    if (s.record === "wrap") {
      const rec = openRecord({ flash: flash, digest: { crc32: crc32 }, layout: board.layout });
      rec.write({ ...NO_RECORD, seq: 0xfffffffd }, { confirmed: 0, pending: NO_SLOT, maxTrials: board.layout.maxTrials, flags: 0 });
    }
  }
  let state: DeviceState = { data: flash.data.slice(), truth: { confirmed: { slot: 0, img: known[0] }, serverDone: false, recordSeen: s.record !== "none" } };
  const campaign = (img: Img): Campaign => ({
    target: img, expect: img.healthy ? img.version : state.truth.confirmed.img.version, known: known,
  });
  const settle = (c: Campaign, stop?: Parameters<Device["run"]>[1]) => {
    const r = new Device(board, c, state).run([], stop);
    if (r.bricked.length || r.lost.length) throw new Error(t.name + " " + s.name + " set-up failed: " + r.bricked.concat(r.lost)[0]);
    return r.end;
  };
  const fresh = () => (state = { ...state, truth: { ...state.truth, serverDone: false }, resume: undefined });
  for (let i = 1; i <= s.pre.length; i++) {
    fresh();
    state = settle(campaign(known[i]));
  }
  fresh();
  const c = campaign(known[known.length - 1]);
  if (s.resumeAtTrial) state = settle(c, (r) => r.reason === BOOT_TRIAL && r.img === c.target);
  return { campaign: c, start: state, device: s.device };
}
