/*
 * api.c -- every function spreiding exports to other packages' C code.
 *
 * These are the targets of the static inline shims in
 * inst/include/spreiding.h, registered with R_RegisterCCallable() when the
 * package loads. They never longjmp on bad input: they return a status and
 * fill the caller's spreiding_error, so a plugin can raise its own error.
 */
#include "api.h"

#include "registry.h"

static int api_version(void) { return SPREIDING_API_VERSION; }

/* Other packages may only remove their own entries. */
static int unregister(const char *registry, const char *name,
                      const char *provider) {
  if (provider == NULL) return -1;
  return spr_unregister(registry, name, provider);
}

static void check_interrupt_fn(void *unused) { R_CheckUserInterrupt(); }

/* R_ToplevelExec() catches the jump of a pending interrupt and returns
 * FALSE, so the kernel can unwind on its own. */
static int check_interrupt(void) {
  return R_ToplevelExec(check_interrupt_fn, NULL) ? 0 : 1;
}

SEXP spr_c_api_version(void) { return Rf_ScalarInteger(SPREIDING_API_VERSION); }

void spr_register_callables(DllInfo *dll) {
  R_RegisterCCallable("spreiding", "spreiding_api_version",
                      (DL_FUNC)api_version);
  R_RegisterCCallable("spreiding", "spreiding_register_statistic",
                      (DL_FUNC)spr_register_statistic);
  R_RegisterCCallable("spreiding", "spreiding_register_classifier",
                      (DL_FUNC)spr_register_classifier);
  R_RegisterCCallable("spreiding", "spreiding_register_disclosure_rule",
                      (DL_FUNC)spr_register_disclosure_rule);
  R_RegisterCCallable("spreiding", "spreiding_unregister",
                      (DL_FUNC)unregister);
  R_RegisterCCallable("spreiding", "spreiding_check_interrupt",
                      (DL_FUNC)check_interrupt);
}
