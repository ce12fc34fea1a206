# Demystifying Containers: build, test and demo every chapter.
#
#   sudo make demo        install what is missing, build, and tour every chapter
#   sudo make demo CH=03 PACE=1   one chapter, one Enter per command (the talk)
#   sudo make test        the whole suite: solutions pass, exercises fail, all in sync
#                         (it installs what it uses: tests/deps.sh --all)
#   make check CH=01      chapter 01's tests against your exercise in chapters/
#   make check CH=01 IMPL=solutions   ...or against the solution
#   make check CH=09 VM=1   ...in a qemu guest with pure cgroup v2 (09 on)
#   make unit             the parsers and message builders: seconds, no root
#   make fuzz             dcrun's config.json reader under libFuzzer (FUZZ_SECONDS=60)
#   make diff CH=02       what chapter 02 adds to chapter 01
#   make doctor           what this machine can run, chapter by chapter
#   sudo make bench       dcrun, runc and crun side by side (hyperfine)
#   make slides           the deck, as offline HTML files (workshop and talk)
#   make lint             cppcheck, gcc -fanalyzer, shellcheck, clang-format, the man page (CI runs it)
#   make lint-format      clang-format --dry-run on the C files (.clang-format)
#   make compile-commands build/compile_commands.json, for editors (clangd)
#   make exercises        (maintainers) regenerate chapters/ from solutions/
#   make lessons          (maintainers) re-cut the lessons' code from solutions/
#
# Everything generated goes under $(BUILD), except the programs, which are
# built in place next to their sources. make (all) also writes dcrun's man
# page: man -l $(BUILD)/dcrun.8.

BUILD ?= build
# Warnings are part of the lesson: none is allowed.
WARN := -std=gnu17 -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

# The chapter list is the solutions/ directory: NN-name.
CHAPTERS := $(notdir $(wildcard solutions/[0-9][0-9]-*))

# Every .c file in a chapter is one program, except in a chapter split
# by concern, whose runtime.h joins its .c files into one program: dcrun
# (chapter 12, as crun's libcrun is split). Tools that run inside the
# rootfs (after the escape, or with no libc there) are linked static.
SPLIT_DIRS := $(patsubst %/runtime.h,%,$(wildcard solutions/*/runtime.h))
SPLIT_SRCS := $(foreach d,$(SPLIT_DIRS),$(wildcard $(d)/*.c))
SOL_SRCS := $(wildcard solutions/*/*.c)
ONE_FILE_SRCS := $(filter-out $(SPLIT_SRCS),$(SOL_SRCS))
SOL_PROGS := $(ONE_FILE_SRCS:.c=) $(SPLIT_DIRS:%=%/dcrun)
EX_PROGS := $(patsubst solutions/%,chapters/%,$(SOL_PROGS))
STATIC_TOOLS := unroot
static_for = $(if $(filter $(STATIC_TOOLS),$(notdir $(1))),-static)

# The copies `make test` builds: sanitized solutions, and fresh exercises
# (never the student's chapters/ files).
SAN_PROGS := $(patsubst solutions/%,$(BUILD)/san/%,$(SOL_PROGS))
FRESH_SRCS := $(patsubst solutions/%,$(BUILD)/exercise/%,$(SOL_SRCS))
FRESH_PROGS := $(patsubst solutions/%,$(BUILD)/exercise/%,$(SOL_PROGS))

# A chapter's tests are tests/test_NN-name.c; make test fails a chapter without them.
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_[0-9][0-9]-*.c))
TEST_LIB := $(patsubst tests/%.c,$(BUILD)/tests/%.o,tests/harness.c tests/runtime-adapter.c $(wildcard tests/promises*.c))
TEST_HDRS := tests/harness.h $(wildcard tests/promises*.h)
TEST_ROOTFS := $(BUILD)/test-rootfs
ROOTFS := $(BUILD)/rootfs

# CH=01 or CH=01-chroot names a chapter; IMPL picks chapters/ or solutions/.
IMPL ?= chapters
CH_DIR = $(notdir $(firstword $(wildcard solutions/$(CH) solutions/$(CH)-*)))

.PHONY: all deps deps-all rootfs demo test check diff doctor bench slides clean exercises lessons test-programs \
	lint lint-quick lint-cppcheck lint-shellcheck lint-analyzer lint-format lint-manpage compile-commands

all: $(SOL_PROGS) $(EX_PROGS) $(filter solutions/% chapters/%,$(LINKED_TOOLS))

# --- programs ---------------------------------------------------------------

# From chapter 11 on, a program that includes <seccomp.h> links libseccomp.
libs_for = $(if $(shell grep -ls '^\#include <seccomp.h>' $(1)),-lseccomp)

$(filter-out %/dcrun,$(SOL_PROGS) $(EX_PROGS)): %: %.c
	$(CC) $(WARN) $(CFLAGS) $(call static_for,$@) -o $@ $< $(call libs_for,$<)

$(BUILD)/san/%: solutions/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN_FLAGS) -o $@ $< $(call libs_for,$<)

# dcrun: every .c file of its directory, and the libraries it is made for:
# json-c for config.json, libseccomp for linux.seccomp.
DCRUN_LIBS := -ljson-c -lseccomp
dcrun_srcs = $(wildcard $(dir $(1))*.c)
.SECONDEXPANSION:
$(filter %/dcrun,$(SOL_PROGS) $(EX_PROGS)): $$(call dcrun_srcs,$$@) $$(dir $$@)runtime.h
	$(CC) $(WARN) $(CFLAGS) -o $@ $(call dcrun_srcs,$@) $(DCRUN_LIBS)

exercise_srcs = $(patsubst solutions/%,$(BUILD)/exercise/%,$(wildcard solutions/$(1)/*.c))
$(BUILD)/exercise/%/dcrun: $$(call exercise_srcs,$$*) $(BUILD)/exercise/%/runtime.h
	$(CC) $(WARN) $(CFLAGS) -o $@ $(call exercise_srcs,$*) $(DCRUN_LIBS)

$(BUILD)/san/%/dcrun: $$(call dcrun_srcs,solutions/$$*/dcrun) solutions/%/runtime.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN_FLAGS) -o $@ $(call dcrun_srcs,solutions/$*/dcrun) $(DCRUN_LIBS)

# An exercise's header is the solution's: no step is ever in a header.
$(BUILD)/exercise/%/runtime.h: solutions/%/runtime.h
	@mkdir -p $(@D)
	cp $< $@

# dcrun(8), the man page, from its markdown: man -l $(BUILD)/dcrun.8.
# -smart: "--bundle" stays two hyphens (pandoc's markdown makes a dash of
# them). Without pandoc, all builds the programs and says the page is skipped.
DCRUN_MAN := $(BUILD)/dcrun.8
all: $(if $(shell command -v pandoc),$(DCRUN_MAN),man-skipped)

$(DCRUN_MAN): solutions/12-runtime/dcrun.8.md
	@mkdir -p $(@D)
	pandoc -s -f markdown-smart -t man -o $@.tmp $< && mv $@.tmp $@

.PHONY: man-skipped
man-skipped:
	@echo "pandoc is not installed: $(DCRUN_MAN), dcrun's man page, is skipped (make deps installs it)"

# From chapter 11 on, enter is the container program called by that name,
# as busybox's applets are: the two share the hardening. A symbolic link.
LINKED_TOOLS := $(foreach d,$(filter 11-%,$(CHAPTERS)),$(foreach top,solutions chapters \
	$(BUILD)/san $(BUILD)/exercise,$(top)/$(d)/enter))
$(LINKED_TOOLS): %/enter: %/container
	ln -sf container $@

# An exercise is its solution with the chapter's STEP block cut out.
# The step number is the chapter's: 02-pivot_root -> 02.
step_of = $(firstword $(subst -, ,$(notdir $(1))))

$(BUILD)/exercise/%.c: solutions/%.c tests/exercise.awk
	@mkdir -p $(@D)
	awk -v step=$(call step_of,$(@D)) -f tests/exercise.awk $< > $@.tmp && mv $@.tmp $@

$(filter-out %/dcrun,$(FRESH_PROGS)): %: %.c
	$(CC) $(WARN) $(CFLAGS) $(call static_for,$@) -o $@ $< $(call libs_for,$<)

# Maintainers: write the exercises into chapters/. This overwrites them,
# so it is never run by any other target.
exercises: $(FRESH_SRCS) $(SPLIT_DIRS:solutions/%=$(BUILD)/exercise/%/runtime.h)
	@for f in $(FRESH_SRCS) $(SPLIT_DIRS:solutions/%=$(BUILD)/exercise/%/runtime.h); do \
		dest=chapters/$${f#$(BUILD)/exercise/}; mkdir -p $$(dirname $$dest); \
		cmp -s $$f $$dest || { cp $$f $$dest; echo "wrote $$dest"; }; \
	done

# Maintainers: re-cut the code blocks in the lessons from solutions/.
lessons:
	@tests/lessons.sh update

# --- tests -----------------------------------------------------------------

# Static helpers that run inside the test rootfs: the probe, and chapter
# 09's memory hog.
ROOTFS_TOOLS := $(patsubst tests/%.c,%,$(wildcard tests/probe.c tests/hog.c))

$(ROOTFS_TOOLS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -static -o $@ $<

# The tests' own code runs under the sanitizers too.
$(BUILD)/tests/%.o: tests/%.c $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN_FLAGS) -Itests -I$(BUILD)/tests -c -o $@ $<

# Each chapter's list of tests is made from tests/promises.list.
$(BUILD)/tests/list_%.h: tests/promises.list tests/list.awk
	@mkdir -p $(@D)
	@awk -v ch=$(call step_of,$*) -v name=$* -f tests/list.awk $< > $@.tmp && mv $@.tmp $@

$(TEST_BINS:%=%.o): $(BUILD)/tests/test_%.o: $(BUILD)/tests/list_%.h

# The runtime adapter's seccomp profile is chapter 11's, cut from its source.
$(BUILD)/tests/seccomp_of_11.h: solutions/11-compose/container.c
	@mkdir -p $(@D)
	@{ echo "/* Made from $< by the Makefile: edit that, not this. */"; \
	  awk '/^static const char \*const allowed_syscalls\[\] = \{/,/};$$/' $<; \
	  awk '/^static const struct \{$$/ { buf = $$0; grab = 1; next } \
	       grab { buf = buf "\n" $$0; if ($$0 ~ /^};/) { if (buf ~ /calls_of_capability/) print buf; grab = 0 } }' $<; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/runtime-adapter.o: $(BUILD)/tests/seccomp_of_11.h

# Kept, not removed as intermediates (make's "rm build/tests/..." noise).
.SECONDARY: $(SPLIT_DIRS:solutions/%=$(BUILD)/unit/corpus_%.h) $(TEST_LIB) $(TEST_BINS:%=%.o) $(patsubst $(BUILD)/tests/test_%,$(BUILD)/tests/list_%.h,$(TEST_BINS))

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_LIB)
	$(CC) $(SAN_FLAGS) -o $@ $^ -lcmocka -ljson-c

# The test rootfs: the default busybox rootfs, plus the probe and unroot.
$(TEST_ROOTFS)/.rootfs-fetch: | rootfs-fetch.sh
	./rootfs-fetch.sh --busybox $(TEST_ROOTFS)

$(ROOTFS_TOOLS:%=$(TEST_ROOTFS)/bin/%): $(TEST_ROOTFS)/bin/%: $(BUILD)/tests/% $(TEST_ROOTFS)/.rootfs-fetch
	install -m 755 $< $@

$(TEST_ROOTFS)/bin/unroot: solutions/01-chroot/unroot $(TEST_ROOTFS)/.rootfs-fetch
	install -m 755 $< $@

# The unit tier: tests/unit_NN-name.c includes chapter NN's container.c
# (main renamed) to test its static parsers and builders directly.
UNIT_BINS := $(patsubst tests/%.c,$(BUILD)/unit/%,$(wildcard tests/unit_*.c))

$(BUILD)/unit/unit_%: tests/unit_%.c solutions/%/container.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN_FLAGS) -o $@ $< -lcmocka $(call libs_for,solutions/$*/container.c)

# A chapter split by concern: its unit file tests the config.json reader
# (spec.c) and the error object (error.c), against the configs of the
# fuzzer's seed corpus, built in as C strings (nobody may not reach them).
UNIT_CORPUS := $(wildcard tests/fuzz/corpus/*.json)

$(BUILD)/unit/corpus_%.h: $(UNIT_CORPUS)
	@mkdir -p $(@D)
	@{ echo "/* Made from tests/fuzz/corpus by the Makefile: each file's bytes, and a 0. */"; \
	  echo "static const struct { const char *name; const char text[1 << 16]; } corpus_files[] = {"; \
	  for f in $(UNIT_CORPUS); do \
		echo "{\"$$(basename $$f)\", {"; od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; echo "0}},"; \
	  done; echo "};"; } >$@.tmp && mv $@.tmp $@

$(BUILD)/unit/unit_%: tests/unit_%.c solutions/%/runtime.h solutions/%/spec.c solutions/%/error.c \
		$(BUILD)/unit/corpus_%.h
	$(CC) $(WARN) $(SAN_FLAGS) -Isolutions/$* -I$(BUILD)/unit -o $@ $< solutions/$*/spec.c \
		solutions/$*/error.c -lcmocka -ljson-c -lseccomp

# The tier promises it needs no root, so root runs it as nobody; through an
# open descriptor, since nobody may not reach the build directory.
UNIT_AS := $(if $(filter 0,$(shell id -u)),setpriv --reuid=65534 --regid=65534 --clear-groups)

.PHONY: unit
unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $(UNIT_AS) /proc/self/fd/3 3<$$t || exit 1; done

test-programs: all $(SAN_PROGS) $(FRESH_PROGS) $(LINKED_TOOLS) $(TEST_BINS) $(UNIT_BINS) \
		$(ROOTFS_TOOLS:%=$(TEST_ROOTFS)/bin/%) $(TEST_ROOTFS)/bin/unroot

# --- fuzzing ---------------------------------------------------------------

# make fuzz: dcrun's config.json reader (spec_parse, which spec_load hands
# config.json's bytes to, and exec --process's spec_load_process) under
# clang's libFuzzer, ASan and UBSan, from the seed corpus of real configs
# (tests/fuzz/README.md), for FUZZ_SECONDS; a crash leaves its input in
# $(BUILD)/fuzz and fails. tests/fuzz/fuzz.sh runs it (make test: the
# corpus replayed, then 20 seconds of fuzzing).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRCS := tests/fuzz/fuzz_spec.c solutions/12-runtime/spec.c solutions/12-runtime/error.c

$(BUILD)/fuzz/fuzz_spec: $(FUZZ_SRCS) solutions/12-runtime/runtime.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isolutions/12-runtime -o $@ $(FUZZ_SRCS) -ljson-c

.PHONY: fuzz
fuzz:
	@BUILD=$(BUILD) FUZZ_CC=$(FUZZ_CC) FUZZ_SECONDS=$(FUZZ_SECONDS) MAKE="$(MAKE)" tests/fuzz/fuzz.sh

# Dependencies first, then the build on every core, then the suite.
NPROC := $(shell nproc 2>/dev/null || echo 2)

test: deps-all
	@$(MAKE) -s -j$(NPROC) test-programs
	@BUILD=$(BUILD) CHAPTERS="$(CHAPTERS)" MAKE="$(MAKE)" tests/run.sh

# From chapter 09 on the code has a branch per cgroup layout, and a run
# tests only this machine's: say which, and VM=1 runs the chapter's own
# tests in the pure cgroup v2 guest (tests/vm.sh) instead.
CGROUP_CHAPTERS := $(filter-out 01-% 02-% 03-% 04-% 05-% 06-% 07-% 08-%,$(CHAPTERS))

check: test-programs
	@test -n "$(CH_DIR)" || { echo "usage: make check CH=NN [IMPL=chapters|solutions] [VM=1]" >&2; exit 2; }
ifeq ($(VM),1)
	@echo "== chapter $(CH_DIR): testing $(IMPL)/$(CH_DIR) in a qemu guest with pure cgroup v2"
	BUILD=$(BUILD) tests/vm.sh --share . -- env DC_IMPL=$(IMPL)/$(CH_DIR) DC_ROOTFS=$(TEST_ROOTFS) \
		DC_OWN_ONLY=1 $(BUILD)/tests/test_$(CH_DIR)
else
	@echo "== chapter $(CH_DIR): testing $(IMPL)/$(CH_DIR)"
	@if [ -n "$(filter $(CH_DIR),$(CGROUP_CHAPTERS))" ]; then \
		if [ "$$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then \
			echo "== cgroup layout tested: pure v2. Not tested: v1 and hybrid (most older distributions)."; \
		elif [ -d /sys/fs/cgroup/unified ]; then \
			echo "== cgroup layout tested: hybrid (v1 controllers). Not tested: pure v2, what most machines run:"; \
			echo "   make check CH=$(CH) VM=1 runs this chapter's tests in a pure v2 guest."; \
		else \
			echo "== cgroup layout tested: v1. Not tested: pure v2, what most machines run:"; \
			echo "   make check CH=$(CH) VM=1 runs this chapter's tests in a pure v2 guest."; \
		fi; \
	fi
	@{ DC_IMPL=$(IMPL)/$(CH_DIR) DC_ROOTFS=$(TEST_ROOTFS) $(BUILD)/tests/test_$(CH_DIR) 2>&1; \
		echo "dc-test-status: $$?"; } | tests/explain.sh
endif

# What a chapter adds to the one before it: the lesson, as a diff. A
# chapter split by concern keeps the chapter before it, moved unchanged
# into the files it became, in moved-from-NN/: the diff is against that,
# file by file, so each function shows what it gained, not as all new.
diff:
	@test -n "$(CH_DIR)" || { echo "usage: make diff CH=NN" >&2; exit 2; }
	@prev=$$(ls -d solutions/[0-9][0-9]-* | grep -B1 -x 'solutions/$(CH_DIR)' | head -n 1); \
	moved=$$(ls -d solutions/$(CH_DIR)/moved-from-* 2>/dev/null | head -n 1); \
	if [ -n "$$moved" ]; then prev=$$moved; fi; \
	if [ "$$prev" = "solutions/$(CH_DIR)" ]; then \
		echo "$(CH_DIR) is the first chapter: there is nothing before it."; exit 0; fi; \
	for f in $$(cd solutions/$(CH_DIR) && ls *.[ch]); do \
		diff -uN $$prev/$$f solutions/$(CH_DIR)/$$f || test $$? -eq 1 || exit 2; \
	done

# --- lint --------------------------------------------------------------------

# make lint runs every check below, on every core, and its last line names
# them. Each check fails on any finding; -k lets every other check still
# report. make test runs the quick ones (lint-quick: seconds); the static
# analysers, gcc -fanalyzer and cppcheck, cost a minute of CPU, which make
# test's four minutes on two cores cannot hold: CI runs make lint after
# make test (.ci/run), and so should a maintainer before a commit.
LINT_QUICK := lint-shellcheck lint-format lint-manpage
LINT_CHECKS := lint-cppcheck lint-analyzer $(LINT_QUICK)
# On every core, unless make already runs in parallel (make -jN lint).
LINT_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

lint:
	@$(MAKE) --no-print-directory -k $(LINT_JOBS) $(LINT_CHECKS)
	@echo "no findings: $(LINT_CHECKS:lint-%=%)"

lint-quick:
	@$(MAKE) --no-print-directory -k $(LINT_JOBS) $(LINT_QUICK)
	@echo "no findings: $(LINT_QUICK:lint-%=%) (make lint adds cppcheck and gcc -fanalyzer)"

lint-cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --inline-suppr --suppress=missingIncludeSystem \
		$(SOL_SRCS) tests/*.c tests/fuzz/*.c

# Every shell script: by name, and those without a .sh (.ci/run).
# --norc: a ~/.shellcheckrc must not switch checks off.
SHELL_SCRIPTS := $(wildcard *.sh tests/*.sh tests/fuzz/*.sh slides/*.sh) .ci/run

lint-shellcheck:
	shellcheck --norc $(SHELL_SCRIPTS)

# gcc's static analyzer follows the paths through each program: a double
# free, a leaked descriptor, NULL where a pointer must be. -Werror makes
# every finding fail. A file's stamp under $(BUILD)/analyzer says it was
# found clean since it last changed.
ANALYZER := gcc $(WARN) -fanalyzer
ANALYZED := $(patsubst %.c,$(BUILD)/analyzer/%.ok,$(SOL_SRCS) $(wildcard tests/*.c))

lint-analyzer: $(ANALYZED)

# The solutions as they are built (-O2).
$(BUILD)/analyzer/solutions/%.ok: solutions/%.c Makefile
	@mkdir -p $(@D)
	$(ANALYZER) -O2 -c -o /dev/null $<
	@touch $@

# cmocka's header does not say that _fail(), behind fail_msg() and every
# failed assertion, never returns (it leaves the test by longjmp, or exits):
# without this, "if (p == NULL) fail_msg(...); p->n" dereferences NULL.
CMOCKA_NORETURN := $(BUILD)/analyzer/cmocka-noreturn.h

$(CMOCKA_NORETURN):
	@mkdir -p $(@D)
	echo 'void _fail(const char *const file, const int line) __attribute__((noreturn));' >$@

# The tests at -O0: at -O1 and -O2 gcc 12's analyzer loses a loop's guard
# (all_groups() in promises-cgroup-time.c: "possibly-NULL out"). In
# harness.c it takes two realloc(NULL, n) in a row for a double free of
# NULL, a false positive; and it takes probe_get's copy for a leak, though
# the copy is kept in the harness's list of buffers, freed after each test.
# Those two checks are off in that one file.
ANALYZER_harness := -Wno-analyzer-double-free -Wno-analyzer-malloc-leak
# A split chapter's unit file includes its runtime.h and the built-in corpus.
$(foreach d,$(SPLIT_DIRS),$(eval ANALYZER_unit_$(notdir $(d)) := -I$(d) -I$(BUILD)/unit))
$(foreach d,$(SPLIT_DIRS),$(eval $(BUILD)/analyzer/tests/unit_$(notdir $(d)).ok: $(BUILD)/unit/corpus_$(notdir $(d)).h))

$(BUILD)/analyzer/tests/%.ok: tests/%.c $(TEST_HDRS) $(CMOCKA_NORETURN) Makefile
	@mkdir -p $(@D)
	$(ANALYZER) -O0 -Itests -I$(BUILD)/tests -include $(CMOCKA_NORETURN) $(ANALYZER_$*) \
		-c -o /dev/null $<
	@touch $@

# A chapter's test file compiles in its list of tests.
$(patsubst $(BUILD)/tests/test_%,$(BUILD)/analyzer/tests/test_%.ok,$(TEST_BINS)): \
	$(BUILD)/analyzer/tests/test_%.ok: $(BUILD)/tests/list_%.h

# The C files against .clang-format (clang-format -i $(FORMATTED) fixes them;
# then make exercises lessons). The exercises are generated, so not checked.
FORMATTED := $(SOL_SRCS) $(wildcard solutions/*/*.h tests/*.c tests/*.h tests/fuzz/*.c)

lint-format:
	clang-format --dry-run -Werror $(FORMATTED)

# dcrun(8) and dcrun --help name the same commands and flags.
lint-manpage: solutions/12-runtime/dcrun
	tests/manpage.sh solutions/12-runtime/dcrun solutions/12-runtime/dcrun.8.md

# --- editors -----------------------------------------------------------------

# $(BUILD)/compile_commands.json tells clangd (and other editors' C tooling)
# how each file is compiled, with the flags of the rules above; clangd looks
# for it in build/. Written afresh each time: make compile-commands.
compile_entry = '{"directory": "$(CURDIR)", "file": "$(1)", "command": "$(strip $(2))"}'
TEST_SRCS = $(filter-out $(ROOTFS_TOOLS:%=tests/%.c),$(wildcard tests/*.c))
COMPILE_COMMANDS = \
	$(foreach f,$(SOL_SRCS) $(EX_PROGS:=.c),$(call compile_entry,$(f),\
		$(CC) $(WARN) $(CFLAGS) $(call static_for,$(f:.c=)) -o $(f:.c=) $(f))) \
	$(foreach f,$(TEST_SRCS),$(call compile_entry,$(f),\
		$(CC) $(WARN) $(SAN_FLAGS) -Itests -I$(BUILD)/tests -c -o $(BUILD)/$(f:.c=.o) $(f))) \
	$(foreach t,$(ROOTFS_TOOLS),$(call compile_entry,tests/$(t).c,\
		$(CC) $(WARN) -O2 -static -o $(BUILD)/tests/$(t) tests/$(t).c))

compile-commands:
	@mkdir -p $(BUILD)
	@{ echo '['; printf '%s,\n' $(COMPILE_COMMANDS) | sed '$$ s/,$$//'; echo ']'; } \
		>$(BUILD)/compile_commands.json
	@echo "wrote $(BUILD)/compile_commands.json"

# --- the machine, the rootfs, the demo ---------------------------------------

deps:
	@tests/deps.sh

# make test needs more than the demo: the lint's tools, and the qemu guest
# (with Debian's kernel) that runs chapter 09's tests on pure cgroup v2.
deps-all:
	@tests/deps.sh --all

doctor:
	@tests/doctor.sh

# dcrun next to runc and crun, run of /bin/true: hyperfine's figures and ratios.
bench: solutions/12-runtime/dcrun $(TEST_ROOTFS)/.rootfs-fetch
	@BUILD=$(BUILD) tests/bench.sh

rootfs: $(ROOTFS)/.rootfs-fetch

$(ROOTFS)/.rootfs-fetch: | rootfs-fetch.sh
	./rootfs-fetch.sh --busybox $(ROOTFS)

# CH=NN: one chapter's demo; PACE=1: wait for Enter before each command.
demo: deps
	@test -z "$(CH)" -o -n "$(CH_DIR)" || { echo "make demo: no chapter $(CH) in solutions/" >&2; exit 2; }
	@$(MAKE) -s -j$(NPROC) all rootfs $(BUILD)/tests/hog
	@BUILD=$(BUILD) CHAPTERS="$(if $(CH),$(CH_DIR),$(CHAPTERS))" PACE="$(PACE)" tests/demo.sh

clean:
	rm -rf $(BUILD) $(SOL_PROGS) $(EX_PROGS) $(LINKED_TOOLS)

include slides/slides.mk
