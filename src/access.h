/* access.h -- floating catchment area accessibility (2SFCA, E2SFCA, BFCA)
 * of demand points to supply points within a distance (access.c). */
#ifndef SPREIDING_ACCESS_H
#define SPREIDING_ACCESS_H

#include "spreiding.h"

/* Distance decay kinds, as R/access.R codes them. */
enum {
  SPR_DECAY_STEP = 1,        /* 1 inside the catchment */
  SPR_DECAY_LINEAR = 2,      /* 1 - d / max_dist */
  SPR_DECAY_GAUSSIAN = 3,    /* Dai's Gaussian, 1 at d = 0, 0 at max_dist */
  SPR_DECAY_EXPONENTIAL = 4, /* exp(-rate d) */
  SPR_DECAY_ZONES = 5        /* a weight per distance zone (E2SFCA) */
};

/* Methods: the classic two steps (2SFCA and E2SFCA, whose zones are a
 * decay kind) or the balanced version (BFCA). */
enum { SPR_FCA_CLASSIC = 1, SPR_FCA_BALANCED = 2 };

/* .Call entry behind accessibility_2sfca(). demand: list(x, y, population),
 * supply: list(x, y, capacity), double vectors of one length each, finite,
 * population and capacity >= 0; max_dist: a double > 0; method: an integer
 * code above; decay: list(kind (integer code), rate (double, used by
 * exponential), upper, weight (double vectors: the zones' outer distances,
 * increasing, the last equal to max_dist, and their weights >= 0; used by
 * zones)). Returns list(access, supply_in_reach, catchment, ratio,
 * demand_in_reach, pairs): per demand point the accessibility per 1,000
 * inhabitants and the number of supply points in reach; per supply point
 * the (weighted) population in its catchment, the capacity per 1,000 of it
 * (NA when that population is 0) and the number of demand points in reach;
 * and the number of pairs in reach (a double). */
SEXP spr_c_access(SEXP demand_sexp, SEXP supply_sexp, SEXP max_dist_sexp,
                  SEXP method_sexp, SEXP decay_sexp);

#endif /* SPREIDING_ACCESS_H */
