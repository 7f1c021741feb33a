/**
 * The ZiGate serial protocol (ZiGate firmware SerialLink.c; zigbee-herdsman's
 * adapter/zigate/driver/frame.ts reads the same): `0x01 | type u16 | length
 * u16 | checksum u8 | payload | 0x03`, big-endian; the checksum is the XOR of
 * the type and length bytes and the payload; between start and end every
 * byte below 0x10 goes as 0x02, b ^ 0x10. Frames from the ZiGate carry one
 * LQI byte after the payload, counted in the length and the checksum.
 */
import { StuffDecoder } from "../../transport/stuff-decoder.js";
import { encodeStuffed, stuffing, xorCheck } from "../../transport/stuffing.js";

export const ZG_START = 0x01;
export const ZG_ESC = 0x02;
export const ZG_END = 0x03;

export const MSG_STATUS = 0x8000;
export const CMD_LOAD_NEW_IMAGE = 0x0500;
export const CMD_BLOCK_SEND = 0x0502;
export const CMD_UPGRADE_END_RESPONSE = 0x0504;
export const CMD_IMAGE_NOTIFY = 0x0505;
export const CMD_SEND_WAIT_FOR_DATA = 0x0506;
export const MSG_BLOCK_REQUEST = 0x8501;
export const MSG_UPGRADE_END_REQUEST = 0x8503;

/** ZiGate's byte stuffing and its XOR check (the byte after type and length): src/transport/stuffing.ts. */
const ZIGATE = stuffing(ZG_START, ZG_END, ZG_ESC, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 0x10);
const ZIGATE_CHECK = xorCheck(4);

/** One frame, escaped. `lqi` (frames from the ZiGate) is appended to the payload first. */
export function encodeZiGate(type: number, payload: Uint8Array, lqi?: number): Uint8Array {
  const p = lqi === undefined ? payload : concat(payload, new Uint8Array([lqi]));
  const raw = new Uint8Array(5 + p.length);
  raw.set([type >> 8, type & 255, p.length >> 8, p.length & 255], 0);
  raw.set(p, 5);
  const out = new Uint8Array(2 * raw.length + 2);
  return out.slice(0, encodeStuffed(ZIGATE, ZIGATE_CHECK, raw, raw.length, out));
}

export interface ZiGateFrame {
  type: number;
  /** Payload as the length counts it (with the LQI byte on frames from the ZiGate). */
  payload: Uint8Array;
}

/** Frames from a byte stream; bad escapes, checksums and lengths and cut frames are dropped and counted. */
export class ZiGateDecoder {
  private d_: StuffDecoder;
  private bad_ = 0;

  constructor(onFrame: (f: ZiGateFrame) => void) {
    this.d_ = new StuffDecoder(ZIGATE, ZIGATE_CHECK, (r, n) => {
      const len = (r[2] << 8) | r[3];
      if (n < 5 || n !== 5 + len) return void this.bad_++;
      onFrame({ type: (r[0] << 8) | r[1], payload: r.slice(5, n) });
    });
  }

  get errors(): number {
    return this.d_.errors + this.bad_;
  }

  feed(d: Uint8Array): void {
    this.d_.feed(d);
  }
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}

/** Big-endian writer for ZiGate payloads. */
export class BE {
  bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 255);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  done(): Uint8Array {
    return new Uint8Array(this.bytes);
  }
}

export function be16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
