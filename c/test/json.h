/* A tiny JSON reader for the test runner (not part of the port: the runner may use the heap). */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>
#include <stdint.h>

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
typedef struct J {
  int type;
  double num;
  char *str;
  int n;
  struct J **items;
  char **keys;
} J;

J *json_parse(const char *text);
J *json_file(const char *path);
J *jget(const J *o, const char *key); /* NULL when absent or o is not an object */
double jnum(const J *o, const char *key);
const char *jstr(const J *o, const char *key);
int jbool(const J *o, const char *key);
/* Hex string -> bytes (malloc'd); *n gets the length. */
uint8_t *jhex(const char *hex, size_t *n);
#endif
