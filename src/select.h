/* select.h -- the sampling kernel of the selection-policy simulation
 * (weighted sampling without replacement in stages); see select.c. */
#ifndef SPREIDING_SELECT_H
#define SPREIDING_SELECT_H

#include "spreiding.h"

SEXP spr_c_select(SEXP inv_weight_sexp, SEXP stage_mask_sexp,
                  SEXP stage_count_sexp, SEXP places_sexp, SEXP group_sexp,
                  SEXP ngroups_sexp, SEXP reps_sexp, SEXP years_sexp,
                  SEXP seed_sexp, SEXP threads_sexp);

SEXP spr_c_select_openmp(void);

#endif
