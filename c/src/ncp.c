/* Blynk.NCP framing (src/ncp/frame.ts): BEG, payload and CRC-8 escaped, END. */
#include "eota.h"

#define BEG 0xAA
#define END 0xBB
#define ESC 0xCC

static int special(uint8_t v) {
  return v == BEG || v == END || v == ESC || v == 0x11 || v == 0x13;
}

size_t eota_ncp_encode(const uint8_t *payload, size_t n, uint8_t *out) {
  size_t o = 0, i;
  uint8_t crc = eota_crc8(payload, n);
  out[o++] = BEG;
  for (i = 0; i <= n; i++) {
    uint8_t v = i < n ? payload[i] : crc;
    if (special(v)) {
      out[o++] = ESC;
      out[o++] = (uint8_t)(v ^ 0xFF);
    } else {
      out[o++] = v;
    }
  }
  out[o++] = END;
  return o;
}

/* Every BEG starts a frame over (a lost END costs one frame); a bad escape, a bad CRC-8 or a size out of 2..1536 drops it. */
size_t eota_ncp_feed(eota_ncp_decoder *d, uint8_t v) {
  size_t n;
  if (v == BEG) {
    d->in = 1;
    d->len = 0;
    d->esc = d->bad = 0;
    return 0;
  }
  if (!d->in) return 0;
  if (v == END) {
    d->in = 0;
    n = d->len;
    if (d->esc || d->bad || n < 3 || n - 1 > EOTA_NCP_MAX_PAYLOAD || eota_crc8(d->buf, n - 1) != d->buf[n - 1]) return 0;
    return n - 1;
  }
  if (d->esc) {
    d->esc = 0;
    v = (uint8_t)(v ^ 0xFF);
    if (!special(v)) d->bad = 1;
  } else if (v == ESC) {
    d->esc = 1;
    return 0;
  }
  if (d->len < EOTA_NCP_MAX_PAYLOAD + 1) d->buf[d->len] = v;
  else d->bad = 1;
  d->len++;
  return 0;
}
