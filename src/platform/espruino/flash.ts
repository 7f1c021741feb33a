import type { Flash, FlashBlock, FlashStatus } from "../../hal/flash.js";
import type { DeviceBoard } from "./board.js";

/** The Flash HAL over `require("Flash")`; geometry comes from the board file. */
export function espruinoFlash(b: DeviceBoard): Flash {
  const F = require("Flash");
  const st: FlashStatus = { size: b.size, base: b.base, blockLength: b.blockLength, writeAlign: b.writeAlign, eraseValue: b.eraseValue };
  const block = (address: number): FlashBlock => {
    const p = F.getPage(address);
    if (!p) throw new Error("no page at " + address);
    return { start: p.addr, length: p.length };
  };
  return {
    status: () => st,
    block: block,
    read: (length, address) => F.read(length, address),
    write: (bytes, address) => F.write(bytes, address),
    eraseBlock: (start, end) => {
      for (let a = start; a < end;) {
        const p = block(a);
        F.erasePage(p.start);
        a = p.start + p.length;
      }
    },
  };
}
