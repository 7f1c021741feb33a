import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as P from "../bleota/protocol.js";
import { commandPacket, sectorPackets, startPacket } from "../peers/ble/client.js";
import { loadBoard } from "../board/files.js";
import { bundle } from "../testbench/espruino-vm.js";
import { buildImage } from "../testbench/image.js";
import { Board, installOn, until } from "./interpreter.js";

/*
 * ESP BLE OTA on Espruino's Linux interpreter, which has no NRF: a small NRF
 * shim is defined before ble.js in the image, so the bundle's own handlers
 * run. The host plays the central at the console: `NRF._c()` connects,
 * `NRF._w(uuid, base64)` is a write, and each notification comes back as a
 * line `EOTA_N <uuid> <hex>`.
 *   install v1 -> connect, Start, sector 0, sector 1 with a corrupted packet (CRC error, sent again),
 *   half of sector 2 -> disconnect, connect, Start again: the board names sector 2 -> the rest, Stop
 *   -> E.reboot (exit 1) -> v2 on trial -> connect: v2 confirms -> power cycle: v2 confirmed (reason 0).
 */

const TYPE = "TMPL0BLE";
const MTU = 185;

export const NRF_SHIM = `var NRF=(function(){var h={},w={},up=0;
function hex(v){var s="",a=new Uint8Array(v);for(var i=0;i<a.length;i++)s+=(a[i]+256).toString(16).slice(1);return s;}
return {setServices:function(s){for(var k in s)for(var j in s[k])if(s[k][j].onWrite)w[j]=s[k][j].onWrite;},
updateServices:function(s){for(var k in s)for(var j in s[k]){var v=s[k][j];if(v.notify&&up)print("EOTA_N "+j+" "+hex(v.value));}},
on:function(e,f){h[e]=f;},
_c:function(){up=1;if(h.connect)h.connect("host");print("EOTA_CONN");},
_d:function(){up=0;if(h.disconnect)h.disconnect(19);},
_w:function(j,b){w[j]({data:E.toArrayBuffer(atob(b))});}};})();
`;

function image(version: string, pad: number): Uint8Array {
  const js = NRF_SHIM + bundle("linux", "ble") + '\nprint("BOOT "+JSON.stringify(OTA.boot));\nOTA.ble();\n' + (pad ? "//" + "x".repeat(pad) + "\n" : "");
  return buildImage({ board: "LINUX", type: TYPE, version: version, build: "e2e", payload: new TextEncoder().encode(js) });
}

export interface BleE2EResult {
  seconds: number;
  boots: { slot: number; reason: number; version: string }[];
  /** The sector the board named after the reconnect. */
  resumedAt: number;
}

export async function runBleE2E(o: { bin: string; log?: (line: string) => void; verbose?: boolean; keep?: boolean }): Promise<BleE2EResult> {
  const log = o.log || (() => {});
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "eota-ble-e2e-"));
  const board = new Board({ bin: o.bin, dir: dir, log: o.verbose ? log : undefined });
  let ok = false;
  try {
    const v1 = image("1.0.0", 0);
    const v2 = image("2.0.0", 6000);
    installOn(o.bin, dir, loadBoard("linux"), v1);
    const ctx = () => "console:\n" + board.tail();
    const boot = async (i: number) => until(() => board.boots[i] && board.boots[i].boot, 15_000, "power-on " + (i + 1), ctx);
    let seen = 0;
    const notes = () => board.current!.lines.filter((l) => l.startsWith("EOTA_N "));
    const next = async (uuid: number, what: string): Promise<Uint8Array> => {
      const at = (): number | undefined => {
        const i = notes().findIndex((x, k) => k >= seen && x.startsWith("EOTA_N " + uuid + " "));
        return i < 0 ? undefined : i + 1;
      };
      seen = await until(at, 20_000, what, ctx);
      return new Uint8Array(Buffer.from(notes()[seen - 1].split(" ")[2], "hex"));
    };
    const write = (uuid: number, p: Uint8Array) => board.send("NRF._w(" + uuid + ',"' + Buffer.from(p).toString("base64") + '")\n');
    const connect = async () => {
      const n = board.current!.lines.length;
      board.send("NRF._c()\n");
      await until(() => board.current!.lines.slice(n).some((l) => l.startsWith("EOTA_CONN")), 10_000, "the connection", ctx);
      seen = notes().length;
    };
    const start = async () => {
      write(P.COMMAND, startPacket(v2.length));
      const a = await next(P.COMMAND, "the ACK of Start");
      if (P.u16(a, 4) !== P.ACCEPT) throw new Error("Start rejected\n" + ctx());
    };
    const sector = async (k: number, packets = sectorPackets(v2, k, MTU)) => {
      for (const p of packets) write(P.RECV_FW, p);
      return next(P.RECV_FW, "the answer to sector " + k);
    };

    board.powerOn();
    const b1 = await boot(0);
    log("power-on 1: slot " + b1.slot + " v" + b1.version);
    await connect();
    await start();
    if (P.u16(await sector(0), 2) !== P.FW_OK) throw new Error("sector 0 refused\n" + ctx());
    const bad = sectorPackets(v2, 1, MTU).map((p) => p.slice());
    bad[4][20] ^= 0x10;
    const crc = await sector(1, bad);
    if (P.u16(crc, 2) !== P.FW_CRC) throw new Error("a corrupted packet should cost a CRC error, got " + Buffer.from(crc).toString("hex"));
    log("sector 1 with a corrupted packet: CRC error; sent again");
    if (P.u16(await sector(1), 2) !== P.FW_OK) throw new Error("sector 1 refused again\n" + ctx());
    const s2 = sectorPackets(v2, 2, MTU);
    for (const p of s2.slice(0, s2.length >> 1)) write(P.RECV_FW, p);
    board.send("NRF._d()\n");
    await connect();
    await start();
    const named = await sector(0);
    const resumedAt = P.u16(named, 4);
    if (P.u16(named, 2) !== P.FW_INDEX || resumedAt !== 2) throw new Error("after the reconnect the board should name sector 2, got " + Buffer.from(named).toString("hex"));
    log("disconnect in sector 2, connect, Start: the board names sector " + resumedAt);
    for (let k = 2; k < Math.ceil(v2.length / P.SECTOR); k++) if (P.u16(await sector(k), 2) !== P.FW_OK) throw new Error("sector " + k + " refused\n" + ctx());
    write(P.COMMAND, commandPacket(P.CMD_STOP));
    if (P.u16(await next(P.COMMAND, "the ACK of Stop"), 4) !== P.ACCEPT) throw new Error("Stop rejected\n" + ctx());
    const b2 = await boot(1);
    if (b2.slot !== 1 || b2.reason !== 1 || b2.version !== "2.0.0") throw new Error("v2 should boot on trial: " + JSON.stringify(b2));
    log("E.reboot: v2 on trial (slot 1, reason 1)");
    await connect();
    const st = await board.query<{ pendingConfirmed: boolean; pending: number }>("OTA.state()");
    if (!st.pendingConfirmed || st.pending !== 1) throw new Error("v2 should have confirmed at the connection: " + JSON.stringify(st));
    await board.powerOff();
    board.powerOn();
    const b3 = await boot(2);
    if (b3.slot !== 1 || b3.reason !== 0) throw new Error("after a power cycle v2 should start as the confirmed image: " + JSON.stringify(b3));
    log("power cycle: v2 is the confirmed image (reason 0)");
    await board.powerOff();
    ok = true;
    return {
      seconds: (Date.now() - t0) / 1000, resumedAt: resumedAt,
      boots: board.boots.map((b) => (b.boot ? { slot: b.boot.slot, reason: b.boot.reason, version: b.boot.version } : { slot: -1, reason: -1, version: "" })),
    };
  } finally {
    await board.powerOff();
    if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
    else log("files kept in " + dir);
  }
}
