import * as dgram from "node:dgram";
import RetrySendModule from "coap/dist/lib/retry_send.js";
import { createServer, globalAgent, globalAgentIPv6, type IncomingMessage, OutgoingMessage } from "coap";
import { bindUdp } from "../listen.js";
import { encodeAttributes } from "./mqtt.js";
import type { TbSim } from "./server.js";

/*
 * The server keeps every response it sent with a retransmission timer and an
 * exchange-lifetime timer (247 s) that its close() leaves running, so Node
 * never exits after the tests. Unreferenced, they still fire while the
 * process runs (and send nothing once closed: `live` below).
 */
type RetrySendClass = { prototype: { send: unknown; _send: unknown } };
// A CommonJS module with exports.default: Node's ESM gives the exports object, tsx the class.
const loaded = RetrySendModule as unknown as RetrySendClass & { default?: RetrySendClass };
const RetrySend: RetrySendClass = loaded.default && loaded.default.prototype ? loaded.default : loaded;
const send = RetrySend.prototype.send;
RetrySend.prototype.send = function (this: { _timer?: NodeJS.Timeout; _bOffTimer?: NodeJS.Timeout }, ...a: unknown[]) {
  const r = (send as (...x: unknown[]) => unknown).apply(this, a);
  if (this._timer) this._timer.unref();
  if (this._bOffTimer) this._bOffTimer.unref();
  return r;
};
const bOff = RetrySend.prototype._send;
RetrySend.prototype._send = function (this: { _bOffTimer?: NodeJS.Timeout }, ...a: unknown[]) {
  const r = (bOff as (...x: unknown[]) => unknown).apply(this, a);
  if (this._bOffTimer) this._bOffTimer.unref();
  return r;
};

/** How long the server takes with a firmware chunk: past the piggyback time, so it is always a separate response. */
const PIGGYBACK_MS = 10;
const CHUNK_DELAY_MS = 15;

/**
 * ThingsBoard's CoAP device API on the npm `coap` server, answering as
 * Californium does there:
 *
 * - `GET /fw/{token}?title=&version=&size=&chunk=` (OtaPackageTransportResource):
 *   an empty ACK at once (`exchange.accept()`), then the chunk as a separate
 *   Confirmable 2.05; 4.01 bad token, 4.04 nothing assigned (or a URL
 *   package), 4.00 title/version not the assigned ones, 4.05 for POST;
 *   no response at all for an empty chunk (past the end).
 * - `GET /api/v1/{token}/attributes?sharedKeys=`: 2.05 `{"client":{},"shared":{...}}`,
 *   4.04 when none of the keys exist (JsonCoapAdaptor).
 * - `POST /api/v1/{token}/telemetry`: 2.01, 4.00 when the body is not JSON.
 *
 * Retransmitted requests get the cached answer (the package's own
 * de-duplication); separate responses are retransmitted until the device acknowledges them.
 */
export async function startSimCoap(sim: TbSim, port: number, host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const sock = dgram.createSocket("udp4");
  await bindUdp(sock, port, host, "CoAP");
  const server = createServer({ type: "udp4", piggybackReplyMs: PIGGYBACK_MS });
  const live = { open: true };
  // The package's piggyback and retransmission timers outlive close(): what they send then goes nowhere.
  const send = sock.send.bind(sock) as (...a: unknown[]) => void;
  (sock as unknown as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
    if (live.open) send(...a);
  };
  server.on("request", (req: IncomingMessage, res: OutgoingMessage) => handle(sim, req, res, live));
  server.on("error", () => {});
  server.listen(sock);
  const bound = sock.address().port;
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => {
      live.open = false;
      // The package's two global agents bind a UDP socket each once used and keep Node running after
      // the tests (npm test never exited); closed, they open again at their next use.
      globalAgent.close();
      globalAgentIPv6.close();
      server.close(() => {
        try {
          sock.close(() => resolve());
        } catch (e) {
          resolve();
        }
      });
    }),
  };
}

/** Ends a response in one datagram: ThingsBoard sets Californium's MAX_MESSAGE_SIZE to 1024, so a 1024-byte chunk is not split; the package would answer it block-wise. */
function reply(res: OutgoingMessage, code: string, body?: Uint8Array | string, json = false): void {
  res.code = code;
  if (json) res.setOption("Content-Format", "application/json");
  OutgoingMessage.prototype.end.call(res, body === undefined ? undefined : Buffer.from(body));
}

function query(url: string): { [key: string]: string } {
  const q: { [key: string]: string } = {};
  const at = url.indexOf("?");
  if (at < 0) return q;
  for (const item of url.substring(at + 1).split("&")) {
    const eq = item.indexOf("=");
    if (eq > 0) q[item.substring(0, eq)] = item.substring(eq + 1);
  }
  return q;
}

function handle(sim: TbSim, req: IncomingMessage, res: OutgoingMessage, live: { open: boolean }): void {
  const url = req.url;
  const path = url.split("?")[0].split("/").slice(1);
  if (path[0] === "fw") return firmware(sim, req, res, path, live);
  // ["api", "v1", token, feature]
  if (path.length < 4 || path[0] !== "api" || path[1] !== "v1") return reply(res, "4.04");
  if (path[2] !== sim.token) return reply(res, "4.01");
  const what = path[3];
  if (what === "telemetry" && req.method === "POST") {
    try {
      sim.logTelemetry(JSON.parse(req.payload.toString("utf8")));
    } catch (e) {
      return reply(res, "4.00");
    }
    return reply(res, "2.01");
  }
  if (what === "attributes" && req.method === "GET") {
    const keys = (query(url).sharedKeys || "").split(",");
    const all = sim.shared();
    const shared: { [key: string]: unknown } = {};
    for (const k of keys) if (all[k] !== undefined) shared[k] = all[k];
    if (!Object.keys(shared).length) return reply(res, "4.04");
    return reply(res, "2.05", encodeAttributes(sim, { client: {}, shared: shared }), sim.payloadType === "JSON");
  }
  reply(res, "4.00");
}

function firmware(sim: TbSim, req: IncomingMessage, res: OutgoingMessage, path: string[], live: { open: boolean }): void {
  if (req.method !== "GET") return reply(res, "4.05");
  // The token is the second (last) path segment.
  if (path.length !== 2 || path[1] !== sim.token) return reply(res, "4.01");
  setTimeout(() => {
    if (!live.open) return;
    const pkg = sim.pkg;
    if (!pkg || pkg.url) return reply(res, "4.04");
    const q = query(req.url);
    if ((q.title !== undefined && q.title !== pkg.title) || (q.version !== undefined && q.version !== pkg.version)) return reply(res, "4.00");
    const size = Number(q.size || "0");
    const chunk = Number(q.chunk || "0");
    const fault = sim.httpFault();
    if (fault !== undefined) {
      sim.logRequest({ via: "coap", requestId: 0, chunk: chunk, size: size, answered: false });
      return reply(res, Math.floor(fault / 100) + "." + String(fault % 100).padStart(2, "0"));
    }
    const stall = sim.stalls(chunk);
    sim.logRequest({ via: "coap", requestId: 0, chunk: chunk, size: size, answered: !stall });
    const data = sim.slice(pkg, size, chunk);
    // respondOtaPackage sends nothing for an empty chunk; a stalled server sends nothing either.
    if (stall || !data.length) return;
    reply(res, "2.05", data);
  }, CHUNK_DELAY_MS);
}
