import type { Crc16 } from "./crc16.js";
import { CRC16_INIT } from "./crc16.js";

/*
 * ESP BLE OTA on the wire (Espressif's ble_ota component; tables and sources
 * in docs/ble-ota.md). All integers little-endian.
 */
export const SERVICE = 0x8018;
/** Firmware packets in (write), their acknowledgements out (notify). */
export const RECV_FW = 0x8020;
/** Progress out: [percent, session code] (read, notify). */
export const PROGRESS = 0x8021;
/** Commands in (write), their acknowledgements out (notify). */
export const COMMAND = 0x8022;
/** User data; written values are ignored. */
export const CUSTOMER = 0x8023;

export const CMD_START = 1;
export const CMD_STOP = 2;
export const CMD_ACK = 3;
export const CMD_LENGTH = 20;
export const ACCEPT = 0;
export const REJECT = 1;

export const FW_OK = 0;
export const FW_CRC = 1;
export const FW_INDEX = 2;
export const FW_LENGTH = 3;
/** Expected sector in a FW_INDEX answer when no transfer runs: send Start. */
export const NO_SECTOR = 0xffff;

export const SECTOR = 4096;
export const LAST_SEQ = 0xff;
/** Packet header: sector u16, seq u8. */
export const FW_HEAD = 3;

export function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >> 8) & 255;
}

/** Fills `out` (20 bytes) with a, b, c as u16 at 0, 2, 4, zeros, and the CRC16 of bytes 0..17 at 18. */
export function packet(out: Uint8Array, crc16: Crc16, a: number, b: number, c: number): Uint8Array {
  out.fill(0);
  put16(out, 0, a);
  put16(out, 2, b);
  put16(out, 4, c);
  put16(out, 18, crc16(out, 0, 18, CRC16_INIT));
  return out;
}

/** The command id of a well-formed command (20 bytes, CRC16 right), or -1. */
export function commandId(p: Uint8Array, crc16: Crc16): number {
  if (p.length !== CMD_LENGTH || crc16(p, 0, 18, CRC16_INIT) !== u16(p, 18)) return -1;
  return u16(p, 0);
}

/** A Start command's firmware length (payload bytes 0..3). */
export function startLength(p: Uint8Array): number {
  return (u16(p, 2) + u16(p, 4) * 65536) >>> 0;
}
