#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static const char *p;

static void ws(void) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
}

static J *node(int type) {
  J *j = calloc(1, sizeof *j);
  j->type = type;
  return j;
}

static char *string(void) {
  size_t cap = 16, n = 0;
  char *s = malloc(cap);
  p++;
  while (*p && *p != '"') {
    char c = *p++;
    if (c == '\\') {
      c = *p++;
      if (c == 'n') c = '\n';
      else if (c == 't') c = '\t';
      else if (c == 'u') {
        c = (char)strtol((char[]){ p[0], p[1], p[2], p[3], 0 }, 0, 16);
        p += 4;
      }
    }
    if (n + 2 > cap) s = realloc(s, cap *= 2);
    s[n++] = c;
  }
  if (*p == '"') p++;
  s[n] = 0;
  return s;
}

static J *value(void) {
  J *j;
  ws();
  if (*p == '{' || *p == '[') {
    int obj = *p++ == '{';
    j = node(obj ? J_OBJ : J_ARR);
    ws();
    while (*p && *p != (obj ? '}' : ']')) {
      j->items = realloc(j->items, sizeof *j->items * (size_t)(j->n + 1));
      if (obj) {
        j->keys = realloc(j->keys, sizeof *j->keys * (size_t)(j->n + 1));
        ws();
        j->keys[j->n] = string();
        ws();
        p++; /* : */
      }
      j->items[j->n++] = value();
      ws();
      if (*p == ',') p++;
      ws();
    }
    if (*p) p++;
    return j;
  }
  if (*p == '"') {
    j = node(J_STR);
    j->str = string();
    return j;
  }
  if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
    j = node(J_BOOL);
    j->num = *p == 't';
    p += *p == 't' ? 4 : 5;
    return j;
  }
  if (!strncmp(p, "null", 4)) {
    p += 4;
    return node(J_NULL);
  }
  j = node(J_NUM);
  j->num = strtod(p, (char **)&p);
  return j;
}

J *json_parse(const char *text) {
  p = text;
  return value();
}

J *json_file(const char *path) {
  FILE *f = fopen(path, "rb");
  long n;
  char *buf;
  J *j;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  buf[n] = 0;
  fclose(f);
  j = json_parse(buf);
  free(buf);
  return j;
}

J *jget(const J *o, const char *key) {
  int i;
  if (!o || o->type != J_OBJ) return NULL;
  for (i = 0; i < o->n; i++) if (!strcmp(o->keys[i], key)) return o->items[i];
  return NULL;
}

double jnum(const J *o, const char *key) {
  J *j = jget(o, key);
  return j ? j->num : 0;
}

const char *jstr(const J *o, const char *key) {
  J *j = jget(o, key);
  return j && j->type == J_STR ? j->str : "";
}

int jbool(const J *o, const char *key) {
  J *j = jget(o, key);
  return j && j->num != 0;
}

uint8_t *jhex(const char *hex, size_t *n) {
  size_t len = strlen(hex) / 2, i;
  uint8_t *b = malloc(len + 1);
  for (i = 0; i < len; i++) {
    char d[3] = { hex[2 * i], hex[2 * i + 1], 0 };
    b[i] = (uint8_t)strtol(d, 0, 16);
  }
  *n = len;
  return b;
}
