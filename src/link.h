/* link.h -- cohort linkage: region at a reference age from address
 * histories, and first registrations from a register (link.c). */
#ifndef SPREIDING_LINK_H
#define SPREIDING_LINK_H

#include "spreiding.h"

SEXP spr_c_origin(SEXP pkeys_sexp, SEXP akeys_sexp, SEXP birth_sexp,
                  SEXP start_sexp, SEXP end_sexp, SEXP age_sexp,
                  SEXP overlap_sexp, SEXP gap_sexp, SEXP max_gap_sexp);
SEXP spr_c_register(SEXP pkeys_sexp, SEXP rkeys_sexp, SEXP outcome_sexp,
                    SEXP noutcome_sexp, SEXP date_sexp, SEXP censor_sexp);
SEXP spr_c_reference_date(SEXP birth_sexp, SEXP age_sexp);

#endif
