import { readFileSync, writeFileSync } from "node:fs";
import { loadBoard } from "../platform/host/boards.js";
import { buildImage } from "../platform/host/image.js";
import { parseHeader } from "../core/header.js";
import { crc32 } from "../platform/host/digest.js";

export interface MkimageArgs {
  app: string;
  out: string;
  board: string;
  type: string;
  version: string;
  build?: string;
  /** Prepend the built client bundle for the board (dist/espruino/<board>/client.js). */
  withClient?: boolean;
}

export function mkimage(a: MkimageArgs): Uint8Array {
  const board = loadBoard(a.board);
  let js = readFileSync(a.app, "utf8");
  if (a.withClient) js = readFileSync(new URL("./espruino/" + a.board + "/client.js", import.meta.url), "utf8") + "\n" + js;
  const payload = new TextEncoder().encode(js);
  const img = buildImage({
    board: board.id, type: a.type, version: a.version,
    build: a.build || new Date().toISOString().slice(0, 16).replace("T", " "), payload: payload,
  });
  const max = Math.min(board.layout.slots[0].size, board.layout.slots[1].size);
  if (img.length > max) throw new Error("image is " + img.length + " bytes; the smaller slot of " + a.board + " holds " + max);
  writeFileSync(a.out, img);
  return img;
}

export function describeImage(file: string): string {
  const b = new Uint8Array(readFileSync(file));
  const r = parseHeader(b, crc32);
  if (!r.info) return file + ": not an image (code " + r.code + ")";
  const h = r.info;
  return file + ": " + h.board + " " + h.type + " v" + h.version + " (" + h.build + "), payload " + h.payloadLength + " B, image " + h.imageLength + " B";
}
