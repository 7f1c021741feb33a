import { SerialPort } from "serialport";
import type { Link } from "../../hal/link.js";

/** A Link over a real serial port or pty (`serialport`). Resolves once the port is open. */
export function openSerial(path: string, baud: number): Promise<Link & { close: () => void }> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: path, baudRate: baud, autoOpen: false });
    let handler: (b: Uint8Array) => void = () => {};
    port.on("data", (d: Buffer) => handler(new Uint8Array(d)));
    port.open((err) => {
      if (err) return reject(err);
      resolve({
        write: (b) => {
          port.write(Buffer.from(b));
        },
        onData: (h) => {
          handler = h;
        },
        setBaud: (b) => {
          port.drain(() => port.update({ baudRate: b }));
        },
        close: () => port.close(),
      });
    });
  });
}
