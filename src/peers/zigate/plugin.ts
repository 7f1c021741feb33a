import type { Clock } from "../../hal/clock.js";
import type { Link } from "../../hal/link.js";
import { type OtaFileHeader, parseOtaFileHeader } from "../../zigbee/otafile.js";
import { ST_ABORT, ST_INVALID_IMAGE, ST_SUCCESS, UPGRADE_WAIT } from "../../zigbee/zcl.js";
import { hex } from "./node.js";
import {
  BE, be16, be32, CMD_BLOCK_SEND, CMD_IMAGE_NOTIFY, CMD_LOAD_NEW_IMAGE, CMD_SEND_WAIT_FOR_DATA, CMD_UPGRADE_END_RESPONSE,
  encodeZiGate, MSG_BLOCK_REQUEST, MSG_STATUS, MSG_UPGRADE_END_REQUEST, ZiGateDecoder, type ZiGateFrame,
} from "./zigate.js";

/** Seconds since 2000-01-01 UTC (ZCL UTCTime) for a clock in ms since 1970. */
export function zclTime(ms: number): number {
  return Math.floor(ms / 1000) - 946684800;
}

export interface PluginOptions {
  /** The host's UART to the ZiGate. */
  link: Link;
  clock: Clock;
  /** The Zigbee OTA file (mkimage --zigbee-manufacturer ... output). */
  file: Uint8Array;
  /** The device: network address and endpoint (1). */
  device: { addr: number; endpoint: number };
  /** Send 0x0505 Image Notify after loading (true), with this jitter (100). */
  notify?: boolean;
  jitter?: number;
  /** At this offset, answer the first request with 0x0506 WAIT_FOR_DATA for `seconds`, and minBlockPeriod ms. */
  pauseAt?: { offset: number; seconds: number; minBlockPeriod?: number };
  /** At this offset, answer 0x0502 with status ABORT (the server ends the transfer). */
  abortAt?: number;
  /** Answer the request at `offset` with a block of the wrong offset, size (one byte more than asked) or file version, `times` times. */
  wrongAt?: { offset: number; what: "offset" | "size" | "version"; times?: number };
  /** Upgrade End Response: "relative" (currentTime 0, upgradeTime 2 s), "absolute" (now + 2 s), "wait" (0xFFFFFFFF, then after 5 s a relative 1 s). */
  upgrade?: "relative" | "absolute" | "wait";
  /** Never answer 0x8503 (a server that forgets the device after the transfer). */
  noEndResponse?: boolean;
  /** ms since 1970 for the ZCL times (the clock's now() by default). */
  wallClock?: () => number;
  /** Load this into the ZiGate instead of the file's own header fields (a misconfigured plugin: the client must notice). */
  header?: { manufacturer: number; imageType: number; fileVersion: number; size?: number };
  log?: (line: string) => void;
}

export type PluginState = "loading" | "serving" | "upgrading" | "failed";

/**
 * The host side of the seed's ZiGate OTA flow: loads the file's header with
 * 0x0500 (resent until the ZiGate's 0x8000 comes), notifies the device with
 * 0x0505, answers every 0x8501 Block Request with 0x0502 (or 0x0506 to
 * pause) from the file, and every 0x8503 Upgrade End Request with 0x0504.
 */
export class ZiGatePlugin {
  state: PluginState = "loading";
  outcome = "";
  /** Highest file offset served so far, and requests seen. */
  served = 0;
  requests = 0;
  /** Offsets of each 0x8501 in order (tests look at resumes). */
  offsets: number[] = [];
  endStatus = -1;
  readonly decoder: ZiGateDecoder;
  private o_: PluginOptions;
  private waiting_: { type: number; tries: number; timer: unknown; payload: Uint8Array; then: () => void } | undefined;
  private paused_ = false;
  private wrong_ = 0;
  private hdr_: { manufacturer: number; imageType: number; fileVersion: number; size?: number };

  constructor(o: PluginOptions) {
    this.o_ = o;
    const r = parseOtaFileHeader(o.file, Math.min(o.file.length, 69));
    if (!r.header && !o.header) throw new Error("not a Zigbee OTA file (mkimage --zigbee-manufacturer makes one)");
    this.hdr_ = o.header || (r.header as OtaFileHeader);
    this.decoder = new ZiGateDecoder((f) => this.frame_(f));
    o.link.onData((d) => this.decoder.feed(d as Uint8Array));
  }

  /** Loads the image into the ZiGate, then notifies the device. */
  start(): void {
    const f = this.o_.file;
    const h = this.hdr_;
    // addrMode 2, addr 0x0000, then the OTA header fields big-endian (0x0500 layout: reference/zigbee-ota.md).
    const w = new BE().u8(2).u16(0).u32(0x0beef11e).u16(0x0100).u16(f[6] | (f[7] << 8)).u16(f[8] | (f[9] << 8))
      .u16(h.manufacturer).u16(h.imageType).u32(h.fileVersion).u16(f[18] | (f[19] << 8)).raw(f.subarray(20, 52)).u32(h.size || f.length);
    const fc = f[8];
    w.u8(fc & 1 ? f[56] : 0);
    const destAt = 56 + (fc & 1 ? 1 : 0);
    w.raw(fc & 2 ? f.subarray(destAt, destAt + 8) : new Uint8Array(8));
    const hwAt = destAt + (fc & 2 ? 8 : 0);
    w.u16(fc & 4 ? f[hwAt] | (f[hwAt + 1] << 8) : 0).u16(fc & 4 ? f[hwAt + 2] | (f[hwAt + 3] << 8) : 0);
    this.command_(CMD_LOAD_NEW_IMAGE, w.done(), () => {
      this.state = "serving";
      this.log_(`image loaded (0x0500): version 0x${hex(h.fileVersion, 8)}, ${f.length} bytes`);
      if (this.o_.notify !== false) this.notify();
    });
  }

  /** 0x0505 Image Notify to the device: payload type 3 (jitter, manufacturer, type, version). */
  notify(): void {
    const d = this.o_.device;
    const h = this.hdr_;
    this.command_(CMD_IMAGE_NOTIFY, new BE().u8(2).u16(d.addr).u8(1).u8(d.endpoint).u8(3).u32(h.fileVersion).u16(h.imageType)
      .u16(h.manufacturer).u8(this.o_.jitter === undefined ? 100 : this.o_.jitter).done(), () => this.log_("device notified (0x0505)"));
  }

  /** A command that must reach the ZiGate: resent every second until its 0x8000 arrives, 5 times. */
  private command_(type: number, payload: Uint8Array, then: () => void, tries = 5): void {
    const c = this.o_.clock;
    this.o_.link.write(encodeZiGate(type, payload));
    const timer = c.setTimeout(() => {
      if (!this.waiting_ || this.waiting_.type !== type) return;
      this.waiting_ = undefined;
      if (tries > 1) return this.command_(type, payload, then, tries - 1);
      this.fail_("the ZiGate did not answer 0x" + hex(type, 4));
    }, 1000);
    this.waiting_ = { type: type, tries: tries, timer: timer, payload: payload, then: then };
  }

  private frame_(f: ZiGateFrame): void {
    const p = f.payload;
    if (f.type === MSG_STATUS) {
      const w = this.waiting_;
      if (w && p.length >= 4 && be16(p, 2) === w.type) {
        this.o_.clock.clearTimeout(w.timer);
        this.waiting_ = undefined;
        if (p[0] !== 0) return this.fail_("the ZiGate refused 0x" + hex(w.type, 4) + " (status " + p[0] + ")");
        w.then();
      }
      return;
    }
    if (f.type === MSG_BLOCK_REQUEST && p.length >= 32) return this.block_(p);
    if (f.type === MSG_UPGRADE_END_REQUEST && p.length >= 17) return this.end_(p);
  }

  /** 0x8501: seq, srcEp, cluster, addrMode, addr, IEEE, offset, version, type, manufacturer, delay, maxData, fc (+ LQI). */
  private block_(p: Uint8Array): void {
    // Served after the upgrade too: a device that rolled back may ask again.
    if (this.state !== "serving" && this.state !== "upgrading") return;
    const o = this.o_;
    const seq = p[0];
    const ep = p[1];
    const addr = be16(p, 5);
    const offset = be32(p, 15);
    const ver = be32(p, 19);
    const type = be16(p, 23);
    const mfr = be16(p, 25);
    const max = p[29];
    this.requests++;
    this.offsets.push(offset);
    const head = () => new BE().u8(2).u16(addr).u8(1).u8(ep).u8(seq);
    const pa = o.pauseAt;
    if (pa && !this.paused_ && offset >= pa.offset) {
      this.paused_ = true;
      const now = zclTime((o.wallClock || (() => o.clock.now()))());
      this.log_(`block @${offset}: pause ${pa.seconds} s (0x0506)`);
      o.link.write(encodeZiGate(CMD_SEND_WAIT_FOR_DATA, head().u8(0x97).u32(now).u32(now + pa.seconds).u16(pa.minBlockPeriod || 0).done()));
      return;
    }
    if (o.abortAt !== undefined && offset >= o.abortAt) {
      this.log_(`block @${offset}: ABORT (0x0502 status 0x95)`);
      o.link.write(encodeZiGate(CMD_BLOCK_SEND, head().u8(ST_ABORT).u32(offset).u32(ver).u16(type).u16(mfr).u8(0).done()));
      return this.fail_("aborted by the server at " + offset);
    }
    let n = Math.min(max, this.o_.file.length - offset);
    let at = offset;
    let v = ver;
    const wa = o.wrongAt;
    if (wa && offset === wa.offset && this.wrong_ < (wa.times || 1)) {
      this.wrong_++;
      if (wa.what === "offset") at = offset + 1;
      else if (wa.what === "size") n = Math.min(n + 1, 255, this.o_.file.length - offset);
      else v = ver + 1;
      this.log_(`block @${offset}: wrong ${wa.what} on purpose`);
    }
    if (n <= 0 || ver !== this.hdr_.fileVersion) return;
    const data = this.o_.file.subarray(at, at + n);
    o.link.write(encodeZiGate(CMD_BLOCK_SEND, head().u8(ST_SUCCESS).u32(at).u32(v).u16(type).u16(mfr).u8(data.length).raw(data).done()));
    if (offset + n > this.served) this.served = offset + n;
  }

  /** 0x8503: seq, srcEp, cluster, addrMode, addr, version, type, manufacturer, status (+ LQI). */
  private end_(p: Uint8Array): void {
    const o = this.o_;
    const seq = p[0];
    const ep = p[1];
    const addr = be16(p, 5);
    const ver = be32(p, 7);
    const type = be16(p, 11);
    const mfr = be16(p, 13);
    const status = p[15];
    this.endStatus = status;
    if (status !== ST_SUCCESS) {
      const name = status === ST_ABORT ? "ABORT" : status === ST_INVALID_IMAGE ? "INVALID_IMAGE" : "0x" + hex(status, 2);
      this.log_("upgrade end request: " + name);
      return this.fail_("the device ended with " + name);
    }
    this.served = o.file.length;
    if (o.noEndResponse) {
      this.state = "upgrading";
      this.outcome = "upgrade end SUCCESS, not answered";
      return this.log_("upgrade end request: SUCCESS; not answered (on purpose)");
    }
    const now = zclTime((o.wallClock || (() => o.clock.now()))());
    const mode = o.upgrade || "relative";
    const send = (current: number, upgrade: number) => o.link.write(encodeZiGate(CMD_UPGRADE_END_RESPONSE,
      new BE().u8(2).u16(addr).u8(1).u8(ep).u8(seq).u32(upgrade).u32(current).u32(ver).u16(type).u16(mfr).done()));
    if (this.state === "upgrading" && mode === "wait") return send(0, 1);
    this.state = "upgrading";
    this.outcome = "upgrade end SUCCESS";
    this.log_("upgrade end request: SUCCESS; upgrade " + (mode === "wait" ? "later" : "in 2 s") + " (0x0504)");
    if (mode === "relative") send(0, 2);
    else if (mode === "absolute") send(now, now + 2);
    else {
      send(now, UPGRADE_WAIT);
      o.clock.setTimeout(() => {
        this.log_("upgrade now (0x0504)");
        send(0, 1);
      }, 5000);
    }
  }

  private fail_(why: string): void {
    this.state = "failed";
    this.outcome = why;
  }

  private log_(s: string): void {
    if (this.o_.log) this.o_.log("plugin: " + s);
  }
}
