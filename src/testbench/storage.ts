import type { Flash, FlashBlock } from "../hal/flash.js";

/*
 * Espruino's Storage (src/jsflash.c, firmware 2v29) on top of a `Flash`, so a
 * power-cut sweep can see what Storage itself does to the pages it owns.
 *
 * Written from the documented behaviour of jsflash.c, not copied from it:
 * every method names the C function it follows and the line it starts at
 * ("jsflash.c:NNN" is src/jsflash.c of Espruino at tag 2v29). The
 * C code's control flow is kept step for step (including its quirks), because
 * what matters for a sweep is which flash operations happen in which order.
 *
 * State lives only in flash (like Espruino without ESPR_USE_STORAGE_CACHE), so
 * after a PowerCut the same object, or a new one, sees what a rebooted board
 * would see.
 *
 * Not modelled: JSF_BANK2 / drive letters ("C:foo"), the filename table
 * (ESPR_STORAGE_FILENAME_TABLE, JSFF_FILENAME_TABLE), the RAM file cache,
 * jsvUpdateMemoryAddress, StorageFile chunk naming, the "not enough RAM for a
 * swap buffer" refusal, Bangle.js' battery check and recovery menu,
 * ESPR_STORAGE_INITIAL_CONTENTS. See docs/storage.md.
 */

/** sizeof(JsfFileHeader): u32 size (low 24 bits) + flags (top 8 bits), then a 28-byte NUL-padded name. */
export const HEADER_SIZE = 32;
/** sizeof(JsfFileName) */
export const NAME_SIZE = 28;
/** JsfFileFlags (jsflash.h:46-53), stored in the top 8 bits of the header's size word. */
export const JSFF = { NONE: 0, FILENAME_TABLE: 32, STORAGEFILE: 64, COMPRESSED: 128 } as const;

const WORD_UNSET = 0xffffffff; // JSF_WORD_UNSET (jsutils.h:128-136)
// jsfGetNextFileHeaderType (jsflash.c:348)
const GNFH_GET_EMPTY = 0;
const GNFH_GET_ALL = 1;
const GNFH_READ_ONLY_FILENAME_START = 2;

export interface StorageOptions {
  flash: Flash;
  /** FLASH_SAVED_CODE_START: first byte of Storage; must be an erase-page start and not 0 (Espruino's "no address"). */
  start: number;
  /** FLASH_SAVED_CODE_LENGTH: must end on an erase-page boundary. */
  size: number;
  /** JSF_ALIGNMENT (jsutils.h:128): 8 with FLASH_64BITS_ALIGNMENT (STM32L4), else 4. */
  align: 4 | 8;
}

export interface StorageStats {
  /** Bytes (header + aligned data) of live files. */
  fileBytes: number;
  fileCount: number;
  /** Bytes (header + aligned data) of erased/replaced files. */
  trashBytes: number;
  trashCount: number;
  /** Bytes after the last file to the end of Storage (holes before page starts are not counted). */
  free: number;
  /**
   * Where compaction would start: the last page start with a header exactly on it before the
   * first trash file (or the Storage start). Espruino reports 0 when there is no trash; this is
   * undefined then.
   */
  firstPageWithErasedFiles: number | undefined;
}

/** One header as found by walking Storage (GNFH_GET_ALL), for tests and debugging. */
export interface StorageEntry {
  /** Header address. */
  header: number;
  /** Data address (header + 32). */
  address: number;
  size: number;
  flags: number;
  /** Name up to its first NUL; "" for trash with a short name. */
  name: string;
  /** name.firstChars == 0: replaced or erased. */
  trash: boolean;
}

/** A JsfFileHeader buffer. Partial reads (8 bytes) leave the rest as it was, as in C. */
class Header {
  readonly b = new Uint8Array(HEADER_SIZE);
  private readonly v = new DataView(this.b.buffer);
  get size(): number {
    return this.v.getUint32(0, true);
  }
  set size(x: number) {
    this.v.setUint32(0, x >>> 0, true);
  }
  get firstChars(): number {
    return this.v.getUint32(4, true);
  }
  /** jsfGetFileSize (jsflash.c:182) */
  get fileSize(): number {
    return this.size & 0x00ffffff;
  }
  /** jsfGetFileFlags (jsflash.c:187) */
  get flags(): number {
    return this.size >>> 24;
  }
  name(): Uint8Array {
    return this.b.subarray(4, 4 + NAME_SIZE);
  }
  copyFrom(h: Header): void {
    this.b.set(h.b);
  }
}

/** jsfNameFromString (jsflash.c:148): one byte per char (Latin-1), truncated to 28 bytes, NUL padded. */
export function encodeName(name: string): Uint8Array {
  const n = new Uint8Array(NAME_SIZE);
  for (let i = 0; i < name.length && i < NAME_SIZE; i++) n[i] = name.charCodeAt(i) & 0xff;
  return n;
}

/** jsfVarFromName (jsflash.c:169): the name up to its first NUL. */
function decodeName(n: Uint8Array): string {
  let s = "";
  for (let i = 0; i < n.length && n[i] !== 0; i++) s += String.fromCharCode(n[i]);
  return s;
}

const toBytes = (d: Uint8Array | string): Uint8Array => (typeof d === "string" ? encodeLatin1(d) : d);
function encodeLatin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** jsfIsNameEqual (jsflash.c:177): all 28 bytes compared. */
function nameEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < NAME_SIZE; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An address cursor, for C's `uint32_t *addr` out-parameters (0 = none). */
interface Cursor {
  addr: number;
}

export class StorageEmu {
  readonly flash: Flash;
  /** JSF_START_ADDRESS */
  readonly start: number;
  /** JSF_END_ADDRESS */
  readonly end: number;
  /** JSF_ALIGNMENT */
  readonly align: 4 | 8;
  private readonly base_: number;
  private readonly flashEnd_: number;
  private readonly writeAlign_: number;

  constructor(o: StorageOptions) {
    this.flash = o.flash;
    this.start = o.start;
    this.end = o.start + o.size;
    this.align = o.align;
    if (o.align !== 4 && o.align !== 8) throw new Error("align must be 4 or 8 (JSF_ALIGNMENT)");
    const st = o.flash.status();
    this.base_ = st.base;
    this.flashEnd_ = st.base + st.size;
    this.writeAlign_ = st.writeAlign;
    // jsfIsErased (jsflash.c:223) and JSF_WORD_UNSET compare with 0xFF: Storage assumes NOR that erases to 0xFF.
    if (st.eraseValue !== 0xff) throw new Error("Espruino Storage assumes flash erases to 0xFF");
    if (o.align % st.writeAlign) throw new Error("JSF_ALIGNMENT must be a multiple of the flash write alignment");
    if (!o.start) throw new Error("Storage cannot start at address 0 (jsflash.c uses 0 as 'no address')");
    if (!(o.size > 0) || o.start < this.base_ || this.end > this.flashEnd_) throw new Error("Storage area outside flash");
    if (o.flash.block(o.start).start !== o.start) throw new Error("Storage must start on an erase page");
    const last = o.flash.block(this.end - 1);
    if (last.start + last.length !== this.end) throw new Error("Storage must end on an erase page boundary");
    if (o.start % o.align || o.size % o.align) throw new Error("Storage must be aligned to JSF_ALIGNMENT");
  }

  // ---------------------------------------------------------------- public API (Storage.*)

  /**
   * Storage.write(name, data, offset, size) = jsfWriteFile(name, data, JSFF_NONE, offset, size)
   * (jswrap_storage.c:254, jsflash.c:1080). Throws Espruino's message where it raises an exception.
   */
  write(name: string, data: Uint8Array | string, offset = 0, size = 0): boolean {
    return this.writeFile(name, data, JSFF.NONE, offset, size);
  }

  /** jsfWriteFile with explicit flags (jsflash.c:1080). */
  writeFile(name: string, data: Uint8Array | string, flags: number, offset = 0, size = 0): boolean {
    if (offset < 0 || size < 0) return false; // jsflash.c:1081
    const n = encodeName(name);
    const d = toBytes(data);
    const dLen = d.length;
    if (size === 0) size = dLen; // jsflash.c:1089
    if (!size) throw new Error("Can't create zero length file"); // jsflash.c:1091
    const header = new Header();
    let addr = this.findFile_(n, header); // jsflash.c:1096
    if (
      (!addr && offset === 0) || // no file
      (addr && offset === 0 && (flags !== header.flags || size !== header.fileSize || !this.isErased_(addr, size))) // wrong file
    ) {
      // jsflash.c:1113: "files equal" - same size and flags, all data given at once, bytes already there
      if (addr && offset === 0 && size === header.fileSize && flags === header.flags && dLen === size && this.isEqual_(addr, d)) {
        return true;
      }
      if (addr) this.eraseFileInternal_(addr); // jsflash.c:1123: file exists, remove it
      addr = this.createFile_(n, size, flags, header); // jsflash.c:1126
    }
    if (!addr) throw new Error("Unable to find or create file"); // jsflash.c:1128
    if (offset + dLen > header.fileSize) throw new Error("Too much data for file size"); // jsflash.c:1132
    addr += offset;
    if (!this.isErased_(addr, dLen)) throw new Error("File already written with different data"); // jsflash.c:1137
    this.writeAligned_(d, addr); // jsflash.c:1142
    return true;
  }

  /** jsfFindFile (jsflash.c:852): the data address and size, or undefined. */
  read(name: string): { address: number; length: number; flags: number } | undefined {
    const h = new Header();
    const a = this.findFile_(encodeName(name), h);
    return a ? { address: a, length: h.fileSize, flags: h.flags } : undefined;
  }

  /** jsfReadFile (jsflash.c:1043) with offset 0 and the whole length. */
  readBytes(name: string): Uint8Array | undefined {
    const f = this.read(name);
    return f ? this.flash.read(f.length, f.address) : undefined;
  }

  /** Storage.erase = jsfEraseFile (jsflash.c:309): zero the name's first 4 bytes. False if there was no such file. */
  erase(name: string): boolean {
    const h = new Header();
    const a = this.findFile_(encodeName(name), h);
    if (!a) return false;
    this.eraseFileInternal_(a);
    return true;
  }

  /**
   * Storage.list() = jsfListFiles(undefined, 0, 0) (jsflash.c:1182, 1147): every real file
   * (jsfIsRealFile), walking with GNFH_GET_ALL. A StorageFile chunk is listed only when its
   * name ends in \x01 (its first chunk), and with that \x01.
   */
  list(): string[] {
    const out: string[] = [];
    const h = new Header();
    const c = { addr: this.start };
    if (!this.getFileHeader_(c.addr, h, true)) return out;
    do {
      if (isRealFile(h)) {
        const nm = h.name();
        if (h.flags & JSFF.STORAGEFILE) {
          let i = 0;
          while (i + 1 < NAME_SIZE && nm[i + 1]) i++;
          if (nm[i] !== 1) continue;
        }
        out.push(decodeName(nm));
      }
    } while (this.getNextFileHeader_(c, h, GNFH_GET_ALL));
    return out;
  }

  /** Every header a GNFH_GET_ALL walk finds (live and trash), like jsfDebugFiles (jsflash.c:913). */
  entries(): StorageEntry[] {
    const out: StorageEntry[] = [];
    const h = new Header();
    const c = { addr: this.start };
    if (!this.getFileHeader_(c.addr, h, true)) return out;
    do {
      out.push({
        header: c.addr,
        address: c.addr + HEADER_SIZE,
        size: h.fileSize,
        flags: h.flags,
        name: decodeName(h.name()),
        trash: h.firstChars === 0,
      });
    } while (this.getNextFileHeader_(c, h, GNFH_GET_ALL));
    return out;
  }

  /** Storage.eraseAll = jsfEraseAll (jsflash.c:267): every page, one erase each (jshardware_common.c:142). */
  eraseAll(): void {
    this.erasePages_(this.start, this.end - this.start);
  }

  /**
   * Storage.compact = jsfCompact -> jsfBankCompact (jsflash.c:634, 572) -> jsfCompactInternal
   * (jsflash.c:488): false when there is no trash (or the swap buffer overflowed).
   * NOT power-safe: pages are erased while their live bytes are only in the RAM swap buffer.
   */
  compact(): boolean {
    const page = this.getPage_(this.start);
    if (!page) return false;
    const maxRequired = page.length + HEADER_SIZE; // jsflash.c:578
    const stats = this.getStorageStats_(this.start, true);
    if (!stats.trashBytes) return false; // "Already fully compacted"
    let swapSize = stats.fileBytes;
    if (swapSize > maxRequired) swapSize = maxRequired; // jsflash.c:597-599
    // jsflash.c:601-614: alloca or a flat string; running out of RAM is not modelled.
    return this.compactInternal_(stats.firstPageWithErasedFiles, new Uint8Array(swapSize));
  }

  /**
   * jsfIsStorageValid(JSFSTT_NORMAL) (jsflash.c:1011, 957); `all` = JSFSTT_ALL, which also
   * checks that everything after the last header is erased.
   */
  isValid(all = false): boolean {
    return this.isBankStorageValid_(this.start, all);
  }

  /**
   * First boot (JSIS_FIRST_BOOT) in jsiSemiInit (jsinteractive.c:859-877): if the Storage check
   * fails, "Storage is corrupt." and jsfResetStorage (jsflash.c:1493) = jsfEraseAll.
   * (Bangle.js shows a recovery menu instead; SAVE_ON_FLASH builds skip the check.)
   */
  powerOn(): "ok" | "reset" {
    if (this.isValid()) return "ok";
    this.eraseAll();
    return "reset";
  }

  /** jsfGetStorageStats(JSF_START_ADDRESS, true) (jsflash.c:398). */
  stats(): StorageStats {
    const s = this.getStorageStats_(this.start, true);
    return {
      fileBytes: s.fileBytes,
      fileCount: s.fileCount,
      trashBytes: s.trashBytes,
      trashCount: s.trashCount,
      free: s.free,
      firstPageWithErasedFiles: s.firstPageWithErasedFiles || undefined,
    };
  }

  /** The data address a new file of `size` bytes would get now, without compacting (jsfCreateFile's hole search), or 0. */
  wouldCreateAt(size: number): number {
    return this.findHole_(jsfAlign(size, this.align) + HEADER_SIZE).freeAddr;
  }

  // ---------------------------------------------------------------- flash access

  /** jshFlashGetPage: the erase page holding addr, or undefined outside the flash. */
  private getPage_(addr: number): FlashBlock | undefined {
    if (!(addr >= this.base_ && addr < this.flashEnd_)) return undefined;
    return this.flash.block(addr);
  }

  /**
   * One jshFlashWrite. The flash may need a coarser unit than the bytes given (a 4-byte name
   * erase on 8-byte flash); the piece is padded with 0xFF, which programs nothing on NOR, where
   * Espruino re-writes the bytes it read back (jshardware_common.c:56). A strict NorFlash refuses
   * padding over programmed bytes: that is the "program a word twice" hazard of ECC flash.
   */
  private program_(bytes: Uint8Array, addr: number): void {
    const w = this.writeAlign_;
    const s = addr - ((addr - this.base_) % w);
    let e = addr + bytes.length;
    e += (w - ((e - this.base_) % w)) % w;
    if (s === addr && e === addr + bytes.length) {
      this.flash.write(bytes, addr);
      return;
    }
    const buf = new Uint8Array(e - s).fill(0xff);
    buf.set(bytes, addr - s);
    this.flash.write(buf, s);
  }

  /**
   * jshFlashWriteAligned (jshardware_common.c:56): an unaligned head (up to the next
   * JSF_ALIGNMENT boundary), the aligned middle, an unaligned tail: up to three writes.
   */
  private writeAligned_(d: Uint8Array, addr: number): void {
    const A = this.align;
    let p = 0;
    let len = d.length;
    const off = addr % A;
    if (off) {
      let rem = A - off;
      if (rem > len) rem = len;
      this.program_(d.subarray(0, rem), addr);
      p = rem;
      addr += rem;
      if (rem >= len) return;
      len -= rem;
    }
    const tail = len % A;
    const mid = len - tail;
    if (mid) this.program_(d.subarray(p, p + mid), addr);
    addr += mid;
    p += mid;
    if (tail) this.program_(d.subarray(p, p + tail), addr);
  }

  /** jshFlashErasePages (jshardware_common.c:142): page by page from the page holding addr while below addr+len. */
  private erasePages_(addr: number, len: number): void {
    const endAddr = addr + len;
    let p = this.getPage_(addr);
    while (p && p.start < endAddr) {
      this.flash.eraseBlock(p.start, p.start + p.length);
      p = this.getPage_(p.start + p.length);
    }
  }

  /** jshFlashErasePage */
  private erasePage_(addr: number): void {
    const p = this.getPage_(addr);
    if (p) this.flash.eraseBlock(p.start, p.start + p.length);
  }

  // ---------------------------------------------------------------- jsflash.c, step by step

  /** jsfGetFileHeader (jsflash.c:213): valid when size != 0xFFFFFFFF, != 0 and the file ends inside Storage. */
  private getFileHeader_(addr: number, h: Header, full: boolean): boolean {
    if (!addr) return false;
    h.b.set(this.flash.read(full ? HEADER_SIZE : 8, addr)); // 8 = size + name.firstChars
    const endAddress = addr + HEADER_SIZE + h.fileSize;
    // With JSF_ALIGNMENT 8, JSF_WORD_UNSET is a 64-bit constant (jsutils.h:131), so the u32 size never
    // equals it: an erased header is then rejected only by the end check (size 0xFFFFFF runs past
    // the end of any Storage under 16 MB).
    const unset = this.align === 4 && h.size === WORD_UNSET;
    return !unset && h.size !== 0 && endAddress <= this.end; // jsfGetBankEndAddress: single bank
  }

  /** jsfIsErased (jsflash.c:223): every byte 0xFF. */
  private isErased_(addr: number, len: number): boolean {
    if (!len) return true;
    const b = this.flash.read(len, addr);
    for (let i = 0; i < b.length; i++) if (b[i] !== 0xff) return false;
    return true;
  }

  /** jsfIsEqual (jsflash.c:251) */
  private isEqual_(addr: number, d: Uint8Array): boolean {
    if (!d.length) return true;
    const b = this.flash.read(d.length, addr);
    for (let i = 0; i < b.length; i++) if (b[i] !== d[i]) return false;
    return true;
  }

  /** jsfEraseFileInternal (jsflash.c:283): write 0 over name.firstChars (4 bytes at header+4). addr = data address. */
  private eraseFileInternal_(addr: number): void {
    this.program_(new Uint8Array(4), addr - HEADER_SIZE + 4);
  }

  /** jsfGetAddressOfNextPage (jsflash.c:319): the next page start, or 0 past the end of Storage. */
  private nextPage_(addr: number): number {
    const p = this.getPage_(addr);
    if (!p) return 0;
    const a = p.start + p.length;
    return a >= this.end ? 0 : a;
  }

  /**
   * jsfGetSpaceLeftInPage (jsflash.c:333): bytes from addr to the next page start, or to the end
   * of Storage when the next page does not start with a valid header ("empty next page means
   * free to the end").
   */
  private spaceLeftInPage_(addr: number): number {
    const p = this.getPage_(addr);
    if (!p) return 0;
    let next = p.start + p.length;
    if (next < this.end && !this.getFileHeader_(next, new Header(), false)) next = this.end;
    return (next - addr) >>> 0;
  }

  /**
   * jsfGetNextFileHeader (jsflash.c:358): next = align(addr + 32 + size). GNFH_GET_EMPTY stops at
   * an invalid header (leaving addr on it); GNFH_GET_ALL then tries the start of the next page once.
   * addr becomes 0 when there is no room for another header or no next page.
   */
  private getNextFileHeader_(c: Cursor, h: Header, type: number): boolean {
    const oldAddr = c.addr;
    c.addr = 0;
    let newAddr = jsfAlign((oldAddr + h.fileSize + HEADER_SIZE) >>> 0, this.align);
    if (newAddr < oldAddr) return false; // corrupt
    if (newAddr + HEADER_SIZE > this.end) return false; // not enough space
    c.addr = newAddr;
    const full = !(type & GNFH_READ_ONLY_FILENAME_START);
    let valid = this.getFileHeader_(newAddr, h, full);
    if (type & GNFH_GET_ALL && !valid) {
      newAddr = this.nextPage_(newAddr);
      c.addr = newAddr;
      if (!newAddr) return false;
      valid = this.getFileHeader_(newAddr, h, full);
    }
    return valid;
  }

  /** jsfGetStorageStats (jsflash.c:398), with firstPageWithErasedFiles = 0 when there is no trash. */
  private getStorageStats_(addr: number, allPages: boolean) {
    const startAddr = addr;
    const s = { fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0, total: 0, free: 0, firstPageWithErasedFiles: 0 };
    const h = new Header();
    let lastAddr = addr;
    let lastUnbrokenPageStart = addr; // last page with no file straddling its start
    const c = { addr };
    if (this.getFileHeader_(c.addr, h, false)) {
      do {
        const p = this.getPage_(c.addr);
        if (p && p.start === c.addr) lastUnbrokenPageStart = p.start;
        const fileSize = jsfAlign(h.fileSize, this.align) + HEADER_SIZE;
        lastAddr = c.addr + fileSize;
        if (h.firstChars !== 0) {
          s.fileBytes += fileSize;
          s.fileCount++;
        } else {
          s.trashBytes += fileSize;
          s.trashCount++;
          if (!s.firstPageWithErasedFiles) s.firstPageWithErasedFiles = lastUnbrokenPageStart;
        }
      } while (this.getNextFileHeader_(c, h, (allPages ? GNFH_GET_ALL : GNFH_GET_EMPTY) | GNFH_READ_ONLY_FILENAME_START));
    }
    const pageEndAddr = allPages ? this.end : this.nextPage_(startAddr);
    s.total = pageEndAddr - startAddr;
    s.free = pageEndAddr - lastAddr;
    return s;
  }

  /** jsfBankFindFile (jsflash.c:789): first 4 name bytes, then the whole name, walking with GNFH_GET_ALL. */
  private findFile_(name: Uint8Array, returned: Header): number {
    const h = new Header();
    const c = { addr: this.start };
    if (!this.getFileHeader_(c.addr, h, false)) return 0;
    const first = new DataView(name.buffer, name.byteOffset, 4).getUint32(0, true);
    do {
      if (h.firstChars === first) {
        if (this.getFileHeader_(c.addr, h, true) && nameEqual(h.name(), name)) {
          returned.copyFrom(h);
          return c.addr + HEADER_SIZE;
        }
      }
    } while (this.getNextFileHeader_(c, h, GNFH_GET_ALL | GNFH_READ_ONLY_FILENAME_START));
    return 0;
  }

  /** The hole search of _jsfCreateFile (jsflash.c:723-742). */
  private findHole_(requiredSize: number): { freeAddr: number; freeSpace: number; trashSpace: number } {
    const h = new Header();
    const c = { addr: this.start };
    let freeSpace = 0;
    let trashSpace = 0;
    let freeAddr = 0;
    do {
      if (this.getFileHeader_(c.addr, h, false)) {
        do {
          if (h.firstChars === 0) trashSpace += h.fileSize; // (unaligned, no header: as in C)
        } while (this.getNextFileHeader_(c, h, GNFH_GET_EMPTY));
      }
      // c.addr is now the first invalid header after a chain (or 0 when Storage is full to its
      // last 32 bytes: then, as in C, jsfGetSpaceLeftInPage(0) looks at the flash page holding 0).
      const spaceInPage = this.spaceLeftInPage_(c.addr);
      freeSpace += spaceInPage;
      if (spaceInPage < requiredSize) c.addr = this.nextPage_(c.addr);
      else freeAddr = c.addr;
    } while (c.addr && !freeAddr);
    return { freeAddr, freeSpace, trashSpace };
  }

  /**
   * _jsfCreateFile (jsflash.c:707): find a hole (a chain's end with enough room before the next
   * page, or to the end of Storage if the next page is empty); if none, compact once when
   * free + trash would fit, and retry. Writes the 32-byte header; returns the data address or 0.
   */
  private createFile_(name: Uint8Array, size: number, flags: number, returned: Header): number {
    const requiredSize = jsfAlign(size, this.align) + HEADER_SIZE;
    let compacted = false;
    let freeAddr = 0;
    while (!freeAddr) {
      const r = this.findHole_(requiredSize);
      freeAddr = r.freeAddr;
      if (!freeAddr) {
        if (!compacted && requiredSize < r.freeSpace + r.trashSpace) {
          compacted = true;
          if (!this.compact()) return 0; // "CreateFile - Compact failed"
        } else {
          return 0; // "CreateFile - Not enough space"
        }
      }
    }
    // jsflash.c:768: files are no longer pushed to page boundaries (espruino#2232)
    const h = new Header();
    h.size = ((size | (flags << 24)) >>> 0);
    h.b.set(name, 4);
    this.program_(h.b, freeAddr); // jshFlashWrite of the header (jsflash.c:777)
    returned.copyFrom(h);
    return freeAddr + HEADER_SIZE;
  }

  /** jsfCompactWriteBuffer (jsflash.c:447): flush the swap buffer page by page, erasing each page as it is first written. */
  private compactWriteBuffer_(w: Cursor, readAddress: number, sw: Swap): void {
    const endAddr = this.end;
    let nextFlashPage = this.nextPage_(w.addr) || endAddr;
    while (sw.used) {
      let s = sw.used;
      if (s + sw.tail > sw.buf.length) s = sw.buf.length - sw.tail; // circular: don't read past the end
      if (s + w.addr > nextFlashPage) s = nextFlashPage - w.addr; // don't write into a new page
      if (readAddress < nextFlashPage) return; // still reading from the page we would erase
      const p = this.getPage_(w.addr);
      if (p && p.start === w.addr) this.erasePage_(w.addr); // on a new page: erase it
      this.program_(sw.buf.slice(sw.tail, sw.tail + s), w.addr);
      w.addr += s;
      nextFlashPage = this.nextPage_(w.addr) || endAddr;
      sw.tail = (sw.tail + s) % sw.buf.length;
      sw.used -= s;
    }
  }

  /** jsfCompactInternal (jsflash.c:488) */
  private compactInternal_(startAddress: number, buf: Uint8Array): boolean {
    const size = buf.length;
    const sw: Swap = { buf, head: 0, tail: 0, used: 0 };
    const w = { addr: startAddress };
    const h = new Header();
    const c = { addr: startAddress };
    if (this.getFileHeader_(c.addr, h, true)) {
      do {
        if (isRealFile(h)) {
          // copy the header into the circular buffer (memcpy_circular, jsflash.c:440: no space check)
          for (let i = 0; i < HEADER_SIZE; i++) {
            buf[sw.head] = h.b[i];
            sw.head = (sw.head + 1) % size;
          }
          sw.used += HEADER_SIZE;
          let alignedSize = jsfAlign(h.fileSize, this.align);
          let alignedPtr = c.addr + HEADER_SIZE;
          this.compactWriteBuffer_(w, alignedPtr, sw);
          while (alignedSize) {
            let s = (size - sw.used) >>> 0; // uint32: wraps if a header overfilled the buffer
            if (s > size - sw.head) s = size - sw.head;
            if (sw.tail > sw.head && s > sw.tail - sw.head) s = sw.tail - sw.head;
            if (s === 0) return false; // "compact> error - no space left!" (after having written some)
            if (s > alignedSize) s = alignedSize;
            buf.set(this.flash.read(s, alignedPtr), sw.head);
            alignedSize -= s;
            alignedPtr += s;
            sw.used += s;
            sw.head = (sw.head + s) % size;
            this.compactWriteBuffer_(w, alignedPtr, sw);
          }
        }
      } while (this.getNextFileHeader_(c, h, GNFH_GET_ALL));
    }
    // write what is left, then erase the pages after the compacted data up to where the walk ended
    this.compactWriteBuffer_(w, this.end, sw);
    let writeAddress = w.addr;
    if (writeAddress !== startAddress) writeAddress = this.nextPage_(writeAddress - 1);
    if (writeAddress) {
      let addr = c.addr;
      if (!addr) addr = this.end; // the walk ran to the end of Storage
      this.erasePages_(writeAddress, (addr - writeAddress) >>> 0);
    }
    return true;
  }

  /** jsfIsBankStorageValid (jsflash.c:957) */
  private isBankStorageValid_(startAddr: number, all: boolean): boolean {
    const c = { addr: startAddr };
    const endAddr = this.end;
    let oldAddr = c.addr;
    const h = new Header();
    const valid = this.getFileHeader_(c.addr, h, true);
    if (valid) {
      while (this.getNextFileHeader_(c, h, GNFH_GET_ALL)) oldAddr = c.addr;
      if (!c.addr) {
        // may have returned 0 just because Storage is full: h is whatever was read last
        const newAddr = jsfAlign((oldAddr + h.fileSize + HEADER_SIZE) >>> 0, this.align);
        if (newAddr < oldAddr) return false;
        if (newAddr <= endAddr && newAddr + HEADER_SIZE > endAddr) return true;
      }
    }
    let allFF = true;
    for (let i = 0; i < HEADER_SIZE; i++) if (h.b[i] !== 0xff) allFF = false;
    // NORMAL scans the rest only when Storage has no file at all; ALL always does
    if (allFF && ((c.addr && all) || (c.addr === startAddr && !all))) return this.isErased_(c.addr, endAddr - c.addr);
    return allFF;
  }
}

interface Swap {
  buf: Uint8Array;
  head: number;
  tail: number;
  used: number;
}

/** jsfAlignAddress (jsflash.c:144), in uint32 arithmetic. */
function jsfAlign(a: number, align: number): number {
  return ((a + align - 1) & ~(align - 1)) >>> 0;
}

/** jsfIsRealFile (jsflash.c:194): not replaced, and flags none/StorageFile/compressed (others are dropped by compaction). */
function isRealFile(h: Header): boolean {
  const f = h.flags;
  return h.firstChars !== 0 && (f === JSFF.NONE || f === JSFF.STORAGEFILE || f === JSFF.COMPRESSED);
}
