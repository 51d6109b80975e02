#!/usr/bin/env bash
#
# check-summary.sh -- sum up an R CMD check run for `make check`.
#
#   tools/check-summary.sh spreiding.Rcheck
#
# Prints the check's NOTEs, WARNINGs and ERRORs with their details, then a
# last line "N passed, N failed, N skipped" taken from testthat's final
# "[ FAIL x | WARN y | SKIP z | PASS w ]" line in tests/testthat.Rout (or
# testthat.Rout.fail). Exits non-zero when a test failed, when the tests did
# not run, or when 00check.log has an ERROR or WARNING.

set -uo pipefail

rcheck=${1:?usage: check-summary.sh PKG.Rcheck}
log="$rcheck/00check.log"
status=0

if [[ ! -f $log ]]; then
  echo "check-summary: $log not found: R CMD check did not run."
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

# Every check step that did not end in OK, with the lines that explain it
# (up to the next "* " step).
problems=$(awk '
  /^\* / { show = ($0 ~ /\.\.\. *(NOTE|WARNING|ERROR)$/) }
  /^Status:/ { show = 0 }
  show { print }
' "$log")
if [[ -n $problems ]]; then
  echo "---- R CMD check: NOTEs, WARNINGs and ERRORs ----------------------"
  printf '%s\n' "$problems"
  echo "-------------------------------------------------------------------"
fi

status_line=$(grep -E '^Status:' "$log" | tail -n 1)
if [[ -z $status_line ]]; then
  echo "check-summary: 00check.log has no Status line: R CMD check stopped early."
  tail -n 20 "$log"
  status=1
else
  echo "R CMD check $status_line"
  if [[ $status_line =~ ERROR|WARNING ]]; then
    status=1
  fi
fi

rout=""
for f in "$rcheck/tests/testthat.Rout.fail" "$rcheck/tests/testthat.Rout"; do
  if [[ -f $f ]]; then
    rout=$f
    break
  fi
done

summary=""
[[ -n $rout ]] && summary=$(grep -E '\[ *FAIL [0-9]+ *\| *WARN [0-9]+ *\| *SKIP [0-9]+ *\| *PASS [0-9]+ *\]' "$rout" | tail -n 1)

if [[ -z $summary ]]; then
  if [[ -z $rout ]]; then
    echo "check-summary: no tests/testthat.Rout in $rcheck: the tests did not run."
  else
    echo "check-summary: no testthat summary line in $rout: the tests did not finish."
    tail -n 30 "$rout"
  fi
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

field() { sed -E "s/.*$1 ([0-9]+).*/\\1/" <<<"$summary"; }
fail=$(field FAIL)
skip=$(field SKIP)
pass=$(field PASS)

if [[ -n $rout && $rout == *.fail ]]; then
  # The failing tests, as testthat reported them.
  sed -n '/══ Failed tests/,$p' "$rout" | head -n 80
fi
[[ $fail -gt 0 || $rout == *.fail ]] && status=1

echo "$pass passed, $fail failed, $skip skipped"
exit $status
