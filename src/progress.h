/* progress.h -- cli progress bars and interrupt checks for loops over rows
 * (progress.c). */
#ifndef SPREIDING_PROGRESS_H
#define SPREIDING_PROGRESS_H

#include "spreiding.h"

typedef struct {
  SEXP bar; /* R_NilValue when no bar is kept */
  double done;
} spr_progress;

/* Start a bar for `total` units (rows); below a million units no bar is
 * made. Returns the bar for the caller to PROTECT. cli shows it only once
 * the work has taken a couple of seconds. */
SEXP spr_progress_start(spr_progress *p, double total, const char *name);

/* Between chunks of rows: honour interrupts, advance the bar. */
void spr_progress_add(spr_progress *p, double units);

void spr_progress_done(spr_progress *p);

#endif
