#!/usr/bin/env bash
#
# install-deps.sh -- install everything spreiding needs to build, check and
# test on a Debian (or Ubuntu) machine, from Debian's archive first and from
# CRAN only for R packages Debian does not have.
#
#   tools/install-deps.sh            system libraries, tools, R packages
#   tools/install-deps.sh --bench    ... plus the benchmark anchors
#   tools/install-deps.sh --valgrind ... plus valgrind (for make valgrind only)
#   tools/install-deps.sh --dry-run  print what would be installed, change nothing
#
# Idempotent: when everything is there it runs no apt-get at all (one
# dpkg-query and one R session to check, about a second). Without root (and
# without a sudo that works non-interactively) it prints the commands to run
# and exits non-zero if anything is missing.
#
# R packages: the fixed list below plus every package named in DESCRIPTION's
# Depends, Imports, LinkingTo and Suggests, so a new dependency there is
# installed without editing this script.

set -euo pipefail

cd "$(dirname "$0")/.."

CRAN="https://cloud.r-project.org"

# Libraries and tools: GDAL/GEOS/PROJ headers for configure, gdal-bin for
# gdal-config on older releases, tidy for the HTML manual check, qpdf for
# R CMD check --as-cran's PDF size check, devscripts for checkbashisms
# (--as-cran warns "A complete check needs the 'checkbashisms' script" when a
# package has a configure script and it is missing).
SYSTEM_PKGS=(libgdal-dev libgeos-dev libproj-dev pkg-config gdal-bin tidy qpdf devscripts)
# R packages for documenting, testing and checking (pkgbuild: roxygen2 loads
# the package with pkgload, which needs it to compile src/).
R_PKGS=(cli testthat withr roxygen2 pkgbuild knitr rmarkdown)
# Anchors the benchmarks in bench/ compare against. sdcTable and
# GaussSuppression (which brings SSBtools) are not in Debian, so they come
# from CRAN; their dependencies that Debian has come from Debian (see "CRAN,
# for what apt did not bring" below). Rglpk: audit_disclosure(), which
# bench/disclosure.R runs on every tool's result, needs it.
BENCH_R_PKGS=(data.table collapse bench Rglpk sdcTable GaussSuppression SSBtools)
# Packages that come with R itself.
BASE_R_PKGS=" R base compiler datasets graphics grDevices grid methods parallel splines stats stats4 tcltk tools utils "

BENCH=no
VALGRIND=no
DRY_RUN=no
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=yes ;;
    --valgrind) VALGRIND=yes ;;
    --dry-run) DRY_RUN=yes ;;
    -h | --help)
      sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown argument '$arg' (use --bench, --valgrind, --dry-run)" >&2
      exit 2
      ;;
  esac
done

say() { printf 'install-deps: %s\n' "$*"; }

# Package names from DESCRIPTION's dependency fields, without versions.
description_pkgs() {
  [[ -f DESCRIPTION ]] || return 0
  awk '
    /^[^ \t][^:]*:/ {
      field = $0; sub(/:.*/, "", field)
      keep = (field ~ /^(Depends|Imports|LinkingTo|Suggests)$/)
      if (keep) { line = $0; sub(/^[^:]*:/, "", line); buf = buf "," line }
      next
    }
    /^[ \t]/ { if (keep) buf = buf " " $0; next }
    END {
      n = split(buf, item, ",")
      for (i = 1; i <= n; i++) {
        s = item[i]; sub(/\(.*/, "", s); gsub(/[ \t\r]/, "", s)
        if (s != "") print s
      }
    }
  ' DESCRIPTION
}

# ---- what is needed --------------------------------------------------------

required_r=("${R_PKGS[@]}")
[[ $BENCH == yes ]] && required_r+=("${BENCH_R_PKGS[@]}")
while IFS= read -r p; do
  [[ $BASE_R_PKGS == *" $p "* ]] || required_r+=("$p")
done < <(description_pkgs)
# De-duplicate, keeping order.
mapfile -t required_r < <(printf '%s\n' "${required_r[@]}" | awk '!seen[$0]++')

have_dpkg=no
command -v dpkg-query >/dev/null 2>&1 && have_dpkg=yes

is_installed() { # dpkg package name
  [[ $have_dpkg == yes ]] || return 1
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ $status == *" ok installed" ]]
}

# R from Debian (or not there yet, and so about to come from Debian): its R
# packages come from Debian too, as r-cran-<name>. An R installed some other
# way gets its packages from CRAN, so apt does not pull in a second R.
system_pkgs=("${SYSTEM_PKGS[@]}")
[[ $VALGRIND == yes ]] && system_pkgs+=(valgrind)
# sdcTable compiles against GLPK from source (CRAN), so it needs the headers
[[ $BENCH == yes ]] && system_pkgs+=(libglpk-dev)
r_from_apt=no
if ! command -v Rscript >/dev/null 2>&1; then
  r_from_apt=yes
  system_pkgs+=(r-base-dev)
elif is_installed r-base-core; then
  r_from_apt=yes
  system_pkgs+=(r-base-dev)
elif ! command -v make >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  system_pkgs+=(build-essential)
fi

missing_sys=()
for p in "${system_pkgs[@]}"; do
  is_installed "$p" || missing_sys+=("$p")
done

# Which R packages cannot be loaded? (requireNamespace also catches broken
# installs, which a directory check would not.)
# (A marker keeps anything a site profile prints out of the answer.)
r_missing() {
  Rscript -e '
    p <- commandArgs(trailingOnly = TRUE)
    ok <- vapply(p, function(x) suppressWarnings(suppressMessages(
      requireNamespace(x, quietly = TRUE))), NA)
    if (any(!ok)) writeLines(paste0("MISSING:", p[!ok]))
  ' "$@" 2>/dev/null | sed -n 's/^MISSING://p'
}

missing_r=()
if command -v Rscript >/dev/null 2>&1; then
  mapfile -t missing_r < <(r_missing "${required_r[@]}")
else
  missing_r=("${required_r[@]}")
fi

if [[ ${#missing_sys[@]} -eq 0 && ${#missing_r[@]} -eq 0 ]]; then
  say "everything is installed (${#system_pkgs[@]} system packages, ${#required_r[@]} R packages)."
  exit 0
fi

# R packages to try from Debian first: r-cran-<lower-case name>.
apt_r=()
if [[ $r_from_apt == yes ]]; then
  for p in "${missing_r[@]}"; do
    apt_r+=("r-cran-$(printf '%s' "$p" | tr '[:upper:]' '[:lower:]')")
  done
fi

say "missing system packages: ${missing_sys[*]:-none}"
say "missing R packages: ${missing_r[*]:-none}"

# ---- privileges ------------------------------------------------------------

SUDO=()
can_root=yes
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    can_root=no
  fi
fi

APT_ENV=(env DEBIAN_FRONTEND=noninteractive)
APT_INSTALL=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300)

cran_command() {
  local q=()
  for p in "$@"; do q+=("\"$p\""); done
  local list
  list=$(IFS=,; printf '%s' "${q[*]}")
  printf 'Rscript -e '\''install.packages(c(%s), repos = "%s")'\''\n' "$list" "$CRAN"
}

print_commands() {
  local prefix=""
  [[ $(id -u) -ne 0 ]] && prefix="sudo "
  if [[ ${#missing_sys[@]} -gt 0 || ${#apt_r[@]} -gt 0 ]]; then
    printf '  %sapt-get update\n' "$prefix"
    local all=("${missing_sys[@]}" "${apt_r[@]}")
    printf '  %sDEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
      "$prefix" "${all[*]}"
  fi
  if [[ ${#missing_r[@]} -gt 0 ]]; then
    if [[ ${#apt_r[@]} -gt 0 ]]; then
      printf '  # then, for any R package Debian does not have:\n'
    fi
    printf '  %s' "$prefix"
    cran_command "${missing_r[@]}"
  fi
}

if [[ $DRY_RUN == yes ]]; then
  say "dry run; would run:"
  print_commands
  exit 0
fi

need_apt=no
[[ ${#missing_sys[@]} -gt 0 || ${#apt_r[@]} -gt 0 ]] && need_apt=yes

if [[ $need_apt == yes && $can_root == no ]]; then
  say "not root and no non-interactive sudo; run these as root:" >&2
  print_commands >&2
  exit 1
fi

# ---- apt -------------------------------------------------------------------

if [[ $need_apt == yes ]]; then
  command -v apt-get >/dev/null 2>&1 || {
    say "apt-get not found: this script knows Debian and Ubuntu only; install by hand:" >&2
    print_commands >&2
    exit 1
  }
  say "apt-get update"
  "${SUDO[@]}" "${APT_ENV[@]}" apt-get update -qq

  candidate() { # prints the installable version, or nothing
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
  }
  to_install=()
  for p in "${missing_sys[@]}"; do
    if [[ -z $(candidate "$p") ]]; then
      say "system package '$p' is not available from apt on this machine." >&2
      say "install it by hand (Debian/Ubuntu: apt-get install libgdal-dev libgeos-dev libproj-dev)." >&2
      exit 1
    fi
    to_install+=("$p")
  done
  for p in "${apt_r[@]}"; do
    if [[ -n $(candidate "$p") ]]; then
      to_install+=("$p")
    else
      say "$p is not in the apt archive; it will come from CRAN."
    fi
  done
  if [[ ${#to_install[@]} -gt 0 ]]; then
    say "apt-get install ${to_install[*]}"
    "${SUDO[@]}" "${APT_ENV[@]}" "${APT_INSTALL[@]}" "${to_install[@]}"
  fi
fi

# ---- CRAN, for what apt did not bring --------------------------------------

if [[ ${#missing_r[@]} -gt 0 ]]; then
  command -v Rscript >/dev/null 2>&1 || {
    say "R is still not installed; install r-base-dev." >&2
    exit 1
  }
  mapfile -t still_missing < <(r_missing "${missing_r[@]}")
  # A package that only CRAN has may need others that Debian has (sdcTable:
  # Rcpp, shiny, slam, ...): with R from Debian, install those from Debian
  # first, so install.packages() below fetches from CRAN only what Debian
  # lacks. The hard dependencies (Depends, Imports, LinkingTo, recursively)
  # are read from CRAN's index, as install.packages() itself does.
  if [[ ${#still_missing[@]} -gt 0 && $r_from_apt == yes && $can_root == yes ]] &&
    command -v apt-get >/dev/null 2>&1; then
    mapfile -t cran_deps < <(Rscript -e '
      args <- commandArgs(trailingOnly = TRUE)
      db <- utils::available.packages(repos = args[[1]])
      deps <- tools::package_dependencies(
        intersect(args[-1], rownames(db)), db = db,
        which = c("Depends", "Imports", "LinkingTo"), recursive = TRUE)
      deps <- setdiff(unique(unlist(deps)),
                      c(args[-1], rownames(utils::installed.packages(priority = "base"))))
      if (length(deps)) writeLines(paste0("DEP:", deps))
    ' "$CRAN" "${still_missing[@]}" 2>/dev/null | sed -n 's/^DEP://p')
    apt_deps=()
    [[ ${#cran_deps[@]} -gt 0 ]] && mapfile -t cran_deps < <(r_missing "${cran_deps[@]}")
    if [[ ${#cran_deps[@]} -gt 0 ]]; then
      [[ $need_apt == yes ]] || "${SUDO[@]}" "${APT_ENV[@]}" apt-get update -qq
      for p in "${cran_deps[@]}"; do
        deb="r-cran-$(printf '%s' "$p" | tr '[:upper:]' '[:lower:]')"
        if [[ -n $(apt-cache policy "$deb" 2>/dev/null |
          awk '/Candidate:/ { if ($2 != "(none)") print $2 }') ]]; then
          apt_deps+=("$deb")
        fi
      done
    fi
    if [[ ${#apt_deps[@]} -gt 0 ]]; then
      say "dependencies of ${still_missing[*]} from apt: ${apt_deps[*]}"
      "${SUDO[@]}" "${APT_ENV[@]}" "${APT_INSTALL[@]}" "${apt_deps[@]}"
    fi
  fi
  if [[ ${#still_missing[@]} -gt 0 ]]; then
    say "from CRAN: ${still_missing[*]}"
    # As root the packages go to the site library; otherwise to the user
    # library, created if need be (install.packages would otherwise ask).
    Rscript -e '
      args <- commandArgs(trailingOnly = TRUE)
      repos <- args[[1]]
      pkgs <- args[-1]
      lib <- .libPaths()[1]
      if (file.access(lib, 2) != 0) {
        lib <- Sys.getenv("R_LIBS_USER")
        dir.create(lib, recursive = TRUE, showWarnings = FALSE)
        .libPaths(c(lib, .libPaths()))
      }
      install.packages(pkgs, lib = lib, repos = repos,
                       Ncpus = max(1L, parallel::detectCores()))
    ' "$CRAN" "${still_missing[@]}"
    mapfile -t still_missing < <(r_missing "${missing_r[@]}")
    if [[ ${#still_missing[@]} -gt 0 ]]; then
      say "could not install these R packages: ${still_missing[*]}" >&2
      exit 1
    fi
  fi
fi

say "done."
