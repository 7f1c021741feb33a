import type { Server } from "node:net";

/** Listens, or rejects with one line saying which port could not be had and why (no stack trace reaches the CLI). */
export function listen(server: Server, port: number, host: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => {
      const why = e.code === "EADDRINUSE" ? "the port is in use (another broker or server?)"
        : e.code === "EACCES" ? "permission denied (ports below 1024 need privileges)"
        : e.code === "EADDRNOTAVAIL" ? "no such local address"
        : e.message;
      reject(new Error(`cannot listen for ${what} on ${host}:${port}: ${why}`));
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.removeListener("error", fail);
      resolve();
    });
  });
}
