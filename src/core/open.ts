import type { Clock } from "../hal/clock.js";
import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import type { Crc32 } from "./header.js";
import type { Layout } from "./layout.js";
import { BootRecord } from "./record.js";

/** Where a board keeps its boot record: the flash, the CRC-32 its banks are checked with, the banks. */
export interface RecordHome {
  flash: Flash;
  digest: { crc32: Crc32 };
  layout: { banks: number[] };
}

/**
 * The boot record of a board: the one place a BootRecord is made (a Session
 * opens its own with it; in ble.js the class is the boot stub's, shared/record.ts).
 */
export function openRecord(h: RecordHome): BootRecord {
  return new BootRecord({ flash: h.flash, crc32: h.digest.crc32, banks: h.layout.banks });
}

/**
 * What the boot stub started, as it leaves it in `global.OTA_BOOT` for the
 * client: the slot (-1: none), the boot reason (boot/decide.ts), and the
 * image's type, version and build ("" when none).
 */
export interface Booted {
  slot: number;
  reason: number;
  type: string;
  version: string;
  build: string;
}

/**
 * What every transport's start takes from its board: the HAL, the layout, the
 * clock, and what the boot stub started. A Session takes it as it is.
 */
export interface OtaEnv {
  flash: Flash;
  digest: Digest;
  layout: Layout;
  clock: Clock;
  /** What the boot stub started: its slot and the image's type and version (what a session compares offers with). */
  boot: { slot: number; type: string; version: string };
}
