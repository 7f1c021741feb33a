import { crc8 } from "../ncp/crc8.js";
import { encodeFrame, frameBound } from "../ncp/frame.js";
import * as P from "../ncp/protocol.js";
import { Writer } from "../ncp/wire.js";
import { crc32 } from "../platform/host/digest.js";

/** Builds NCP→client frames, well-formed or deliberately not. */
export class Frames {
  private id_ = 1;

  /** A frame around raw payload bytes (its CRC-8 right unless `badCrc`). */
  frame(payload: Uint8Array, badCrc = false): Uint8Array {
    const out = new Uint8Array(frameBound(payload.length));
    const n = encodeFrame(payload, payload.length, out, badCrc ? (b, s, e) => crc8(b, s, e) ^ 0x5a : crc8);
    return out.subarray(0, n);
  }

  invoke(uid: number, args?: (w: Writer) => void): Uint8Array {
    const w = new Writer(4200).u16(P.OP_INVOKE).u16(uid).u16(this.id_++ & 0xffff);
    if (args) args(w);
    return w.b.slice(0, w.p);
  }

  result(msgId: number, status: number, rets?: (w: Writer) => void): Uint8Array {
    const w = new Writer(256).u16(P.OP_RESULT).u16(msgId).u8(status);
    if (rets) rets(w);
    return w.b.slice(0, w.p);
  }

  offer(size: number, type: string, version: string): Uint8Array {
    return this.invoke(P.CLIENT_OTA_AVAILABLE, (w) => w.str("fw.bin").u32(size).str(type).str(version).str("build"));
  }

  write(offset: number, data: Uint8Array, crc = crc32(data)): Uint8Array {
    return this.invoke(P.CLIENT_OTA_WRITE, (w) => w.u32(offset).bin(data).u32(crc));
  }
}
