import type { BootChoice } from "../boot/decide.js";
import type { ResumableSession as Session } from "../core/resume.js";
import type { Clock } from "../hal/clock.js";
import type { TbClient } from "../thingsboard/client.js";
import { startTb } from "../thingsboard/start.js";
import { TbCoap } from "../thingsboard/coap.js";
import { CoapLink } from "../thingsboard/coap-link.js";
import { TbHttp } from "../thingsboard/http.js";
import type { EspruinoMqtt } from "../thingsboard/ports.js";
import type { Store } from "../transport/store.js";
import type { Board } from "../board/files.js";
import type { NorFlash } from "../platform/host/norflash.js";
import { PoweredBoard, type Transport } from "./powered-board.js";
import { hostTbDigests } from "../peers/thingsboard/checksums.js";
import { type DatagramFate, dgramModule, httpModule, latin1Bytes, mqttModule } from "./espruino-net.js";

export interface TbBoardOptions {
  board: Board;
  flash: NorFlash;
  /** Survives resets (a Storage file on the board). */
  store: Store;
  clock: Clock;
  transport: "mqtt" | "http" | "coap";
  host: string;
  port: number;
  token: string;
  /** Algorithms this board can compute (default: all the host has). */
  algorithms?: string[];
  chunkSize?: number;
  checkpointEvery?: number;
  /** CoAP: loses or duplicates datagrams on the way. */
  fate?: DatagramFate;
  /** CoAP: the link's random numbers (retransmission timeouts, first message id and token). */
  random?: () => number;
  /** The client's console lines. */
  log?: (line: string) => void;
  /** Called when the client asks for a reset (after UPDATING). */
  onReboot: () => void;
}

export interface TbBoard {
  boot: BootChoice;
  session: Session;
  client: TbClient;
  /** HTTP and CoAP: report and ask for the attributes again (there is no push). */
  check(): void;
  /** The board goes away: its MQTT connection or CoAP socket closes. */
  stop(): void;
}

/**
 * The ThingsBoard client as a host transport: the device code over the host
 * stand-ins of Espruino's MQTT, http and dgram modules (as tb-main wires
 * them). When the flash loses power (cutPower) the board falls silent.
 */
export function tbTransport(o: TbBoardOptions): Transport<Omit<TbBoard, "boot">> {
  return {
    name: "thingsboard-" + o.transport,
    start: (p) => {
      const chunk = o.chunkSize || o.board.chunkSize;
      const power = { powered: () => !o.flash.dead };
      let mq: EspruinoMqtt | undefined;
      let http: TbHttp | undefined;
      let coap: TbCoap | undefined;
      let link: CoapLink | undefined;
      if (o.transport === "mqtt") mq = mqttModule(power).create(o.host, { client_id: "eota-" + o.board.key, username: o.token, port: o.port });
      else if (o.transport === "http") http = new TbHttp({ http: httpModule(power), host: o.host, port: o.port, token: o.token, toBytes: latin1Bytes });
      else {
        // As tb-main asks: room for a whole chunk in one read.
        const socket = dgramModule({ powered: power.powered, fate: o.fate }).createSocket({ type: "udp4", recvBufferSize: chunk + 128 });
        link = new CoapLink({ socket: socket, host: o.host, port: o.port, clock: p.env.clock, random: o.random });
        coap = new TbCoap({ link: link, token: o.token, toBytes: latin1Bytes });
      }
      let on = true;
      const t = startTb(p.env, {
        mqtt: mq, http: http, coap: coap, toBytes: latin1Bytes, confirm: p.confirm, reboot: o.onReboot,
        digests: hostTbDigests(o.flash, o.algorithms), store: o.store, chunkSize: chunk, checkpointEvery: o.checkpointEvery, log: o.log,
        live: () => on && !o.flash.dead,
      });
      return {
        session: t.session, client: t.client, check: t.check,
        stop: () => {
          on = false;
          if (mq) mq.disconnect();
          if (link) link.close();
        },
      };
    },
  };
}

/**
 * One power-on of an emulated board running the ThingsBoard client (a
 * PoweredBoard with tbTransport): the boot decision on the NOR emulator, then
 * the client for the image it started. The caller powers the flash on.
 */
export function powerOnTbBoard(o: TbBoardOptions): TbBoard {
  const pb = new PoweredBoard({ board: o.board, flash: o.flash, clock: o.clock, transport: tbTransport(o) });
  const boot = pb.boot();
  const i = boot.info;
  const t = pb.start({ slot: boot.slot, reason: boot.reason, type: i ? i.type : "", version: i ? i.version : "", build: i ? i.build : "" });
  return { boot: boot, session: t.session, client: t.client, check: t.check, stop: t.stop };
}
