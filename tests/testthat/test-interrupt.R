# Long C loops honour interrupts: R_CheckUserInterrupt() is where R checks
# both a user's interrupt (Ctrl-C, SIGINT) and setTimeLimit(), so a time
# limit stops a long kernel, and SIGINT stops it in a child R session. After
# either the session must work and hold no more memory than before.

# 2SFCA with Gaussian decay and a catchment that reaches every practice:
# n_demand x n_supply pairs (10^9 here, seconds of work, little memory).
long_access_problem <- function(n = 200000, m = 5000) {
  set.seed(42)
  list(
    demand = data.frame(x = stats::runif(n, 0, 1000),
                        y = stats::runif(n, 0, 1000), population = 1),
    supply = data.frame(x = stats::runif(m, 0, 1000),
                        y = stats::runif(m, 0, 1000), capacity = 1)
  )
}

# Two villages, one practice with 2 FTE 5 km from both, catchment 10 km:
# 2 FTE for 3,000 inhabitants, 2 / 3000 * 1000 = 0.6667 per 1,000 each.
small_access_value <- function() {
  villages <- data.frame(x = c(0, 10000), y = 0, population = c(1000, 2000))
  practice <- data.frame(x = 5000, y = 0, capacity = 2)
  accessibility_2sfca(villages, practice, max_dist = 10000)$demand$access_per_1000
}

vm_rss_kb <- function() {
  f <- "/proc/self/status"
  if (!file.exists(f)) return(NA_real_)
  line <- grep("^VmRSS:", readLines(f), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}

test_that("a time limit stops a long C loop, and the session goes on", {
  skip_on_cran()
  p <- long_access_problem()
  run_limited <- function() {
    t0 <- proc.time()[["elapsed"]]
    e <- tryCatch({
      setTimeLimit(elapsed = 0.5, transient = TRUE)
      accessibility_2sfca(p$demand, p$supply, max_dist = 1e6,
                          decay = "gaussian")
      NULL
    }, error = function(e) e)
    setTimeLimit(elapsed = Inf)
    list(error = e, seconds = proc.time()[["elapsed"]] - t0)
  }
  first <- run_limited()
  expect_match(conditionMessage(first$error), "time limit")
  # stopped at the next interrupt check, not at the end of 10^9 pairs
  # (which take minutes; under valgrind everything runs some 50 times
  # slower, the setup of 200,000 points included)
  expect_lt(first$seconds,
            if (Sys.getenv("SPREIDING_SANITIZER") == "valgrind") 120 else 5)
  gc()
  before_r <- sum(gc()[, 2])
  before_rss <- vm_rss_kb()
  for (i in 1:3) run_limited()
  gc()
  # R_alloc scratch is given back when the loop is left by a jump
  expect_lt(sum(gc()[, 2]) - before_r, 5)
  if (!is.na(before_rss) && !nzchar(Sys.getenv("SPREIDING_SANITIZER"))) {
    expect_lt(vm_rss_kb() - before_rss, 50 * 1024)
  }
  expect_equal(small_access_value(), c(2000 / 3000, 2000 / 3000),
               tolerance = 1e-12)
})

test_that("SIGINT stops a long C loop in a child session, which goes on", {
  skip_on_cran()
  skip_if_not_installed("callr")
  skip_on_os("windows")
  lib <- dirname(getNamespaceInfo("spreiding", "path"))
  rs <- callr::r_session$new(
    callr::r_session_options(libpath = c(lib, .libPaths()))
  )
  on.exit(rs$close(), add = TRUE)
  rs$run(function(p) {
    assign("p", p, globalenv())
    library(spreiding)
  }, list(p = long_access_problem()))
  rs$call(function() {
    accessibility_2sfca(p$demand, p$supply, max_dist = 1e6,
                        decay = "gaussian")
  })
  Sys.sleep(1)
  rs$interrupt()
  expect_equal(rs$poll_process(10000), "ready")
  res <- rs$read()
  # callr reports an interrupted call as an error whose parent is the
  # interrupt condition
  expect_s3_class(res$error, "error")
  expect_s3_class(res$error$parent, "interrupt")
  # the session still works and gives the worked-out values
  expect_equal(rs$get_state(), "idle")
  value <- rs$run(function() {
    villages <- data.frame(x = c(0, 10000), y = 0, population = c(1000, 2000))
    practice <- data.frame(x = 5000, y = 0, capacity = 2)
    accessibility_2sfca(villages, practice, max_dist = 10000)$demand$access_per_1000
  })
  expect_equal(value, c(2000 / 3000, 2000 / 3000), tolerance = 1e-12)
})
