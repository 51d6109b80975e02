# bench/selection.R: simulate_selection() against a base-R implementation
# of the same admission rounds with sample(prob =).
#
# Run from the repository root after installing the package:
#   Rscript bench/selection.R       (or: make bench)
#
# Data: 12,000 synthetic applicants (simulate_applicants(), seed 20251103;
# origins as the published 2011-2024 student origins, the default
# "shortage" class), 3,000 places. Policy: quota(0.2, "shortage") +
# weighted_lottery(c(shortage = 3)): 600 places reserved for shortage-class
# applicants, then 2,400 open places, every place drawn with three tickets
# for shortage-class applicants.
#
# Tools, in the same process on the same pool:
# - spreiding's kernel (inclusion_probabilities(), which runs only the
#   sampler) and the whole simulate_selection() (sampler, pass rates,
#   practice regions, summaries) with 10,000 replications, on 1 and on 2
#   threads;
# - base R: per replication sample(eligible, 600, prob = w) and then
#   sample(rest, 2400, prob = w). R's sample() without replacement and with
#   weights draws sequentially, proportional to the remaining weights
#   (ProbSampleNoReplace, O(n k) per round): the same semantics as
#   spreiding's stages, so the inclusion probabilities must agree. It is
#   timed on BENCH_BASE_REPS replications (default 100) and scaled
#   linearly to 10,000; the output says so.
#
# Agreement: before any timing is reported, the mean inclusion probability
# per class from base R (BENCH_BASE_REPS rounds, about 900 and 11,100
# applicants per class) must be within 5 Monte Carlo standard errors of
# spreiding's (10,000 rounds), or the script stops; the per-applicant
# correlation is printed too.
#
# Goals (issue 9): at least 20 times faster than base R; the full
# 10,000-replication scenario in under 10 s on two cores.
#
# Environment: BENCH_BASE_REPS (base-R replications), BENCH_REPS
# (spreiding replications, default 10000).

if (!requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}
source(file.path("bench", "common.R"))
suppressPackageStartupMessages(library(spreiding))

base_reps <- as.integer(Sys.getenv("BENCH_BASE_REPS", "100"))
reps <- as.integer(Sys.getenv("BENCH_REPS", "10000"))
places <- 3000L

applicants <- simulate_applicants(n = 12000, seed = 20251103)
policy <- quota(0.2, "shortage") + weighted_lottery(c(shortage = 3))
short <- applicants$region_class == "shortage"
w <- ifelse(short, 3, 1)
reserved <- round(0.2 * places)

# base R: one round, the indices admitted
base_round <- function() {
  elig <- which(short)
  first <- if (length(elig) > reserved) {
    elig[sample.int(length(elig), reserved, prob = w[elig])]
  } else {
    elig
  }
  rest <- setdiff(seq_along(w), first)
  second <- rest[sample.int(length(rest), places - length(first),
                            prob = w[rest])]
  c(first, second)
}
base_run <- function(r) {
  counts <- integer(length(w))
  for (i in seq_len(r)) {
    a <- base_round()
    counts[a] <- counts[a] + 1L
  }
  counts / r
}

cat("bench/selection.R: 12,000 applicants (", sum(short),
    " shortage), 3,000 places, quota 20% + 3 tickets\n", sep = "")
cat("load average:", load_average(), "\n\n")

set.seed(1)
t_base <- system.time(p_base <- base_run(base_reps))[["elapsed"]]
per_rep_base <- t_base / base_reps

t_k1 <- system.time(k1 <- inclusion_probabilities(
  applicants, places, policy, reps = reps, seed = 1, threads = 1))[["elapsed"]]
t_k2 <- system.time(k2 <- inclusion_probabilities(
  applicants, places, policy, reps = reps, seed = 1, threads = 2))[["elapsed"]]
stopifnot(identical(k1$inclusion, k2$inclusion))

# agreement of the class means
p_sp <- k2$inclusion
agree <- vapply(c(TRUE, FALSE), function(cl) {
  sel <- short == cl
  # the class mean of a round's inclusions has variance at most
  # p (1 - p) / (rounds * class size); 5 standard errors of the base mean
  m_b <- mean(p_base[sel])
  m_s <- mean(p_sp[sel])
  se <- sqrt(m_b * (1 - m_b) / (base_reps * sum(sel)))
  c(m_b, m_s, (m_s - m_b) / se)
}, double(3))
colnames(agree) <- c("shortage", "other")
rownames(agree) <- c("base R", "spreiding", "z")
cat("Mean inclusion probability per class (base R over", base_reps,
    "rounds, spreiding over", reps, "):\n")
print(round(agree, 4))
if (any(abs(agree[3, ]) > 5)) {
  stop("base R and spreiding disagree on the inclusion probabilities",
       call. = FALSE)
}
cat("Per-applicant correlation of the inclusion probabilities:",
    format(stats::cor(p_base, p_sp), digits = 3), "\n")
cat("Share of places going to shortage applicants (spreiding):",
    format(sum(p_sp[short]) / places, digits = 4), "\n\n")

# the whole demo scenario: simulate_selection() with summaries, default pass
# rates and AZW practice regions (the crosswalk is cached by a first call)
invisible(simulate_selection(applicants, places, policy, reps = 10, seed = 1,
                             threads = 1))
t_full1 <- system.time(s1 <- simulate_selection(
  applicants, places, policy, reps = reps, seed = 1, threads = 1))[["elapsed"]]
t_full2 <- system.time(s2 <- simulate_selection(
  applicants, places, policy, reps = reps, seed = 1, threads = 2))[["elapsed"]]
stopifnot(identical(s1$origin, s2$origin))

base_scaled <- per_rep_base * reps
res <- data.frame(
  tool = c(sprintf("base R sample(prob =) (%d reps, scaled)", base_reps),
           "spreiding kernel, 1 thread", "spreiding kernel, 2 threads",
           "simulate_selection(), 1 thread", "simulate_selection(), 2 threads"),
  time_10000 = c(base_scaled, t_k1 * 10000 / reps, t_k2 * 10000 / reps,
                 t_full1 * 10000 / reps, t_full2 * 10000 / reps)
)
res$per_rep_ms <- res$time_10000 / 10000 * 1e3
res$speedup <- base_scaled / res$time_10000
cat("Time for 10,000 replications:\n")
print(data.frame(tool = res$tool, time = fmt_time(res$time_10000),
                 per_rep = sprintf("%.3f ms", res$per_rep_ms),
                 base_over_this = sprintf("%.0fx", res$speedup)),
      row.names = FALSE)
cat("\nGoal >= 20x: ", if (res$speedup[3] >= 20) "met" else "NOT met",
    " (kernel, 2 threads: ", sprintf("%.0fx", res$speedup[3]), ")\n", sep = "")
cat("Goal full run < 10 s on 2 cores: ",
    if (res$time_10000[5] < 10) "met" else "NOT met",
    " (", fmt_time(res$time_10000[5]), ")\n", sep = "")
