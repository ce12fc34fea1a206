#!/bin/bash
# tests/fuzz/fuzz.sh: what `make fuzz` runs, and make test (tests/run.sh).
#
# dcrun's config.json reader under libFuzzer, ASan and UBSan (fuzz_spec.c):
# first every input of the committed seed corpus, tests/fuzz/corpus, once
# (-runs=0), then FUZZ_SECONDS of fuzzing with fuzz_spec.dict on a copy of
# the corpus in $BUILD/fuzz/corpus, so that what the fuzzer finds never
# lands in the checkout. A crash, a leak, a sanitizer's report or a hang
# leaves its input in $BUILD/fuzz (crash-SHA1, leak-SHA1, timeout-SHA1...).
#
# Exit status: 0; 1 on a finding or a broken build; 77 when clang or its
# libFuzzer is missing. The last line says what happened, for make test.

set -u
BUILD=${BUILD:-build}
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
MAKE=${MAKE:-make}
dir=$BUILD/fuzz
bin=$dir/fuzz_spec
corpus=tests/fuzz/corpus
mkdir -p "$dir"

# libFuzzer is part of clang's compiler-rt, which Debian packages apart
# from clang (libclang-rt-dev): clang alone compiles, but does not link.
if ! command -v "$FUZZ_CC" >/dev/null; then
	echo "not run: $FUZZ_CC is not installed (apt-get install clang libclang-rt-dev)"
	exit 77
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return !d && n; }' |
	"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -x c -o "$dir/probe" - >"$dir/probe.log" 2>&1; then
	echo "not run: $FUZZ_CC cannot link libFuzzer (apt-get install libclang-rt-dev):" \
		"$(grep -m 1 -i 'fuzzer\|error' "$dir/probe.log")"
	exit 77
fi
if ! "$MAKE" -s --no-print-directory "$bin"; then
	echo "FAILED: $bin does not build"
	exit 1
fi

# The inputs of a finding: the artifacts this run added to $dir.
artifacts() { find "$dir" -maxdepth 1 -newer "$dir/probe" \( -name 'crash-*' -o -name 'leak-*' \
	-o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | tr '\n' ' '; }

# A finding: the sanitizer's report, and where its input is.
found() {
	sed -n '/runtime error\|ERROR: /,$p' "$2" | head -n 60
	echo "FAILED: $1; its input: $(artifacts)"
	exit 1
}

inputs=$(find "$corpus" -type f | wc -l)
"$bin" -runs=0 -artifact_prefix="$dir/" "$corpus" >"$dir/replay.log" 2>&1 ||
	found "an input of $corpus fails" "$dir/replay.log"

rm -rf "$dir/corpus"
cp -r "$corpus" "$dir/corpus"
"$bin" -dict=tests/fuzz/fuzz_spec.dict -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	-artifact_prefix="$dir/" -print_final_stats=1 "$dir/corpus" >"$dir/fuzz.log" 2>&1 ||
	found "the fuzzer found an input that fails" "$dir/fuzz.log"

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
edges=$(grep -o "cov: [0-9]*" "$dir/fuzz.log" | tail -n 1 | cut -d " " -f 2)
echo "$inputs seed configs replayed, then ${FUZZ_SECONDS}s of fuzzing: ${runs:-?} inputs, ${edges:-?} edges covered, no finding"
