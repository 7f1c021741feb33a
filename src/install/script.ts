import type { Board } from "../board/files.js";
import { FILE_HEADER } from "../core/storage-plan.js";
import { installPlan, writeJs } from "./plan.js";

/**
 * An Espruino script that installs the OTA files into an empty Storage: the
 * pieces of plan.ts in their order (`.bootPowerOn`, the boot stub
 * padded with spaces, `.eota` holding the record banks and slots with a first
 * image in slot 0, then the record naming it confirmed). It refuses another
 * board, a firmware older than 2v19 (no `.bootPowerOn`), and a Storage that
 * already holds files (ours must come first, so that Storage's compaction
 * never moves them: `eraseStorage` erases it first, files and all), and
 * checks afterwards that each file landed where the stub looks for it.
 * `espruino-ota install` sends the same pieces one at a time and reads each
 * back.
 */
export function installScript(board: Board, image: Uint8Array, o: { quit?: boolean; eraseStorage?: boolean } = {}): string {
  const plan = installPlan(board, image);
  const out: string[] = [];
  const say = (m: string) => "print('OTA install: '+" + m + ");";
  out.push("(function(){var S=require('Storage'),F=require('Flash');");
  out.push("if(process.env.BOARD!==" + JSON.stringify(board.id) + "){" + say("'this script is for " + board.id + ", the board is '+process.env.BOARD") + "return;}");
  out.push("var v=process.version.split('v');if(+v[0]<2||(+v[0]==2&&+v[1]<19)){" + say("'firmware '+process.version+' has no .bootPowerOn (2v19 and later)'") + "return;}");
  if (o.eraseStorage) out.push("S.eraseAll();");
  out.push("if(S.list().length){" + say("'Storage holds files ('+S.list().join(', ')+'): the OTA files must come first. Back them up and install with --erase-storage.'") + "return;}");
  // The firmware's own Storage must be the one the board file names (docs/boards.md); .bootPowerOn then
  // lands on its first byte, which is checked below with the other files.
  out.push("var t=S.getStats().totalBytes;if(t!==" + board.storage.size + "){" + say("'Storage here is '+t+' bytes, the board file says " + board.storage.size + ": another firmware build?'") + "return;}");
  for (const p of [...plan.pieces, ...plan.record]) out.push(writeJs(p) + ";");
  for (const file of plan.files) {
    out.push("var h=F.read(" + FILE_HEADER + "," + file.header + "),w=atob('" + Buffer.from(file.headerBytes).toString("base64") + "');");
    out.push("for(var i=0;i<" + FILE_HEADER + ";i++)if(h[i]!==w.charCodeAt(i)){" + say("'" + file.name + " is not at 0x" + file.header.toString(16) + ": this firmware places Storage elsewhere'") + "return;}");
  }
  out.push(say("'done'") + "})();");
  if (o.quit) out.push("quit();");
  return out.join("\n") + "\n";
}
