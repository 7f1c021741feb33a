import { getU16 as u16le, getU32 as u32le, setU16 as put16le, setU32 as put32le } from "../core/bytes.js";
/**
 * ZCL OTA Upgrade cluster (0x0019) payloads, both directions: the device
 * encodes its requests and decodes the server's commands; the test rig
 * (zigatesim) does the reverse. Little-endian throughout (ZCL). Layouts:
 * docs/zigbee.md "ZCL commands".
 */
export const CLUSTER_OTA = 0x0019;
export const PROFILE_HA = 0x0104;

export const CMD_IMAGE_NOTIFY = 0x00;
export const CMD_QUERY_REQ = 0x01;
export const CMD_QUERY_RSP = 0x02;
export const CMD_BLOCK_REQ = 0x03;
export const CMD_BLOCK_RSP = 0x05;
export const CMD_END_REQ = 0x06;
export const CMD_END_RSP = 0x07;

export const ST_SUCCESS = 0x00;
export const ST_MALFORMED = 0x80;
export const ST_ABORT = 0x95;
export const ST_INVALID_IMAGE = 0x96;
export const ST_WAIT_FOR_DATA = 0x97;
export const ST_NO_IMAGE_AVAILABLE = 0x98;

/** Frame control: cluster-specific command, client to server; server to client (bit 3); disable default response (bit 4). */
export const FC_TO_SERVER = 0x01;
export const FC_TO_CLIENT = 0x09;
export const FC_NO_DEFAULT_RSP = 0x10;
const FC_MFR = 0x04;

/** Upgrade End Response: upgradeTime 0xFFFFFFFF = wait for a later command. */
export const UPGRADE_WAIT = 0xffffffff;

/** One decoded OTA command; the decoder fills a caller's object (no allocation per frame on the device). */
export interface ZclOta {
  /** False when the frame was not an OTA command for this direction or was too short. */
  ok: boolean;
  fc: number;
  tsn: number;
  cmd: number;
  status: number;
  payloadType: number;
  jitter: number;
  manufacturer: number;
  imageType: number;
  fileVersion: number;
  size: number;
  offset: number;
  maxData: number;
  /** Block data: a view into the frame, valid during the call only. */
  data: Uint8Array | undefined;
  currentTime: number;
  requestTime: number;
  upgradeTime: number;
  minBlockPeriod: number;
  hardwareVersion: number;
  /** Request field control (query: bit 0 hardware version; block: bit 0 IEEE, bit 1 minBlockPeriod). */
  fieldControl: number;
}

export function newZclOta(): ZclOta {
  return {
    ok: false, fc: 0, tsn: 0, cmd: 0, status: 0, payloadType: 0, jitter: 0, manufacturer: 0, imageType: 0, fileVersion: 0,
    size: 0, offset: 0, maxData: 0, data: undefined, currentTime: 0, requestTime: 0, upgradeTime: 0, minBlockPeriod: 0,
    hardwareVersion: -1, fieldControl: 0,
  };
}

function head(b: Uint8Array, n: number, m: ZclOta, toClient: boolean): number {
  m.ok = false;
  m.data = undefined;
  if (n < 3) return -1;
  const fc = b[0];
  // Cluster-specific, and the direction asked for.
  if ((fc & 3) !== 1 || ((fc & 8) !== 0) !== toClient) return -1;
  const p = fc & FC_MFR ? 3 : 1;
  if (n < p + 2) return -1;
  m.fc = fc;
  m.tsn = b[p];
  m.cmd = b[p + 1];
  return p + 2;
}

/** Server-to-client commands (what the device receives): Image Notify, Query Next Image Rsp, Image Block Rsp, Upgrade End Rsp. */
export function decodeToClient(b: Uint8Array, n: number, m: ZclOta): ZclOta {
  let p = head(b, n, m, true);
  if (p < 0) return m;
  const left = n - p;
  m.status = ST_SUCCESS;
  switch (m.cmd) {
    case CMD_IMAGE_NOTIFY: {
      if (left < 2) return m;
      m.payloadType = b[p];
      m.jitter = b[p + 1];
      const need = [2, 4, 6, 10][m.payloadType];
      if (need === undefined || left < need) return m;
      m.manufacturer = need > 2 ? u16le(b, p + 2) : 0xffff;
      m.imageType = need > 4 ? u16le(b, p + 4) : 0xffff;
      m.fileVersion = need > 6 ? u32le(b, p + 6) : 0xffffffff;
      break;
    }
    case CMD_QUERY_RSP:
      if (left < 1) return m;
      m.status = b[p];
      if (m.status === ST_SUCCESS) {
        if (left < 13) return m;
        m.manufacturer = u16le(b, p + 1);
        m.imageType = u16le(b, p + 3);
        m.fileVersion = u32le(b, p + 5);
        m.size = u32le(b, p + 9);
      }
      break;
    case CMD_BLOCK_RSP:
      if (left < 1) return m;
      m.status = b[p++];
      if (m.status === ST_SUCCESS) {
        if (left < 14) return m;
        m.manufacturer = u16le(b, p);
        m.imageType = u16le(b, p + 2);
        m.fileVersion = u32le(b, p + 4);
        m.offset = u32le(b, p + 8);
        const len = b[p + 12];
        if (left < 14 + len) return m;
        m.data = b.subarray(p + 13, p + 13 + len);
      } else if (m.status === ST_WAIT_FOR_DATA) {
        if (left < 9) return m;
        m.currentTime = u32le(b, p);
        m.requestTime = u32le(b, p + 4);
        // minBlockPeriod came later (ZCL 6+); older servers leave it out.
        m.minBlockPeriod = left >= 11 ? u16le(b, p + 8) : -1;
      }
      break;
    case CMD_END_RSP:
      if (left < 16) return m;
      m.manufacturer = u16le(b, p);
      m.imageType = u16le(b, p + 2);
      m.fileVersion = u32le(b, p + 4);
      m.currentTime = u32le(b, p + 8);
      m.upgradeTime = u32le(b, p + 12);
      break;
    default:
      return m;
  }
  m.ok = true;
  return m;
}

/** Client-to-server commands (what the server receives): Query Next Image Req, Image Block Req, Upgrade End Req. */
export function decodeToServer(b: Uint8Array, n: number, m: ZclOta): ZclOta {
  const p = head(b, n, m, false);
  if (p < 0) return m;
  const left = n - p;
  switch (m.cmd) {
    case CMD_QUERY_REQ:
      if (left < 9) return m;
      m.fieldControl = b[p];
      m.manufacturer = u16le(b, p + 1);
      m.imageType = u16le(b, p + 3);
      m.fileVersion = u32le(b, p + 5);
      m.hardwareVersion = -1;
      if (m.fieldControl & 1) {
        if (left < 11) return m;
        m.hardwareVersion = u16le(b, p + 9);
      }
      break;
    case CMD_BLOCK_REQ: {
      if (left < 14) return m;
      m.fieldControl = b[p];
      m.manufacturer = u16le(b, p + 1);
      m.imageType = u16le(b, p + 3);
      m.fileVersion = u32le(b, p + 5);
      m.offset = u32le(b, p + 9);
      m.maxData = b[p + 13];
      let q = p + 14;
      if (m.fieldControl & 1) q += 8;
      m.minBlockPeriod = 0;
      if (m.fieldControl & 2) {
        if (n < q + 2) return m;
        m.minBlockPeriod = u16le(b, q);
      }
      break;
    }
    case CMD_END_REQ:
      if (left < 9) return m;
      m.status = b[p];
      m.manufacturer = u16le(b, p + 1);
      m.imageType = u16le(b, p + 3);
      m.fileVersion = u32le(b, p + 5);
      break;
    default:
      return m;
  }
  m.ok = true;
  return m;
}

/** Query Next Image Request into `out`; returns its length. hardwareVersion < 0 leaves it out. */
export function encodeQuery(out: Uint8Array, tsn: number, manufacturer: number, imageType: number, fileVersion: number, hardwareVersion: number): number {
  out[0] = FC_TO_SERVER;
  out[1] = tsn & 255;
  out[2] = CMD_QUERY_REQ;
  out[3] = hardwareVersion >= 0 ? 1 : 0;
  put16le(out, 4, manufacturer);
  put16le(out, 6, imageType);
  put32le(out, 8, fileVersion);
  if (hardwareVersion < 0) return 12;
  put16le(out, 12, hardwareVersion);
  return 14;
}

/** Image Block Request (field control bit 1: the minBlockPeriod the client keeps to). */
export function encodeBlockReq(out: Uint8Array, tsn: number, manufacturer: number, imageType: number, fileVersion: number, offset: number, maxData: number, minBlockPeriod: number): number {
  out[0] = FC_TO_SERVER;
  out[1] = tsn & 255;
  out[2] = CMD_BLOCK_REQ;
  out[3] = 2;
  put16le(out, 4, manufacturer);
  put16le(out, 6, imageType);
  put32le(out, 8, fileVersion);
  put32le(out, 12, offset);
  out[16] = maxData;
  put16le(out, 17, minBlockPeriod);
  return 19;
}

export function encodeEndReq(out: Uint8Array, tsn: number, status: number, manufacturer: number, imageType: number, fileVersion: number): number {
  out[0] = FC_TO_SERVER;
  out[1] = tsn & 255;
  out[2] = CMD_END_REQ;
  out[3] = status;
  put16le(out, 4, manufacturer);
  put16le(out, 6, imageType);
  put32le(out, 8, fileVersion);
  return 12;
}

// Server side (the test rig's ZiGate): whole new arrays, host only.

export function encodeNotify(tsn: number, payloadType: number, jitter: number, manufacturer: number, imageType: number, fileVersion: number): Uint8Array {
  const n = [2, 4, 6, 10][payloadType];
  const b = new Uint8Array(3 + n);
  b[0] = FC_TO_CLIENT | FC_NO_DEFAULT_RSP;
  b[1] = tsn & 255;
  b[2] = CMD_IMAGE_NOTIFY;
  b[3] = payloadType;
  b[4] = jitter;
  if (n > 2) put16le(b, 5, manufacturer);
  if (n > 4) put16le(b, 7, imageType);
  if (n > 6) put32le(b, 9, fileVersion);
  return b;
}

export function encodeQueryRsp(tsn: number, status: number, manufacturer: number, imageType: number, fileVersion: number, size: number): Uint8Array {
  const b = new Uint8Array(status === ST_SUCCESS ? 16 : 4);
  b[0] = FC_TO_CLIENT;
  b[1] = tsn & 255;
  b[2] = CMD_QUERY_RSP;
  b[3] = status;
  if (status !== ST_SUCCESS) return b;
  put16le(b, 4, manufacturer);
  put16le(b, 6, imageType);
  put32le(b, 8, fileVersion);
  put32le(b, 12, size);
  return b;
}

export function encodeBlockRsp(tsn: number, status: number, manufacturer: number, imageType: number, fileVersion: number, offset: number, data: Uint8Array): Uint8Array {
  if (status !== ST_SUCCESS) return new Uint8Array([FC_TO_CLIENT, tsn & 255, CMD_BLOCK_RSP, status]);
  const b = new Uint8Array(17 + data.length);
  b[0] = FC_TO_CLIENT;
  b[1] = tsn & 255;
  b[2] = CMD_BLOCK_RSP;
  b[3] = status;
  put16le(b, 4, manufacturer);
  put16le(b, 6, imageType);
  put32le(b, 8, fileVersion);
  put32le(b, 12, offset);
  b[16] = data.length;
  b.set(data, 17);
  return b;
}

export function encodeWaitRsp(tsn: number, currentTime: number, requestTime: number, minBlockPeriod: number): Uint8Array {
  const b = new Uint8Array(14);
  b[0] = FC_TO_CLIENT;
  b[1] = tsn & 255;
  b[2] = CMD_BLOCK_RSP;
  b[3] = ST_WAIT_FOR_DATA;
  put32le(b, 4, currentTime);
  put32le(b, 8, requestTime);
  put16le(b, 12, minBlockPeriod);
  return b;
}

export function encodeEndRsp(tsn: number, manufacturer: number, imageType: number, fileVersion: number, currentTime: number, upgradeTime: number): Uint8Array {
  const b = new Uint8Array(19);
  b[0] = FC_TO_CLIENT;
  b[1] = tsn & 255;
  b[2] = CMD_END_RSP;
  put16le(b, 3, manufacturer);
  put16le(b, 5, imageType);
  put32le(b, 7, fileVersion);
  put32le(b, 11, currentTime);
  put32le(b, 15, upgradeTime);
  return b;
}
