/*
 * Drogue IoT's update protocol (embedded-update src/protocol.rs), device side:
 * what a Status says and what a Command asks, in one shape for both
 * encodings (CBOR over HTTP/MQTT, postcard over serial). docs/drogue.md has
 * the tables and the source lines.
 */

/** Command variants in the enum's index order (protocol.rs:70-112): the CBOR packed key and the postcard tag. */
export const WAIT = 0;
export const SYNC = 1;
export const WRITE = 2;
export const SWAP = 3;

/** Variant names as serde writes them in the non-packed CBOR form. */
export const COMMAND_NAMES = ["Wait", "Sync", "Write", "Swap"];

/** A decoded Command. Fields a variant lacks are undefined; an Option that is None is null. */
export interface Command {
  kind: number;
  version?: Uint8Array;
  cid: number | null;
  poll?: number | null;
  offset?: number;
  data?: Uint8Array;
  checksum?: Uint8Array;
}

/** What the device reports (protocol.rs:13-34): versions as ASCII text here, bytes on the wire. */
export interface Status {
  version: string;
  mtu: number | null;
  cid: number | null;
  update: { version: string; offset: number } | null;
}

/** Bytes of a short ASCII text (versions: at most 16 bytes on the device side of drgdfu). */
export function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}

/** Text of short bytes (versions, map keys); never used on chunk data. */
export function asciiText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}
