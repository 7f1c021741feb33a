/*
 * Runs the C port against the JSON files in vectors/: argv[1] is the vectors folder.
 * Prints one line per part and exits non-zero on any disagreement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eota.h"
#include "json.h"

/* ---- a strict NOR flash with ECC locks, logging every operation that took effect ---- */
#define SIM_MAX 0x2000
#define LOG_MAX 64
typedef struct {
  uint8_t data[SIM_MAX];
  uint8_t locked[SIM_MAX / 4];
  uint32_t size, block, word;
  eota_flash hal;
  int nlog, calls, nrefuse, refuse[16]; /* refuse: 1-based write/erase calls that fail untouched */
  struct { int erase; uint32_t a, b; uint8_t data[512]; } log[LOG_MAX];
} sim;

static int sim_read(void *ctx, uint32_t a, uint8_t *buf, uint32_t n) {
  sim *s = ctx;
  if (a > s->size || n > s->size - a) return -1;
  memcpy(buf, s->data + a, n);
  return 0;
}

static int refused(sim *s) {
  int i;
  s->calls++;
  for (i = 0; i < s->nrefuse; i++) if (s->refuse[i] == s->calls) return 1;
  return 0;
}

static int sim_write(void *ctx, uint32_t a, const uint8_t *buf, uint32_t n) {
  sim *s = ctx;
  uint32_t i, ev = s->hal.erase_value;
  if (refused(s)) return -1;
  if (a > s->size || n > s->size - a || a % s->hal.write_align || n % s->hal.write_align) return -1;
  for (i = 0; i < n; i++) if (s->data[a + i] != ev) return -1; /* strict: only erased bytes */
  for (i = a / s->word; n && i <= (a + n - 1) / s->word; i++) if (s->locked[i]) return -1;
  for (i = 0; i < n; i++) s->data[a + i] = (uint8_t)(ev ? s->data[a + i] & buf[i] : s->data[a + i] | buf[i]);
  if (s->nlog < LOG_MAX) {
    s->log[s->nlog].erase = 0;
    s->log[s->nlog].a = a;
    s->log[s->nlog].b = a + n;
    memcpy(s->log[s->nlog].data, buf, n < 512 ? n : 512);
  }
  s->nlog++;
  return 0;
}

static int sim_erase(void *ctx, uint32_t start, uint32_t end) {
  sim *s = ctx;
  uint32_t i;
  if (refused(s)) return -1;
  if (end <= start || end > s->size || start % s->block || end % s->block) return -1;
  memset(s->data + start, s->hal.erase_value, end - start);
  for (i = start / s->word; i < end / s->word; i++) s->locked[i] = 0;
  if (s->nlog < LOG_MAX) {
    s->log[s->nlog].erase = 1;
    s->log[s->nlog].a = start;
    s->log[s->nlog].b = end;
  }
  s->nlog++;
  return 0;
}

static int sim_block(void *ctx, uint32_t a, uint32_t *start, uint32_t *length) {
  sim *s = ctx;
  if (a >= s->size) return -1;
  *start = a / s->block * s->block;
  *length = s->block;
  return 0;
}

static sim *sim_new(uint32_t size, uint32_t block, uint32_t align, int ev, const J *contents, const J *locked) {
  static sim s;
  int i;
  memset(&s, 0, sizeof s);
  s.size = size;
  s.block = block;
  s.word = align > 4 ? align : 4;
  s.hal.ctx = &s;
  s.hal.write_align = align;
  s.hal.erase_value = (uint8_t)ev;
  s.hal.read = sim_read;
  s.hal.write = sim_write;
  s.hal.erase_block = sim_erase;
  s.hal.block = sim_block;
  memset(s.data, ev, size);
  for (i = 0; contents && i < contents->n; i++) {
    size_t n;
    uint8_t *b = jhex(jstr(contents->items[i], "data"), &n);
    memcpy(s.data + (uint32_t)jnum(contents->items[i], "address"), b, n);
    free(b);
  }
  for (i = 0; locked && i < locked->n; i++) s.locked[(uint32_t)locked->items[i]->num / s.word] = 1;
  return &s;
}

static void sim_refuse(sim *s, const J *refuse) {
  int i;
  for (i = 0; refuse && i < refuse->n && i < 16; i++) s->refuse[s->nrefuse++] = (int)refuse->items[i]->num;
}

/* ---- comparisons ---- */
static int failures;
static const char *current;

static int fail(const char *what) {
  if (failures++ < 20) printf("  FAIL %s: %s\n", current, what);
  return 0;
}

static int ops_equal(const sim *s, const J *ops) {
  int i;
  if (!ops || ops->n != s->nlog) return fail("number of flash operations");
  for (i = 0; i < ops->n; i++) {
    const J *o = ops->items[i];
    if (!strcmp(jstr(o, "op"), "erase")) {
      if (!s->log[i].erase || s->log[i].a != jnum(o, "start") || s->log[i].b != jnum(o, "end")) return fail("erase operation");
    } else {
      size_t n;
      uint8_t *b = jhex(jstr(o, "data"), &n);
      int same = !s->log[i].erase && s->log[i].a == jnum(o, "address") && s->log[i].b - s->log[i].a == n && n <= 512 && !memcmp(b, s->log[i].data, n);
      free(b);
      if (!same) return fail("write operation");
    }
  }
  return 1;
}

static int state_equal(const eota_boot_state *s, const J *e) {
  const J *crc = jget(e, "crc");
  if (s->valid != jbool(e, "valid")) return fail("record valid");
  if (!s->valid) return 1;
  if (s->bank != jnum(e, "bank") || s->seq != jnum(e, "seq") || s->confirmed != jnum(e, "confirmed") ||
      s->pending != jnum(e, "pending") || s->max_trials != jnum(e, "maxTrials") || s->flags != jnum(e, "flags") ||
      s->trials_used != jnum(e, "trialsUsed") || s->pending_confirmed != jbool(e, "pendingConfirmed") ||
      s->confirm_torn != jbool(e, "confirmTorn") || s->crc[0] != crc->items[0]->num || s->crc[1] != crc->items[1]->num) return fail("record fields");
  return 1;
}

static int hex_equal(const uint8_t *b, size_t n, const char *hex) {
  size_t m;
  uint8_t *e = jhex(hex, &m);
  int same = m == n && !memcmp(b, e, n);
  free(e);
  return same;
}

static J *load(const char *dir, const char *name) {
  char path[1024];
  J *j;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  j = json_file(path);
  if (!j) {
    printf("cannot read %s\n", path);
    exit(2);
  }
  return j;
}

static int total;
static void report(const char *file, const char *part, int passed, int n) {
  printf("%-17s %-8s %3d/%-3d %s\n", file, part, passed, n, passed == n && n > 0 ? "ok" : "FAILED");
  total += passed;
  if (n == 0) failures++;
}

#define EACH(arr) for (i = 0, passed = 0; arr && i < arr->n && ((c = arr->items[i]), (current = jstr(c, "name"))); i++)

static void checksums(const char *dir) {
  J *f = load(dir, "checksums.json"), *cases = jget(f, "cases"), *c;
  int i, passed;
  EACH(cases) {
    size_t n;
    uint8_t *b = jhex(jstr(c, "input"), &n), d[32];
    eota_sha256 s;
    eota_sha256_init(&s);
    eota_sha256_update(&s, b, n);
    eota_sha256_final(&s, d);
    if (eota_crc8(b, n) != jnum(c, "crc8")) fail("crc8");
    else if (eota_crc16(b, n) != jnum(c, "crc16")) fail("crc16");
    else if (eota_crc32(0, b, n) != jnum(c, "crc32")) fail("crc32");
    else if (n > 1 && eota_crc32(eota_crc32(0, b, 1), b + 1, n - 1) != jnum(c, "crc32")) fail("crc32 in two pieces");
    else if (!hex_equal(d, 32, jstr(c, "sha256"))) fail("sha256");
    else passed++;
    free(b);
  }
  report("checksums.json", "cases", passed, cases ? cases->n : 0);
}

static int info_equal(const eota_image_info *h, const J *e) {
  return h->payload_length == jnum(e, "payloadLength") && h->image_length == jnum(e, "imageLength") &&
         hex_equal(h->sha256, 32, jstr(e, "sha256")) && !strcmp(h->board, jstr(e, "board")) && !strcmp(h->type, jstr(e, "type")) &&
         !strcmp(h->version, jstr(e, "version")) && !strcmp(h->build, jstr(e, "build"));
}

static void header(const char *dir) {
  J *f = load(dir, "header.json"), *parse = jget(f, "parse"), *verify = jget(f, "verify"), *c;
  int i, passed;
  EACH(parse) {
    size_t n;
    uint8_t *b = jhex(jstr(c, "bytes"), &n);
    eota_image_info h;
    int r = eota_header_parse(b, n, &h);
    if (r != jnum(c, "code")) fail("code");
    else if (r == EOTA_OK && !info_equal(&h, jget(c, "info"))) fail("fields");
    else passed++;
    free(b);
  }
  report("header.json", "parse", passed, parse ? parse->n : 0);
  EACH(verify) {
    sim *s;
    eota_image_info h;
    uint32_t crc = (uint32_t)jnum(c, "payloadCrc");
    s = sim_new(0x1000, 0x400, 4, (int)jnum(c, "eraseValue"), NULL, NULL);
    {
      size_t n;
      uint8_t *b = jhex(jstr(c, "image"), &n);
      memcpy(s->data + (uint32_t)jnum(c, "address"), b, n);
      free(b);
    }
    if (eota_verify_slot(&s->hal, (uint32_t)jnum(c, "address"), (uint32_t)jnum(c, "slotSize"), jstr(c, "board"),
                         jget(c, "payloadCrc") ? &crc : NULL, &h) != jnum(c, "code")) fail("code");
    else passed++;
  }
  report("header.json", "verify", passed, verify ? verify->n : 0);
}

static void record(const char *dir) {
  J *f = load(dir, "record.json"), *decode = jget(f, "decode"), *plans = jget(f, "plans"), *banks = jget(f, "banks"), *c;
  int i, passed;
  EACH(decode) {
    sim *s = sim_new(0x400, 0x200, (uint32_t)jnum(c, "writeAlign"), (int)jnum(c, "eraseValue"), jget(c, "contents"), NULL);
    eota_record r;
    eota_boot_state st;
    eota_record_init(&r, &s->hal, (uint32_t)banks->items[0]->num, (uint32_t)banks->items[1]->num);
    if (eota_record_read(&r, &st)) fail("read refused");
    else if (state_equal(&st, jget(c, "expect"))) passed++;
  }
  report("record.json", "decode", passed, decode ? decode->n : 0);
  EACH(plans) {
    sim *s = sim_new(0x400, 0x200, (uint32_t)jnum(c, "writeAlign"), (int)jnum(c, "eraseValue"), jget(c, "contents"), jget(c, "locked"));
    eota_record r;
    eota_boot_state st, after;
    const char *action = jstr(c, "action");
    const J *fl = jget(c, "fields"), *expect = jget(c, "after");
    int done;
    eota_record_init(&r, &s->hal, (uint32_t)banks->items[0]->num, (uint32_t)banks->items[1]->num);
    eota_record_read(&r, &st);
    s->nlog = 0;
    if (!strcmp(action, "write")) {
      eota_record_fields x;
      x.confirmed = (uint8_t)jnum(fl, "confirmed");
      x.pending = (uint8_t)jnum(fl, "pending");
      x.max_trials = (uint8_t)jnum(fl, "maxTrials");
      x.flags = (uint8_t)jnum(fl, "flags");
      x.crc_slot = jnum(fl, "crcSlot") == 255 ? -1 : (int)jnum(fl, "crcSlot");
      x.crc = (uint32_t)jnum(fl, "crc");
      done = eota_record_write(&r, &st, &x, &after) == 0;
    } else if (!strcmp(action, "countTrial")) {
      done = eota_record_count_trial(&r, &st, &after) == 1;
    } else {
      done = eota_record_confirm(&r, &st, &after) == 0;
    }
    if (done != (expect->type != J_NULL)) fail("done or not");
    else if (ops_equal(s, jget(c, "ops")) && (!done || state_equal(&after, expect))) passed++;
  }
  report("record.json", "plans", passed, plans ? plans->n : 0);
}

/* The layout object of boot.json and session.json. */
static void read_layout(J *lay, eota_layout *l) {
  J *slots = jget(lay, "slots"), *banks = jget(lay, "banks");
  int i;
  l->board = jstr(lay, "board");
  for (i = 0; i < 2; i++) {
    l->slot_address[i] = (uint32_t)jnum(slots->items[i], "address");
    l->slot_size[i] = (uint32_t)jnum(slots->items[i], "size");
    l->banks[i] = (uint32_t)banks->items[i]->num;
  }
  l->max_trials = (uint8_t)jnum(lay, "maxTrials");
}

static void boot(const char *dir) {
  J *f = load(dir, "boot.json"), *cases = jget(f, "cases"), *lay = jget(f, "layout"), *fg = jget(f, "flash"), *c;
  eota_layout l;
  int i, passed;
  read_layout(lay, &l);
  EACH(cases) {
    sim *s = sim_new((uint32_t)jnum(fg, "size"), (uint32_t)jnum(fg, "blockLength"), (uint32_t)jnum(c, "writeAlign"),
                     (int)jnum(c, "eraseValue"), jget(c, "contents"), jget(c, "locked"));
    J *o = jget(c, "options"), *e = jget(c, "expect");
    eota_boot_choice ch;
    sim_refuse(s, jget(c, "refuse"));
    eota_decide_boot(&s->hal, &l, jbool(o, "crcAtBoot"), jbool(o, "powerOn"), &ch);
    if (ch.slot != jnum(e, "slot") || ch.reason != jnum(e, "reason")) fail("slot or reason");
    else if (ops_equal(s, jget(e, "ops")) && state_equal(&ch.state, jget(e, "state"))) passed++;
  }
  report("boot.json", "cases", passed, cases ? cases->n : 0);
}

static void ncp(const char *dir) {
  J *f = load(dir, "ncp.json"), *enc = jget(f, "encode"), *dec = jget(f, "decode"), *c;
  static uint8_t out[2 * (EOTA_NCP_MAX_PAYLOAD + 8)], buf[EOTA_NCP_MAX_PAYLOAD + 1];
  int i, passed;
  EACH(enc) {
    size_t n;
    uint8_t *b = jhex(jstr(c, "payload"), &n);
    size_t m = eota_ncp_encode(b, n, out);
    if (eota_crc8(b, n) != jnum(c, "crc8") || !hex_equal(out, m, jstr(c, "frame"))) fail("frame");
    else passed++;
    free(b);
  }
  report("ncp.json", "encode", passed, enc ? enc->n : 0);
  EACH(dec) {
    size_t n, k, len;
    uint8_t *b = jhex(jstr(c, "stream"), &n);
    J *want = jget(c, "payloads");
    eota_ncp_decoder d;
    int got = 0, ok = 1;
    memset(&d, 0, sizeof d);
    d.buf = buf;
    for (k = 0; k < n; k++) {
      if ((len = eota_ncp_feed(&d, b[k])) == 0) continue;
      if (got >= want->n || !hex_equal(buf, len, want->items[got]->str)) ok = 0;
      got++;
    }
    if (!ok || got != want->n) fail("payloads");
    else passed++;
    free(b);
  }
  report("ncp.json", "decode", passed, dec ? dec->n : 0);
}

static void thingsboard(const char *dir) {
  J *f = load(dir, "thingsboard.json"), *cases = jget(f, "checksums"), *c;
  int i, passed;
  EACH(cases) {
    size_t n;
    uint8_t *b = jhex(jstr(c, "input"), &n), d[32], le[4];
    uint32_t crc = eota_crc32(0, b, n);
    eota_sha256 s;
    eota_sha256_init(&s);
    eota_sha256_update(&s, b, n);
    eota_sha256_final(&s, d);
    le[0] = (uint8_t)crc; le[1] = (uint8_t)(crc >> 8); le[2] = (uint8_t)(crc >> 16); le[3] = (uint8_t)(crc >> 24);
    if (!hex_equal(le, 4, jstr(c, "CRC32")) || !hex_equal(d, 32, jstr(c, "SHA256"))) fail("CRC32 or SHA256 encoding");
    else passed++;
    free(b);
  }
  report("thingsboard.json", "CRC32+SHA256", passed, cases ? cases->n : 0);
}

static void session(const char *dir) {
  J *f = load(dir, "session.json"), *cases = jget(f, "cases"), *lay = jget(f, "layout"), *fg = jget(f, "flash"), *c;
  J *fw = jget(f, "firmware");
  static uint8_t buf[4096];
  eota_layout l;
  int i, passed;
  read_layout(lay, &l);
  EACH(cases) {
    sim *s = sim_new((uint32_t)jnum(fg, "size"), (uint32_t)jnum(fg, "blockLength"), (uint32_t)jnum(c, "writeAlign"),
                     (int)jnum(c, "eraseValue"), jget(c, "contents"), NULL);
    J *calls = jget(c, "calls");
    eota_session ss;
    int k, ok = 1;
    memset(&ss, 0, sizeof ss);
    ss.flash = &s->hal;
    ss.layout = &l;
    ss.fw_type = jstr(fw, "type");
    ss.fw_version = jstr(fw, "version");
    ss.running = (int)jnum(c, "running");
    ss.chunk_max = (uint32_t)jnum(c, "chunkMax");
    ss.buf = buf;
    eota_session_init(&ss);
    for (k = 0; ok && k < calls->n; k++) {
      J *x = calls->items[k];
      const char *call = jstr(x, "call");
      uint32_t now = (uint32_t)jnum(x, "now");
      int r;
      s->nlog = 0;
      if (!strcmp(call, "offer")) r = eota_session_offer(&ss, (uint32_t)jnum(x, "size"), jstr(x, "type"), jstr(x, "version"), now);
      else if (!strcmp(call, "start")) r = eota_session_start(&ss, now);
      else if (!strcmp(call, "write")) {
        size_t n;
        uint8_t *b = jhex(jstr(x, "data"), &n);
        r = eota_session_write(&ss, (uint32_t)jnum(x, "offset"), b, (uint32_t)n, (uint32_t)jnum(x, "crc"), now);
        free(b);
      } else if (!strcmp(call, "finish")) {
        size_t n;
        uint8_t *b = jget(x, "sha256") ? jhex(jstr(x, "sha256"), &n) : NULL;
        r = eota_session_finish(&ss, b);
        free(b);
      } else if (!strcmp(call, "cancel")) r = eota_session_cancel(&ss);
      else r = eota_session_tick(&ss, now);
      if (r != jnum(x, "result") || ss.state != jnum(x, "state") || ss.received != jnum(x, "received")) ok = fail(call);
      else if (!ops_equal(s, jget(x, "ops"))) ok = 0;
    }
    if (ok) passed++;
  }
  report("session.json", "cases", passed, cases ? cases->n : 0);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "vectors";
  checksums(dir);
  header(dir);
  record(dir);
  boot(dir);
  ncp(dir);
  thingsboard(dir);
  session(dir);
  printf("%s: %d vectors passed, %d failed\n", failures ? "FAILED" : "OK", total, failures);
  return failures ? 1 : 0;
}
