// The host library: everything a test rig, simulator or tool needs.
export * from "../../core/errors.js";
export { Session, IDLE, OFFERED, RECEIVING, STAGED } from "../../core/session.js";
export { BootRecord } from "../../core/record.js";
export { parseHeader, encodeHeader, HEADER_SIZE } from "../../core/header.js";
export { decideBoot } from "../../boot/decide.js";
export { confirmRunning } from "../../boot/confirm.js";
export { NorFlash } from "./norflash.js";
export { PowerCut, FlashFault } from "./power.js";
export { FakeClock, realClock } from "./clock.js";
export { hostDigest, crc32, sha256 } from "./digest.js";
export { buildImage, blynkTag, readBlynkTag } from "../../testbench/image.js";
export { installFactory } from "../../testbench/install.js";
export { loadBoard, boardKeys, allBoardKeys, unsupported } from "../../board/files.js";
export { deviceBoard, parseBoard } from "../../board/schema.js";
