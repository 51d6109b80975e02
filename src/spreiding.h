/*
 * spreiding.h -- internal umbrella header of the spreiding package.
 *
 * Every C file of the package includes this one header: it fixes the R API
 * flavour (R_NO_REMAP, so every R function carries its Rf_ prefix), pulls in
 * the public plugin API (inst/include/spreiding.h, which declares the kernel
 * and definition types the engine shares with plugins) and declares the
 * error helpers of errors.c.
 */
#ifndef SPREIDING_INTERNAL_H
#define SPREIDING_INTERNAL_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <stdint.h>
#include <string.h>

/* The public API; found through PKG_CPPFLAGS = -I../inst/include. */
#include <spreiding.h>

/* A 64-bit finaliser (MurmurHash3's fmix64) for hash tables of keys. */
static inline uint64_t spr_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/* Rows between interrupt checks in loops over rows. */
#define SPR_CHUNK 65536

/* Raise a classed `spreiding_error` condition through the R function
 * stop_spreiding() in the namespace: `arg` names the argument (may be NULL),
 * `row` is 1-based (0 for none), the rest is printf-style. Never returns. */
void spr_error(const char *arg, int row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An internal error: a bug in spreiding, not in the user's input. */
void spr_internal_error(const char *file, int line, const char *func,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define SPR_INTERNAL(...) \
  spr_internal_error(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* The package namespace (cached). */
SEXP spr_namespace(void);

#endif /* SPREIDING_INTERNAL_H */
