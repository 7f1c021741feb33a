/**
 * What the OTA client needs of a Zigbee radio: ZCL frames of the OTA Upgrade
 * cluster to and from the OTA server. The XBee 3 module (xbeelink.ts) is one;
 * another radio module is another implementation of this.
 */
export interface ZclLink {
  /** Sends zcl[0..n) (a whole ZCL frame) to the OTA server; the link may reuse nothing of it after returning. */
  send(zcl: Uint8Array, n: number): void;
  /**
   * `onZcl` gets each OTA-cluster ZCL frame from the server (valid during the
   * call only); `onFail` is called when the radio reports that a sent frame
   * was not delivered (the client may retry at once instead of waiting).
   */
  listen(onZcl: (zcl: Uint8Array, n: number) => void, onFail: () => void): void;
}
