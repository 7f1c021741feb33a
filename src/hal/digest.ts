/** Checksums the core needs, computed by built-ins on the device. */
export interface Digest {
  /** Standard CRC-32 (zlib, `E.CRC32`). */
  crc32(data: Uint8Array): number;
  /** CRC-32 of a flash range, without copying it into RAM where the board allows. */
  crc32Flash(address: number, length: number): number;
  /** SHA-256 of a flash range (32 bytes), or undefined where the board cannot compute it. */
  sha256Flash(address: number, length: number): Uint8Array | undefined;
}
