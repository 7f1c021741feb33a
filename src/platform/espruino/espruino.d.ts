/* The few Espruino globals device code uses (@types/espruino 1.95 lacks most and fails strict checks). */
interface EspruinoE {
  CRC32(data: Uint8Array | string): number;
  toUint8Array(data: string | Uint8Array): Uint8Array;
  toString(data: Uint8Array): string;
  memoryArea(address: number, length: number): string;
  reboot(): void;
  getErrorFlags(): string[];
  getAddressOf(v: unknown, flatAddress: boolean): number;
  mapInPlace(from: ArrayBufferView, to: ArrayBufferView, map: ArrayLike<number> | undefined, bits?: number): void;
  /** Sum of the elements (the XBee checksum: zigbee/xbee.ts). */
  sum(arr: ArrayLike<number>): number;
}
interface EspruinoSerial {
  setup(baud: number, options?: object): void;
  on(event: "data", handler: (data: string) => void): void;
  removeAllListeners(event?: string): void;
  write(data: Uint8Array | string): void;
}
interface EspruinoFlashModule {
  read(length: number, address: number): Uint8Array;
  write(data: Uint8Array, address: number): void;
  erasePage(address: number): void;
  getPage(address: number): { addr: number; length: number } | undefined;
  getFree(): { addr: number; length: number }[];
}
interface EspruinoCrypto {
  SHA256(data: Uint8Array | string): ArrayBuffer;
}
declare const E: EspruinoE;
declare const Serial1: EspruinoSerial;
declare const global: { [key: string]: unknown };
declare function require(name: "Flash"): EspruinoFlashModule;
declare function require(name: "crypto"): EspruinoCrypto;
declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(fn: () => void, ms: number): unknown;
declare function clearInterval(handle: unknown): void;
declare function print(...text: unknown[]): void;
declare function quit(): void;
declare const process: { memory(): { free: number; usage: number; total: number } };
declare const console: { log(...text: unknown[]): void };
