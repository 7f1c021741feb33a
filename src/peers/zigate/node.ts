import type { Link } from "../../hal/link.js";
import { fromLatin1 } from "../../platform/host/latin1.js";
import * as Z from "../../zigbee/zcl.js";
import {
  BE, be16, be32, CMD_BLOCK_SEND, CMD_IMAGE_NOTIFY, CMD_LOAD_NEW_IMAGE, CMD_SEND_WAIT_FOR_DATA, CMD_UPGRADE_END_RESPONSE,
  encodeZiGate, MSG_BLOCK_REQUEST, MSG_STATUS, MSG_UPGRADE_END_REQUEST, ZiGateDecoder, type ZiGateFrame,
} from "./zigate.js";

/** The ZiGate's image as loaded with 0x0500 (its OTA header, big-endian in the command). */
export interface LoadedImage {
  manufacturer: number;
  imageType: number;
  fileVersion: number;
  size: number;
  headerLength: number;
}

export interface ZiGateNodeOptions {
  /** The ZiGate's UART to the host plugin. */
  serial: Link;
  /** Sends a ZCL frame (OTA cluster) over the air to the device. */
  radio: (zcl: Uint8Array) => void;
  /** The device as the ZiGate knows it: network address, IEEE address, endpoint. */
  device: { addr: number; ieee: Uint8Array; endpoint: number };
  lqi?: number;
  log?: (line: string) => void;
}

/**
 * The ZiGate as an OTA server, as its firmware behaves (seed 001 and
 * reference/zigbee-ota.md): the host loads one image header (0x0500), the
 * ZiGate answers Query Next Image itself from it, passes Image Block
 * Requests up as 0x8501 and Upgrade End Requests as 0x8503, and turns the
 * host's 0x0502 / 0x0506 / 0x0504 / 0x0505 into the ZCL commands to the
 * device. Every command from the host gets 0x8000 (status, sequence, type).
 */
export class ZiGateNode {
  loaded: LoadedImage | undefined;
  /** Frames from the host that failed the checksum or framing (counted by the decoder). */
  readonly decoder: ZiGateDecoder;
  private seq_ = 0;
  private tsn_ = 0;

  constructor(private o: ZiGateNodeOptions) {
    this.decoder = new ZiGateDecoder((f) => this.command_(f));
    o.serial.onData((d) => this.decoder.feed(typeof d === "string" ? fromLatin1(d) : d));
  }

  private up_(type: number, payload: Uint8Array): void {
    this.o.serial.write(encodeZiGate(type, payload, this.o.lqi === undefined ? 0xb4 : this.o.lqi));
  }

  private command_(f: ZiGateFrame): void {
    const p = f.payload;
    const seq = (this.seq_ = (this.seq_ + 1) & 255);
    let status = 0;
    const zcl = (b: Uint8Array) => this.o.radio(b);
    switch (f.type) {
      case CMD_LOAD_NEW_IMAGE:
        if (p.length < 72) {
          status = 1;
          break;
        }
        this.loaded = { headerLength: be16(p, 9), manufacturer: be16(p, 13), imageType: be16(p, 15), fileVersion: be32(p, 17), size: be32(p, 55) };
        this.log_(`0x0500 image loaded: manufacturer 0x${hex(this.loaded.manufacturer, 4)} type 0x${hex(this.loaded.imageType, 4)} version 0x${hex(this.loaded.fileVersion, 8)}, ${this.loaded.size} bytes`);
        break;
      case CMD_BLOCK_SEND: {
        if (p.length < 20 || p.length < 20 + p[19]) {
          status = 1;
          break;
        }
        const st = p[6];
        zcl(Z.encodeBlockRsp(p[5], st, be16(p, 17), be16(p, 15), be32(p, 11), be32(p, 7), p.subarray(20, 20 + p[19])));
        break;
      }
      case CMD_SEND_WAIT_FOR_DATA:
        if (p.length < 17) {
          status = 1;
          break;
        }
        zcl(Z.encodeWaitRsp(p[5], be32(p, 7), be32(p, 11), be16(p, 15)));
        break;
      case CMD_UPGRADE_END_RESPONSE:
        if (p.length < 22) {
          status = 1;
          break;
        }
        zcl(Z.encodeEndRsp(p[5], be16(p, 20), be16(p, 18), be32(p, 14), be32(p, 10), be32(p, 6)));
        break;
      case CMD_IMAGE_NOTIFY:
        if (p.length < 15) {
          status = 1;
          break;
        }
        this.tsn_ = (this.tsn_ + 1) & 255;
        zcl(Z.encodeNotify(this.tsn_, p[5], p[14], be16(p, 12), be16(p, 10), be32(p, 6)));
        break;
      default:
        status = 2;
    }
    this.up_(MSG_STATUS, new BE().u8(status).u8(seq).u16(f.type).done());
  }

  /** A ZCL frame of the OTA cluster from the device. */
  fromRadio(b: Uint8Array): void {
    const m = Z.decodeToServer(b, b.length, Z.newZclOta());
    if (!m.ok) return;
    const d = this.o.device;
    if (m.cmd === Z.CMD_QUERY_REQ) {
      const l = this.loaded;
      const yes = l && l.manufacturer === m.manufacturer && l.imageType === m.imageType;
      this.o.radio(yes && l ? Z.encodeQueryRsp(m.tsn, Z.ST_SUCCESS, l.manufacturer, l.imageType, l.fileVersion, l.size) : Z.encodeQueryRsp(m.tsn, Z.ST_NO_IMAGE_AVAILABLE, 0, 0, 0, 0));
      this.log_(`query from 0x${hex(d.addr, 4)}: version 0x${hex(m.fileVersion, 8)} -> ${yes ? "image" : "NO_IMAGE_AVAILABLE"}`);
      this.queried(m.fileVersion);
      return;
    }
    if (m.cmd === Z.CMD_BLOCK_REQ) {
      this.up_(MSG_BLOCK_REQUEST, new BE().u8(m.tsn).u8(d.endpoint).u16(Z.CLUSTER_OTA).u8(2).u16(d.addr).raw(d.ieee)
        .u32(m.offset).u32(m.fileVersion).u16(m.imageType).u16(m.manufacturer).u16(m.minBlockPeriod).u8(m.maxData).u8(m.fieldControl).done());
      return;
    }
    if (m.cmd === Z.CMD_END_REQ) {
      this.up_(MSG_UPGRADE_END_REQUEST, new BE().u8(m.tsn).u8(d.endpoint).u16(Z.CLUSTER_OTA).u8(2).u16(d.addr)
        .u32(m.fileVersion).u16(m.imageType).u16(m.manufacturer).u8(m.status).done());
    }
  }

  /** Called with the version each Query Next Image names (the rig watches for the new one after the reset). */
  queried: (fileVersion: number) => void = () => {};

  private log_(s: string): void {
    if (this.o.log) this.o.log("zigate: " + s);
  }
}

export function hex(v: number, n: number): string {
  return (v >>> 0).toString(16).padStart(n, "0");
}
