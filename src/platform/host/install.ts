import type { Flash } from "../../hal/flash.js";
import type { Layout } from "../../core/layout.js";
import { NO_SLOT } from "../../core/layout.js";
import { BootRecord } from "../../core/record.js";
import { HEADER_SIZE, parseHeader } from "../../core/header.js";
import { crc32 } from "./digest.js";

/** Factory install: image into `slot`, and a record naming it confirmed. Erases both banks first. */
export function installFactory(flash: Flash, layout: Layout, image: Uint8Array, slot = 0): void {
  const s = layout.slots[slot];
  if (image.length > s.size) throw new Error("image larger than slot");
  for (let a = s.address; a < s.address + s.size;) {
    const b = flash.block(a);
    flash.eraseBlock(b.start, b.start + b.length);
    a = b.start + b.length;
  }
  const align = flash.status().writeAlign;
  const padded = new Uint8Array(Math.ceil(image.length / align) * align).fill(flash.status().eraseValue);
  padded.set(image);
  flash.write(padded, s.address);
  for (const bank of layout.banks) {
    const b = flash.block(bank);
    flash.eraseBlock(b.start, b.start + b.length);
  }
  const rec = new BootRecord({ flash: flash, crc32: crc32, banks: layout.banks });
  const h = parseHeader(image, crc32).info;
  rec.write(rec.read(), {
    confirmed: slot, pending: NO_SLOT, maxTrials: layout.maxTrials, flags: 0,
    crcSlot: h ? slot : undefined, crc: h ? crc32(image.subarray(HEADER_SIZE, HEADER_SIZE + h.payloadLength)) : 0,
  });
}
