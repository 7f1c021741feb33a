/** Random bytes with the frame's special bytes over-represented. */
export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  const special = [0xaa, 0xbb, 0xcc, 0x11, 0x13, 0x00, 0xff];
  for (let i = 0; i < n; i++) b[i] = rand() < 0.1 ? special[Math.floor(rand() * special.length)] : Math.floor(rand() * 256);
  return b;
}

/** One to three edits: flip a bit, drop, insert or duplicate bytes, truncate. */
export function mutate(rand: () => number, src: Uint8Array): Uint8Array {
  let b = Array.from(src);
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits && b.length; e++) {
    const at = Math.floor(rand() * b.length);
    const k = Math.floor(rand() * 5);
    if (k === 0) b[at] ^= 1 << Math.floor(rand() * 8);
    else if (k === 1) b.splice(at, 1 + Math.floor(rand() * 4));
    else if (k === 2) b.splice(at, 0, Math.floor(rand() * 256));
    else if (k === 3) b.splice(at, 0, ...b.slice(at, at + 1 + Math.floor(rand() * 16)));
    else b = b.slice(0, at);
  }
  return new Uint8Array(b);
}
