#!/bin/bash
# tests/fuzz/seed.sh [--all]: add the configs chapter 12's tests write to
# the fuzzer's seed corpus, tests/fuzz/corpus/tests (maintainers, as root,
# after a change to the tests or to spec.c; then commit what it added).
#
# It runs 12's tests once with DC_SAVE_CONFIGS (tests/harness.h), which
# copies every config.json they write, named after the test; drops the
# copies that are byte for byte another's (by sha256), and of the rest
# keeps those that reach code in spec.c, or reach it more often, than the
# corpus does already (libFuzzer's -merge=1): most of the tests' configs
# are dcrun spec's with a path or a name changed. --all keeps every
# distinct one. Each is named TEST-SHA256.json (its first 12 digits).

set -eu
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
corpus=tests/fuzz/corpus
bin=$BUILD/fuzz/fuzz_spec
all=0
[ "${1:-}" = --all ] && all=1

"$MAKE" -s --no-print-directory "$bin" solutions/12-runtime/dcrun "$BUILD/tests/test_12-runtime" \
	"$BUILD/test-rootfs/bin/probe" "$BUILD/test-rootfs/bin/unroot"
tmp=$(mktemp -d /tmp/fuzz-seed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/saved" "$tmp/distinct" "$tmp/merged"

# A failed test's configs are configs all the same: say so, and go on.
if ! DC_SAVE_CONFIGS=$tmp/saved DC_IMPL=solutions/12-runtime DC_ROOTFS=$BUILD/test-rootfs \
	"$BUILD/tests/test_12-runtime" >"$tmp/tests.log" 2>&1; then
	echo "seed: some of 12's tests failed:" \
		"$(sed -n 's/^\[  FAILED  \] \(test_[a-z0-9_]*\).*/\1/p' "$tmp/tests.log" | sort -u | tr '\n' ' ')" >&2
fi

# TEST.PID.N.json -> TEST-SHA256.json, once each.
for f in "$tmp"/saved/*.json; do
	test=$(basename "$f" | sed 's/\.[0-9]*\.[0-9]*\.json$//')
	sum=$(sha256sum "$f" | cut -c 1-12)
	if [ -z "$(find "$tmp/distinct" -name "*-$sum.json")" ]; then
		cp "$f" "$tmp/distinct/$test-$sum.json"
	fi
done
written=$(find "$tmp/saved" -type f | wc -l)
distinct=$(find "$tmp/distinct" -type f | wc -l)

if [ $all -eq 1 ]; then
	keep=$(cd "$tmp/distinct" && ls)
else
	# The committed corpus first: what the merge adds to it is what it lacked
	# (new files, named by their sha1, found again here by their sha256).
	cp -r "$corpus/." "$tmp/merged/"
	find "$tmp/merged" -maxdepth 1 -type f -printf '%f\n' | sort >"$tmp/before"
	"$bin" -merge=1 "$tmp/merged" "$tmp/distinct" >"$tmp/merge.log" 2>&1 ||
		{ tail -n 20 "$tmp/merge.log"; exit 1; }
	keep=$(find "$tmp/merged" -maxdepth 1 -type f -printf '%f\n' | sort | comm -13 "$tmp/before" - |
		while read -r f; do
			sum=$(sha256sum "$tmp/merged/$f" | cut -c 1-12)
			find "$tmp/distinct" -name "*-$sum.json" -printf '%f\n'
		done)
fi
mkdir -p "$corpus/tests"
added=0
for name in $keep; do
	if [ ! -e "$corpus/tests/$name" ]; then
		cp "$tmp/distinct/$name" "$corpus/tests/$name"
		added=$((added + 1))
	fi
done
echo "seed: the tests wrote $written configs, $distinct distinct; $added added to $corpus/tests"
