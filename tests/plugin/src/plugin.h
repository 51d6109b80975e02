/*
 * plugin.h -- the .Call entry points of spreidingplugin (see plugin.c).
 *
 * Including <spreiding.h> here too means two translation units (init.c and
 * plugin.c) include the public header, which is what the header promises
 * to support.
 */
#ifndef SPREIDINGPLUGIN_H
#define SPREIDINGPLUGIN_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <spreiding.h>

SEXP spreidingplugin_c_api_versions(void);
SEXP spreidingplugin_c_register(void);
SEXP spreidingplugin_c_unregister(void);

#endif /* SPREIDINGPLUGIN_H */
