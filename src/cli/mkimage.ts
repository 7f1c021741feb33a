import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { BUILD_LEN, TYPE_LEN, VERSION_LEN } from "../core/header.js";
import { loadBoard } from "../board/files.js";
import { buildImage } from "../testbench/image.js";
import { CliError, UsageError, type Parsed } from "./args.js";
import { checkImage, kb, readInput, slotRoom } from "./image-check.js";
import { buildOtaFile, fileVersionOf, OTA_HEADER_MAX, parseOtaFileHeader, upgradeImageOf } from "../zigbee/otafile.js";

export interface MkimageArgs {
  app: string;
  out: string;
  board: string;
  type: string;
  version: string;
  build?: string;
  /** Prepend the built client bundle for the board (dist/espruino/<board>/client.js; zigbee.js for a Zigbee file). */
  withClient?: boolean;
  /** Prepend the built Drogue IoT client instead (dist/espruino/<board>/drogue.js). */
  withDrogue?: boolean;
  /** Prepend the BLE client instead (dist/espruino/<board>/ble.js). */
  withBle?: boolean;
  /** Write a Zigbee OTA file around the image (docs/zigbee.md): manufacturer code, image type, file version (default: from the version). */
  zigbee?: { manufacturer: number; imageType: number; fileVersion?: number };
}

/** A u16/u32 option given as 0x... hex or decimal. */
export function parseCode(name: string, v: string, bits: 16 | 32): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v.slice(2), 16) : /^[0-9]+$/.test(v) ? parseInt(v, 10) : NaN;
  if (!(n >= 0 && n <= (bits === 16 ? 0xffff : 0xffffffff))) throw new UsageError("mkimage: --" + name + " " + JSON.stringify(v) + ": needs a " + bits + "-bit number (0x... or decimal)");
  return n;
}

/** Why a header text field would not work ("" when it would): printable ASCII (the README's NUL-padded ASCII), not empty, fits its field. */
export function textProblem(name: string, v: string, max: number): string {
  if (v === "") return "--" + name + " is empty";
  const bad = [...v].find((c) => c < " " || c > "~");
  if (bad !== undefined) return "--" + name + " " + JSON.stringify(v) + ": only printable ASCII fits the header (" + (bad === "\n" ? "a newline" : "character " + JSON.stringify(bad)) + " does not)";
  if (v.length > max) return "--" + name + " " + JSON.stringify(v) + ": " + v.length + " characters, the header holds " + max;
  return "";
}

const same = (a: string, b: string) => resolve(a) === resolve(b) || (existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b));

export function mkimage(a: MkimageArgs): Uint8Array {
  const board = loadBoard(a.board);
  const build = a.build || new Date().toISOString().slice(0, 16).replace("T", " ");
  for (const [n, v, max] of [["type", a.type, TYPE_LEN], ["version", a.version, VERSION_LEN], ["build", build, BUILD_LEN]] as const) {
    const p = textProblem(n, v, max);
    if (p) throw new UsageError("mkimage: " + p);
  }
  if (same(a.app, a.out)) throw new UsageError("mkimage: --out " + a.out + " is the --app file: it would overwrite the application's source");
  let js = new TextDecoder().decode(readInput(a.app, "--app file"));
  let clientLen = 0;
  if (a.withClient && a.withBle) throw new UsageError("mkimage: --with-client and --with-ble exclude each other (one client per image)");
  if ([a.withClient, a.withBle, a.withDrogue].filter((x) => x).length > 1) throw new UsageError("mkimage: --with-client, --with-ble and --with-drogue exclude each other (one client per image)");
  if (a.withBle && a.zigbee) throw new UsageError("mkimage: a Zigbee OTA file carries the Zigbee client (--with-client), not the BLE one");
  const name = a.withBle ? "ble" : a.withDrogue ? "drogue" : a.zigbee ? "zigbee" : "client";
  if (a.withClient || a.withBle || a.withDrogue) {
    // Next to dist/cli.mjs; from the sources (tsx), in dist/.
    const near = new URL("./espruino/" + a.board + "/" + name + ".js", import.meta.url);
    const client = existsSync(near) ? near : new URL("../../dist/espruino/" + a.board + "/" + name + ".js", import.meta.url);
    if (!existsSync(client)) throw new CliError("mkimage: no client bundle for " + a.board + " (" + client.pathname + "): npm run build first");
    const c = readFileSync(client, "utf8");
    clientLen = c.length;
    js = c + "\n" + js;
  }
  const payload = new TextEncoder().encode(js);
  const img = buildImage({ board: board.id, type: a.type, version: a.version, build: build, payload: payload });
  const max = slotRoom(board);
  if (img.length > max) {
    throw new CliError("mkimage: the image would be " + img.length + " bytes, larger than " + a.board + "'s " + kb(max) + " slot (" + max + " bytes)" +
      (clientLen ? "; the client bundle alone is " + clientLen + " bytes" : "") + "; nothing written");
  }
  let out = img;
  if (a.zigbee) {
    const fv = a.zigbee.fileVersion === undefined ? fileVersionOf(a.version) : a.zigbee.fileVersion;
    if (fv < 0) throw new UsageError("mkimage: --version " + JSON.stringify(a.version) + " gives no Zigbee file version (a.b.c or a.b.c.d, each 0-255): give --zigbee-file-version");
    out = buildOtaFile({ manufacturer: a.zigbee.manufacturer, imageType: a.zigbee.imageType, fileVersion: fv, image: img, headerString: a.type + " " + a.version });
  }
  try {
    writeFileSync(a.out, out);
  } catch (e) {
    throw new CliError("mkimage: cannot write " + a.out + ": " + ((e as NodeJS.ErrnoException).code || (e as Error).message));
  }
  return out;
}

export function runMkimage(p: Parsed): number {
  const v = p.values;
  const missing = ["app", "out", "board", "type", "version"].filter((k) => v[k] === undefined);
  if (missing.length) throw new UsageError("mkimage: needs " + missing.map((k) => "--" + k).join(", ") + " (the board decides the header's board id and the slot size); see espruino-ota mkimage --help");
  const zm = v["zigbee-manufacturer"] as string | undefined;
  const zt = v["zigbee-image-type"] as string | undefined;
  const zv = v["zigbee-file-version"] as string | undefined;
  if ((zm === undefined) !== (zt === undefined) || (zv !== undefined && zm === undefined)) {
    throw new UsageError("mkimage: a Zigbee OTA file needs both --zigbee-manufacturer and --zigbee-image-type; see espruino-ota mkimage --help");
  }
  const zigbee = zm !== undefined ? {
    manufacturer: parseCode("zigbee-manufacturer", zm, 16), imageType: parseCode("zigbee-image-type", zt as string, 16),
    fileVersion: zv === undefined ? undefined : parseCode("zigbee-file-version", zv, 32),
  } : undefined;
  mkimage({ app: v.app as string, out: v.out as string, board: v.board as string, type: v.type as string, version: v.version as string, build: v.build as string | undefined, withClient: !!v["with-client"], withBle: !!v["with-ble"], withDrogue: !!v["with-drogue"], zigbee: zigbee });
  console.log(zigbee ? describeZigbee(v.out as string) : describeImage(v.out as string));
  return 0;
}

/** One line per file: its header, or what is wrong with it. */
export function describeImage(file: string): string {
  const r = checkImage(readInput(file, "image"));
  if (r.problem) return file + ": " + r.problem;
  const h = r.info!;
  return file + ": " + h.board + " " + h.type + " v" + h.version + " (" + h.build + "), payload " + h.payloadLength + " B, image " + h.imageLength + " B";
}

/** A Zigbee OTA file's header and its upgrade image, on one line. */
export function describeZigbee(file: string): string {
  const f = readInput(file, "image");
  const h = parseOtaFileHeader(f, Math.min(f.length, OTA_HEADER_MAX)).header;
  const w = upgradeImageOf(f);
  if (!h || !w) return file + ": not a Zigbee OTA file with an upgrade image";
  const r = checkImage(f.subarray(w.offset, w.offset + w.length));
  const hex = (n: number, d: number) => "0x" + n.toString(16).padStart(d, "0");
  const inner = r.problem || r.info!.board + " " + r.info!.type + " v" + r.info!.version;
  return file + ": Zigbee OTA file, manufacturer " + hex(h.manufacturer, 4) + ", image type " + hex(h.imageType, 4) + ", file version " + hex(h.fileVersion, 8) +
    ", " + f.length + " B; tag 0: " + inner + " (" + w.length + " B)";
}

/** `info FILE...`: exit 1 when any file is not a whole image (its line names what is wrong). */
export function runInfo(p: Parsed): number {
  let bad = 0;
  for (const f of p.positionals) {
    let line: string;
    let ok = false;
    try {
      const bytes = readInput(f, "image");
      if (bytes.length >= 4 && bytes[0] === 0x1e && bytes[1] === 0xf1 && bytes[2] === 0xee && bytes[3] === 0x0b) {
        // A Zigbee OTA file: its header and the image in tag 0, checked whole.
        const w = upgradeImageOf(bytes);
        const r = w ? checkImage(bytes.subarray(w.offset, w.offset + w.length)) : undefined;
        line = describeZigbee(f);
        if (!r || r.problem) bad++;
        else ok = true;
      } else {
        const r = checkImage(bytes);
        line = r.problem ? f + ": " + r.problem : describeImage(f);
        if (r.problem) bad++;
        else ok = true;
      }
    } catch (e) {
      line = (e as Error).message;
      bad++;
    }
    (ok ? console.log : console.error)(line);
  }
  return bad ? 1 : 0;
}
