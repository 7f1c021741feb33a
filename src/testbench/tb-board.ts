import { confirmRunning } from "../boot/confirm.js";
import { type BootChoice, decideBoot } from "../boot/decide.js";
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
import { hostDigest } from "../platform/host/digest.js";
import type { NorFlash } from "../platform/host/norflash.js";
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
 * One power-on of an emulated board running the ThingsBoard client: the boot
 * decision on the NOR emulator, a core session for the running image, and the
 * device code over the host stand-ins of Espruino's MQTT, http and dgram modules.
 * When the flash loses power (cutPower) the board falls silent.
 */
export function powerOnTbBoard(o: TbBoardOptions): TbBoard {
  const digest = hostDigest(o.flash);
  const layout = o.board.layout;
  const boot = decideBoot({ flash: o.flash, digest: digest, layout: layout });
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
    link = new CoapLink({ socket: socket, host: o.host, port: o.port, clock: o.clock, random: o.random });
    coap = new TbCoap({ link: link, token: o.token, toBytes: latin1Bytes });
  }
  const info = boot.info;
  let on = true;
  const t = startTb({ flash: o.flash, digest: digest, layout: layout, clock: o.clock, boot: { slot: boot.slot, type: info ? info.type : "", version: info ? info.version : "" } }, {
    mqtt: mq, http: http, coap: coap, toBytes: latin1Bytes,
    confirm: () => confirmRunning({ flash: o.flash, digest: digest, layout: layout, running: boot.slot }),
    reboot: o.onReboot, digests: hostTbDigests(o.flash, o.algorithms), store: o.store,
    chunkSize: chunk, checkpointEvery: o.checkpointEvery, log: o.log,
    live: () => on && !o.flash.dead,
  });
  return {
    boot: boot, session: t.session, client: t.client, check: t.check,
    stop: () => {
      on = false;
      if (mq) mq.disconnect();
      if (link) link.close();
    },
  };
}
