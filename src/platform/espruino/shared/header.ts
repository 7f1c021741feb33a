/* Stands in for core/header.ts in ble.js: the boot stub's parseHeader (see shared/record.ts). */
import type * as H from "../../../core/header.js";

export type ImageInfo = H.ImageInfo;
export type Crc32 = H.Crc32;
export const HEADER_SIZE = 128;
export const parseHeader = (global.OTA_LIB as [unknown, typeof H.parseHeader])[1];
