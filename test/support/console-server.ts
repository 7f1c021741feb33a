import { createServer, type Socket } from "node:net";
import type { Board } from "../../src/board/files.js";
import { boardStorage } from "../../src/board/files.js";
import { FakeClock } from "../../src/platform/host/clock.js";
import { espruinoVM, type EspruinoVM } from "../../src/testbench/espruino-vm.js";
import { NorFlash } from "../../src/platform/host/norflash.js";
import type { StorageEmu } from "../../src/testbench/storage.js";

/**
 * The Espruino stand-in (espruino-vm.ts, Storage with Espruino's rules, the
 * NOR emulator) behind a TCP console that answers as Espruino's REPL does
 * for what the `espruino` package sends: an empty line gets "=undefined" and
 * a prompt; a line (a leading DLE, 0x10, means "no echo") is evaluated and
 * what it printed comes back before the next prompt. `load()` runs the boot
 * files again in a fresh VM over the same flash, as on a board.
 */
export interface ConsoleBoard {
  url: string;
  flash: NorFlash;
  storage: StorageEmu;
  /** Every line the console evaluated. */
  lines: string[];
  readonly vm: EspruinoVM;
  close(): Promise<void>;
}

export async function consoleBoard(board: Board, o: { id?: string; version?: string; files?: string[] } = {}): Promise<ConsoleBoard> {
  const flash = new NorFlash({ geometry: board.geometry, strict: false });
  const storage = boardStorage(board, flash)!;
  for (const f of o.files || []) storage.write(f, "x");
  const lines: string[] = [];
  let loadAsked = false;
  const start = () => {
    const v = espruinoVM({ flash: flash, clock: new FakeClock(), memoryMapped: board.memoryMapped, storage: storage, firmware: { board: o.id || board.id, version: o.version || "2v29" } });
    v.ctx.load = () => void (loadAsked = true);
    return v;
  };
  let vm = start();
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("end", () => sock.end());
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.includes("\x03")) {
        buf = buf.slice(buf.lastIndexOf("\x03") + 1);
        sock.write("\r\n>");
      }
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, "").replace(/^\x10/, "");
        buf = buf.slice(nl + 1);
        if (!line.trim()) {
          sock.write("\r\n=undefined\r\n>");
          continue;
        }
        lines.push(line);
        const from = vm.log.length;
        vm.run(line, "console");
        sock.write(vm.log.slice(from).map((l) => l + "\r\n").join("") + ">");
        if (loadAsked) {
          loadAsked = false;
          vm.kill();
          vm = start();
          vm.boot(board.key, false);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: "tcp://127.0.0.1:" + port, flash: flash, storage: storage, lines: lines,
    get vm() {
      return vm;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
