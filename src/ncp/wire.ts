/**
 * Reading and writing RPC arguments: UInt8/16/32 little-endian, String =
 * bytes + NUL, Binary = u16 length + bytes. A read past the end clears `ok`;
 * `done()` also demands that nothing is left over (args must parse exactly).
 */
export class Reader {
  b: Uint8Array = new Uint8Array(0);
  p = 0;
  end = 0;
  ok = true;

  reset(b: Uint8Array, start: number, end: number): Reader {
    this.b = b;
    this.p = start;
    this.end = end;
    this.ok = true;
    return this;
  }

  private take_(n: number): number {
    const p = this.p;
    if (p + n > this.end) {
      this.ok = false;
      this.p = this.end;
      return -1;
    }
    this.p = p + n;
    return p;
  }

  // u8/u16/u32 take their bytes themselves: a call costs the interpreter more than the check.
  u8(): number {
    const p = this.p;
    if (p + 1 > this.end) return this.short_();
    this.p = p + 1;
    return this.b[p];
  }

  u16(): number {
    const p = this.p;
    if (p + 2 > this.end) return this.short_();
    this.p = p + 2;
    const b = this.b;
    return b[p] | (b[p + 1] << 8);
  }

  u32(): number {
    const p = this.p;
    if (p + 4 > this.end) return this.short_();
    this.p = p + 4;
    const b = this.b;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  private short_(): number {
    this.ok = false;
    this.p = this.end;
    return 0;
  }

  /** A NUL-terminated string; latin1, as the protocol's strings are ASCII. */
  str(): string {
    const z = this.b.indexOf(0, this.p);
    if (z < 0 || z >= this.end) {
      this.ok = false;
      this.p = this.end;
      return "";
    }
    let s = "";
    for (let i = this.p; i < z; i++) s += String.fromCharCode(this.b[i]);
    this.p = z + 1;
    return s;
  }

  /** A view into the frame buffer: valid only until the next frame arrives. */
  bin(): Uint8Array {
    const n = this.u16();
    const p = this.take_(n);
    return p < 0 ? new Uint8Array(0) : this.b.subarray(p, p + n);
  }

  done(): boolean {
    return this.ok && this.p === this.end;
  }
}

export class Writer {
  readonly b: Uint8Array;
  p = 0;
  ok = true;

  constructor(size: number) {
    this.b = new Uint8Array(size);
  }

  reset(): Writer {
    this.p = 0;
    this.ok = true;
    return this;
  }

  private room_(n: number): boolean {
    if (this.p + n > this.b.length) this.ok = false;
    return this.ok;
  }

  u8(v: number): Writer {
    if (this.room_(1)) this.b[this.p++] = v & 255;
    return this;
  }

  u16(v: number): Writer {
    if (this.room_(2)) {
      this.b[this.p++] = v & 255;
      this.b[this.p++] = (v >> 8) & 255;
    }
    return this;
  }

  u32(v: number): Writer {
    if (this.room_(4)) {
      const b = this.b;
      const p = this.p;
      b[p] = v & 255;
      b[p + 1] = (v >> 8) & 255;
      b[p + 2] = (v >> 16) & 255;
      b[p + 3] = (v >>> 24) & 255;
      this.p = p + 4;
    }
    return this;
  }

  str(s: string): Writer {
    if (this.room_(s.length + 1)) {
      for (let i = 0; i < s.length; i++) this.b[this.p++] = s.charCodeAt(i) & 255;
      this.b[this.p++] = 0;
    }
    return this;
  }

  bin(d: Uint8Array): Writer {
    this.u16(d.length);
    if (this.room_(d.length)) {
      this.b.set(d, this.p);
      this.p += d.length;
    }
    return this;
  }
}
