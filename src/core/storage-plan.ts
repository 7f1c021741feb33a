import type { Layout } from "./layout.js";

/*
 * Where the OTA area lives on a stock firmware: inside Espruino's Storage,
 * as files that Storage itself cannot move or reuse (docs/boards.md, "OTA
 * area in Storage"; the rules are in docs/storage.md). Installed on an empty
 * Storage, in this order from its first page:
 *
 * | file | holds |
 * | --- | --- |
 * | `.bootPowerOn` | POWER_ON_MARK: Espruino runs it only at a power-on or hardware reset |
 * | `.boot0` (or the board's `stubFile`) | the boot stub, padded with spaces so `.eota`'s data starts on a page |
 * | `.eota` | two record banks (one page each), slot 0 and slot 1 (whole pages), and on boards that run a transport with download progress two journal pages (core/journal.ts); it ends on a page |
 *
 * Because the first file that is not ours starts on a page boundary and ours
 * are never erased, compaction (which starts at the first page holding an
 * erased file, jsflash.c jsfGetStorageStats) never reads, erases or moves a
 * page of ours, and no Storage file can be created inside them. Pages inside
 * `.eota` are erased and programmed with `Flash` directly: Storage never
 * looks inside a file's data.
 */

/**
 * The whole of Storage `.bootPowerOn`, which Espruino runs only at the first
 * boot after power-on or a hardware reset (jsflash.c jsfLoadBootCodeFromFlash,
 * JSIS_FIRST_BOOT): it tells the stub that it may count a trial.
 */
export const POWER_ON_MARK = "global.OTA_PO=1;";
export const OTA_FILE = ".eota";
export const POWER_ON_FILE = ".bootPowerOn";
/** A Storage file header (jsflash.h JsfFileHeader): u32 size (flags in the top byte), 28-byte name. */
export const FILE_HEADER = 32;

export interface StorageArea {
  /** First byte of Storage (a page start); from the firmware's board file. */
  start: number;
  size: number;
  /** Erase page size inside Storage. */
  page: number;
  /** JSF_ALIGNMENT: 4, or 8 on firmware built with FLASH_64BITS_ALIGNMENT. */
  align: number;
}

export interface OtaConfig {
  /** Pages from Storage's start up to `.eota`'s data: `.bootPowerOn`, the stub and `.eota`'s header. */
  stubPages: number;
  /** Pages of slot 0 and of slot 1. */
  slotPages: number[];
  maxTrials: number;
  /** 2 for a journal (a transport's progress kept inside .eota, core/journal.ts), or 0. */
  journalPages?: number;
}

export interface PlannedFile {
  name: string;
  /** Address of the file's header; its data follows at header + FILE_HEADER. */
  header: number;
  /** Data length as Storage records it. */
  length: number;
}

export interface OtaPlan {
  /** `.bootPowerOn`, the stub file, `.eota`, in the order install writes them. */
  files: PlannedFile[];
  layout: Layout;
  /** The two journal pages, or none. */
  journal: number[];
  /** First byte after the OTA files: where the application's own files begin (a page start). */
  end: number;
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** The files and the layout for a board, or a reason it does not fit. */
export function planOta(board: string, st: StorageArea, c: OtaConfig, o: { stubFile: string; powerOnLength: number }): OtaPlan | string {
  if (st.start % st.page) return "Storage does not start on a page";
  if (c.slotPages.length !== 2 || !(c.slotPages[0] >= 1 && c.slotPages[1] >= 1)) return "need two slots of at least one page";
  const p0 = st.start;
  const p1 = alignUp(p0 + FILE_HEADER + o.powerOnLength, st.align);
  const data = st.start + c.stubPages * st.page;
  const h3 = data - FILE_HEADER;
  const stubLength = h3 - (p1 + FILE_HEADER);
  if (stubLength < 1) return "stubPages too small for the boot files";
  const banks = [data, data + st.page];
  const s0 = data + 2 * st.page;
  const s1 = s0 + c.slotPages[0] * st.page;
  const j0 = s1 + c.slotPages[1] * st.page;
  const journal = c.journalPages ? [j0, j0 + st.page] : [];
  const end = j0 + journal.length * st.page;
  if (end > st.start + st.size) {
    return "needs " + (end - st.start) / st.page + " pages of Storage, which has " + st.size / st.page;
  }
  return {
    files: [
      { name: POWER_ON_FILE, header: p0, length: o.powerOnLength },
      { name: o.stubFile, header: p1, length: stubLength },
      { name: OTA_FILE, header: h3, length: end - data },
    ],
    layout: {
      board: board,
      slots: [{ address: s0, size: s1 - s0 }, { address: s1, size: end - s1 }],
      banks: banks,
      maxTrials: c.maxTrials,
    },
    journal: journal,
    end: end,
  };
}

/** The 32 header bytes Storage writes for a file (jsflash.c _jsfCreateFile): size | flags << 24, NUL-padded name. */
export function fileHeader(name: string, length: number): Uint8Array {
  const h = new Uint8Array(FILE_HEADER);
  h[0] = length & 0xff;
  h[1] = (length >> 8) & 0xff;
  h[2] = (length >> 16) & 0xff;
  h[3] = 0;
  for (let i = 0; i < name.length && i < 28; i++) h[4 + i] = name.charCodeAt(i);
  return h;
}
