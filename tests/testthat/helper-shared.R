# Locate the project's shared data directory (shared/data, holding
# mulder2025/ and nl/), which is not part of the package. It is found, in
# order:
#
# 1. through the environment variable SPREIDING_SHARED_DATA, naming that
#    data directory (or the shared/ directory above it);
# 2. as shared/data in an ancestor of the test directory, which covers a
#    source tree beside shared/ (devtools::test(), testthat::test_dir());
# 3. as shared/data in an ancestor of the working directory, which covers
#    R CMD check: tests run in spreiding.Rcheck/tests/testthat of a clone that
#    sits beside shared/.

shared_data_candidates <- function() {
  candidates <- character()

  env <- Sys.getenv("SPREIDING_SHARED_DATA", "")
  if (nzchar(env)) {
    candidates <- c(candidates, env, file.path(env, "data"))
  }

  starts <- c(
    tryCatch(testthat::test_path(), error = function(e) NA_character_),
    getwd()
  )
  for (start in starts[!is.na(starts) & dir.exists(starts)]) {
    dir <- normalizePath(start, winslash = "/", mustWork = TRUE)
    repeat {
      candidates <- c(candidates, file.path(dir, "shared", "data"))
      parent <- dirname(dir)
      if (identical(parent, dir)) break
      dir <- parent
    }
  }
  unique(candidates)
}

# The path of a file or folder under the shared data directory, e.g.
# shared_data_path("mulder2025"). Skips the calling test when it is absent.
shared_data_path <- function(...) {
  for (root in shared_data_candidates()) {
    path <- if (...length() > 0L) file.path(root, ...) else root
    if (file.exists(path)) {
      return(path)
    }
  }
  testthat::skip(paste0(
    "shared data not found: ", paste(c("shared/data", ...), collapse = "/"),
    " (set SPREIDING_SHARED_DATA to the shared data directory)"
  ))
}
