/** What a flash device reports about itself (ECMA-419 `status()` shape). */
export interface FlashStatus {
  /** Bytes addressable, from `base`. */
  size: number;
  /** Absolute address of the first byte (0 on the emulator, 0x10000000 on Espruino's Linux build). */
  base: number;
  /** Smallest erase block; STM32 sectors can be larger (see `block`). */
  blockLength: number;
  /** A write's address and length must be multiples of this. */
  writeAlign: number;
  /** What an erased byte reads as (0xFF on NOR; a few parts erase to 0x00). */
  eraseValue: number;
}

/** The erase block holding an address. */
export interface FlashBlock {
  start: number;
  length: number;
}

/**
 * Flash in the ECMA-419 shape, with byte addresses throughout: `eraseBlock`
 * takes a block-aligned [start, end) range, not block numbers, because STM32
 * sectors are not uniform. Every method throws on a refused operation.
 */
export interface Flash {
  status(): FlashStatus;
  block(address: number): FlashBlock;
  read(length: number, address: number): Uint8Array;
  /** NOR semantics: a write can only move bits away from the erase value. */
  write(bytes: Uint8Array, address: number): void;
  eraseBlock(start: number, end: number): void;
}
