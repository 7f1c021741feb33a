import { confirmRunning } from "../boot/confirm.js";
import { type BootChoice, decideBoot } from "../boot/decide.js";
import { BootRecord } from "../core/record.js";
import { ResumableSession as Session } from "../core/resume.js";
import type { Clock } from "../hal/clock.js";
import { TbClient } from "../thingsboard/client.js";
import { TbCoap } from "../thingsboard/coap.js";
import { CoapLink } from "../thingsboard/coap-link.js";
import { TbHttp } from "../thingsboard/http.js";
import { TbMqtt } from "../thingsboard/mqtt.js";
import type { EspruinoMqtt } from "../thingsboard/ports.js";
import type { Store } from "../transport/store.js";
import type { Board } from "../board/files.js";
import { crc32, hostDigest } from "../platform/host/digest.js";
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
  const session = new Session({
    flash: o.flash, digest: digest, layout: layout, record: new BootRecord({ flash: o.flash, crc32: crc32, banks: layout.banks }),
    firmware: { type: boot.info ? boot.info.type : "", version: boot.info ? boot.info.version : "" },
    running: boot.slot, chunkMax: chunk, now: () => o.clock.now(),
  });
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
  const transport = mq ? new TbMqtt(mq, latin1Bytes) : http || (coap as TbCoap);
  const client = new TbClient({
    session: session, crc32: digest.crc32,
    firmware: { type: boot.info ? boot.info.type : "", version: boot.info ? boot.info.version : "" },
    confirm: () => confirmRunning({ flash: o.flash, digest: digest, layout: layout, running: boot.slot }),
    reboot: o.onReboot, digests: hostTbDigests(o.flash, o.algorithms), store: o.store, clock: o.clock,
    chunkSize: chunk, checkpointEvery: o.checkpointEvery, log: o.log,
  }, transport);
  let on = true;
  if (mq) {
    const m = mq;
    // As tb-main does on the board: a dropped link is dialled again after 5 s (emulated time).
    m.on("disconnected", () => {
      if (on && !o.flash.dead) o.clock.setTimeout(() => on && m.connect(), 5000);
    });
    m.connect();
  }
  else if (http) http.check();
  else if (coap) coap.check();
  return {
    boot: boot, session: session, client: client,
    check: () => (http ? http.check() : coap && coap.check()),
    stop: () => {
      on = false;
      if (mq) mq.disconnect();
      if (link) link.close();
    },
  };
}
