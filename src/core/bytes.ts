/** Little-endian fields and NUL-padded text in byte arrays (header-sized, never image data). */

export function getU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

export function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255;
  b[o + 1] = (v >> 8) & 255;
}

export function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255;
  b[o + 1] = (v >> 8) & 255;
  b[o + 2] = (v >> 16) & 255;
  b[o + 3] = (v >>> 24) & 255;
}

/** Text of a NUL-padded field: up to the first NUL or the field's end. */
export function getText(b: Uint8Array, o: number, size: number): string {
  let s = "";
  for (let i = o; i < o + size && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Writes ASCII text NUL-padded; false if it does not fit. */
export function setText(b: Uint8Array, o: number, size: number, text: string): boolean {
  if (text.length > size) return false;
  for (let i = 0; i < size; i++) b[o + i] = i < text.length ? text.charCodeAt(i) & 255 : 0;
  return true;
}

/** True when every byte of a short record equals `v`. */
export function isFilled(b: Uint8Array, v: number): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== v) return false;
  return true;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
