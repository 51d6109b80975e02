/* disclose.h -- disclosure control: cells and relations of a table with
 * all its totals, secondary suppression, components; see disclose.c. */
#ifndef SPREIDING_DISCLOSE_H
#define SPREIDING_DISCLOSE_H

#include "spreiding.h"

void spr_register_builtin_rules(void);

SEXP spr_c_disclose_cells(SEXP dims_sexp, SEXP counts_sexp, SEXP maxes_sexp);
SEXP spr_c_disclose_protect(SEXP ptr_sexp, SEXP member_sexp, SEXP value_sexp,
                            SEXP status_sexp, SEXP priority_sexp,
                            SEXP tier_sexp, SEXP lo0_sexp, SEXP hi0_sexp,
                            SEXP protection_sexp, SEXP force_sexp,
                            SEXP wide_sexp);
SEXP spr_c_disclose_certify(SEXP ptr_sexp, SEXP member_sexp, SEXP value_sexp,
                            SEXP status_sexp, SEXP priority_sexp,
                            SEXP tier_sexp, SEXP lo0_sexp, SEXP hi0_sexp,
                            SEXP protection_sexp, SEXP cap_sexp);
SEXP spr_c_disclose_moves(SEXP ptr_sexp, SEXP member_sexp, SEXP status_sexp,
                          SEXP value_sexp, SEXP lo_sexp, SEXP hi_sexp,
                          SEXP targets_sexp, SEXP protection_sexp,
                          SEXP cap_sexp);
SEXP spr_c_disclose_components(SEXP ptr_sexp, SEXP member_sexp,
                               SEXP status_sexp);
SEXP spr_c_disclose_rule(SEXP impl_sexp, SEXP cols_sexp, SEXP params_sexp,
                         SEXP name_sexp);

#endif
