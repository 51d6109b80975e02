# make sanitize and make valgrind (tools/sanitize.sh) set SPREIDING_SANITIZER.
# Their allocators keep freed memory back (ASan's quarantine) or replace
# malloc (valgrind), so the resident-set checks of the resource tests mean
# nothing there, and the loops of thousands of calls are very slow: those
# tests skip. (Leaks are what valgrind itself reports.)
skip_under_sanitizer <- function() {
  tool <- Sys.getenv("SPREIDING_SANITIZER")
  testthat::skip_if(nzchar(tool), paste("memory growth is not measured under", tool))
}
