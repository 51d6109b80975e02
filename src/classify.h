/* classify.h -- the built-in classifier kernels and the engine that runs a
 * C classifier of the registry over a table's rows; see classify.c. */
#ifndef SPREIDING_CLASSIFY_H
#define SPREIDING_CLASSIFY_H

#include "spreiding.h"

/* Register quadrant, thresholds and coverage_bands (at load time). */
void spr_register_builtin_classifiers(void);

SEXP spr_c_classify(SEXP impl_sexp, SEXP n_sexp, SEXP args_sexp,
                    SEXP params_sexp, SEXP nlevels_sexp, SEXP name_sexp,
                    SEXP argnames_sexp);

#endif
