import { EventEmitter } from "node:events";
import { tbChecksum } from "./checksums.js";
import { startSimCoap } from "./coap.js";
import { startSimHttp } from "./http.js";
import { startSimMqtt } from "./mqtt.js";

/** A package assigned to the device, as ThingsBoard stores it. */
export interface TbPackage {
  title: string;
  version: string;
  data: Uint8Array;
  /** MD5, SHA256 (the server's default), SHA384, SHA512, CRC32, MURMUR3_32, MURMUR3_128. */
  algorithm?: string;
  /** Overrides the computed checksum (a test of a mismatch). */
  checksum?: string;
  /** Overrides fw_size (a server whose file is shorter than it says). */
  size?: number;
  /** A package stored at a URL: fw_url instead of fw_tag, and the device API does not serve it (HTTP 404, MQTT FAILURE). */
  url?: string;
}

/** Misbehaviour on demand, for the failure tests. */
export interface TbFaults {
  /** Chunks from this index on get no answer. */
  stallFrom?: number;
  /** This chunk's answer loses its last byte. */
  shortChunk?: number;
  /** The next `count` HTTP or CoAP chunk GETs are answered `status` (500 / 5.00: a server error or the per-device rate limit; 404 / 4.04: mid re-assignment). */
  httpError?: { status: number; count: number };
}

export interface ChunkRequest {
  via: "mqtt" | "http" | "coap";
  requestId: number;
  chunk: number;
  size: number;
  answered: boolean;
}

/** The server's MQTT max payload (transport.mqtt.max_payload_size default). */
export const MAX_PAYLOAD = 65536;
/** The nine fw_* attribute keys (OtaPackageKey): unassigning deletes them all. */
export const FW_ALL_KEYS = ["fw_title", "fw_version", "fw_ts", "fw_state", "fw_size", "fw_checksum", "fw_checksum_algorithm", "fw_url", "fw_tag"];

/**
 * A stand-in for ThingsBoard's device API as far as firmware goes (one
 * device, one access token): MQTT on an in-process aedes broker, HTTP on
 * node:http and CoAP on the npm coap server, sharing the assignment, the telemetry log and the request log.
 * Events: "telemetry" (values), "request" (ChunkRequest).
 */
export class TbSim extends EventEmitter {
  token: string;
  pkg: TbPackage | undefined;
  faults: TbFaults = {};
  /** Shared attributes that are not fw_* (pushed like any other; the attributes request answers only the keys asked for). */
  extra: { [key: string]: string | number } = {};
  /** An assignment is two pushes (values, then the deleted keys) in either order. */
  pushOrder: "values-first" | "deleted-first" = "values-first";
  /** The device profile's payload type: PROTOBUF answers attribute requests and pushes in protobuf over MQTT. */
  payloadType: "JSON" | "PROTOBUF" = "JSON";
  telemetry: { [key: string]: unknown }[] = [];
  requests: ChunkRequest[] = [];
  mqttPort = 0;
  httpPort = 0;
  coapPort = 0;
  private closers_: (() => Promise<void>)[] = [];

  constructor(token: string) {
    super();
    this.token = token;
  }

  static async start(o: { token: string; mqttPort?: number; httpPort?: number; coapPort?: number; host?: string }): Promise<TbSim> {
    const sim = new TbSim(o.token);
    const host = o.host || "127.0.0.1";
    const m = await startSimMqtt(sim, o.mqttPort || 0, host);
    sim.mqttPort = m.port;
    sim.closers_.push(m.close);
    try {
      const h = await startSimHttp(sim, o.httpPort || 0, host);
      sim.httpPort = h.port;
      sim.closers_.push(h.close);
      const c = await startSimCoap(sim, o.coapPort || 0, host);
      sim.coapPort = c.port;
      sim.closers_.push(c.close);
    } catch (e) {
      await sim.close();
      throw e;
    }
    return sim;
  }

  async close(): Promise<void> {
    for (const c of this.closers_) await c();
  }

  /** The shared attributes: `extra` and the assignment's fw_* keys (DefaultOtaPackageStateService: fw_tag or, for a URL package, fw_url). */
  shared(): { [key: string]: string | number } {
    return Object.assign({}, this.extra, this.fwShared_());
  }

  private fwShared_(): { [key: string]: string | number } {
    const p = this.pkg;
    if (!p) return {};
    const alg = p.algorithm || "SHA256";
    const sized = { fw_size: p.size === undefined ? p.data.length : p.size, fw_checksum_algorithm: alg, fw_checksum: p.checksum || tbChecksum(alg, p.data) };
    // A URL package has a size and checksum only when the user entered them.
    if (p.url) return Object.assign({ fw_title: p.title, fw_version: p.version, fw_url: p.url }, p.checksum ? sized : {});
    return Object.assign({ fw_title: p.title, fw_version: p.version, fw_tag: p.title + " " + p.version }, sized);
  }

  /** Assigns a package; subscribed devices get two pushes, the values and the keys it lacks, in `pushOrder`. */
  assign(pkg: TbPackage): void {
    this.pkg = pkg;
    const values = this.fwShared_();
    const gone = ["fw_url", "fw_tag", "fw_size", "fw_checksum_algorithm", "fw_checksum"].filter((k) => values[k] === undefined);
    const pushes = [values, { deleted: gone }];
    if (this.pushOrder === "deleted-first") pushes.reverse();
    for (const v of pushes) this.emit("attributes", v);
  }

  /** Sets a shared attribute that is not fw_*: pushed alone, as the server pushes any change. */
  setShared(key: string, value: string | number): void {
    this.extra[key] = value;
    this.emit("attributes", { [key]: value });
  }

  unassign(): void {
    this.pkg = undefined;
    this.emit("attributes", { deleted: FW_ALL_KEYS });
  }

  /** The next HTTP or CoAP chunk answer when `faults.httpError` is set (counted down), else undefined. */
  httpFault(): number | undefined {
    const f = this.faults.httpError;
    if (!f || f.count <= 0) return undefined;
    f.count--;
    return f.status;
  }

  /** Chunk `n` of `size` bytes (0 = the whole file); empty past the end, as the server answers. */
  slice(pkg: TbPackage, size: number, n: number): Uint8Array {
    const d = pkg.data;
    if (size === 0) return n === 0 ? d : new Uint8Array(0);
    const start = Math.min(d.length, size * n);
    let out = d.subarray(start, Math.min(d.length, start + size));
    if (this.faults.shortChunk === n && out.length) out = out.subarray(0, out.length - 1);
    return out;
  }

  stalls(n: number): boolean {
    return this.faults.stallFrom !== undefined && n >= this.faults.stallFrom;
  }

  logRequest(r: ChunkRequest): void {
    this.requests.push(r);
    this.emit("request", r);
  }

  logTelemetry(values: { [key: string]: unknown }): void {
    this.telemetry.push(values);
    this.emit("telemetry", values);
  }

  /** fw_state values in the order they arrived. */
  states(): string[] {
    return this.telemetry.filter((t) => t.fw_state !== undefined).map((t) => String(t.fw_state));
  }

  /** Resolves once a telemetry message (already in or arriving) satisfies `pred`. */
  waitTelemetry(pred: (t: { [key: string]: unknown }) => boolean): Promise<{ [key: string]: unknown }> {
    return this.waitFor_("telemetry", this.telemetry, pred);
  }

  waitState(state: string): Promise<{ [key: string]: unknown }> {
    return this.waitTelemetry((t) => t.fw_state === state);
  }

  waitRequest(pred: (r: ChunkRequest) => boolean): Promise<ChunkRequest> {
    return this.waitFor_("request", this.requests, pred);
  }

  private waitFor_<T>(event: string, seen: T[], pred: (v: T) => boolean): Promise<T> {
    const hit = seen.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const fn = (v: T) => {
        if (!pred(v)) return;
        this.off(event, fn);
        resolve(v);
      };
      this.on(event, fn);
    });
  }
}
