import * as http from "node:http";
import { listen } from "../listen.js";
import type { TbSim } from "./server.js";

/**
 * ThingsBoard's HTTP device API (DeviceApiController) for firmware:
 * `GET /api/v1/{token}/firmware?title=&version=&size=&chunk=` (401 bad token,
 * 404 nothing assigned, 400 title/version not the assigned ones, 200 with
 * the bytes, empty past the end), `GET .../attributes?sharedKeys=` and
 * `POST .../telemetry`.
 */
export async function startSimHttp(sim: TbSim, port: number, host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on("data", (b: Buffer) => body.push(b));
    req.on("end", () => handle(sim, req, res, Buffer.concat(body).toString("utf8")));
  });
  await listen(server, port, host, "HTTP");
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function handle(sim: TbSim, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const url = new URL(req.url || "/", "http://localhost");
  const parts = url.pathname.split("/");
  const send = (status: number, data?: string | Uint8Array, type = "application/json") => {
    res.writeHead(status, { "Content-Type": type });
    res.end(data === undefined ? undefined : Buffer.from(data));
  };
  // ["", "api", "v1", token, what]
  if (parts.length !== 5 || parts[1] !== "api" || parts[2] !== "v1") return send(404);
  if (parts[3] !== sim.token) return send(401);
  const what = parts[4];
  if (what === "telemetry" && req.method === "POST") {
    try {
      sim.logTelemetry(JSON.parse(body));
    } catch (e) {
      return send(400);
    }
    return send(200);
  }
  if (what === "attributes" && req.method === "GET") {
    const keys = (url.searchParams.get("sharedKeys") || "").split(",");
    const all = sim.shared();
    const shared: { [key: string]: unknown } = {};
    for (const k of keys) if (all[k] !== undefined) shared[k] = all[k];
    return send(200, JSON.stringify({ client: {}, shared: shared }));
  }
  if (what === "firmware" && req.method === "GET") {
    const pkg = sim.pkg;
    // No package, or one stored at a URL (the device API serves only uploaded data).
    if (!pkg || pkg.url) return send(404);
    const q = url.searchParams;
    if (q.get("title") !== pkg.title || q.get("version") !== pkg.version) return send(400);
    const size = Number(q.get("size") || "0");
    const chunk = Number(q.get("chunk") || "0");
    if (!(size >= 0 && chunk >= 0)) return send(400);
    const fault = sim.httpFault();
    if (fault !== undefined) {
      sim.logRequest({ via: "http", requestId: 0, chunk: chunk, size: size, answered: false });
      return send(fault);
    }
    const stall = sim.stalls(chunk);
    sim.logRequest({ via: "http", requestId: 0, chunk: chunk, size: size, answered: !stall });
    // A server that stops answering: the request stays open until the device gives up.
    if (stall) return;
    return send(200, sim.slice(pkg, size, chunk), "application/octet-stream");
  }
  send(404);
}
