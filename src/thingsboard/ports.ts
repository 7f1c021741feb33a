/*
 * What the ThingsBoard client needs from outside, as small interfaces: the
 * Espruino modules' shapes (so the same client code runs on the board and,
 * over host stand-ins, in tests), the platform's checksums and what a
 * transport tells the client (the progress Store is src/transport/store.ts).
 * Nothing here may need Node or Espruino globals.
 */
import type { Digests } from "../transport/checksum.js";

/** A message from Espruino's MQTT module: payloads are binary strings. */
export interface MqttPublish {
  topic: string;
  message: string;
}

/** `require("MQTT").create(server, opts)`: the calls and events the client uses. */
export interface EspruinoMqtt {
  /** "connected", "disconnected", "publish" (with an MqttPublish), "error". */
  on(event: string, fn: (pub: MqttPublish) => void): void;
  subscribe(topic: string): void;
  publish(topic: string, message: string): void;
  connect(): void;
  disconnect(): void;
}

export interface EspruinoMqttModule {
  create(server: string, opts: { client_id: string; username: string; password?: string; port: number; keep_alive?: number }): EspruinoMqtt;
}

/** `require("http")` response: data arrives as binary strings, then "close". */
export interface HttpResponse {
  statusCode: number | string;
  on(event: string, fn: (data: string) => void): void;
}

export interface HttpRequest {
  on(event: string, fn: (e: unknown) => void): void;
  end(data?: string): void;
}

export interface HttpOptions {
  host: string;
  port: number;
  path: string;
  method?: string;
  headers?: { [name: string]: string | number };
}

export interface EspruinoHttp {
  get(opts: HttpOptions, cb: (res: HttpResponse) => void): HttpRequest;
  request(opts: HttpOptions, cb: (res: HttpResponse) => void): HttpRequest;
}

/** Espruino's `require("dgram").createSocket(...)`: datagrams leave and arrive as binary strings. */
export interface DgramSocket {
  /** "message": (msg, {address, port, size}); "close". */
  on(event: string, fn: (msg: string, rinfo: { address: string; port: number }) => void): void;
  /** Sends `length` bytes of `data` from `offset` (Espruino resolves the host name on every send). */
  send(data: string, offset: number, length: number, port: number, address: string): void;
  close(): void;
}

export interface EspruinoDgram {
  /** "udp4", or options: `recvBufferSize` raises the read size (536 bytes by default), which must hold a whole datagram. */
  createSocket(type: string | { type: string; recvBufferSize?: number }): DgramSocket;
}

/** Converts a binary string (what Espruino hands out) to bytes: E.toUint8Array on the board. */
export type ToBytes = (s: string) => Uint8Array;

/** ThingsBoard algorithm name (MD5, SHA256, ..., CRC32 little-endian) → the platform's implementation. */
export type TbDigests = Digests;

/** What a transport tells the client. */
export interface TbSink {
  connected(): void;
  /** `update`: a push (attribute update); otherwise the answer to requestAttributes(). */
  attributes(values: { [key: string]: unknown }, update: boolean): void;
  chunk(n: number, data: Uint8Array): void;
  /**
   * The server refused the pull (fw_error text). `transient`: an answer that
   * can pass (HTTP 500 / CoAP 5.00, a rate limit, or 404 / 4.04 during a re-assignment): the
   * pull retries the same chunk with a backoff before it gives up.
   */
  pullFailed(error: string, transient?: boolean): void;
  /** An attributes message that is not JSON (a device profile with protobuf payloads): `what` names it. */
  notJson(what: string): void;
}

export interface PullTarget {
  title: string;
  version: string;
}

/** MQTT, HTTP or CoAP: the same five calls. */
export interface TbTransport {
  /** True when telemetry that left is known to have arrived (HTTP answers each POST): a FAILED need not be sent again. */
  reliable: boolean;
  attach(sink: TbSink): void;
  requestAttributes(): void;
  /** `done` runs once the values have left (HTTP) or been handed to the socket (MQTT). */
  telemetry(values: { [key: string]: string }, done?: () => void): void;
  /** A new update: MQTT takes a new requestId (the server pins each to one package). */
  begin(): void;
  fetch(target: PullTarget, chunk: number, size: number): void;
}
