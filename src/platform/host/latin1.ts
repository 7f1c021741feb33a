/** Bytes as Espruino's byte Strings (one char per byte) and back: what Serial1, MQTT and http hand over. */
export const toLatin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
export const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
