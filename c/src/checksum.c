/* CRC-8 (Blynk.NCP), CRC-16/CCITT-FALSE, CRC-32 (zlib), bitwise: small; a port may swap in tables or hardware. */
#include "eota.h"

uint8_t eota_crc8(const uint8_t *p, size_t n) {
  uint8_t c = 0;
  while (n--) {
    int k;
    c ^= *p++;
    for (k = 0; k < 8; k++) c = (uint8_t)(c & 0x80 ? (c << 1) ^ 0x07 : c << 1);
  }
  return c;
}

uint16_t eota_crc16(const uint8_t *p, size_t n) {
  uint16_t c = 0xFFFF;
  while (n--) {
    int k;
    c ^= (uint16_t)(*p++ << 8);
    for (k = 0; k < 8; k++) c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
  }
  return c;
}

uint32_t eota_crc32(uint32_t crc, const uint8_t *p, size_t n) {
  /* Half-byte table: 64 bytes of constants, two steps a byte. */
  static const uint32_t t[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
  };
  uint32_t c = ~crc;
  while (n--) {
    c ^= *p++;
    c = (c >> 4) ^ t[c & 15];
    c = (c >> 4) ^ t[c & 15];
  }
  return ~c;
}
