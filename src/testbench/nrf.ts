import { fromLatin1 } from "../platform/host/latin1.js";

/** What a characteristic's definition says (NRF.setServices), and its value. */
interface Char {
  readable: boolean;
  writable: boolean;
  notify: boolean;
  maxLen: number;
  value: Uint8Array;
  onWrite?: (evt: { data: ArrayBuffer }) => void;
}

type Guard = (fn: () => void) => () => void;

const bytesOf = (v: unknown): Uint8Array =>
  typeof v === "string" ? fromLatin1(v) : Object.prototype.toString.call(v) === "[object ArrayBuffer]" ? new Uint8Array((v as ArrayBuffer).slice(0)) : Uint8Array.from(v as ArrayLike<number>);

const key = (svc: number, ch: number) => svc + "/" + ch;

/**
 * A stand-in for Espruino's NRF as a peripheral with one central: the
 * device side (`api()`, what the bundle sees as `NRF`) and the central's
 * side (connect, write, read, notifications), as Espruino does it:
 * integer keys are 16-bit UUIDs (bluetooth_utils.c bleVarToUUID); a write
 * longer than `maxLen` (20 without one) or than MTU - 3 is refused, a
 * `maxLen` over 512 fails setServices (nRF SoftDevice); onWrite
 * gets `{data: ArrayBuffer}`; updateServices with `notify` sends only while
 * connected. One central at a time: a second connect is refused.
 */
export class NrfStandIn {
  connected = false;
  mtu = 23;
  advertising: unknown;
  private chars_ = new Map<string, Char>();
  private on_: Record<string, ((a: unknown) => void)[]> = {};
  private notify_: ((svc: number, ch: number, value: Uint8Array) => void)[] = [];

  /** The `NRF` object for one power-on of the VM; its callbacks run through the VM's guard. */
  api(guard: Guard) {
    return {
      setServices: (svcs: Record<string, Record<string, Record<string, unknown>>>, opts?: { advertise?: unknown }) => {
        this.chars_.clear();
        for (const s of Object.keys(svcs)) {
          for (const c of Object.keys(svcs[s])) {
            const d = svcs[s][c];
            const w = d.onWrite as ((evt: { data: ArrayBuffer }) => void) | undefined;
            // sd_ble_gatts_characteristic_add refuses values over BLE_GATTS_VAR_ATTR_LEN_MAX (512): setServices throws.
            if (typeof d.maxLen === "number" && d.maxLen > 512) throw new Error("Got BLE error 0x7 (INVALID_PARAM) in bluetooth.c: maxLen " + d.maxLen);
            this.chars_.set(key(Number(s), Number(c)), {
              readable: !!d.readable, writable: !!d.writable, notify: !!d.notify, maxLen: typeof d.maxLen === "number" ? d.maxLen : 20,
              value: d.value === undefined ? new Uint8Array(0) : bytesOf(d.value),
              onWrite: w ? (evt) => guard(() => w(evt))() : undefined,
            });
          }
        }
        this.advertising = opts && opts.advertise;
      },
      updateServices: (svcs: Record<string, Record<string, { value?: unknown; notify?: boolean }>>) => {
        for (const s of Object.keys(svcs)) {
          for (const c of Object.keys(svcs[s])) {
            const ch = this.chars_.get(key(Number(s), Number(c)));
            if (!ch) throw new Error("Unable to find service with UUID " + Number(c).toString(16));
            const u = svcs[s][c];
            if (u.value === undefined) continue;
            ch.value = bytesOf(u.value);
            if (u.notify && this.connected) for (const f of this.notify_) f(Number(s), Number(c), ch.value.slice());
          }
        }
      },
      on: (ev: string, fn: (a: unknown) => void) => {
        (this.on_[ev] = this.on_[ev] || []).push((a) => guard(() => fn(a))());
      },
    };
  }

  /** A power cut or reset: the connection drops silently, services and handlers go with the old VM. */
  reset(): void {
    this.connected = false;
    this.chars_.clear();
    this.on_ = {};
  }

  /** A central connects; false while one is connected or before the services are set. */
  connect(mtu = this.mtu, address = "aa:bb:cc:dd:ee:ff public"): boolean {
    if (this.connected || !this.chars_.size) return false;
    this.connected = true;
    this.mtu = mtu;
    for (const f of this.on_.connect || []) f(address);
    return true;
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    for (const f of this.on_.disconnect || []) f(19);
  }

  /** A write request; false when refused (not connected, not writable, too long for maxLen or the MTU). */
  write(svc: number, ch: number, data: Uint8Array): boolean {
    const c = this.chars_.get(key(svc, ch));
    if (!this.connected || !c || !c.writable || data.length > c.maxLen || data.length > this.mtu - 3) return false;
    const buf = new ArrayBuffer(data.length);
    new Uint8Array(buf).set(data);
    if (c.onWrite) c.onWrite({ data: buf });
    return true;
  }

  read(svc: number, ch: number): Uint8Array | undefined {
    const c = this.chars_.get(key(svc, ch));
    return c && c.readable ? c.value.slice() : undefined;
  }

  onNotify(f: (svc: number, ch: number, value: Uint8Array) => void): void {
    this.notify_.push(f);
  }
}
