/*
 * progress.c -- progress bars (cli's C API, cli/progress.h) and interrupt
 * checks shared by every loop over rows. Callers work in chunks of
 * SPR_CHUNK rows and call spr_progress_add() between chunks, which calls
 * R_CheckUserInterrupt() (so only R-managed memory may be open there) and
 * ticks the bar when cli's timer says an update is due.
 */
#include "progress.h"

#include <cli/progress.h>

SEXP spr_progress_start(spr_progress *p, double total, const char *name) {
  p->done = 0;
  p->bar = R_NilValue;
  if (total >= 1e6) {
    p->bar = cli_progress_bar(total, NULL);
    cli_progress_set_name(p->bar, name);
  }
  return p->bar;
}

void spr_progress_add(spr_progress *p, double units) {
  R_CheckUserInterrupt();
  p->done += units;
  if (p->bar != R_NilValue && CLI_SHOULD_TICK) cli_progress_set(p->bar, p->done);
}

void spr_progress_done(spr_progress *p) {
  if (p->bar != R_NilValue) cli_progress_done(p->bar);
}
