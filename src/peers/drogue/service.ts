import { createHash } from "node:crypto";
import type { Command } from "../../drogue/protocol.js";
import { SWAP, SYNC, WRITE } from "../../drogue/protocol.js";
import { parseHeader } from "../../core/header.js";
import { crc32 } from "../../platform/host/digest.js";
import { fromLatin1 } from "../../platform/host/latin1.js";
import type { HostStatus } from "./codec.js";

/** What the service offers: an image, its version (the header's, unless given) and the Swap checksum. */
export interface Target {
  version: string;
  image: Uint8Array;
  /** The file's SHA-256 (what drogue-ajour's metadata holds), or whatever a test wants sent. */
  checksum: Uint8Array;
}

export function targetOf(image: Uint8Array, version?: string): Target {
  const h = parseHeader(image, crc32).info;
  const v = version || (h ? h.version : "");
  if (!v) throw new Error("image has no readable header: give a version");
  return { version: v, image: image, checksum: new Uint8Array(createHash("sha256").update(image).digest()) };
}

/**
 * drogue-ajour's decision for one Status (server/src/updater.rs:126-186):
 * the device runs the target → Sync; otherwise Write from update.offset
 * (0 when there is no update or it is of another version) in blocks of the
 * device's mtu (512 when it names none), and past the end Swap with the
 * checksum. Stateless, as the service is: every answer follows from the Status.
 */
export function decide(t: Target, s: HostStatus, syncPoll: number | null = null): Command {
  const v = fromLatin1(t.version);
  if (s.version === t.version) return { kind: SYNC, version: fromLatin1(s.version), cid: s.cid, poll: syncPoll };
  const mtu = s.mtu ?? 512;
  const offset = s.update && s.update.version === t.version ? s.update.offset : 0;
  if (offset < t.image.length) {
    return { kind: WRITE, version: v, cid: s.cid, offset: offset, data: t.image.subarray(offset, offset + Math.min(t.image.length - offset, mtu)) };
  }
  return { kind: SWAP, version: v, cid: s.cid, checksum: t.checksum };
}

/**
 * What goes wrong between the service and the device, deterministic: the
 * n-th Write answer (1-based, counted over the run) lost or doubled, sent at
 * a wrong offset, a Swap with a wrong checksum, the target replaced once the
 * device has `switchAt` bytes.
 */
export interface Faults {
  lose?: number[];
  double?: number[];
  wrongOffset?: number[];
  badChecksum?: boolean;
  switchAt?: { offset: number; target: Target };
  /** The n-th Write answer replaced by a Swap naming another version (9.9.9). */
  strayswap?: number;
  /** The Swap's checksum replaced by this (empty: a service without one; 5 bytes: neither empty nor a SHA-256). */
  checksum?: Uint8Array;
  /** Answer without correlation ids, as drgdfu's serial side does (embedded-update src/device/serial.rs:89,96,103). */
  noCid?: boolean;
}

export interface ServiceEvent {
  status: HostStatus;
  answers: Command[];
}

/** The service with its faults and a log: `answer(status)` gives the Commands that reach the device (0, 1 or 2). */
export class DrogueService {
  target: Target;
  writes = 0;
  log: ServiceEvent[] = [];
  faults: Faults;
  syncPoll: number | null = null;
  onAnswer?: (e: ServiceEvent) => void;

  constructor(target: Target, faults: Faults = {}) {
    this.target = target;
    this.faults = faults;
  }

  answer(s: HostStatus): Command[] {
    const f = this.faults;
    if (f.switchAt && s.update && s.update.offset >= f.switchAt.offset && s.update.version === this.target.version) {
      this.target = f.switchAt.target;
      f.switchAt = undefined;
    }
    let c = decide(this.target, f.noCid ? { ...s, cid: null } : s, this.syncPoll);
    let out = [c];
    if (c.kind === WRITE) {
      const n = ++this.writes;
      if (f.wrongOffset && f.wrongOffset.includes(n)) {
        const off = (c.offset as number) + 64;
        c = { ...c, offset: off, data: this.target.image.subarray(off, off + (c.data as Uint8Array).length) };
        out = [c];
      }
      if (f.strayswap === n) out = [{ kind: SWAP, version: fromLatin1("9.9.9"), cid: c.cid, checksum: this.target.checksum }];
      else if (f.lose && f.lose.includes(n)) out = [];
      else if (f.double && f.double.includes(n)) out = [c, c];
    } else if (c.kind === SWAP && f.checksum) {
      out = [{ ...c, checksum: f.checksum }];
    } else if (c.kind === SWAP && f.badChecksum) {
      const bad = new Uint8Array(c.checksum as Uint8Array);
      bad[0] ^= 0xff;
      out = [{ ...c, checksum: bad }];
    }
    const e = { status: s, answers: out };
    this.log.push(e);
    if (this.onAnswer) this.onAnswer(e);
    return out;
  }
}
