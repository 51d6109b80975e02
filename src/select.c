/*
 * select.c -- the sampling kernel of simulate_selection() and
 * inclusion_probabilities() (R/select.R): admission rounds in which
 * `places` applicants are drawn without replacement, with probability
 * proportional to a weight, in stages.
 *
 * Algorithm. Sequential sampling without replacement proportional to
 * weights w_i (draw one applicant with probability w_i / sum of the
 * remaining weights, remove, repeat) gives the same distribution of the
 * ordered sample as sorting the keys E_i / w_i with E_i independent
 * standard exponentials and taking the smallest (Efraimidis and Spirakis,
 * Weighted random sampling with a reservoir, Information Processing Letters
 * 97(5), 2006, who use the equivalent keys u_i^(1 / w_i), largest first).
 * So a round is: one exponential per applicant, then a partial selection
 * of the k smallest keys (Hoare's quickselect with a median-of-three
 * pivot, expected linear time), not a sort. R passes 1 / w_i (Inf for a
 * weight of 0: such an applicant is drawn only when no one else is left).
 *
 * Stages. Stage s draws stage_count[s] applicants among those not drawn
 * yet whose stage_mask has bit s set (all of them when fewer are
 * eligible); the last stage fills the remaining places from everyone whose
 * mask has its bit (R sets it for all). Each stage is a sequential draw of
 * its own, yet the keys are drawn only once per round, before the stages:
 * after a stage admits the applicants with the smallest keys, up to t, the
 * keys of its eligible applicants left over are, given that outcome,
 * independent exponentials conditioned to exceed t, so by memorylessness
 * key - t is a fresh key; those keys are shifted by t. A stage with no
 * places leaves the round exactly as without it: quota(share = 0) is the
 * base policy bit for bit.
 *
 * Random numbers. xoshiro256** (Blackman and Vigna, Scrambled linear
 * pseudorandom number generators, ACM TOMS 47(4), 2021), its state filled
 * by splitmix64 from the base seed and the replication index. Each
 * replication owns its stream, so the result does not depend on the number
 * of threads or on which thread runs which replication. Uniforms are
 * (x >> 11 + 0.5) / 2^53, strictly inside (0, 1), so every key is positive
 * and finite for a positive weight.
 *
 * Threads. With OpenMP, replications run in parallel in chunks; between
 * chunks the master thread checks for an interrupt. No R API is called in
 * a parallel region: scratch comes from R_alloc before it, per thread, and
 * every output cell is written by the one thread that owns its
 * replication; the per-applicant counts are integers summed after the
 * region, so the sums do not depend on the order.
 *
 * Public: the .Call entries spr_c_select() and spr_c_select_openmp().
 */
#include "select.h"

#include <limits.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct {
  double key;
  int idx;
} spr_cand;

typedef struct {
  uint64_t s[4];
} spr_rng;

static inline uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoshiro_next(spr_rng *g) {
  uint64_t *s = g->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static void rng_seed(spr_rng *g, uint64_t seed, uint64_t rep) {
  uint64_t x = seed * 0xD1342543DE82EF95ULL ^ spr_mix64(rep + 1);
  for (int i = 0; i < 4; i++) g->s[i] = splitmix64(&x);
}

static inline double rng_exp(spr_rng *g) {
  double u = ((double)(xoshiro_next(g) >> 11) + 0.5) * 0x1.0p-53;
  return -log(u);
}

/* Rearrange a[0..n-1] so that a[0..m-1] hold the m smallest keys (in no
 * particular order); 0 < m < n. */
static void smallest_keys(spr_cand *a, int n, int m) {
  int lo = 0, hi = n - 1, t = m - 1;
  while (hi > lo) {
    int mid = lo + (hi - lo) / 2;
    spr_cand tmp;
    if (a[mid].key < a[lo].key) { tmp = a[mid]; a[mid] = a[lo]; a[lo] = tmp; }
    if (a[hi].key < a[lo].key) { tmp = a[hi]; a[hi] = a[lo]; a[lo] = tmp; }
    if (a[hi].key < a[mid].key) { tmp = a[hi]; a[hi] = a[mid]; a[mid] = tmp; }
    double pivot = a[mid].key;
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i].key < pivot) i++;
      while (a[j].key > pivot) j--;
      if (i <= j) {
        tmp = a[i]; a[i] = a[j]; a[j] = tmp;
        i++;
        j--;
      }
    }
    if (t <= j) hi = j;
    else if (t >= i) lo = i;
    else break;
  }
}

typedef struct {
  int n, nstages, places, ngroups, reps, years;
  const double *inv_w;
  const int *mask, *count, *group;
  int *out;      /* reps x ngroups x nstages */
  uint64_t seed;
} spr_select_job;

/* One replication: `years` rounds, counts added to the job's output and to
 * this thread's per-applicant counts `incl`. */
static void run_replication(const spr_select_job *job, int r, double *keys,
                            spr_cand *cand, unsigned char *taken, int *incl) {
  spr_rng g;
  rng_seed(&g, job->seed, (uint64_t)r);
  const int n = job->n, ns = job->nstages, reps = job->reps;
  const int ng = job->ngroups;
  for (int y = 0; y < job->years; y++) {
    for (int i = 0; i < n; i++) {
      keys[i] = rng_exp(&g) * job->inv_w[i];
      taken[i] = 0;
    }
    int filled = 0;
    for (int s = 0; s < ns && filled < job->places; s++) {
      int want = s == ns - 1 ? job->places - filled : job->count[s];
      if (want > job->places - filled) want = job->places - filled;
      if (want <= 0) continue;
      unsigned bit = 1u << s;
      int c = 0;
      for (int i = 0; i < n; i++)
        if (!taken[i] && ((unsigned)job->mask[i] & bit)) {
          cand[c].key = keys[i];
          cand[c].idx = i;
          c++;
        }
      if (want < c) {
        smallest_keys(cand, c, want);
        /* Memorylessness: the keys of the eligible left over exceed the
         * largest admitted key t; minus t they are fresh exponential keys,
         * so the later stages are new sequential draws. */
        double t = cand[0].key;
        for (int j = 1; j < want; j++)
          if (cand[j].key > t) t = cand[j].key;
        for (int j = want; j < c; j++) keys[cand[j].idx] -= t;
      } else {
        want = c;
      }
      for (int j = 0; j < want; j++) {
        int i = cand[j].idx;
        taken[i] = 1;
        incl[i]++;
        job->out[r + (R_xlen_t)reps * (job->group[i] - 1 + (R_xlen_t)ng * s)]++;
      }
      filled += want;
    }
  }
}

static int arg_int(SEXP x, const char *what, int min) {
  if (!Rf_isInteger(x) || XLENGTH(x) != 1 || INTEGER(x)[0] == NA_INTEGER ||
      INTEGER(x)[0] < min)
    SPR_INTERNAL("`%s` must be a single integer >= %d", what, min);
  return INTEGER(x)[0];
}

SEXP spr_c_select(SEXP inv_weight_sexp, SEXP stage_mask_sexp,
                  SEXP stage_count_sexp, SEXP places_sexp, SEXP group_sexp,
                  SEXP ngroups_sexp, SEXP reps_sexp, SEXP years_sexp,
                  SEXP seed_sexp, SEXP threads_sexp) {
  int nprot = 0;
  if (TYPEOF(inv_weight_sexp) != REALSXP) SPR_INTERNAL("weights must be double");
  R_xlen_t nx = XLENGTH(inv_weight_sexp);
  if (nx < 1 || nx > INT_MAX / 2) SPR_INTERNAL("bad number of applicants");
  int n = (int)nx;
  if (TYPEOF(stage_mask_sexp) != INTSXP || XLENGTH(stage_mask_sexp) != n)
    SPR_INTERNAL("stage masks must be an integer per applicant");
  if (TYPEOF(group_sexp) != INTSXP || XLENGTH(group_sexp) != n)
    SPR_INTERNAL("groups must be an integer per applicant");
  if (TYPEOF(stage_count_sexp) != INTSXP || XLENGTH(stage_count_sexp) < 1 ||
      XLENGTH(stage_count_sexp) > 30)
    SPR_INTERNAL("between 1 and 30 stages");
  int nstages = (int)XLENGTH(stage_count_sexp);
  int places = arg_int(places_sexp, "places", 0);
  int ngroups = arg_int(ngroups_sexp, "ngroups", 1);
  int reps = arg_int(reps_sexp, "reps", 1);
  int years = arg_int(years_sexp, "years", 1);
  int threads = arg_int(threads_sexp, "threads", 1);
  if (TYPEOF(seed_sexp) != REALSXP || XLENGTH(seed_sexp) != 1 ||
      !R_FINITE(REAL(seed_sexp)[0]) || REAL(seed_sexp)[0] < 0 ||
      REAL(seed_sexp)[0] >= 9007199254740992.0)
    SPR_INTERNAL("`seed` must be a whole number in [0, 2^53)");
  if (places > n) SPR_INTERNAL("more places than applicants");
  if ((double)reps * ngroups * nstages > (double)R_XLEN_T_MAX / 2)
    SPR_INTERNAL("output too large");

  const double *v_inv_w = REAL(inv_weight_sexp);
  const int *v_mask = INTEGER(stage_mask_sexp);
  const int *v_group = INTEGER(group_sexp);
  for (int i = 0; i < n; i++) {
    if (ISNAN(v_inv_w[i]) || v_inv_w[i] < 0)
      spr_error("policy", i + 1, "applicant %d has an invalid weight", i + 1);
    if (v_group[i] < 1 || v_group[i] > ngroups)
      SPR_INTERNAL("group of row %d out of range", i + 1);
  }

  SEXP out = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)reps * ngroups * nstages));
  nprot++;
  memset(INTEGER(out), 0, sizeof(int) * (size_t)XLENGTH(out));
  SEXP incl = PROTECT(Rf_allocVector(REALSXP, n));
  nprot++;

#ifdef _OPENMP
  int nth = threads;
  if (nth > omp_get_num_procs()) nth = omp_get_num_procs();
  if (nth > reps) nth = reps;
  if (nth < 1) nth = 1;
#else
  int nth = 1;
  (void)threads;
#endif

  spr_select_job job = {n, nstages, places, ngroups, reps, years, v_inv_w,
                        v_mask, INTEGER(stage_count_sexp), v_group,
                        INTEGER(out), (uint64_t)REAL(seed_sexp)[0]};
  double *keys = (double *)R_alloc((size_t)nth * n, sizeof(double));
  spr_cand *cand = (spr_cand *)R_alloc((size_t)nth * n, sizeof(spr_cand));
  unsigned char *taken = (unsigned char *)R_alloc((size_t)nth * n, 1);
  int *counts = (int *)R_alloc((size_t)nth * n, sizeof(int));
  memset(counts, 0, sizeof(int) * (size_t)nth * n);

  /* About a million keys per thread between interrupt checks. */
  double per_rep = (double)n * years;
  int chunk = (int)(1e6 / per_rep) + 1;
  chunk *= nth;
  for (int start = 0; start < reps; start += chunk) {
    int end = reps - start > chunk ? start + chunk : reps;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int r = start; r < end; r++) {
#ifdef _OPENMP
      int t = omp_get_thread_num();
#else
      int t = 0;
#endif
      size_t off = (size_t)t * n;
      run_replication(&job, r, keys + off, cand + off, taken + off,
                      counts + off);
    }
    R_CheckUserInterrupt();
  }

  double *v_incl = REAL(incl);
  for (int i = 0; i < n; i++) {
    long long s = 0;
    for (int t = 0; t < nth; t++) s += counts[(size_t)t * n + i];
    v_incl[i] = (double)s;
  }

  SEXP res = PROTECT(Rf_allocVector(VECSXP, 2));
  nprot++;
  SET_VECTOR_ELT(res, 0, out);
  SET_VECTOR_ELT(res, 1, incl);
  UNPROTECT(nprot);
  return res;
}

/* Threads OpenMP offers here; 0 when compiled without OpenMP. */
SEXP spr_c_select_openmp(void) {
#ifdef _OPENMP
  return Rf_ScalarInteger(omp_get_num_procs());
#else
  return Rf_ScalarInteger(0);
#endif
}
