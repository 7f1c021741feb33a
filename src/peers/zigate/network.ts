import type { Clock } from "../../hal/clock.js";
import type { Link } from "../../hal/link.js";
import { fromLatin1 } from "../../platform/host/latin1.js";
import { loopSum, XB_EXPLICIT_RX, XB_EXPLICIT_TX, XB_TX_STATUS, XBeeDecoder, XBeeEncoder } from "../../zigbee/xbee.js";
import { CLUSTER_OTA, PROFILE_HA } from "../../zigbee/zcl.js";

export interface NetworkOptions {
  /** The XBee's end of the device's UART (API mode 2). */
  uart: Link;
  clock: Clock;
  /** Delivers a ZCL frame from the device to the ZiGate. */
  toServer: (zcl: Uint8Array) => void;
  /** The device's XBee addresses and endpoint; the coordinator's endpoint. */
  device: { ieee: Uint8Array; addr: number; endpoint: number };
  serverEndpoint?: number;
  /** Probability that a radio frame is lost, each way, and the random source. */
  loss?: number;
  rand?: () => number;
  /** Air time per frame (15 ms). */
  latencyMs?: number;
  log?: (line: string) => void;
}

/**
 * The radio between the ZiGate (coordinator) and the device's XBee 3, and
 * the XBee itself as the device's UART sees it: Explicit Addressing Command
 * frames (0x11) from the device go over the air to the ZiGate, with a
 * Transmit Status (0x8B; delivery 0x21, network ACK failure, when the frame
 * was lost); the ZiGate's frames come out as Explicit Rx Indicators (0x91).
 */
export class Network {
  /** Radio frames lost so far, and frames carried. */
  lost = 0;
  carried = 0;
  /** Probability of losing a radio frame (may change during a run). */
  loss: number;
  /** Sees every ZCL frame the device sends (before the radio may lose it) and every one the ZiGate sends. */
  onZcl: (zcl: Uint8Array, fromDevice: boolean) => void = () => {};
  readonly decoder: XBeeDecoder;
  private enc_: XBeeEncoder;

  constructor(private o: NetworkOptions) {
    this.loss = o.loss || 0;
    this.enc_ = new XBeeEncoder({ maxData: 300, sum: loopSum });
    this.decoder = new XBeeDecoder({ maxData: 300, sum: loopSum, onFrame: (d, n) => this.fromDevice_(d.slice(0, n)) });
    o.uart.onData((d) => this.decoder.feed(typeof d === "string" ? fromLatin1(d) : d));
  }

  private lose_(): boolean {
    if (this.loss && (this.o.rand || Math.random)() < this.loss) {
      this.lost++;
      return true;
    }
    this.carried++;
    return false;
  }

  private fromDevice_(d: Uint8Array): void {
    if (d[0] !== XB_EXPLICIT_TX || d.length < 20) return;
    const frameId = d[1];
    const cluster = (d[14] << 8) | d[15];
    const profile = (d[16] << 8) | d[17];
    const zcl = d.slice(20);
    if (cluster === CLUSTER_OTA && profile === PROFILE_HA) this.onZcl(zcl, true);
    const lost = cluster !== CLUSTER_OTA || profile !== PROFILE_HA || this.lose_();
    const c = this.o.clock;
    const ms = this.o.latencyMs === undefined ? 15 : this.o.latencyMs;
    c.setTimeout(() => {
      if (frameId) {
        // Frame id, 16-bit destination (0x0000, or 0xFFFD when not delivered), retries, delivery status, discovery status.
        const e = this.enc_.data;
        e.set([XB_TX_STATUS, frameId, lost ? 0xff : 0, lost ? 0xfd : 0, 0, lost ? 0x21 : 0, 0]);
        this.o.uart.write(this.enc_.encode(7).slice());
      }
      if (!lost) this.o.toServer(zcl);
    }, ms);
  }

  /** A ZCL frame from the ZiGate to the device (lost, or out of the XBee as 0x91 after the air time). */
  toDevice(zcl: Uint8Array): void {
    this.onZcl(zcl, false);
    if (this.lose_()) return;
    const o = this.o;
    o.clock.setTimeout(() => {
      const e = this.enc_.data;
      e[0] = XB_EXPLICIT_RX;
      // The coordinator: 64-bit address 0, 16-bit 0x0000.
      e.fill(0, 1, 11);
      e[11] = o.serverEndpoint || 1;
      e[12] = o.device.endpoint;
      e[13] = CLUSTER_OTA >> 8;
      e[14] = CLUSTER_OTA & 255;
      e[15] = PROFILE_HA >> 8;
      e[16] = PROFILE_HA & 255;
      // Receive options: acknowledged.
      e[17] = 0x01;
      e.set(zcl, 18);
      o.uart.write(this.enc_.encode(18 + zcl.length).slice());
    }, o.latencyMs === undefined ? 15 : o.latencyMs);
  }
}
