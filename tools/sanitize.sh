#!/usr/bin/env bash
#
# sanitize.sh -- run the tests and a reduced fuzz run of spreiding under
# AddressSanitizer and UndefinedBehaviorSanitizer (make sanitize), or under
# valgrind (make valgrind).
#
#   tools/sanitize.sh asan     [FILTER]
#   tools/sanitize.sh valgrind [FILTER]
#
# FILTER (optional) is a regular expression for testthat::test_dir(filter =)
# to run a subset of tests/testthat, such as "fuzz|table|index".
#
# asan: the package is compiled with -fsanitize=address,undefined
# -fno-omit-frame-pointer through ~/.R/Makevars in a temporary HOME (the way
# "Writing R Extensions" documents for package code), into a temporary
# library, from a copy of the tree (so no object files are left behind). R
# itself is not instrumented, so libasan is preloaded (LD_PRELOAD) and
# leak detection is off (R does not free everything at exit). Any
# "ERROR: AddressSanitizer" or "runtime error:" (UBSan) line fails.
#
# valgrind: compiled with -g -O1, the tests run under
#   R -d "valgrind --error-exitcode=1 --leak-check=full"
# and fail on any invalid read, write or free, on uninitialised values and
# on any definitely lost block allocated from spreiding.so. (Leaks of R,
# GDAL and PROJ at exit are reported in the log but do not fail.)
#
# The log is kept in $SANITIZE_LOG (default: a file in the temporary
# directory, printed at the end).

set -uo pipefail

mode=${1:?usage: sanitize.sh asan|valgrind [FILTER]}
filter=${2:-}
cd "$(dirname "$0")/.."
root=$(pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spreiding-$mode.XXXXXX")
home="$tmp/home"
lib="$tmp/lib"
src="$tmp/spreiding"
log=${SANITIZE_LOG:-$tmp/$mode.log}
mkdir -p "$home/.R" "$lib" "$src"

say() { printf 'sanitize: %s\n' "$*"; }

case "$mode" in
  asan)
    flags="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer"
    cat > "$home/.R/Makevars" <<EOF
CFLAGS = $flags
CXXFLAGS = $flags
LDFLAGS = -fsanitize=address,undefined
EOF
    ;;
  valgrind)
    command -v valgrind >/dev/null 2>&1 || {
      say "valgrind not found: install it (Debian/Ubuntu: apt-get install valgrind, or tools/install-deps.sh --valgrind)."
      exit 1
    }
    cat > "$home/.R/Makevars" <<EOF
CFLAGS = -g -O1
EOF
    ;;
  *)
    say "unknown mode '$mode' (asan or valgrind)"
    exit 2
    ;;
esac

# A copy of the tree without .git and without build products.
tar --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.Rcheck' \
  --exclude='*.tar.gz' -cf - . | tar -C "$src" -xf -

say "building with $(cat "$home/.R/Makevars" | head -1)"
if ! HOME="$home" R CMD INSTALL --no-test-load --no-docs --no-multiarch \
  -l "$lib" "$src" > "$tmp/install.log" 2>&1; then
  tail -30 "$tmp/install.log"
  say "install failed (log: $tmp/install.log)"
  exit 1
fi

# The test run: the testthat suite (or FILTER of it), then a reduced fuzz
# run of 2,000 calls.
cat > "$tmp/run.R" <<'EOF'
filter <- Sys.getenv("SPREIDING_TEST_FILTER")
if (!nzchar(filter)) filter <- NULL
res <- testthat::test_dir(file.path(Sys.getenv("SPREIDING_SRC"), "tests", "testthat"),
                          package = "spreiding", load_package = "installed",
                          filter = filter, stop_on_failure = FALSE,
                          reporter = testthat::SummaryReporter$new())
df <- as.data.frame(res)
failed <- sum(df$failed) + sum(df$error)
calls <- as.integer(Sys.getenv("SPREIDING_FUZZ_CALLS", "2000"))
env <- new.env(parent = globalenv())
env$fuzz_here <- file.path(Sys.getenv("SPREIDING_SRC"), "tests", "fuzz")
sys.source(file.path(env$fuzz_here, "fuzz.R"), envir = env)
fz <- env$fuzz_run(calls, seed = 7)
print(env$fuzz_summary(fz))
other <- sum(fz$outcome == "other")
cat(sprintf("tests failed: %d; fuzz calls: %d, other: %d\n", failed, calls, other))
if (failed > 0 || other > 0) quit(status = 3)
# reached only when the tests and the fuzz run finished cleanly; valgrind's
# exit code cannot tell an R error from the errors it counts in R or GDAL
writeLines("ok", Sys.getenv("SPREIDING_DONE"))
EOF

export SPREIDING_SRC="$src" SPREIDING_TEST_FILTER="$filter" NOT_CRAN=true
export SPREIDING_SANITIZER="$mode"
export SPREIDING_DONE="$tmp/done"
export R_LIBS="$lib${R_LIBS:+:$R_LIBS}"
status=0
case "$mode" in
  asan)
    libasan=$(gcc -print-file-name=libasan.so)
    say "preloading $libasan; log: $log"
    LD_PRELOAD="$libasan" \
      ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:detect_odr_violation=0:allow_user_segv_handler=1:print_summary=1" \
      UBSAN_OPTIONS="print_stacktrace=1" \
      Rscript --vanilla "$tmp/run.R" > "$log" 2>&1 || status=$?
    tail -60 "$log"
    if grep -q -E "ERROR: AddressSanitizer|runtime error:" "$log"; then
      say "sanitizer reports (see $log):"
      grep -n -E -A20 "ERROR: AddressSanitizer|runtime error:" "$log" | head -80
      status=1
    fi
    ;;
  valgrind)
    vlog="$tmp/valgrind.%p.log"
    say "valgrind logs: $tmp/valgrind.*.log; R output: $log"
    rc=0
    R --vanilla -d "valgrind --error-exitcode=1 --leak-check=full --num-callers=30 --track-origins=yes --log-file=$vlog" \
      -f "$tmp/run.R" > "$log" 2>&1 || rc=$?
    tail -40 "$log"
    # 3: tests or fuzz failed; 1: valgrind counted errors (anywhere: R,
    # GDAL and PROJ included, sorted out below); anything else: a crash.
    case $rc in
      0) ;;
      1) say "valgrind counted errors; those in spreiding's code follow, if any" ;;
      *) say "R exited with status $rc"; status=1 ;;
    esac
    # Each valgrind record is a block of lines ending in an empty "==pid=="
    # line. Fail on invalid accesses anywhere, and on uninitialised values
    # and definite leaks whose stack passes through spreiding.so.
    bad=$(awk '
      /^==[0-9]+== *$/ {
        if (rec != "" && (rec ~ /Invalid (read|write|free)|Mismatched free/ ||
            (rec ~ /spreiding\.so/ && rec ~ /uninitialised|definitely lost|Invalid|overlap/)))
          print rec "\n"
        rec = ""; next
      }
      { rec = rec $0 "\n" }
    ' "$tmp"/valgrind.*.log)
    if [[ -n $bad ]]; then
      say "valgrind reports in spreiding's code:"
      printf '%s\n' "$bad" | head -120
      status=1
    fi
    grep -h -E "definitely lost|indirectly lost|ERROR SUMMARY" "$tmp"/valgrind.*.log | sort | uniq -c | head -20
    ;;
esac

if [[ ! -f $tmp/done ]]; then
  say "the tests or the fuzz run failed or did not finish (see $log)"
  status=1
fi

say "$mode: $([[ $status -eq 0 ]] && echo passed || echo FAILED) (files in $tmp)"
exit $status
