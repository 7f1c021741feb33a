import type { Board } from "../board/files.js";
import { bundle } from "./espruino-vm.js";
import { buildImage } from "./image.js";

/* The applications in test and demo images, one per transport: each starts its client with events to the host (global.HOST_EVENT). */

/** Application source for demo and test images: runs the NCP client; a bad release never confirms and resets after 5 s. */
export function appSource(o: { baud: number; healthy: boolean; fastBaud?: number }): string {
  const opts = "{baud:" + o.baud + (o.fastBaud ? ",fastBaud:" + o.fastBaud : "") + ",autoConfirm:" + o.healthy + ",onEvent:global.HOST_EVENT}";
  return "OTA.ncp(" + opts + ");\n" + (o.healthy ? "" : "setTimeout(function(){E.reboot();},5000);\n");
}

/** Application source for test images: the BLE server, confirming at the first connection. */
export const BLE_APP = "OTA.ble();\n";

/** Application source: start the Drogue client on `transport` (serial: Serial1 at 115200), events to the host; "silent": never starts it (never reports, never confirms). */
export function drogueApp(transport: "serial" | "http" | "mqtt" | "silent", port = 0): string {
  if (transport === "silent") return "global.SILENT=1;";
  const t = transport === "serial" ? "" : transport === "http" ? "http:{server:\"127.0.0.1\",port:" + port + "}," :
    "mqtt:{server:\"127.0.0.1\",port:" + port + ",app:\"app\",device:\"dev1\"},";
  return "DFU.start({" + t + "onEvent:global.HOST_EVENT});";
}

/** An image: the Drogue client bundle for the board, then the application. */
export function drogueImage(board: Board, type: string, version: string, app: string): Uint8Array {
  const js = bundle(board.key, "drogue") + "\n" + app + "\n";
  return buildImage({ board: board.id, type: type, version: version, build: "drogue-sim", payload: new TextEncoder().encode(js) });
}

/** Application for rig images: the Zigbee client on Serial1 (the XBee), events to the host. */
export function zigbeeApp(o: { manufacturer: number; imageType: number; baud: number; healthy?: boolean; extra?: string }): string {
  return "OTA.zigbee({manufacturer:" + o.manufacturer + ",imageType:" + o.imageType + ",baud:" + o.baud +
    (o.healthy === false ? ",autoConfirm:false" : "") + (o.extra || "") + ",onEvent:global.HOST_EVENT});\n";
}
