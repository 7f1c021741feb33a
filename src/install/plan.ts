import type { Board } from "../board/files.js";
import { bundle } from "../testbench/espruino-vm.js";
import { crc32 } from "../platform/host/digest.js";
import { FILE_HEADER } from "../core/storage-plan.js";
import { installFactory } from "../testbench/install.js";
import { NorFlash } from "../platform/host/norflash.js";

/**
 * What an install writes, computed on the host with the code the tests use
 * (installFactory on an emulated flash), as pieces that `install-script`
 * prints as one Espruino script and `install` sends one at a time, reading
 * each back. Files are written in the order core/storage-plan.ts plans them,
 * through `require("Storage").write` (a file's first piece creates it at its
 * full length; erased pieces are left out); the boot record comes last,
 * straight into flash with `require("Flash").write` as the stub and the
 * client write it (Storage.write at offset 0 of an existing file would
 * recreate it, jsflash.c:1107-1127), so no record names an image before
 * every byte of it read back.
 */
export interface Piece {
  /** The Storage file it belongs to. */
  file: string;
  /** Offset in the file's data. */
  offset: number;
  /** Flash address of its first byte. */
  address: number;
  bytes: Uint8Array;
  /** A file's first piece: Storage.write creates the file at this length. */
  create?: number;
  /** A boot-record piece: Flash.write at `address`. */
  flash?: boolean;
}

export interface FileBytes {
  name: string;
  /** Address of its 32-byte Storage header. */
  header: number;
  headerBytes: Uint8Array;
  /** The whole data, boot record included. */
  data: Uint8Array;
}

export interface InstallPlan {
  files: FileBytes[];
  /** The files with the record banks erased. */
  pieces: Piece[];
  /** The boot record naming slot 0 confirmed. */
  record: Piece[];
  /** [from, to): the flash the OTA files take, which must read erased before anything is written. */
  area: [number, number];
  eraseValue: number;
}

/** Bytes a piece carries: 1024 characters of base64, a short line for any console. */
export const PIECE = 768;

export function installPlan(board: Board, image: Uint8Array): InstallPlan {
  const plan = board.plan;
  if (!plan) throw new Error(board.key + " has no OTA plan");
  const f = new NorFlash({ geometry: board.geometry });
  installFactory(f, board, image, 0, bundle(board.key, "boot"));
  const erased = f.status().eraseValue;
  const banks = plan.layout.banks;
  const recFrom = Math.min(...banks);
  const recTo = Math.max(...banks) + f.block(Math.max(...banks)).length;
  const inRecord = (a: number) => a >= recFrom && a < recTo;
  const files: FileBytes[] = [];
  const pieces: Piece[] = [];
  const record: Piece[] = [];
  for (const p of plan.files) {
    const at = p.header + FILE_HEADER;
    const data = f.read(p.length, at);
    files.push({ name: p.name, header: p.header, headerBytes: f.read(FILE_HEADER, p.header), data: data });
    for (let o = 0; o < data.length; o += PIECE) {
      const full = data.subarray(o, Math.min(data.length, o + PIECE));
      const rest = full.map((v, i) => (inRecord(at + o + i) ? erased : v));
      const piece = { file: p.name, offset: o, address: at + o };
      if (o === 0) pieces.push({ ...piece, bytes: rest, create: p.length });
      else if (!rest.every((v) => v === erased)) pieces.push({ ...piece, bytes: rest });
      // The record's bytes of this piece, cut to the record's range.
      const from = Math.max(0, recFrom - (at + o));
      const to = Math.min(full.length, recTo - (at + o));
      if (from < to && !full.subarray(from, to).every((v) => v === erased))
        record.push({ file: p.name, offset: o + from, address: at + o + from, bytes: full.slice(from, to), flash: true });
    }
  }
  return { files: files, pieces: pieces, record: record, area: [plan.files[0].header, plan.end], eraseValue: erased };
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** The statement that writes a piece, with `S` = require("Storage") and `F` = require("Flash") in scope. */
export function writeJs(p: Piece): string {
  if (p.flash) return "F.write(atob('" + b64(p.bytes) + "')," + p.address + ")";
  return "S.write(" + JSON.stringify(p.file) + ",atob('" + b64(p.bytes) + "')," + p.offset + (p.create !== undefined ? "," + p.create : "") + ")";
}

/** An expression for the CRC-32 of what flash holds at a piece (or any range), `F` in scope. */
export function readBackJs(address: number, length: number): string {
  return "E.CRC32(F.read(" + length + "," + address + "))";
}

export const pieceCrc = (p: Piece): number => crc32(p.bytes);

/** Total bytes the pieces and the record carry: what a progress bar counts. */
export function planBytes(plan: InstallPlan): number {
  return [...plan.pieces, ...plan.record].reduce((n, p) => n + p.bytes.length, 0);
}
