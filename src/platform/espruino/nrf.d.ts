/* The part of Espruino's NRF (Bluetooth LE) API the BLE entry uses (espruino.com/Reference#NRF). */
interface EspruinoNrf {
  setServices(services: object, options?: object): void;
  updateServices(services: object): void;
  on(event: "connect" | "disconnect", handler: (a: unknown) => void): void;
}
declare const NRF: EspruinoNrf;
declare function atob(base64: string): string;
