import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadBoard, type Board } from "../platform/host/boards.js";
import { POWER_ON_MARK, bundle } from "../platform/host/espruino-vm.js";
import { installFactory } from "../platform/host/install.js";
import { NorFlash } from "../platform/host/norflash.js";

/**
 * An Espruino script that installs the boot stub as `.boot0`, a first image
 * in slot 0 and a boot record naming it confirmed. It first checks that every
 * area lies inside `Flash.getFree()` and stops if not. The flash contents are
 * computed on the host with the same code the tests use, then written as
 * base64 pieces.
 */
export function installScript(board: Board, image: Uint8Array, o: { quit?: boolean } = {}): string {
  const f = new NorFlash({ geometry: board.geometry });
  installFactory(f, board.layout, image, 0);
  const L = board.layout;
  const areas: [number, number][] = [[L.slots[0].address, L.slots[0].size], [L.slots[1].address, L.slots[1].size]];
  for (const b of L.banks) {
    const blk = f.block(b);
    areas.push([blk.start, blk.length]);
  }
  const out: string[] = [];
  out.push("(function(){var F=require('Flash');var free=F.getFree();");
  out.push("function inFree(a,n){for(var i=0;i<free.length;i++)if(a>=free[i].addr&&a+n<=free[i].addr+free[i].length)return true;return false;}");
  out.push("var areas=" + JSON.stringify(areas) + ";");
  out.push("for(var i=0;i<areas.length;i++)if(!inFree(areas[i][0],areas[i][1])){print('OTA install: area 0x'+areas[i][0].toString(16)+' is not free flash on this firmware');return;}");
  out.push("function erase(a,n){for(var e=a+n;a<e;){var p=F.getPage(a);F.erasePage(p.addr);a=p.addr+p.length;}}");
  out.push("for(i=0;i<areas.length;i++)erase(areas[i][0],areas[i][1]);");
  out.push("function w(a,s){F.write(E.toUint8Array(atob(s)),a);}");
  const piece = 768;
  for (const [addr, size] of [[L.slots[0].address, Math.ceil(image.length / 4) * 4], ...L.banks.map((b) => [b, 64])]) {
    const bytes = f.read(size, addr);
    for (let o2 = 0; o2 < bytes.length; o2 += piece) {
      const p = bytes.subarray(o2, Math.min(bytes.length, o2 + piece));
      if (p.every((v) => v === board.geometry.eraseValue)) continue;
      out.push("w(" + (addr + o2) + ",'" + Buffer.from(p).toString("base64") + "');");
    }
  }
  out.push("require('Storage').write('.bootPowerOn'," + JSON.stringify(POWER_ON_MARK) + ");");
  out.push("require('Storage').write('.boot0'," + JSON.stringify(bundle(board.key, "boot")) + ");");
  out.push("print('OTA install: done');})();");
  if (o.quit) out.push("quit();");
  return out.join("\n") + "\n";
}

export async function runInstallScript(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: { board: { type: "string", default: "linux" }, image: { type: "string" }, quit: { type: "boolean" } } });
  if (!v.image) throw new Error("install-script needs --image");
  process.stdout.write(installScript(loadBoard(v.board as string), new Uint8Array(readFileSync(v.image)), { quit: v.quit }));
  return 0;
}
