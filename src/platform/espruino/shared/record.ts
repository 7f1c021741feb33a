/*
 * Stands in for core/record.ts in ble.js (build.mjs, stubShared): the boot
 * stub's own BootRecord, which it leaves in global.OTA_LIB (boot-main.ts),
 * so a 12 KB slot does not carry a second copy. Constants are repeated.
 */
import type * as R from "../../../core/record.js";

export type BootState = R.BootState;
export type BootRecord = R.BootRecord;
export const FLAG_ROLLED_BACK = 1;
export const BootRecord = (global.OTA_LIB as [typeof R.BootRecord])[0];
