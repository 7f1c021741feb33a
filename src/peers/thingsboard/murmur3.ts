/*
 * MurmurHash3 (Austin Appleby's reference, seed 0 by default) for
 * ThingsBoard's MURMUR3_32 (x86_32) and MURMUR3_128 (x64_128, as Guava's
 * Hashing.murmur3_128 that the server uses). Host only: it is a per-byte JS
 * loop, which device code must not run over a whole image.
 */

export function murmur3_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51, c2 = 0x1b873593;
  let h = seed >>> 0;
  const n = data.length & ~3;
  const mixK = (k: number) => Math.imul(rotl32(Math.imul(k, c1), 15), c2);
  for (let i = 0; i < n; i += 4) {
    const k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    h = rotl32(h ^ mixK(k), 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (data.length & 3) {
    case 3: k ^= data[n + 2] << 16; // falls through
    case 2: k ^= data[n + 1] << 8; // falls through
    case 1: k ^= data[n]; h ^= mixK(k);
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

const M64 = (1n << 64n) - 1n;
const rotl64 = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M64;
const mul = (a: bigint, b: bigint) => (a * b) & M64;
const add = (a: bigint, b: bigint) => (a + b) & M64;

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
}

/** 16 bytes: h1 then h2, each little-endian (Guava's HashCode byte order, which ThingsBoard prints as hex). */
export function murmur3_128(data: Uint8Array, seed = 0): Uint8Array {
  const c1 = 0x87c37b91114253d5n, c2 = 0x4cf5ad432745937fn;
  let h1 = BigInt(seed >>> 0), h2 = h1;
  const len = data.length;
  const view = new DataView(data.buffer, data.byteOffset, len);
  const n = len - (len % 16);
  const k1mix = (k: bigint) => mul(rotl64(mul(k, c1), 31n), c2);
  const k2mix = (k: bigint) => mul(rotl64(mul(k, c2), 33n), c1);
  for (let i = 0; i < n; i += 16) {
    h1 ^= k1mix(view.getBigUint64(i, true));
    h1 = add(mul(add(rotl64(h1, 27n), h2), 5n), 0x52dce729n);
    h2 ^= k2mix(view.getBigUint64(i + 8, true));
    h2 = add(mul(add(rotl64(h2, 31n), h1), 5n), 0x38495ab5n);
  }
  let k1 = 0n, k2 = 0n;
  for (let i = len - 1; i >= n + 8; i--) k2 = (k2 << 8n) | BigInt(data[i]);
  for (let i = Math.min(len, n + 8) - 1; i >= n; i--) k1 = (k1 << 8n) | BigInt(data[i]);
  if (len - n > 8) h2 ^= k2mix(k2);
  if (len - n > 0) h1 ^= k1mix(k1);
  h1 ^= BigInt(len);
  h2 ^= BigInt(len);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  const out = new Uint8Array(16);
  const ov = new DataView(out.buffer);
  ov.setBigUint64(0, h1, true);
  ov.setBigUint64(8, h2, true);
  return out;
}
