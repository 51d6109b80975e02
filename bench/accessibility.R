# bench/accessibility.R: accessibility_2sfca() against a dense-matrix R
# implementation and the accessibility package's floating_catchment_area().
#
# Run from the repository root after installing the package:
#   Rscript bench/accessibility.R       (or: make bench)
#
# Demand: the 4,068 PC4 areas of the shared CBS layer
# (nl/nl_regions_rd.gpkg, layer pc4_cbs2020, EPSG:28992 RD New), each as
# its point on surface (sf::st_point_on_surface) with its 1 January 2021
# population (`inwoners`, NA as 0). Without the shared data or sf, 4,068
# synthetic points (fixed seed) in the Netherlands' bounding box, with
# log-normal populations summing to about 17.5 million; the output says so.
# Supply: 5,000 synthetic GP practices (seed 20251103): each at a PC4 point
# drawn with probability proportional to its population, moved by a normal
# offset of 2 km in x and y, with a capacity of 0.2 + Gamma(2, 0.8) FTE
# rounded to 0.1. Catchment: 20 km, Euclidean.
#
# Tasks: 2SFCA with the step decay (the goal of issue 7) and BFCA with the
# step decay. Tools, in the same process on the same points:
#
# - spreiding::accessibility_2sfca(pc4, practices, 20000, method = ...);
# - a vectorised dense-matrix R implementation: the 4,068 x 5,000 distance
#   matrix from outer(), the 0/1 weight matrix, crossprod() and %*% for the
#   two steps (BFCA: rowSums/colSums normalisation);
# - accessibility::floating_catchment_area(method = "2sfca" / "bfca",
#   decay_function = decay_binary(20000)) on the travel matrix of the pairs
#   within 20 km (from_id, to_id, distance). That travel matrix is built
#   once before timing and is NOT in its time (the package needs a travel
#   matrix as input), which favours the anchor. When the package is not
#   installed, the script installs it from CRAN into a bench library
#   (SPREIDING_BENCH_LIB; default tools::R_user_dir("spreiding", "cache")
#   /bench-lib); if that fails (or BENCH_INSTALL=0), this anchor is skipped
#   and the output says so.
#
# Before any timing the results must agree, or the script stops: for every
# demand point the accessibility of each anchor equals spreiding's within
# 1e-9 (relative; accessibility's values are per inhabitant, spreiding's
# per 1,000), demand points that the accessibility package leaves out (no
# pair in reach) have accessibility 0 in spreiding, and the dense
# implementation's supply ratios equal spreiding's.
#
# Timing: bench::mark(check = FALSE, filter_gc = FALSE) in BENCH_ROUNDS
# rounds (default 3) in which the tools take turns in a rotated order; the
# median is over all iterations of a tool. Memory: mem_alloc (bytes R
# allocated during one call, Rprofmem; malloc is not seen) and peak RSS +
# (growth of this process's resident-set peak over one call, after
# /proc/self/clear_refs; malloc included; Linux only).
#
# Environment: SPREIDING_SHARED_DATA names the shared data directory (the
# one holding nl/nl_regions_rd.gpkg); default ../shared/data from the
# repository root. BENCH_ROUNDS: timing rounds. BENCH_SUPPLY: number of
# practices (default 5000). BENCH_INSTALL=0: do not try to install the
# accessibility package.

if (!requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}
has_bench <- requireNamespace("bench", quietly = TRUE)
has_sf <- requireNamespace("sf", quietly = TRUE)
options(cli.progress_show_after = Inf)

script_path <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) {
    normalizePath(sub("^--file=", "", file_arg))
  } else {
    file.path(getwd(), "bench", "accessibility.R")
  }
})
repo_root <- dirname(dirname(script_path))
source(file.path(dirname(script_path), "common.R"))

max_dist <- 20000
n_supply <- as.integer(as.numeric(Sys.getenv("BENCH_SUPPLY", "5000")))
n_rounds <- max(1L, as.integer(Sys.getenv("BENCH_ROUNDS", "3")))

# ---------------------------------------------------------------------------
# The accessibility package: installed, or installed into a bench library
# ---------------------------------------------------------------------------

anchor_status <- local({
  if (requireNamespace("accessibility", quietly = TRUE)) {
    "installed"
  } else if (identical(Sys.getenv("BENCH_INSTALL"), "0")) {
    "not installed (BENCH_INSTALL=0: no install tried); skipped"
  } else {
    lib <- Sys.getenv("SPREIDING_BENCH_LIB",
                      file.path(tools::R_user_dir("spreiding", "cache"),
                                "bench-lib"))
    dir.create(lib, recursive = TRUE, showWarnings = FALSE)
    .libPaths(c(lib, .libPaths()))
    if (!requireNamespace("accessibility", quietly = TRUE)) {
      message("bench/accessibility.R: installing the anchor 'accessibility' ",
              "from CRAN into ", lib, " ...")
      log <- tempfile("accessibility-install-")
      tryCatch({
        utils::capture.output(suppressMessages(utils::install.packages(
          "accessibility", lib = lib, repos = "https://cloud.r-project.org",
          quiet = TRUE)), file = log)
        TRUE
      }, error = function(e) FALSE, warning = function(w) FALSE)
    }
    if (requireNamespace("accessibility", quietly = TRUE)) {
      paste0("installed into the bench library ", lib)
    } else {
      paste0("could not be installed from CRAN into ", lib, "; skipped")
    }
  }
})
has_accessibility <- requireNamespace("accessibility", quietly = TRUE)
if (has_accessibility) {
  suppressPackageStartupMessages(library(data.table))
}

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

find_gpkg <- function() {
  env <- Sys.getenv("SPREIDING_SHARED_DATA", "")
  roots <- if (nzchar(env)) c(env, file.path(env, "data")) else
    file.path(repo_root, "..", "shared", "data")
  hit <- file.path(roots, "nl", "nl_regions_rd.gpkg")
  hit <- hit[file.exists(hit)]
  if (length(hit)) normalizePath(hit[[1L]]) else NA_character_
}

gpkg <- find_gpkg()
if (!is.na(gpkg) && has_sf) {
  pc4_sf <- sf::st_read(gpkg, "pc4_cbs2020", quiet = TRUE)
  pts <- suppressWarnings(sf::st_point_on_surface(sf::st_geometry(pc4_sf)))
  xy <- sf::st_coordinates(pts)
  pc4 <- data.frame(postcode = pc4_sf$postcode, x = xy[, 1], y = xy[, 2],
                    population = as.double(pc4_sf$inwoners))
  # An empty polygon (PC4 5028 in the 2020 layer) has no point.
  empty <- !is.finite(pc4$x) | !is.finite(pc4$y)
  dropped <- pc4[empty, ]
  pc4 <- pc4[!empty, ]
  rownames(pc4) <- NULL
  n_na <- sum(is.na(pc4$population))
  pc4$population[is.na(pc4$population)] <- 0
  data_source <- sprintf(
    "%s, layer pc4_cbs2020 (EPSG:28992): %s PC4 areas as points on surface (sf::st_point_on_surface), population 1 Jan 2021 (%d NA taken as 0)%s",
    gpkg, fmt_n(nrow(pc4)), n_na,
    if (nrow(dropped)) {
      sprintf("; %d empty polygon%s dropped (PC4 %s, population %s)",
              nrow(dropped), if (nrow(dropped) > 1) "s" else "",
              paste(dropped$postcode, collapse = ", "),
              paste(ifelse(is.na(dropped$population), "NA",
                           dropped$population), collapse = ", "))
    } else "")
} else {
  set.seed(20210101L, kind = "Mersenne-Twister", normal.kind = "Inversion",
           sample.kind = "Rejection")
  pop <- stats::rlnorm(4068L, meanlog = 7.9, sdlog = 1)
  pc4 <- data.frame(postcode = seq_len(4068L),
                    x = stats::runif(4068L, 13500, 278000),
                    y = stats::runif(4068L, 306000, 620000),
                    population = round(pop * 17.5e6 / sum(pop)))
  data_source <- paste0(
    "SYNTHETIC: ", if (is.na(gpkg)) {
      "shared data nl/nl_regions_rd.gpkg NOT FOUND"
    } else {
      "sf not installed (needed for the PC4 points on surface)"
    }, ", so 4,068 uniform points in the Netherlands' bounding box with ",
    "log-normal populations (seed 20210101)")
}

set.seed(20251103L, kind = "Mersenne-Twister", normal.kind = "Inversion",
         sample.kind = "Rejection")
at <- sample.int(nrow(pc4), n_supply, replace = TRUE,
                 prob = pmax(pc4$population, 0) + 1e-9)
practices <- data.frame(
  practice = seq_len(n_supply),
  x = pc4$x[at] + stats::rnorm(n_supply, 0, 2000),
  y = pc4$y[at] + stats::rnorm(n_supply, 0, 2000),
  fte = round(0.2 + stats::rgamma(n_supply, shape = 2, scale = 0.8), 1)
)

# The pairs within 20 km, for the accessibility package (built once, in
# blocks of demand points, not timed).
travel_matrix <- local({
  blocks <- split(seq_len(nrow(pc4)), ceiling(seq_len(nrow(pc4)) / 256))
  parts <- lapply(blocks, function(i) {
    d <- sqrt(outer(pc4$x[i], practices$x, "-")^2 +
                outer(pc4$y[i], practices$y, "-")^2)
    hit <- which(d <= max_dist, arr.ind = TRUE)
    data.frame(from_id = paste0("d", i[hit[, 1]]),
               to_id = paste0("s", hit[, 2]), distance = d[hit])
  })
  do.call(rbind, unname(parts))
})
land_use <- data.frame(
  id = c(paste0("d", seq_len(nrow(pc4))), paste0("s", seq_len(n_supply))),
  population = c(pc4$population, rep(0, n_supply)),
  fte = c(rep(0, nrow(pc4)), practices$fte)
)
if (has_accessibility) {
  travel_matrix <- data.table::as.data.table(travel_matrix)
  land_use <- data.table::as.data.table(land_use)
}

# ---------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------

# Returns list(access per 1,000 per demand point, ratio per 1,000 per
# supply point) for the dense implementation; spreiding's result object;
# accessibility's data frame.
dense_fca <- function(method) {
  force(method)
  function() {
    d2 <- outer(pc4$x, practices$x, "-")^2 + outer(pc4$y, practices$y, "-")^2
    w <- sqrt(d2) <= max_dist
    storage.mode(w) <- "double"
    rm(d2)
    if (method == "bfca") {
      row_w <- rowSums(w)
      col_w <- colSums(w)
      a <- w / ifelse(row_w > 0, row_w, 1)
      catchment <- as.vector(crossprod(a, pc4$population))
      rm(a)
      ratio <- ifelse(catchment > 0, 1000 * practices$fte / catchment, NA)
      r0 <- ifelse(is.na(ratio), 0, ratio) / ifelse(col_w > 0, col_w, 1)
      access <- as.vector(w %*% r0)
    } else {
      catchment <- as.vector(crossprod(w, pc4$population))
      ratio <- ifelse(catchment > 0, 1000 * practices$fte / catchment, NA)
      access <- as.vector(w %*% ifelse(is.na(ratio), 0, ratio))
    }
    list(access = access, ratio = ratio)
  }
}

runners <- list(
  `2sfca` = list(
    spreiding = function() {
      spreiding::accessibility_2sfca(pc4, practices, max_dist,
                                     capacity = "fte", crs = 28992)
    },
    dense_r = dense_fca("2sfca")
  ),
  bfca = list(
    spreiding = function() {
      spreiding::accessibility_2sfca(pc4, practices, max_dist,
                                     method = "bfca", capacity = "fte",
                                     crs = 28992)
    },
    dense_r = dense_fca("bfca")
  )
)
if (has_accessibility) {
  fca_args <- names(formals(accessibility::floating_catchment_area))
  run_fca <- function(method) {
    force(method)
    function() {
      decay <- accessibility::decay_binary(cutoff = max_dist)
      if ("fca_metric" %in% fca_args) {
        accessibility::floating_catchment_area(
          travel_matrix, land_use, fca_metric = method,
          decay_function = decay, opportunity_col = "fte",
          travel_cost_col = "distance", competition_col = "population")
      } else {
        accessibility::floating_catchment_area(
          travel_matrix, land_use, opportunity = "fte",
          travel_cost = "distance", demand = "population", method = method,
          decay_function = decay)
      }
    }
  }
  runners$`2sfca`$accessibility <- run_fca("2sfca")
  runners$bfca$accessibility <- run_fca("bfca")
}

tool_label <- c(spreiding = "spreiding::accessibility_2sfca",
                dense_r = "dense matrix in R (outer, %*%)",
                accessibility = "accessibility::floating_catchment_area")

# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------

# Times below 10 ms with a decimal (common.R's fmt_time rounds to 1 ms).
fmt_t <- function(s) {
  ifelse(!is.na(s) & s < 0.01, sprintf("%.1f ms", s * 1e3), fmt_time(s))
}

rel_diff <- function(a, b) {
  ok <- !(is.na(a) & is.na(b))
  if (any(is.na(a[ok]) | is.na(b[ok]))) return(Inf)
  max(c(0, abs(a[ok] - b[ok]) / pmax(abs(b[ok]), 1e-300)))
}

checks <- lapply(names(runners), function(task) {
  ours <- runners[[task]]$spreiding()
  a <- ours$demand$access_per_1000
  dense <- runners[[task]]$dense_r()
  d_access <- rel_diff(dense$access, a)
  d_ratio <- rel_diff(dense$ratio, ours$supply$ratio_per_1000)
  if (d_access > 1e-9 || d_ratio > 1e-9) {
    stop(task, ": the dense implementation differs from spreiding by up to ",
         format(max(d_access, d_ratio)), " (relative).", call. = FALSE)
  }
  out <- list(pairs = ours$parameters$pairs,
              outside = sum(ours$demand$supply_in_reach == 0),
              no_demand = sum(is.na(ours$supply$ratio_per_1000)),
              mean_access = sum(pc4$population * a) / sum(pc4$population),
              dense = d_access, accessibility = NA_real_, left_out = NA)
  if (has_accessibility) {
    theirs <- as.data.frame(runners[[task]]$accessibility())
    row <- as.integer(sub("^d", "", theirs$id))
    d_acc <- rel_diff(1000 * theirs$fte, a[row])
    left_out <- setdiff(seq_len(nrow(pc4)), row)
    if (d_acc > 1e-9 || any(a[left_out] != 0)) {
      stop(task, ": accessibility::floating_catchment_area differs from ",
           "spreiding by up to ", format(d_acc), " (relative), or leaves out ",
           "demand points with accessibility > 0.", call. = FALSE)
    }
    out$accessibility <- d_acc
    out$left_out <- length(left_out)
  }
  out
})
names(checks) <- names(runners)

# ---------------------------------------------------------------------------
# Memory and timing
# ---------------------------------------------------------------------------

peak_rss_growth <- function(f) {
  invisible(gc())
  base <- proc_bytes("VmRSS")
  if (is.na(base) || !reset_peak()) return(NA_real_)
  invisible(f())
  max(proc_bytes("VmHWM") - base, 0)
}

min_iter <- as.integer(ceiling(5 / n_rounds))
load_before <- load_average()
results <- lapply(names(runners), function(task) {
  fns <- runners[[task]]
  tools <- names(fns)
  k <- length(tools)
  growth <- vapply(fns, peak_rss_growth, 0)
  rounds <- lapply(seq_len(n_rounds), function(r) {
    mark_tools(fns[tools[(seq_len(k) + r - 2L) %% k + 1L]], min_iter)
  })
  timing <- do.call(rbind, lapply(tools, function(tool) {
    times <- unlist(lapply(rounds, function(r) r[[tool]]$time))
    data.frame(tool = tool, median = stats::median(times), min = min(times),
               mem_alloc = rounds[[1L]][[tool]]$mem_alloc,
               n_itr = length(times))
  }))
  list(timing = timing, growth = growth)
})
names(results) <- names(runners)
load_after <- load_average()

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

cat("accessibility benchmark\n")
cat(sprintf("  R %s; spreiding %s%s%s%s; %d cores\n",
            getRversion(), utils::packageVersion("spreiding"),
            if (has_accessibility) {
              paste0(", accessibility ", utils::packageVersion("accessibility"),
                     ", data.table ", utils::packageVersion("data.table"),
                     " (", data.table::getDTthreads(), " threads)")
            } else "",
            if (has_sf) paste0(", sf ", utils::packageVersion("sf")) else "",
            if (has_bench) paste0(", bench ", utils::packageVersion("bench"))
            else "",
            parallel::detectCores()))
cat("  demand:", data_source, "\n")
cat(sprintf("          total population %s\n", fmt_n(sum(pc4$population))))
cat(sprintf(
  "  supply: %s synthetic practices (seed 20251103) at population-weighted PC4 points + N(0, 2 km) offsets; %s FTE in all (0.2 + Gamma(2, 0.8), rounded to 0.1)\n",
  fmt_n(n_supply), format(sum(practices$fte), big.mark = ",")))
cat(sprintf(
  "  catchment: %s m, Euclidean, step decay; %s pairs in reach (%.1f%% of the %s x %s matrix)\n",
  fmt_n(max_dist), fmt_n(checks[["2sfca"]]$pairs),
  100 * checks[["2sfca"]]$pairs / (nrow(pc4) * n_supply), fmt_n(nrow(pc4)),
  fmt_n(n_supply)))
cat("  accessibility package:", anchor_status, "\n")
if (has_accessibility) {
  cat(sprintf(
    "  its travel matrix: the %s pairs within 20 km (from_id, to_id, distance), a data.table built before timing and not timed\n",
    fmt_n(nrow(travel_matrix))))
}
cat(sprintf(
  "  timing: %s, %d rounds in rotated order, median over all iterations\n",
  if (has_bench) sprintf("bench::mark %s (min_iterations = %d, filter_gc = FALSE)",
                         utils::packageVersion("bench"), min_iter)
  else "system.time() (bench not installed)", n_rounds))
cat("  load average before / after timing:", load_before, "/", load_after,
    "\n\n")

for (task in names(results)) {
  tm <- results[[task]]$timing
  ours <- tm$median[tm$tool == "spreiding"]
  out <- data.frame(
    tool = tool_label[tm$tool],
    median = fmt_t(tm$median),
    min = fmt_t(tm$min),
    `anchor/spreiding` = sprintf("%.1f", tm$median / ours),
    mem_alloc = fmt_mb(tm$mem_alloc),
    `peak RSS +` = fmt_mb(results[[task]]$growth[tm$tool]),
    iterations = tm$n_itr,
    check.names = FALSE, row.names = NULL
  )
  out$`anchor/spreiding`[tm$tool == "spreiding"] <- "-"
  ck <- checks[[task]]
  cat(sprintf("%s, step decay, 20 km\n", toupper(task)))
  local({
    old <- options(width = 200)
    on.exit(options(old))
    print(out, right = FALSE, row.names = FALSE)
  })
  cat(sprintf(
    "  agreement: dense R within %.1e (relative) of spreiding for every demand point and supply ratio%s.\n",
    ck$dense,
    if (has_accessibility) {
      sprintf("; accessibility within %.1e for the %s demand points it reports (the %s it leaves out, with no pair in reach, have 0 in spreiding)",
              ck$accessibility, fmt_n(nrow(pc4) - ck$left_out),
              fmt_n(ck$left_out))
    } else ""))
  cat(sprintf(
    "  result: population-weighted mean %.3f FTE per 1,000 inhabitants; %s demand points outside every catchment; %s practices with no population in reach.\n\n",
    ck$mean_access, fmt_n(ck$outside), fmt_n(ck$no_demand)))
}

cat(
  "  anchor/spreiding > 1 means spreiding is faster.\n",
  "  spreiding and the dense implementation compute the distances inside the call; the accessibility package gets the pairs in reach as its travel matrix.\n",
  "  mem_alloc: bytes R allocated during one call (Rprofmem; malloc'd scratch is not seen).\n",
  "  peak RSS +: growth of this process's resident-set peak over one call (VmHWM after /proc/self/clear_refs; malloc included; approximate).\n\n",
  sep = ""
)

for (task in names(results)) {
  tm <- results[[task]]$timing
  ours <- tm$median[tm$tool == "spreiding"]
  anchors <- tm[tm$tool != "spreiding", ]
  best <- anchors[which.min(anchors$median), ]
  speed <- best$median / ours
  cat(sprintf(
    "RESULT: %s: accessibility_2sfca vs the faster anchor (%s): %.1fx faster (%s vs %s); goal >= 10x: %s.%s\n",
    toupper(task), tool_label[[best$tool]], speed, fmt_t(ours),
    fmt_t(best$median), if (speed >= 10) "MET" else "NOT MET",
    if (!has_accessibility) " (accessibility package skipped)" else ""))
}
