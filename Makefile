# Developer tasks for spreiding. GNU make.
#
#   make deps     install system libraries and R packages (tools/install-deps.sh)
#   make docs     regenerate man/ and NAMESPACE with roxygen2
#   make build    build the source tarball
#   make install  build, then install it into the default library
#   make demo     install, then run spreiding::demo()
#   make test     install, then run tests/testthat against the installed package
#   make check    build, then R CMD check --as-cran (offline) and a test summary
#   make bench    install, then run every bench/*.R
#   make fuzz     install, then tests/fuzz/fuzz.R: FUZZ_CALLS (20,000) calls with
#                 odd and broken inputs to every exported function, seed
#                 FUZZ_SEED; prints counts per function and outcome, fails on
#                 any error that is not a classed spreiding_error naming an
#                 argument (a crash ends the run; the call under way is in
#                 $$TMPDIR/fuzz-last-call.txt, or $$SPREIDING_FUZZ_TRACE);
#                 then tests/fuzz/boundary.R: FUZZ_CALLS calls of the .Call
#                 routines with odd objects, which must not crash R
#   make sanitize build with -fsanitize=address,undefined -fno-omit-frame-pointer
#                 (through ~/.R/Makevars in a temporary HOME, into a temporary
#                 library), then run the tests and 2,000 fuzz calls with
#                 libasan preloaded into R; any ASan or UBSan report fails.
#                 TESTS=regex runs a subset of tests/testthat (tools/sanitize.sh)
#   make valgrind the tests and 2,000 fuzz calls under
#                 R -d "valgrind --error-exitcode=1 --leak-check=full"; fails on
#                 invalid reads, writes or frees, and on uninitialised values or
#                 definite leaks in spreiding's code. Installs valgrind first
#                 (tools/install-deps.sh --valgrind). Slow: TESTS=regex for a subset
#   make clean    remove the tarball, the check directory and build products

PKG     := $(shell sed -n 's/^Package:[[:space:]]*//p' DESCRIPTION)
VERSION := $(shell sed -n 's/^Version:[[:space:]]*//p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz

R       ?= R
RSCRIPT ?= Rscript

# R CMD check --as-cran without the network: CRAN incoming checks offline, no URL
# checks, no time server for the file-timestamp check. NOT_CRAN=true runs
# the tests that skip_on_cran() (as devtools::check() does): CI runs them all.
CHECK_ENV := NOT_CRAN=true \
             _R_CHECK_CRAN_INCOMING_REMOTE_=false \
             _R_CHECK_SYSTEM_CLOCK_=0 \
             _R_CHECK_CRAN_STATUS_SUMMARY_=false

FUZZ_CALLS ?= 20000
FUZZ_SEED  ?= 20251123
TESTS      ?=

.PHONY: all deps docs build install demo test check bench fuzz sanitize valgrind clean

all: check

deps:
	bash tools/install-deps.sh

# Loading the package to document it compiles src/, which needs a NAMESPACE
# with useDynLib(): on a fresh tree, write the NAMESPACE first from the R
# sources alone (that pass may stop at objects only a full load creates,
# such as data sets, once NAMESPACE is written).
docs: deps
	@if [ ! -f NAMESPACE ]; then \
	  echo "no NAMESPACE yet: writing it from the R sources first"; \
	  $(RSCRIPT) -e 'roxygen2::roxygenise(roclets = "namespace", load_code = roxygen2::load_source)' || \
	    [ -f NAMESPACE ]; \
	fi
	$(RSCRIPT) -e 'roxygen2::roxygenise()'

build: deps
	$(R) CMD build .

install: build
	$(R) CMD INSTALL $(TARBALL)

demo: install
	$(RSCRIPT) -e 'spreiding::demo()'

test: install
	NOT_CRAN=true $(RSCRIPT) -e 'testthat::test_dir("tests/testthat", package = "$(PKG)", load_package = "installed", stop_on_failure = TRUE)'

check: deps build
	@rm -rf $(PKG).Rcheck; status=0; \
	echo "$(CHECK_ENV) $(R) CMD check --as-cran --no-manual $(TARBALL)"; \
	$(CHECK_ENV) $(R) CMD check --as-cran --no-manual $(TARBALL) || status=$$?; \
	bash tools/check-summary.sh $(PKG).Rcheck || status=1; \
	exit $$status

bench:
	bash tools/install-deps.sh --bench
	$(MAKE) install
	@set -e; found=0; \
	for f in bench/*.R; do \
	  [ "$$f" = bench/common.R ] && continue; \
	  [ -f "$$f" ] || continue; found=1; \
	  echo "== $$f"; \
	  $(RSCRIPT) "$$f"; \
	done; \
	[ $$found -eq 1 ] || echo "no bench/*.R files"

fuzz: install
	$(RSCRIPT) tests/fuzz/fuzz.R $(FUZZ_CALLS) $(FUZZ_SEED)
	$(RSCRIPT) tests/fuzz/boundary.R $(FUZZ_CALLS) $(FUZZ_SEED)

sanitize: deps
	bash tools/sanitize.sh asan "$(TESTS)"

valgrind: deps
	bash tools/install-deps.sh --valgrind
	bash tools/sanitize.sh valgrind "$(TESTS)"

clean:
	rm -f $(TARBALL)
	rm -rf $(PKG).Rcheck
	./cleanup
