import { BOOT_NONE, type BootChoice, decideBoot } from "../../boot/decide.js";
import { watchTrial } from "../../boot/watchdog.js";
import { equalBytes } from "../../core/bytes.js";
import { openRecord } from "../../core/open.js";
import { BootRecord, NO_RECORD } from "../../core/record.js";
import { FILE_HEADER, OTA_FILE, fileHeader } from "../../core/storage-plan.js";
import { HEADER_SIZE, parseHeader } from "../../core/header.js";
import { BOARD } from "./board.js";
import { espruinoDigest } from "./digest.js";
import { espruinoFlash } from "./flash.js";

/*
 * The boot stub, installed as Storage ".boot0" (".boot1" on Bangle.js 2)
 * after ".bootPowerOn" and before ".eota" (core/storage-plan.ts). It checks
 * that ".eota" is where the plan put it, picks the slot, records the choice
 * in `global.OTA_BOOT` for the client, and leaves a loader in
 * `global.OTA_LOAD`; the bundle's footer evals the image at global scope.
 */
const flash = espruinoFlash(BOARD);
const digest = espruinoDigest(BOARD, flash);
// `.bootPowerOn` (run by Espruino only at the first boot after power-on or a hardware reset) sets
// OTA_PO; after reset(), load() or an upload only `.boot0` runs, and the decision then writes nothing.
const powerOn = !!global.OTA_PO;
delete global.OTA_PO;
// Payloads are checked by the record's CRC-32 (their SHA-256 was checked at finish) where SHA-256 would be
// JavaScript: no crypto.SHA256 (Pixl.js), or flash that is not memory-mapped (digest.ts).
// Without its Storage file (Storage erased or reset, or a Storage written before the install) the
// area may hold anyone's files: start nothing, touch nothing, and leave the REPL free.
const area = equalBytes(flash.read(FILE_HEADER, BOARD.otaHeader), fileHeader(OTA_FILE, BOARD.otaLength));
const choice: BootChoice = area ?
  // The constants themselves as the layout: the stub reads it a few times (boardLayout copies it for the clients' chunk path).
  decideBoot({ flash: flash, digest: digest, layout: BOARD, crcAtBoot: !BOARD.sha256 || !BOARD.memoryMapped, powerOn: powerOn }) :
  { slot: -1, reason: BOOT_NONE, state: NO_RECORD };
const info = choice.info;
global.OTA_BOOT = {
  slot: choice.slot, reason: choice.reason,
  type: info ? info.type : "", version: info ? info.version : "", build: info ? info.build : "",
};
// The image as a piece of the .eota file: a memory-mapped string on nRF52, a flash string on SPI flash
// (jsflash.c:1059-1078), so function bodies stay in flash and no RAM copy is made; on the Linux build a
// RAM copy (loadToRam), as code run from its flash strings re-reads espruino.flash at every call.
global.OTA_LOAD = () => {
  if (!info) return "";
  const at = BOARD.slots[choice.slot].address + HEADER_SIZE;
  if (BOARD.loadToRam) return E.toString(flash.read(info.payloadLength, at));
  return BOARD.memoryMapped ? E.memoryArea(at, info.payloadLength) : require("Storage").read(OTA_FILE, at - BOARD.otaHeader - FILE_HEADER, info.payloadLength);
};
// What ble.js shares instead of carrying its own copy (build.mjs stubShared; src/platform/espruino/shared).
// An array: object keys could meet a minified name of the same letter and become a shorthand property.
global.OTA_LIB = [BootRecord, parseHeader, flash, digest];
if (!area) console.log("OTA: no " + OTA_FILE + " file at 0x" + BOARD.otaHeader.toString(16) + ": install again");
else if (!info) console.log("OTA: no valid image in either slot");
// The trial watchdog (boot/watchdog.ts): reset an image still on trial after the board's trialTimeout.
watchTrial(choice.reason, BOARD.trialMs, () => openRecord({ flash: flash, digest: digest, layout: BOARD }).read(), E.reboot, setTimeout);
