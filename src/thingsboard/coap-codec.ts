/*
 * CoAP messages (RFC 7252 section 3) as binary strings, the form Espruino's
 * dgram sends and receives: a 4-byte header (version 1, type, token length,
 * code, message id), the token, options in ascending order with delta
 * encoding (4-bit nibbles, 13 = one more byte - 13, 14 = two more bytes -
 * 269), then 0xFF and the payload. No block-wise transfer: one request, one
 * datagram. Only header and option bytes are looked at one by one; a payload
 * is cut out with substring, never walked.
 */

/** Message types. */
export const CON = 0;
export const NON = 1;
export const ACK = 2;
export const RST = 3;

/** Codes as the byte: class << 5 | detail. */
export const EMPTY = 0;
export const GET = 1;
export const POST = 2;
export const CREATED = 0x41;
export const CONTENT = 0x45;
export const NOT_FOUND = 0x84;

/** Option numbers used here. */
export const OPT_URI_PATH = 11;
export const OPT_CONTENT_FORMAT = 12;
export const OPT_URI_QUERY = 15;
/** Content-Format application/json. */
export const FORMAT_JSON = 50;

export interface CoapOption {
  n: number;
  v: string;
}

export interface CoapMessage {
  type: number;
  code: number;
  mid: number;
  token: string;
  options: CoapOption[];
  payload: string;
}

/** "2.05" for 0x45. */
export function codeText(code: number): string {
  const d = code & 31;
  return (code >> 5) + (d < 10 ? ".0" : ".") + d;
}

function nibble(v: number): number {
  return v < 13 ? v : v < 269 ? 13 : 14;
}

function extended(v: number): string {
  return v < 13 ? "" : v < 269 ? String.fromCharCode(v - 13) : String.fromCharCode((v - 269) >> 8, (v - 269) & 255);
}

/** One message; `options` must be in ascending option-number order (repeats allowed). */
export function encode(type: number, code: number, mid: number, token: string, options: CoapOption[], payload: string): string {
  let s = String.fromCharCode(0x40 | (type << 4) | token.length, code, (mid >> 8) & 255, mid & 255) + token;
  let last = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    const d = o.n - last;
    last = o.n;
    s += String.fromCharCode((nibble(d) << 4) | nibble(o.v.length)) + extended(d) + extended(o.v.length) + o.v;
  }
  return payload.length ? s + "\xff" + payload : s;
}

/** The option list of a request: each path segment and each query item as its own option. */
export function requestOptions(path: string[], query: string[], format: number): CoapOption[] {
  const o: CoapOption[] = [];
  for (let i = 0; i < path.length; i++) o.push({ n: OPT_URI_PATH, v: path[i] });
  if (format >= 0) o.push({ n: OPT_CONTENT_FORMAT, v: format ? String.fromCharCode(format) : "" });
  for (let i = 0; i < query.length; i++) o.push({ n: OPT_URI_QUERY, v: query[i] });
  return o;
}

/** An option's 4-bit field and its extension bytes at `i`: [value, next index], or undefined when malformed. */
function field(s: string, nib: number, i: number): number[] | undefined {
  if (nib < 13) return [nib, i];
  if (nib === 13) return i < s.length ? [s.charCodeAt(i) + 13, i + 1] : undefined;
  if (nib === 14) return i + 1 < s.length ? [((s.charCodeAt(i) << 8) | s.charCodeAt(i + 1)) + 269, i + 2] : undefined;
  return undefined;
}

/** A message, or undefined for anything RFC 7252 calls a format error (silently ignored, or rejected with RST by the caller). */
export function decode(s: string): CoapMessage | undefined {
  if (s.length < 4) return undefined;
  const b0 = s.charCodeAt(0);
  const tkl = b0 & 15;
  const code = s.charCodeAt(1);
  const cls = code >> 5;
  if (b0 >> 6 !== 1 || tkl > 8 || s.length < 4 + tkl || cls === 1 || cls > 5) return undefined;
  const m: CoapMessage = { type: (b0 >> 4) & 3, code: code, mid: (s.charCodeAt(2) << 8) | s.charCodeAt(3), token: s.substring(4, 4 + tkl), options: [], payload: "" };
  // An Empty message is exactly its 4-byte header.
  if (code === EMPTY) return s.length === 4 ? m : undefined;
  let i = 4 + tkl;
  let n = 0;
  while (i < s.length) {
    const b = s.charCodeAt(i++);
    if (b === 0xff) {
      // A marker with no payload after it is a format error.
      if (i === s.length) return undefined;
      m.payload = s.substring(i);
      break;
    }
    const d = field(s, b >> 4, i);
    if (!d) return undefined;
    const l = field(s, b & 15, d[1]);
    if (!l || l[1] + l[0] > s.length) return undefined;
    n += d[0];
    m.options.push({ n: n, v: s.substring(l[1], l[1] + l[0]) });
    i = l[1] + l[0];
  }
  return m;
}
