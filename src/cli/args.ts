import { parseArgs } from "node:util";
import { allBoardKeys, boardKeys, unsupported } from "../board/files.js";

/**
 * One small table-driven option parser for every command. node:util's
 * parseArgs splits the command line (it is built in, strict about unknown
 * options, and knows `--x=v`, `--x v` and `--`); this table adds what it
 * lacks: kinds (whole numbers in a range, numbers, choices, non-empty text,
 * board keys), `--help`, and one-line messages. A bad command line throws a
 * UsageError (exit 2); an expected failure of a valid one throws a CliError
 * (exit 1). main.ts prints either as one line, never a stack trace.
 */
export type Kind = "string" | "boolean" | "int" | "number" | "board";

export interface Opt {
  kind: Kind;
  /** What the value is, for messages: "a baud rate", "seconds". */
  what?: string;
  default?: string | boolean;
  multiple?: boolean;
  min?: number;
  max?: number;
  choices?: string[];
  short?: string;
}

export interface Command {
  name: string;
  usage: string;
  options: Record<string, Opt>;
  /** How many positionals the command takes (default 0). */
  positionals?: { min: number; max: number; what: string };
}

export class UsageError extends Error {
  readonly exit = 2;
}

export class CliError extends Error {
  readonly exit: number;
  constructor(message: string, exit = 1) {
    super(message);
    this.exit = exit;
  }
}

export type Values = Record<string, string | boolean | number | (string | number)[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** The command's values, or "help" when --help / -h was given anywhere (before `--`). */
export function parseCommand(cmd: Command, argv: string[]): Parsed | "help" {
  const dd = argv.indexOf("--");
  const head = dd < 0 ? argv : argv.slice(0, dd);
  if (head.includes("--help") || head.includes("-h")) return "help";
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [k, o] of Object.entries(cmd.options)) {
    options[k] = { type: o.kind === "boolean" ? "boolean" : "string" };
    if (o.multiple) options[k].multiple = true;
    if (o.short) options[k].short = o.short;
  }
  const allowed = Object.keys(cmd.options).map((k) => "--" + k).join(", ") || "none";
  let raw: { values: Record<string, unknown>; positionals: string[] };
  try {
    raw = parseArgs({ args: argv, options: options, allowPositionals: true, strict: true });
  } catch (e) {
    const m = String((e as Error).message);
    const name = (/'(-[^']*)'/.exec(m) || [])[1] || "";
    const code = (e as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw usage(cmd, "unknown option " + name.split("=")[0] + " (options: " + allowed + ")");
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const k = name.replace(/^-+/, "").split(/[ =]/)[0];
      const o = cmd.options[k];
      if (o && o.kind === "boolean") throw usage(cmd, "--" + k + " takes no value");
      // parseArgs reads "-1" after an option as another option; say what is wrong with the value instead.
      const next = argv[argv.indexOf("--" + k) + 1];
      if (o && next !== undefined && /^-[\d.]/.test(next)) throw usage(cmd, "--" + k + " " + JSON.stringify(next) + ": needs " + describe(o));
      throw usage(cmd, "--" + k + " needs a value" + (o ? " (" + describe(o) + ")" : ""));
    }
    throw usage(cmd, m.split("\n")[0]);
  }
  const pos = raw.positionals;
  const p = cmd.positionals || { min: 0, max: 0, what: "" };
  if (pos.length > p.max) throw usage(cmd, p.max ? "too many arguments: " + pos.slice(p.max).join(" ") : "unexpected argument " + JSON.stringify(pos[0]) + " (options: " + allowed + ")");
  if (pos.length < p.min) throw usage(cmd, "needs " + p.what);
  const values: Values = {};
  for (const [k, o] of Object.entries(cmd.options)) {
    let v = raw.values[k] as string | boolean | string[] | undefined;
    if (v === undefined) v = o.default;
    if (v === undefined || o.kind === "boolean") {
      values[k] = v as boolean | undefined;
      continue;
    }
    values[k] = Array.isArray(v) ? v.map((x) => check(cmd, k, o, x)) : check(cmd, k, o, v as string);
  }
  return { values: values, positionals: pos };
}

function describe(o: Opt): string {
  if (o.choices) return o.choices.join(" or ");
  if (o.kind === "board") return "one of " + boardKeys().join(", ");
  const range = o.max !== undefined ? " from " + (o.min ?? 0) + " to " + o.max : o.min !== undefined ? " of at least " + o.min : "";
  const base = o.kind === "int" ? "a whole number" + range : o.kind === "number" ? "a number" + range : "text";
  return o.what ? o.what + ", " + base : base;
}

function check(cmd: Command, k: string, o: Opt, v: string): string | number {
  const bad = (why: string) => usage(cmd, "--" + k + " " + JSON.stringify(v) + ": " + why);
  if (o.choices) {
    if (!o.choices.includes(v)) throw bad("must be " + o.choices.join(" or "));
    return v;
  }
  if (o.kind === "board") {
    if (!boardKeys().includes(v)) throw usage(cmd, boardProblem(v, "--" + k));
    return v;
  }
  if (o.kind === "string") {
    if (v === "") throw bad("must not be empty");
    return v;
  }
  const n = Number(v);
  const ok = v.trim() !== "" && Number.isFinite(n) && (o.kind !== "int" || /^\s*\d+\s*$/.test(v));
  if (!ok || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) throw bad("needs " + describe(o));
  return n;
}

/** Why `key` is not a board to build or install for, naming the boards that are. */
export function boardProblem(key: string, opt = "--board"): string {
  const all = allBoardKeys();
  const list = "boards: " + boardKeys().join(", ");
  if (!all.includes(key)) return opt + " " + JSON.stringify(key) + ": no such board (" + list + ")";
  const why = unsupported(key);
  return opt + " " + key + ": no OTA layout on this board's stock firmware (" + why.replace(/\.$/, "") + "; " + list + ")";
}

/** A UsageError (exit 2) when any of the options `keys` is missing: "CMD: needs --a and --b (note); see ...". */
export function requireOptions(cmd: string, values: Values, keys: string[], note = ""): void {
  const missing = keys.filter((k) => values[k] === undefined);
  if (missing.length) throw new UsageError(cmd + ": needs " + missing.map((k) => "--" + k).join(" and ") + (note ? " (" + note + ")" : "") + "; see espruino-ota " + cmd + " --help");
}

function usage(cmd: Command, msg: string): UsageError {
  return new UsageError(cmd.name + ": " + msg + "; see espruino-ota " + cmd.name + " --help");
}

/** Usage text with the options table, for --help. */
export function helpText(cmd: Command): string {
  return cmd.usage.replace(/\n*$/, "\n");
}
