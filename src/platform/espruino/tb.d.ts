/* The Espruino modules the ThingsBoard entry uses, in the shapes src/thingsboard/ports.ts describes. */
interface EspruinoStorage {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
}
interface EspruinoCryptoMore {
  SHA256(data: Uint8Array | string): ArrayBuffer;
  SHA384?: (data: Uint8Array | string) => ArrayBuffer;
  SHA512?: (data: Uint8Array | string) => ArrayBuffer;
}
declare function require(name: "Storage"): EspruinoStorage;
declare function require(name: "MQTT"): import("../../thingsboard/ports.js").EspruinoMqttModule;
declare function require(name: "http"): import("../../thingsboard/ports.js").EspruinoHttp;
declare function require(name: "dgram"): import("../../thingsboard/ports.js").EspruinoDgram;
