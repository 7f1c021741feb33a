import type { Link } from "../hal/link.js";
import type { ZclLink } from "./link.js";
import { XB_EXPLICIT_RX, XB_EXPLICIT_TX, XB_TX_STATUS, XBeeDecoder, XBeeEncoder, type ByteSum, type ByteText } from "./xbee.js";
import { CLUSTER_OTA, PROFILE_HA } from "./zcl.js";

export interface XBeeLinkOptions {
  /** The UART to the XBee 3 (API mode 2: AP=2, explicit receive: AO=1). */
  link: Link;
  sum: ByteSum;
  text?: ByteText;
  /** Our endpoint and the server's (1 and 1). */
  endpoint?: number;
  serverEndpoint?: number;
  /** The server's 64-bit address, 8 bytes (all zero with 16-bit 0x0000: the coordinator) and 16-bit address. */
  server64?: Uint8Array;
  server16?: number;
  /** Largest ZCL frame in either direction (default 128). */
  maxZcl?: number;
}

/** Frame data before the RF data: 0x11 has 20 bytes (type to options), 0x91 has 18 (type to receive options). */
const TX_HEAD = 20;
const RX_HEAD = 18;

/**
 * ZCL over a Digi XBee 3 Zigbee module in API mode: Explicit Addressing
 * Command (0x11) to the server, profile 0x0104, cluster 0x0019; Explicit Rx
 * Indicator (0x91) frames of that cluster and profile, to our endpoint, are
 * handed over; a Transmit Status (0x8B) for our frame id with a delivery
 * status other than 0 is reported as a failed send. Other frames are ignored.
 */
export class XBeeZclLink implements ZclLink {
  private enc_: XBeeEncoder;
  private o_: XBeeLinkOptions;
  private frameId_ = 0;
  private onZcl_: ((zcl: Uint8Array, n: number) => void) | undefined;
  private onFail_: (() => void) | undefined;
  readonly decoder: XBeeDecoder;

  constructor(o: XBeeLinkOptions) {
    this.o_ = o;
    const max = (o.maxZcl || 128) + TX_HEAD;
    this.enc_ = new XBeeEncoder({ maxData: max, sum: o.sum, text: o.text });
    this.decoder = new XBeeDecoder({ maxData: max, sum: o.sum, text: o.text, onFrame: (d, n) => this.frame_(d, n) });
    o.link.onData(this.decoder.feed);
    // The request frame's fixed part, written once: destination, endpoints, cluster, profile, radius, options.
    const d = this.enc_.data;
    d[0] = XB_EXPLICIT_TX;
    d.fill(0, 2, 10);
    if (o.server64) d.set(o.server64.subarray(0, 8), 2);
    const s16 = o.server16 || 0;
    d[10] = s16 >> 8;
    d[11] = s16 & 255;
    d[12] = o.endpoint || 1;
    d[13] = o.serverEndpoint || 1;
    d[14] = CLUSTER_OTA >> 8;
    d[15] = CLUSTER_OTA & 255;
    d[16] = PROFILE_HA >> 8;
    d[17] = PROFILE_HA & 255;
    // Broadcast radius 0 (NH), transmit options 0 (the module's TO).
    d[18] = 0;
    d[19] = 0;
  }

  listen(onZcl: (zcl: Uint8Array, n: number) => void, onFail: () => void): void {
    this.onZcl_ = onZcl;
    this.onFail_ = onFail;
  }

  send(zcl: Uint8Array, n: number): void {
    const d = this.enc_.data;
    this.frameId_ = this.frameId_ === 255 ? 1 : this.frameId_ + 1;
    d[1] = this.frameId_;
    d.set(zcl.subarray(0, n), TX_HEAD);
    this.o_.link.write(this.enc_.encode(TX_HEAD + n));
  }

  private frame_(d: Uint8Array, n: number): void {
    const t = d[0];
    if (t === XB_TX_STATUS) {
      // Frame id, 16-bit destination (2), retry count, delivery status, discovery status.
      if (n >= 7 && d[1] === this.frameId_ && d[5] !== 0 && this.onFail_) this.onFail_();
      return;
    }
    if (t !== XB_EXPLICIT_RX || n < RX_HEAD + 3) return;
    // 64-bit source (1-8), 16-bit source (9-10), source endpoint 11, destination endpoint 12, cluster 13-14, profile 15-16, options 17.
    if (d[12] !== (this.o_.endpoint || 1)) return;
    if (((d[13] << 8) | d[14]) !== CLUSTER_OTA || ((d[15] << 8) | d[16]) !== PROFILE_HA) return;
    if (this.onZcl_) this.onZcl_(d.subarray(RX_HEAD), n - RX_HEAD);
  }
}
