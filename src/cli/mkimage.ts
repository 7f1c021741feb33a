import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { BUILD_LEN, TYPE_LEN, VERSION_LEN } from "../core/header.js";
import { loadBoard } from "../platform/host/boards.js";
import { buildImage } from "../platform/host/image.js";
import { CliError, UsageError, type Parsed } from "./args.js";
import { checkImage, kb, readInput, slotRoom } from "./image-check.js";

export interface MkimageArgs {
  app: string;
  out: string;
  board: string;
  type: string;
  version: string;
  build?: string;
  /** Prepend the built client bundle for the board (dist/espruino/<board>/client.js). */
  withClient?: boolean;
  /** Prepend the built Drogue IoT client instead (dist/espruino/<board>/drogue.js). */
  withDrogue?: boolean;
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
  if (a.withClient || a.withDrogue) {
    const file = a.withDrogue ? "/drogue.js" : "/client.js";
    // Next to dist/cli.mjs; from the sources (tsx), in dist/.
    const near = new URL("./espruino/" + a.board + file, import.meta.url);
    const client = existsSync(near) ? near : new URL("../../dist/espruino/" + a.board + file, import.meta.url);
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
  try {
    writeFileSync(a.out, img);
  } catch (e) {
    throw new CliError("mkimage: cannot write " + a.out + ": " + ((e as NodeJS.ErrnoException).code || (e as Error).message));
  }
  return img;
}

export function runMkimage(p: Parsed): number {
  const v = p.values;
  const missing = ["app", "out", "board", "type", "version"].filter((k) => v[k] === undefined);
  if (missing.length) throw new UsageError("mkimage: needs " + missing.map((k) => "--" + k).join(", ") + " (the board decides the header's board id and the slot size); see espruino-ota mkimage --help");
  mkimage({ app: v.app as string, out: v.out as string, board: v.board as string, type: v.type as string, version: v.version as string, build: v.build as string | undefined, withClient: !!v["with-client"], withDrogue: !!v["with-drogue"] });
  console.log(describeImage(v.out as string));
  return 0;
}

/** One line per file: its header, or what is wrong with it. */
export function describeImage(file: string): string {
  const r = checkImage(readInput(file, "image"));
  if (r.problem) return file + ": " + r.problem;
  const h = r.info!;
  return file + ": " + h.board + " " + h.type + " v" + h.version + " (" + h.build + "), payload " + h.payloadLength + " B, image " + h.imageLength + " B";
}

/** `info FILE...`: exit 1 when any file is not a whole image (its line names what is wrong). */
export function runInfo(p: Parsed): number {
  let bad = 0;
  for (const f of p.positionals) {
    let line: string;
    let ok = false;
    try {
      const r = checkImage(readInput(f, "image"));
      line = r.problem ? f + ": " + r.problem : describeImage(f);
      if (r.problem) bad++;
      else ok = true;
    } catch (e) {
      line = (e as Error).message;
      bad++;
    }
    (ok ? console.log : console.error)(line);
  }
  return bad ? 1 : 0;
}
