/* api.h -- the functions spreiding exports to other packages (api.c). */
#ifndef SPREIDING_API_H
#define SPREIDING_API_H

#include "spreiding.h"

void spr_register_callables(DllInfo *dll);
SEXP spr_c_api_version(void);

#endif
