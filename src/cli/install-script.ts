import { readFileSync } from "node:fs";
import { boardKeys, loadBoard } from "../board/files.js";
import { installScript } from "../install/script.js";
import { requireOptions, type Parsed } from "./args.js";
import { requireImageFor } from "./image-check.js";

/** `espruino-ota install-script --board B --image F [--quit] [--erase-storage]`: the install as JavaScript for the board's console. */
export function runInstallScript(p: Parsed): number {
  const v = p.values;
  requireOptions("install-script", v, ["board", "image"], "the board decides the layout; boards: " + boardKeys().join(", "));
  const board = loadBoard(v.board as string);
  requireImageFor(v.image as string, board);
  process.stdout.write(installScript(board, new Uint8Array(readFileSync(v.image as string)), { quit: !!v.quit, eraseStorage: !!v["erase-storage"] }));
  return 0;
}
