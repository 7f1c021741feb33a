import { decideBoot, type BootChoice } from "../../src/boot/decide.js";
import { ResumableSession as Session } from "../../src/core/resume.js";
import { BootRecord } from "../../src/core/record.js";
import { OK, errorName } from "../../src/core/errors.js";
import { loadBoard, type Board } from "../../src/board/files.js";
import { NorFlash } from "../../src/platform/host/norflash.js";
import { crc32, hostDigest } from "../../src/platform/host/digest.js";
import { buildImage } from "../../src/testbench/image.js";
import { installFactory } from "../../src/testbench/install.js";
import { FakeClock } from "../../src/platform/host/clock.js";

export const TYPE = "TMPL1234ABCD";

/** Deterministic filler so images of any size differ per version. */
export function payload(version: string, size: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = 0;
  for (let i = 0; i < version.length; i++) x = (x * 31 + version.charCodeAt(i)) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  const js = new TextEncoder().encode("/*app " + version + "*/");
  b.set(js.subarray(0, Math.min(js.length, size)));
  return b;
}

export function image(board: Board, version: string, size = 3000, type = TYPE): Uint8Array {
  return buildImage({ board: board.id, type: type, version: version, build: "2026-11-26 12:00", payload: payload(version, size) });
}

export interface Rig {
  board: Board;
  flash: NorFlash;
  clock: FakeClock;
  record: BootRecord;
}

export function rig(key = "linux", strict = true): Rig {
  const board = loadBoard(key);
  const flash = new NorFlash({ geometry: board.geometry, strict: strict });
  return { board: board, flash: flash, clock: new FakeClock(), record: new BootRecord({ flash: flash, crc32: crc32, banks: board.layout.banks }) };
}

export function factory(r: Rig, version = "1.0.0", size = 3000): Uint8Array {
  const img = image(r.board, version, size);
  installFactory(r.flash, r.board, img, 0);
  return img;
}

export function powerOn(r: Rig): BootChoice {
  return decideBoot({ flash: r.flash, digest: hostDigest(r.flash), layout: r.board.layout });
}

export function session(r: Rig, boot: BootChoice, chunkMax = 1024, Kind: typeof Session = Session): Session {
  const info = boot.info;
  return new Kind({
    flash: r.flash, digest: hostDigest(r.flash), layout: r.board.layout, clock: r.clock,
    boot: { slot: boot.slot, type: info ? info.type : "", version: info ? info.version : "" },
  }, chunkMax);
}

export function expectOk(code: number, what: string): void {
  if (code !== OK) throw new Error(what + ": " + errorName(code));
}

/** offer, start, every chunk, finish: throws on the first refusal. */
export function update(s: Session, img: Uint8Array, chunk = 1024, fileSha?: Uint8Array): void {
  expectOk(s.offer({ size: img.length, type: TYPE, version: "" }), "offer");
  expectOk(s.start(), "start");
  for (let o = 0; o < img.length; o += chunk) {
    const c = img.subarray(o, Math.min(img.length, o + chunk));
    expectOk(s.write(o, c, crc32(c)), "write@" + o);
  }
  expectOk(s.finish(fileSha), "finish");
}

/** Bytes of a flash range, copied. */
export function snapshot(f: NorFlash, address: number, size: number): Uint8Array {
  return f.read(size, address);
}
