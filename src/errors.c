/*
 * errors.c -- turning problems found in C into R conditions a user can act on.
 *
 * C code never formats the user-facing condition itself: it formats a
 * message (printf-style, into a fixed buffer, as rlang's r_abort() does) and
 * hands it with the argument name and the 1-based row to the R function
 * stop_spreiding() (R/utils.R), which signals a condition of class
 * `spreiding_error` with fields `arg` and `row` (the vctrs approach). Only
 * R-allocated memory may be live when these are called: they longjmp.
 */
#include "spreiding.h"

#include <stdarg.h>
#include <stdio.h>

SEXP spr_namespace(void) {
  static SEXP ns = NULL;
  if (ns == NULL) {
    SEXP name = PROTECT(Rf_mkString("spreiding"));
    ns = R_FindNamespace(name);
    UNPROTECT(1);
  }
  return ns;
}

static void raise(const char *fun, const char *arg, int row, const char *msg) {
  SEXP s_msg = PROTECT(Rf_mkString(msg));
  SEXP s_arg = PROTECT(arg == NULL ? Rf_ScalarString(NA_STRING)
                                   : Rf_mkString(arg));
  SEXP s_row = PROTECT(Rf_ScalarInteger(row > 0 ? row : NA_INTEGER));
  SEXP call = PROTECT(Rf_lang4(Rf_install(fun), s_msg, s_arg, s_row));
  Rf_eval(call, spr_namespace());
  UNPROTECT(4);
  Rf_error("%s", msg); /* not reached: stop_spreiding() always signals */
}

void spr_error(const char *arg, int row, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  raise("stop_spreiding", arg, row, buf);
}

void spr_internal_error(const char *file, int line, const char *func,
                        const char *fmt, ...) {
  char detail[768], buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  snprintf(buf, sizeof buf,
           "internal error in %s() at %s:%d: %s. This is a bug in spreiding; "
           "please report it with a small example.",
           func, file, line, detail);
  raise("stop_spreiding_internal", NULL, 0, buf);
}
