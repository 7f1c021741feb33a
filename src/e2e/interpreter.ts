import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { installScript } from "../install/script.js";
import type { Board as Board_ } from "../board/files.js";

/*
 * Espruino's Linux build as a board: a process per power-on in one directory
 * (its flash is the file ./espruino.flash there). Started with no argument and
 * stdin an idle pipe it runs the boot files (.boot0 = our boot stub), as a
 * board does at power-on. E.reboot() prints "Not implemented" and exits with
 * status 1: that exit is a reboot, and the board is started again.
 */

// Children still running when this process ends are killed: an interpreter
// whose stdin closes spins reading junk, and socat would stay forever.
const children = new Set<ChildProcess>();
let tracking = false;
function track(p: ChildProcess): ChildProcess {
  if (children.size === 0 && !tracking) {
    tracking = true;
    process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
  }
  children.add(p);
  p.on("exit", () => children.delete(p));
  return p;
}

/** The interpreter to use, or why there is none (everything on the real interpreter then skips). */
export function espruinoBin(): { bin?: string; why?: string } {
  const bin = process.env.ESPRUINO_BIN;
  if (!bin) return { why: "ESPRUINO_BIN is not set (build Espruino's Linux interpreter and point ESPRUINO_BIN at bin/espruino: README, \"On the real interpreter\")" };
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return { why: "ESPRUINO_BIN=" + bin + " is not an executable file" };
  }
  return { bin: bin };
}

/** `espruino <version>` as the interpreter reports it (process.version). */
export function espruinoVersion(bin: string): string {
  const r = spawnSync(bin, ["-e", "print('EOTA_VERSION '+process.version);quit();"], { input: "", encoding: "utf8", timeout: 10_000 });
  const m = /EOTA_VERSION (\S+)/.exec(r.stdout || "");
  return "espruino " + (m ? m[1] : "unknown");
}

/** socat on PATH (Debian/Ubuntu: apt-get install socat), or undefined. */
export function findSocat(): string | undefined {
  for (const d of (process.env.PATH || "").split(delimiter)) {
    const f = join(d, "socat");
    if (d && existsSync(f)) return f;
  }
  return undefined;
}

/** Console text as lines: no CR, no ANSI escapes, no leading REPL prompt. */
export function consoleLines(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .split("\n")
    .map((l) => l.replace(/\r/g, "").replace(/^>+/, ""));
}

/** Polls `f` every 10 ms until it is truthy; throws `what` (and `context()`) after `ms`. */
export async function until<T>(f: () => T, ms: number, what: string, context?: () => string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error("timed out after " + ms + " ms waiting for " + what + (context ? "\n" + context() : ""));
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `espruino FILE` in `dir` (no boot files run in this mode) and returns its status and console. */
export function runScript(bin: string, dir: string, file: string, timeoutMs = 30_000): { status: number | null; out: string } {
  const r = spawnSync(bin, [file], { cwd: dir, input: "", encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, out: (r.stdout || "") + (r.stderr || "") };
}

/** A pty pair linked by socat: `a` for the host, `b` for the interpreter's Serial1. */
/** Installs boot stub, `image` in slot 0 and a boot record into `dir`'s espruino.flash, as a board's first upload would. */
export function installOn(bin: string, dir: string, board: Board_, image: Uint8Array): void {
  writeFileSync(join(dir, "install.js"), installScript(board, image, { quit: true }));
  const inst = runScript(bin, dir, "install.js");
  if (inst.status !== 0 || !inst.out.includes("OTA install: done")) throw new Error("install failed (status " + inst.status + "):\n" + inst.out);
}

export async function ptyPair(socat: string, dir: string): Promise<{ a: string; b: string; close: () => void }> {
  const a = join(dir, "ptyA");
  const b = join(dir, "ptyB");
  const p = track(spawn(socat, ["pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b], { stdio: "ignore" }));
  let dead = false;
  p.on("exit", () => (dead = true));
  await until(() => dead || (existsSync(a) && existsSync(b)), 5000, "socat's pty links");
  if (dead) throw new Error("socat exited before creating the pty pair");
  return { a: a, b: b, close: () => void (dead || p.kill("SIGKILL")) };
}

export interface Boot {
  /** Parsed `BOOT {json}` line printed by the application (OTA.boot), if it printed one. */
  boot?: { slot: number; reason: number; type: string; version: string; build: string };
  /** Console lines of this power-on. */
  lines: string[];
  /** Exit status; undefined while running. */
  code?: number | null;
  /** It ended by E.reboot(). */
  rebooted?: boolean;
}

/**
 * The interpreter as a board that reboots: every exit by E.reboot() starts it
 * again in the same directory (same flash file). `boots` lists every
 * power-on, the running one last.
 */
export class Board {
  boots: Boot[] = [];
  private proc_: ChildProcess | undefined;
  private off_ = false;
  private partial_ = "";

  /** `args`: what to start the interpreter with; none (the default) runs the boot files as a board does. */
  constructor(private o: { bin: string; dir: string; log?: (line: string) => void; restart?: boolean; args?: string[] }) {}

  get current(): Boot | undefined {
    return this.boots[this.boots.length - 1];
  }

  /** Every console line since power-on number `from` (all power-ons by default). */
  lines(from = 0): string[] {
    return this.boots.slice(from).flatMap((b) => b.lines);
  }

  /** The last `n` console lines, for error messages. */
  tail(n = 30): string {
    return this.lines().slice(-n).map((l) => "  | " + l).join("\n");
  }

  powerOn(): void {
    this.off_ = false;
    const boot: Boot = { lines: [] };
    this.boots.push(boot);
    this.partial_ = "";
    const p = track(spawn(this.o.bin, this.o.args || [], { cwd: this.o.dir, stdio: ["pipe", "pipe", "pipe"] }));
    this.proc_ = p;
    const take = (d: Buffer) => {
      const parts = consoleLines(this.partial_ + d.toString("latin1"));
      this.partial_ = parts.pop() || "";
      for (const l of parts) this.line_(boot, l);
    };
    p.stdout!.on("data", take);
    p.stderr!.on("data", take);
    p.on("exit", (code) => {
      if (this.partial_) this.line_(boot, this.partial_);
      this.partial_ = "";
      boot.code = code;
      boot.rebooted = code === 1 && boot.lines.some((l) => l.includes("Not implemented"));
      if (this.proc_ === p) this.proc_ = undefined;
      if (this.o.log) this.o.log("board: exit " + code + (boot.rebooted ? " (E.reboot)" : ""));
      if (boot.rebooted && !this.off_ && this.o.restart !== false) this.powerOn();
    });
  }

  /** Types `text` at the REPL. */
  send(text: string): void {
    if (this.proc_) this.proc_.stdin!.write(text);
  }

  /** Powers off: Ctrl-D at the console (it ignores SIGTERM), SIGKILL if it does not go. */
  async powerOff(): Promise<void> {
    this.off_ = true;
    const p = this.proc_;
    if (!p) return;
    p.stdin!.write("\x04");
    const gone = await until(() => this.proc_ !== p, 2000, "exit").then(() => true, () => false);
    if (!gone) {
      p.kill("SIGKILL");
      await until(() => this.proc_ !== p, 2000, "exit after SIGKILL").catch(() => undefined);
    }
  }

  /** Runs `js` at the REPL and returns the JSON it printed (marker split so the echo does not match). */
  async query<T>(expr: string, ms = 5000): Promise<T> {
    const tag = "Q" + Math.floor(Math.random() * 1e9);
    const from = this.boots.length - 1;
    const seen = this.current!.lines.length;
    this.send("print('" + tag.slice(0, 2) + "'+'" + tag.slice(2) + " '+JSON.stringify(" + expr + "))\n");
    const line = await until(() => this.boots[from].lines.slice(seen).find((l) => l.startsWith(tag + " ")), ms, "an answer to " + expr, () => this.tail());
    return JSON.parse(line.slice(tag.length + 1)) as T;
  }

  private line_(boot: Boot, l: string): void {
    if (l.startsWith("BOOT ")) {
      try {
        boot.boot = JSON.parse(l.slice(5));
      } catch {
        /* not ours */
      }
    }
    boot.lines.push(l);
    if (this.o.log && l.trim()) this.o.log("board| " + l);
  }
}
