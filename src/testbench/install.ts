import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import { NO_SLOT } from "../core/layout.js";
import { openRecord } from "../core/open.js";
import { HEADER_SIZE, parseHeader } from "../core/header.js";
import { FILE_HEADER, type OtaPlan, POWER_ON_MARK, fileHeader } from "../core/storage-plan.js";
import { crc32 } from "../platform/host/digest.js";

/**
 * Factory install on the emulator, as `install-script` does on a board with
 * an empty Storage: the OTA files in Storage (`.bootPowerOn`, the stub file,
 * `.eota`: storage-plan.ts), the image in `slot`, and a record naming it
 * confirmed. `stub` is the stub file's text (spaces when absent: the
 * emulator runs the built stub itself).
 */
export function installFactory(flash: Flash, board: { layout: Layout; plan?: OtaPlan }, image: Uint8Array, slot = 0, stub = ""): void {
  const layout = board.layout;
  const plan = board.plan;
  const s = layout.slots[slot];
  if (image.length > s.size) throw new Error("image larger than slot");
  const eraseFrom = plan ? plan.files[0].header : s.address;
  const eraseTo = plan ? plan.end : s.address + s.size;
  for (let a = eraseFrom; a < eraseTo;) {
    const b = flash.block(a);
    flash.eraseBlock(b.start, b.start + b.length);
    a = b.start + b.length;
  }
  const st = flash.status();
  const write = (bytes: Uint8Array, at: number) => {
    const padded = new Uint8Array(Math.ceil(bytes.length / st.writeAlign) * st.writeAlign).fill(st.eraseValue);
    padded.set(bytes);
    flash.write(padded, at);
  };
  if (plan) {
    for (const f of plan.files) {
      const text = f.name === plan.files[0].name ? POWER_ON_MARK : f === plan.files[1] ? stub.padEnd(f.length, " ") : "";
      const b = new Uint8Array(FILE_HEADER + text.length);
      b.set(fileHeader(f.name, f.length));
      for (let i = 0; i < text.length; i++) b[FILE_HEADER + i] = text.charCodeAt(i);
      write(b, f.header);
    }
  } else {
    for (const bank of layout.banks) {
      const b = flash.block(bank);
      flash.eraseBlock(b.start, b.start + b.length);
    }
  }
  write(image, s.address);
  const rec = openRecord({ flash: flash, digest: { crc32: crc32 }, layout: layout });
  const h = parseHeader(image, crc32).info;
  rec.write(rec.read(), {
    confirmed: slot, pending: NO_SLOT, maxTrials: layout.maxTrials, flags: 0,
    crcSlot: h ? slot : undefined, crc: h ? crc32(image.subarray(HEADER_SIZE, HEADER_SIZE + h.payloadLength)) : 0,
  });
}
