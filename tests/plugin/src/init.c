/*
 * init.c -- registers spreidingplugin's .Call entry points with R; nothing
 * else. The plugin's own registration with spreiding happens later, from
 * .onLoad(), once spreiding's namespace is loaded (see R/zzz.R).
 */
#include "plugin.h"

#include <R_ext/Rdynload.h>

#define CALLDEF(name, n) {#name, (DL_FUNC)&name, n}

static const R_CallMethodDef call_methods[] = {
    CALLDEF(spreidingplugin_c_api_versions, 0),
    CALLDEF(spreidingplugin_c_register, 0),
    CALLDEF(spreidingplugin_c_unregister, 0),
    {NULL, NULL, 0}};

void R_init_spreidingplugin(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
}
