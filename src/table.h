/* table.h -- grouping and the statistics engine behind region_table(). */
#ifndef SPREIDING_TABLE_H
#define SPREIDING_TABLE_H

#include "spreiding.h"

SEXP spr_c_group(SEXP cols_sexp);
SEXP spr_c_group_remap(SEXP group_sexp, SEXP map_sexp, SEXP ng_sexp);
SEXP spr_c_group_order(SEXP group_sexp, SEXP ng_sexp);
SEXP spr_c_table(SEXP groups_sexp, SEXP steps_sexp, SEXP cols_sexp,
                 SEXP weights_sexp, SEXP seed_sexp, SEXP runner_sexp);
SEXP spr_c_round_half_away(SEXP x_sexp, SEXP digits_sexp);

#endif
