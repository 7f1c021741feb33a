import { boardKeys, loadBoard, type Board } from "../board/files.js";
import { crc32 } from "../platform/host/digest.js";
import { CliError, requireOptions, type Parsed } from "./args.js";
import type { BoardConsole } from "./board-console.js";
import type { Booted } from "../core/open.js";
import { readInput, requireImageFor } from "./image-check.js";
import { type InstallPlan, installPlan, planBytes, readBackJs, writeJs } from "../install/plan.js";
import { Progress, type Out } from "./progress.js";

/**
 * `espruino-ota install`: the pieces of install/plan.ts (the same as
 * `install-script`'s) sent one at a time over a board's console, each read
 * back (CRC-32 on the board against the host's) before the next. First it
 * checks the board against the board file (id, firmware, Storage size) and
 * that the flash the OTA files take is free (Storage empty, every byte
 * erased); nothing is written when a check fails. The boot record goes last,
 * then `load()` runs the boot files and what booted is printed.
 */

/** What the board says about itself. */
export interface BoardFacts {
  board: string;
  version: string;
  files: string[];
  total: number;
}

const FACTS = "{board:process.env.BOARD,version:process.version,files:require('Storage').list(),total:require('Storage').getStats().totalBytes}";

/** [major, minor] of "2v29" / "2v29.15", or undefined. */
export function firmwareVersion(v: string): [number, number] | undefined {
  const m = /^(\d+)v(\d+)/.exec(v || "");
  return m ? [+m[1], +m[2]] : undefined;
}

const older = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** Why the install must not start on this board, or "". */
export function refusal(board: Board, f: BoardFacts, eraseStorage: boolean): string {
  if (f.board !== board.id) return "the board is " + f.board + ", not " + board.id + " (--board " + board.key + "): nothing written";
  const v = firmwareVersion(f.version);
  const want = firmwareVersion(board.firmware)!;
  if (!v || older(v, [2, 19])) return "firmware " + f.version + " has no .bootPowerOn (2v19 and later): update the firmware; nothing written";
  if (older(v, want)) return "firmware " + f.version + " is older than " + board.firmware + ", whose Storage rules the board file follows (docs/boards.md): update the firmware; nothing written";
  if (f.total !== board.storage.size) return "Storage here is " + f.total + " bytes, the board file says " + board.storage.size + ": another firmware build? nothing written";
  if (f.files.length && !eraseStorage) return "Storage holds files (" + f.files.slice(0, 5).join(", ") + (f.files.length > 5 ? ", ..." : "") + "): the OTA files must come first; back them up and install with --erase-storage; nothing written";
  return "";
}

const hex = (n: number) => "0x" + (n >>> 0).toString(16);

/** The first address in [from, to) that does not read erased, as an expression (-1 when all is erased). */
function firstDirtyJs(plan: InstallPlan, step: number): string {
  const [from, to] = plan.area;
  const want = crc32(new Uint8Array(step).fill(plan.eraseValue));
  return "(function(F){for(var a=" + from + ";a<" + to + ";a+=" + step + ")if(E.CRC32(F.read(Math.min(" + step + "," + to + "-a),a))!==" + want + ")return a;return -1;})(require('Flash'))";
}


export async function install(con: BoardConsole, board: Board, image: Uint8Array, o: { eraseStorage?: boolean; out: Out }): Promise<Booted> {
  const plan = installPlan(board, image);
  const say = (s: string) => o.out.write("install: " + s + "\n");
  const facts = await con.eval<BoardFacts>(FACTS);
  const no = refusal(board, facts, !!o.eraseStorage);
  if (no) throw new CliError(no);
  if (o.eraseStorage) await con.eval("require('Storage').eraseAll()", 120);
  // Storage empty after the erase, and every byte of the OTA area erased: the files land where the plan puts them.
  const left = await con.eval<string[]>("require('Storage').list()");
  if (left.length) throw new CliError("Storage still holds files after eraseAll (" + left.join(", ") + "): nothing written");
  const dirty = await con.eval<number>(firstDirtyJs(plan, Math.min(1024, board.storage.page)), 120);
  if (dirty >= 0) throw new CliError("flash at " + hex(dirty) + ", where the OTA files go, is not erased though Storage lists no file: install with --erase-storage; nothing written");
  say(facts.board + " " + facts.version + " on " + con.port + ", Storage " + facts.total + " bytes" + (facts.files.length ? ", " + facts.files.length + " files" : ", empty") +
    (o.eraseStorage ? ", erased (--erase-storage)" : "") + "; the OTA area is free");
  say("writing .bootPowerOn, " + plan.files[1].name + " (the boot stub), .eota (" + image.length + "-byte image in slot 0), then the boot record; each piece read back");
  const bar = new Progress(o.out, planBytes(plan));
  let sent = 0;
  for (const p of [...plan.pieces, ...plan.record]) {
    const got = await con.eval<number>("(function(S,F){" + writeJs(p) + ";return " + readBackJs(p.address, p.bytes.length) + ";})(require('Storage'),require('Flash'))", 30);
    const want = crc32(p.bytes);
    if (got >>> 0 !== want) {
      bar.end();
      const what = p.flash ? "the boot record" : p.file + " at offset " + p.offset;
      throw new CliError("read-back of " + what + " (" + p.bytes.length + " bytes at " + hex(p.address) + "): CRC-32 " + hex(got) + " on the board, " + hex(want) + " here" +
        (p.flash ? "" : "; no boot record written") + ": install again with --erase-storage");
    }
    bar.update((sent += p.bytes.length));
    if (p === plan.pieces[plan.pieces.length - 1]) bar.log("install: files read back; writing the boot record (slot 0 confirmed)");
  }
  bar.end();
  // Where the stub looks: each file's header at its planned address, and each file whole as Storage reads it.
  for (const f of plan.files) {
    const [h, d] = await con.eval<number[]>("(function(F){return [" + readBackJs(f.header, 32) + ",E.CRC32(require('Storage').read(" + JSON.stringify(f.name) + "))];})(require('Flash'))", 60);
    if (h >>> 0 !== crc32(f.headerBytes)) throw new CliError(f.name + " is not at " + hex(f.header) + ": this firmware places Storage elsewhere");
    if (d >>> 0 !== crc32(f.data)) throw new CliError(f.name + " reads back with CRC-32 " + hex(d) + ", not " + hex(crc32(f.data)));
  }
  say("verified: .bootPowerOn, " + plan.files[1].name + ", .eota at their planned addresses, CRC-32 of each as written; resetting (load())");
  // The boot files set OTA_BOOT again; one left from before (an --erase-storage over an old install) must not be read as theirs.
  await con.eval("(delete global.OTA_BOOT,load())");
  return bootInfo(con);
}

/** What the boot stub started (OTA_BOOT, which it sets whether or not the image has the client), waiting for the boot files to run. */
export async function bootInfo(con: BoardConsole, seconds = 10): Promise<Booted> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const b = await con.eval<Booted | null>("global.OTA_BOOT||null").catch(() => null);
    if (b) return b;
    if (Date.now() > end) throw new CliError("no boot stub ran after load() (global.OTA_BOOT is not set) within " + seconds + " s");
  }
}

const REASONS = ["confirmed image", "pending image on trial", "rolled back", "no record: first slot that verifies", "nothing verifies: no image started", "confirmed image rotten: the other slot on trial"];

export function describeBoot(b: Booted): string {
  const what = REASONS[b.reason] || "reason " + b.reason;
  return b.slot < 0 ? "booted: nothing (" + what + ")" : "booted: slot " + b.slot + ", " + b.type + " " + b.version + " (build " + b.build + "), reason " + b.reason + " (" + what + ")";
}

/** The boards, when --board is among the missing options. */
const boardNote = (p: Parsed) => (p.values.board === undefined ? "boards: " + boardKeys().join(", ") : "");

export async function runInstall(p: Parsed, out: Out = process.stdout): Promise<number> {
  requireOptions("install", p.values, ["port", "board", "image"], boardNote(p));
  const v = p.values;
  const board = loadBoard(v.board as string);
  requireImageFor(v.image as string, board);
  const image = readInput(v.image as string, "image");
  const { openConsole } = await import("./board-console.js");
  const con = await openConsole(v.port as string, { baud: v.baud as number });
  try {
    const b = await install(con, board, image, { eraseStorage: !!v["erase-storage"], out: out });
    out.write(describeBoot(b) + "\n");
    if (b.slot !== 0) throw new CliError("the boot stub did not start slot 0: " + JSON.stringify(b));
    return 0;
  } finally {
    await con.close();
  }
}

export async function runStatus(p: Parsed, out: Out = process.stdout): Promise<number> {
  requireOptions("status", p.values, ["port"]);
  const { openConsole } = await import("./board-console.js");
  const con = await openConsole(p.values.port as string, { baud: p.values.baud as number });
  try {
    const s = await con.eval<{ board: string; version: string; boot: Booted | null; state: unknown; client: boolean }>(
      "{board:process.env.BOARD,version:process.version,boot:typeof OTA!=='undefined'&&OTA.boot||global.OTA_BOOT||null," +
        "state:typeof OTA!=='undefined'&&OTA.state?OTA.state():null,client:typeof OTA!=='undefined'}",
    );
    out.write("board: " + s.board + " " + s.version + " on " + con.port + "\n");
    if (!s.boot) throw new CliError("no OTA boot stub ran on this board (not installed: espruino-ota install)");
    out.write("OTA.boot: " + JSON.stringify(s.boot) + "\n" + describeBoot(s.boot) + "\n");
    out.write("OTA.state(): " + (s.client ? JSON.stringify(s.state) : "the running image has no client (OTA is not defined)") + "\n");
    return 0;
  } finally {
    await con.close();
  }
}
