/* init.c -- the .Call routines R may call in spreidingextra. */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

SEXP extra_c_api_version(void);
SEXP extra_c_register(void);
SEXP extra_c_unregister(void);

static const R_CallMethodDef call_methods[] = {
    {"extra_c_api_version", (DL_FUNC)&extra_c_api_version, 0},
    {"extra_c_register", (DL_FUNC)&extra_c_register, 0},
    {"extra_c_unregister", (DL_FUNC)&extra_c_unregister, 0},
    {NULL, NULL, 0}};

void R_init_spreidingextra(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
}
