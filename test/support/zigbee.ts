import { loadBoard } from "../../src/board/files.js";
import { bundle } from "../../src/testbench/espruino-vm.js";
import { buildImage } from "../../src/testbench/image.js";
import { buildOtaFile, fileVersionOf, type OtaFileOptions } from "../../src/zigbee/otafile.js";
import { zigbeeApp } from "../../src/testbench/apps.js";

export const MFR = 0x1234;
export const ITYPE = 0x5678;
export const TYPE = "ZBAPP";

/** An image of the built zigbee bundle + an app that runs it (or `payload` alone: it never runs). */
export function zigbeeImage(o: { version: string; board?: string; payload?: string; type?: string; extra?: string }): Uint8Array {
  const board = loadBoard(o.board || "linux");
  const js = o.payload !== undefined ? o.payload : bundle(board.key, "zigbee") + "\n" + zigbeeApp({ manufacturer: MFR, imageType: ITYPE, baud: 115200, extra: o.extra });
  return buildImage({ board: board.id, type: o.type || TYPE, version: o.version, build: "test", payload: new TextEncoder().encode(js) });
}

export function zigbeeFile(image: Uint8Array, version: string, more: Partial<OtaFileOptions> = {}): Uint8Array {
  return buildOtaFile({ manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf(version), image: image, ...more });
}
