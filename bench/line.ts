import type { Link } from "../src/hal/link.js";

export interface LineStats {
  /** Per write of the host: its length, and the time from its last byte entering the pty to the first byte back (ms). */
  replies: { bytes: number; ms: number }[];
}

/**
 * A pty moves bytes as fast as the processes do: it has no line rate. This
 * wrapper gives the host's end one: 10 bits a byte (8N1) at `baud`, both
 * ways. What the host writes leaves in `slice`-byte pieces, each released
 * when its last bit would have arrived; what it receives is handed on once
 * it would have finished arriving. So bytes/s over it compare with the line.
 * `baud` 0: no pacing. Either way it times each frame's answer.
 */
export function lineLink(inner: Link, baud: number, slice = 32): Link & { stats: LineStats } {
  let rate = baud;
  let txFree = 0;
  let rxFree = 0;
  let sentAt = -1;
  const stats: LineStats = { replies: [] };
  let sentBytes = 0;
  const ms = (n: number) => (rate ? (n * 10 * 1000) / rate : 0);
  const release = (p: Uint8Array, last: number) => {
    inner.write(p);
    if (last) [sentAt, sentBytes] = [performance.now(), last];
  };
  return {
    stats: stats,
    write: (bytes) => {
      if (!rate) return release(bytes, bytes.length);
      for (let i = 0; i < bytes.length; i += slice) {
        const p = bytes.slice(i, Math.min(bytes.length, i + slice));
        const now = performance.now();
        txFree = Math.max(now, txFree) + ms(p.length);
        const last = i + slice >= bytes.length ? bytes.length : 0;
        setTimeout(() => release(p, last), txFree - now);
      }
    },
    onData: (h) =>
      inner.onData((d) => {
        const now = performance.now();
        if (sentAt >= 0) stats.replies.push({ bytes: sentBytes, ms: now - sentAt });
        sentAt = -1;
        if (!rate) return h(d);
        rxFree = Math.max(now, rxFree) + ms(d.length);
        setTimeout(() => h(d), rxFree - now);
      }),
    setBaud: (b) => {
      if (rate) rate = b;
      inner.setBaud(b);
    },
  };
}
