# meshlint - static policy linter for Connectum services on Istio.
#
#   make            build ./meshlint
#   make demo       install missing packages, build, lint the bundled example
#   make check      install missing packages, build, run every test
#   make sanitize   the whole suite under ASan + UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#   make static     build/static/meshlint: libyaml, PCRE2 and libc linked in
#   make dist       meshlint-$(VERSION).tar.gz from the tracked files
#   make distcheck  build and smoke-test meshlint from that tarball

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
BIN      ?= meshlint
PKGS      = yaml-0.1 libpcre2-8
DEB_PKGS  = libyaml-dev libpcre2-dev libcmocka-dev pkg-config time
# the one place the version lives is include/meshlint/version.h
VERSION  := $(shell sed -n 's/^\#define ML_VERSION "\(.*\)"/\1/p' include/meshlint/version.h)

OPT      ?= -O2 -g
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -Iinclude -D_GNU_SOURCE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(SAN_FLAGS) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

LIB_SRC   = $(filter-out src/main.c,$(wildcard src/*.c))
RULE_SRC  = $(sort $(wildcard rules/*/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o) $(RULE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/registry.o
MAIN_OBJ  = $(BUILD)/src/main.o
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEPS      = $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

.PHONY: all deps demo check test unit fixtures golden sanitize install uninstall clean \
        format lint bench fuzz valgrind man hostile static static-check dist distcheck deb version tag

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(BUILD)/libmeshlint.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libmeshlint.a $(LDLIBS)

$(BUILD)/libmeshlint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The rule registry: every `const ml_rule ml_rule_MLnnn` defined under rules/.
$(BUILD)/registry.c: $(RULE_SRC) tools/gen-registry.sh
	@mkdir -p $(dir $@)
	sh tools/gen-registry.sh $(RULE_SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/registry.o: $(BUILD)/registry.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmeshlint.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libmeshlint.a $(LDLIBS) $(CMOCKA_LIBS)

-include $(DEPS)

deps:
	@sh tools/deps.sh $(DEB_PKGS)

demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== meshlint testdata/examples =="
	@./$(BIN) --no-config testdata/examples; status=$$?; \
	  echo "(meshlint exited with status $$status: findings at or above --fail-on give 1)"

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test

# The suite itself, against ./$(BIN) and $(BUILD).
test: unit fixtures golden
	@sh tests/run_shell_tests.sh ./$(BIN)

unit: $(UNIT_BIN)
	@sh tests/run_unit.sh $(UNIT_BIN)

fixtures: $(BIN)
	@sh tests/run_fixtures.sh ./$(BIN)

golden: $(BIN)
	@sh tests/run_golden.sh ./$(BIN)

sanitize: deps
	@$(MAKE) --no-print-directory SAN=1 BUILD=build/san BIN=build/san/meshlint OPT="-O1 -g" all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SAN=1 BUILD=build/san BIN=build/san/meshlint OPT="-O1 -g" test

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/meshlint
	install -m 644 man/meshlint.1 $(DESTDIR)$(PREFIX)/share/man/man1/meshlint.1
	install -m 644 man/meshlint.yaml.5 $(DESTDIR)$(PREFIX)/share/man/man5/meshlint.yaml.5
	install -m 644 man/meshlint-rules.7 $(DESTDIR)$(PREFIX)/share/man/man7/meshlint-rules.7

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/meshlint \
	  $(DESTDIR)$(PREFIX)/share/man/man1/meshlint.1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5/meshlint.yaml.5 \
	  $(DESTDIR)$(PREFIX)/share/man/man7/meshlint-rules.7

# A binary that runs on any x86-64 Linux: libyaml, PCRE2 and glibc linked
# statically (Debian's libyaml-dev, libpcre2-dev and libc6-dev ship the .a
# files). Its own objects, so a static and a dynamic build can coexist.
STATIC_BUILD = build/static
static: deps
	@$(MAKE) --no-print-directory BUILD=$(STATIC_BUILD) BIN=$(STATIC_BUILD)/meshlint \
	  LDFLAGS="-static $(LDFLAGS)" PKG_LIBS="$$(pkg-config --static --libs $(PKGS))" SAN= all
	@sh tests/static_check.sh $(STATIC_BUILD)/meshlint

version:
	@echo $(VERSION)

# The release tag the docs pin (pre-commit rev, action ref): v$(VERSION) on
# HEAD, annotated; refused when it exists on another commit.
tag:
	@if git rev-parse -q --verify "refs/tags/v$(VERSION)" >/dev/null; then \
	  [ "$$(git rev-list -n1 v$(VERSION))" = "$$(git rev-parse HEAD)" ] && echo "v$(VERSION) is HEAD" || \
	  { echo "v$(VERSION) exists on another commit: bump include/meshlint/version.h" >&2; exit 1; }; \
	else git tag -a "v$(VERSION)" -m "meshlint $(VERSION)" && echo "tagged v$(VERSION)"; fi

# The source tarball: every tracked file (git ls-files) under meshlint-VERSION/.
DIST = meshlint-$(VERSION)
dist:
	@command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
	  { echo "make dist needs a git work tree (it packs the tracked files)"; exit 2; }
	@git ls-files -z | tar --null -T - --transform 's,^,$(DIST)/,' --owner=0 --group=0 \
	  --numeric-owner --sort=name -czf $(DIST).tar.gz
	@echo "$(DIST).tar.gz"

# Unpack the tarball in a fresh directory, build there and lint the example.
distcheck: dist
	@rm -rf build/distcheck && mkdir -p build/distcheck
	@tar -C build/distcheck -xzf $(DIST).tar.gz
	@$(MAKE) --no-print-directory -C build/distcheck/$(DIST) -j2 all
	@v=$$(build/distcheck/$(DIST)/meshlint --version); [ "$$v" = "meshlint $(VERSION)" ] || \
	  { echo "distcheck: --version says '$$v'"; exit 1; }
	@cd build/distcheck/$(DIST) && ./meshlint --no-config --format gcc --fail-on never testdata/examples > ../examples.txt
	@./$(BIN) --no-config --format gcc --fail-on never testdata/examples | cmp -s - build/distcheck/examples.txt || \
	  { echo "distcheck: the tarball's build lints the example differently"; exit 1; }
	@echo "distcheck: $(DIST).tar.gz builds and runs"

# A Debian package from the tracked files (dpkg-buildpackage -b -us -uc in a
# copy under build/deb, so the work tree is not cleaned); the .deb lands in
# build/deb/. Needs debhelper and dpkg-dev.
deb:
	@rm -rf build/deb && mkdir -p build/deb
	@git ls-files -z | tar --null -T - --transform 's,^,$(DIST)/,' -cf - | tar -C build/deb -xf -
	@cd build/deb/$(DIST) && dpkg-buildpackage -b -us -uc
	@dpkg-deb -c build/deb/meshlint_$(VERSION)_*.deb | grep -E 'usr/bin/meshlint|man[157]/' 
	@echo "build/deb/$$(cd build/deb && ls meshlint_$(VERSION)_*.deb)"

# meshlint-rules(7) is generated from the rule metadata; a test checks it is current.
man: $(BIN)
	./$(BIN) --print-rules-man > man/meshlint-rules.7

format:
	clang-format -i src/*.c include/meshlint/*.h rules/*/*.c tests/unit/*.c

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 -Iinclude src rules
	clang-tidy $(LIB_SRC) $(RULE_SRC) -- -std=c11 $(CPPFLAGS) $(PKG_CFLAGS)

clean:
	rm -rf build $(BIN) meshlint-*.tar.gz

# ---- reliability: libFuzzer harnesses and Valgrind ------------------------
#
#   make fuzz [FUZZ_SECONDS=60]  build every harness in fuzz/ with clang and
#                                libFuzzer + ASan + UBSan, run each for
#                                FUZZ_SECONDS with seeds from testdata/;
#                                crashes go to build/fuzz/crashes/<harness>/
#   make valgrind                the unit tests and a set of command-line runs
#                                under valgrind memcheck: no memory error, no
#                                definite or indirect leak (tests/valgrind.sh)

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD    = build/fuzz
FUZZ_NAMES    = yaml ts config suppress pipeline lsp ignore
FUZZ_CFLAGS   = -std=c11 -g -O1 $(WARN) -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                $(CPPFLAGS) $(PKG_CFLAGS)
FUZZ_LIB_OBJ  = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRC) $(RULE_SRC)) $(FUZZ_BUILD)/registry.o \
                $(FUZZ_BUILD)/fuzz/fuzz_util.o
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/registry.o: $(BUILD)/registry.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

# the harnesses' own checking code is not coverage-instrumented (no feedback
# from the oracle, and it runs several times faster)
$(FUZZ_BUILD)/fuzz/fuzz_util.o: fuzz/fuzz_util.c fuzz/fuzz_util.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BINS:=.d)
# reached only through a pattern rule: keep them (make would delete them)
.SECONDARY: $(FUZZ_LIB_OBJ)

fuzz: $(FUZZ_BINS)
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZ_NAMES)

# the hostile-input suite with its time budgets enforced (make check only
# measures them: timing assertions do not belong in a suite run on loaded CI)
hostile: $(BIN)
	@HOSTILE_STRICT=1 HOSTILE_VERBOSE=1 MESHLINT=$(CURDIR)/$(BIN) sh tests/sh/hostile.sh

valgrind: $(BIN) $(UNIT_BIN)
	@sh tests/valgrind.sh ./$(BIN) $(UNIT_BIN)

# ---- performance: make bench [BENCH_SIZES="1000 10000 30000"] [BENCH_RUNS=5]
#
# Generates synthetic repositories with bench/gen into bench/out/ (git-ignored,
# about 1.2 GB for the default sizes), times meshlint -j1, meshlint -j<CPUs>
# and the libyaml floor (bench/floor) as whole processes, checks meshlint's
# findings against the seeded defects, times yamllint at the smallest size,
# and writes bench/out/results.md. Not part of `make check` (minutes).

BENCH_SIZES ?= 1000 10000 30000
BENCH_RUNS  ?= 5

$(BUILD)/bench/gen: bench/gen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(PKG_LIBS)

bench: $(BIN) $(BUILD)/bench/gen $(BUILD)/bench/floor
	@sh tools/deps.sh time yamllint || echo "bench: going on without yamllint"
	@sh bench/run.sh ./$(BIN) $(BUILD)/bench $(BENCH_RUNS) $(BENCH_SIZES)
