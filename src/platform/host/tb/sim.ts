import { EventEmitter } from "node:events";
import { tbChecksum } from "./checksums.js";
import { startSimHttp } from "./sim-http.js";
import { startSimMqtt } from "./sim-mqtt.js";

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
}

/** Misbehaviour on demand, for the failure tests. */
export interface TbFaults {
  /** Chunks from this index on get no answer. */
  stallFrom?: number;
  /** This chunk's answer loses its last byte. */
  shortChunk?: number;
}

export interface ChunkRequest {
  via: "mqtt" | "http";
  requestId: number;
  chunk: number;
  size: number;
  answered: boolean;
}

/** The server's MQTT max payload (transport.mqtt.max_payload_size default). */
export const MAX_PAYLOAD = 65536;
const FW_KEYS = ["fw_title", "fw_version", "fw_size", "fw_checksum_algorithm", "fw_checksum"];

/**
 * A stand-in for ThingsBoard's device API as far as firmware goes (one
 * device, one access token): MQTT on an in-process aedes broker and HTTP on
 * node:http, sharing the assignment, the telemetry log and the request log.
 * Events: "telemetry" (values), "request" (ChunkRequest).
 */
export class TbSim extends EventEmitter {
  token: string;
  pkg: TbPackage | undefined;
  faults: TbFaults = {};
  telemetry: { [key: string]: unknown }[] = [];
  requests: ChunkRequest[] = [];
  mqttPort = 0;
  httpPort = 0;
  private closers_: (() => Promise<void>)[] = [];

  constructor(token: string) {
    super();
    this.token = token;
  }

  static async start(o: { token: string; mqttPort?: number; httpPort?: number; host?: string }): Promise<TbSim> {
    const sim = new TbSim(o.token);
    const m = await startSimMqtt(sim, o.mqttPort || 0, o.host || "127.0.0.1");
    let h: Awaited<ReturnType<typeof startSimHttp>>;
    try {
      h = await startSimHttp(sim, o.httpPort || 0, o.host || "127.0.0.1");
    } catch (e) {
      await m.close();
      throw e;
    }
    sim.mqttPort = m.port;
    sim.httpPort = h.port;
    sim.closers_ = [m.close, h.close];
    return sim;
  }

  async close(): Promise<void> {
    for (const c of this.closers_) await c();
  }

  /** The shared attributes of the assignment (empty when none). */
  shared(): { [key: string]: string | number } {
    const p = this.pkg;
    if (!p) return {};
    const alg = p.algorithm || "SHA256";
    return {
      fw_title: p.title, fw_version: p.version, fw_size: p.size === undefined ? p.data.length : p.size,
      fw_checksum_algorithm: alg, fw_checksum: p.checksum || tbChecksum(alg, p.data),
    };
  }

  /** Assigns a package; subscribed devices get the attribute update. */
  assign(pkg: TbPackage): void {
    this.pkg = pkg;
    this.emit("attributes", this.shared());
  }

  unassign(): void {
    this.pkg = undefined;
    this.emit("attributes", { deleted: FW_KEYS });
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
