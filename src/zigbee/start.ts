import type { Link } from "../hal/link.js";
import type { System } from "../hal/system.js";
import type { OtaEnv } from "../core/open.js";
import { trialReason } from "../boot/decide.js";
import { HEADER_SIZE, parseHeader } from "../core/header.js";
import { FLAG_ROLLED_BACK, recordCrc } from "../core/record.js";
import { confirmedSlot } from "../core/state.js";
import { fileVersionOf } from "./otafile.js";
import { ResumableSession } from "../core/resume.js";
import { ZigbeeClient, type ZStore } from "./client.js";
import type { ZclLink } from "./link.js";
import type { ByteSum, ByteText } from "./xbee.js";
import { XBeeZclLink } from "./xbeelink.js";

/** The board as startZigbee needs it: what the boot stub started includes the boot reason (1 = trial). */
export interface ZigbeeEnv extends OtaEnv {
  boot: { slot: number; reason: number; type: string; version: string };
}

export interface ZigbeeStartOptions {
  /** The UART to an XBee 3 in API mode 2, or `zcl`: another radio's ZclLink. */
  link?: Link;
  zcl?: ZclLink;
  sum: ByteSum;
  text?: ByteText;
  manufacturer: number;
  imageType: number;
  hardwareVersion?: number;
  maxData?: number;
  /** Blocks gathered before each session write (the board's chunk size). */
  chunkSize?: number;
  queryEveryMs?: number;
  firstQueryMs?: number;
  responseMs?: number;
  tries?: number;
  backoffMs?: number;
  checkpointEvery?: number;
  store?: ZStore;
  confirm?: () => boolean;
  system: System;
  random?: () => number;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

/** Session, radio link and client wired together; queries soon (at once when a checkpoint waits to be resumed). */
export function startZigbee(e: ZigbeeEnv, o: ZigbeeStartOptions): ZigbeeClient {
  const b = e.boot;
  const maxData = o.maxData || 64;
  const chunk = o.chunkSize || 1024;
  // WAIT_FOR_DATA may pause a transfer for long; the client has its own limits.
  const session = new ResumableSession(e, chunk, 1e12);
  const zcl = o.zcl || new XBeeZclLink({ link: o.link as Link, sum: o.sum, text: o.text });
  const slots = e.layout.slots;
  // After a rollback (the record's flag, kept until the next finish) the image that failed may still be in the
  // other slot: it is, when its payload reads back with the CRC-32 the record kept for that slot at its finish
  // (a download started since then has overwritten it, and that one must not be refused).
  let rolledBack: number | undefined;
  try {
    const st = session.bootState();
    const other = st.valid ? 1 - confirmedSlot(st) : -1;
    const kept = other >= 0 && st.flags & FLAG_ROLLED_BACK ? recordCrc(st, other) : undefined;
    if (kept !== undefined) {
      const at = slots[other].address;
      const h = parseHeader(e.flash.read(HEADER_SIZE, at), e.digest.crc32).info;
      if (h && h.payloadLength <= slots[other].size - HEADER_SIZE && e.digest.crc32Flash(at + HEADER_SIZE, h.payloadLength) === kept) rolledBack = fileVersionOf(h.version);
    }
  } catch (e) {
    rolledBack = undefined;
  }
  const client = new ZigbeeClient({
    link: zcl, session: session, clock: e.clock, slotSize: Math.max(slots[0].size, slots[1].size),
    manufacturer: o.manufacturer, imageType: o.imageType, hardwareVersion: o.hardwareVersion,
    firmware: { type: b.type, version: b.version }, rolledBack: rolledBack, maxData: maxData, chunkSize: chunk, queryEveryMs: o.queryEveryMs, firstQueryMs: o.firstQueryMs,
    responseMs: o.responseMs, tries: o.tries, backoffMs: o.backoffMs, checkpointEvery: o.checkpointEvery, store: o.store,
    trial: trialReason(b.reason), confirm: o.confirm, reboot: () => o.system.reboot(), random: o.random, onEvent: o.onEvent,
  });
  client.begin();
  return client;
}
