import type { Socket } from "node:dgram";
import * as net from "node:net";
import type { Aedes, Client } from "aedes";

/** One line saying why a port could not be had (no stack trace reaches the CLI). */
function refusal(e: NodeJS.ErrnoException, what: string, host: string, port: number): Error {
  const why = e.code === "EADDRINUSE" ? "the port is in use (another broker or server?)"
    : e.code === "EACCES" ? "permission denied (ports below 1024 need privileges)"
    : e.code === "EADDRNOTAVAIL" ? "no such local address"
    : e.message;
  return new Error(`cannot listen for ${what} on ${host}:${port}: ${why}`);
}

/** Listens, or rejects with one line saying which port could not be had and why. */
export function listen(server: net.Server, port: number, host: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => reject(refusal(e, what, host, port));
    server.once("error", fail);
    server.listen(port, host, () => {
      server.removeListener("error", fail);
      resolve();
    });
  });
}

/** Binds a UDP socket, or rejects with one line as listen() does. */
export function bindUdp(socket: Socket, port: number, host: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => reject(refusal(e, what, host, port));
    socket.once("error", fail);
    socket.bind(port, host, () => {
      socket.removeListener("error", fail);
      resolve();
    });
  });
}

/**
 * Serves an aedes broker on a TCP port: the port it got (0 asks for any) and
 * a close() that drops `clients` (their connections), the server and the broker.
 */
export async function serveBroker(broker: Aedes, port: number, host: string, clients: () => Iterable<Client>): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => broker.handle(s));
  try {
    await listen(server, port, host, "MQTT");
  } catch (e) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw e;
  }
  const a = server.address();
  return {
    port: typeof a === "object" && a ? a.port : port,
    close: async () => {
      for (const c of clients()) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
