#!/bin/bash
# tests/run.sh: what `make test` runs, after make has built everything.
#
# For every chapter it proves three things:
#   1. the solution passes the chapter's tests -- built normally and built
#      with ASan and UBSan (every test), and under valgrind (the chapter's
#      own tests, on the second core: a container start costs a second
#      there); chapter 09's own tests, and those of 11's and 12's that
#      touch cgroups, also run in a qemu guest with pure cgroup v2
#      (tests/vm.sh); and containerd drives 12's dcrun (tests/containerd.sh);
#   2. the untouched exercise (generated afresh into build/exercise/, so a
#      student's edits in chapters/ are never touched) compiles and fails
#      exactly the tests in tests/expect/NN-name.fail, which its lesson
#      names: the tests really test the step, and nothing else breaks;
#   3. chapters/ is what `make exercises` would write from solutions/.
# Beside them: make lint-quick (formatting, shellcheck, dcrun's man page
# against its --help; make lint, which CI runs after, adds the analysers), the
# fuzzer on dcrun's config.json reader, and the slides in a headless
# browser. Then: that the suite left no mount and no temporary directory
# behind.
#
# Each check prints one line; a failed check prints its log. The last line
# counts the checks: "total: N passed, N failed, N skipped".

set -u
export BUILD=${BUILD:-build}
CHAPTERS=${CHAPTERS:?set by make}
MAKE=${MAKE:-make}
ROOTFS=$BUILD/test-rootfs
LOGS=$BUILD/logs
mkdir -p "$LOGS"

passed=0 failed=0 skipped=0

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	green=$'\e[32m' red=$'\e[31m' yellow=$'\e[33m' plain=$'\e[0m'
else
	green='' red='' yellow='' plain=''
fi

# Each line ends with what its check cost: the seconds since the lane's
# line before it (make test's four minutes are a budget).
last=$SECONDS
took() {
	cost=$((SECONDS - last))
	last=$SECONDS
}
pass() {
	passed=$((passed + 1)) && took
	printf '%sok%s   %3ds  %-14s %s\n' "$green" "$plain" "$cost" "$1" "$2"
}
skip() {
	skipped=$((skipped + 1)) && took
	printf '%sskip%s %3ds  %-14s %s\n' "$yellow" "$plain" "$cost" "$1" "$2"
}
fail() {
	failed=$((failed + 1)) && took
	printf '%sFAIL%s %3ds  %-14s %s\n' "$red" "$plain" "$cost" "$1" "$2"
	[ -n "${3:-}" ] && sed 's/^/      | /' "$3"
}

# cmocka's summary lines: "[  PASSED  ] 8 test(s)." and "[  FAILED  ] 2 test(s)..."
count() { sed -n "s/^\[  $1 *\] \([0-9]*\) test.*/\1/p" "$2" | tail -n 1; }

# run_tests LOG IMPL [WRAP [OWN_ONLY [ONLY]]]: one chapter's test binary against
# IMPL; OWN_ONLY=1 runs only the tests the chapter adds, ONLY (test_a,test_b)
# only those (see dc_run_tests).
run_tests() {
	local log=$1 impl=$2 wrap=${3:-} own=${4:-0} only=${5:-}
	DC_IMPL=$impl DC_ROOTFS=$ROOTFS DC_WRAP=$wrap DC_OWN_ONLY=$own DC_ONLY=$only \
		timeout 600 "$BUILD/tests/test_$chapter" >"$log" 2>&1
}

check_solution() {
	local label=$1 impl=$2 wrap=${3:-} own=${4:-0} only=${5:-} log
	log=$LOGS/$chapter-$label.log
	if run_tests "$log" "$impl" "$wrap" "$own" "$only"; then
		local n s
		n=$(count PASSED "$log") s=$(count SKIPPED "$log")
		if [ -n "$s" ] && [ "$s" -gt 0 ]; then
			skip "$chapter" "$label: ${n:-0} passed, $s skipped (not root)"
		else
			pass "$chapter" "$label: ${n:-0} tests passed"
		fi
	else
		tests/explain.sh <"$log" | sed -n '/^What each failed test promises/,$p' >"$log.why"
		cat "$log" >>"$log.why"
		fail "$chapter" "$label: tests failed" "$log.why"
	fi
}

# The exercise must fail exactly the tests its lesson names, kept in
# tests/expect/NN-name.fail: a test that fails when it should not is a
# broken earlier promise, and one that passes when it should fail tests
# nothing. An earlier chapter's promise on the list must say why.
# The non-empty lines of $1.
lines() { printf '%s\n' "$1" | sed '/^$/d'; }

# The tests a cmocka log says failed, sorted, once each.
failed_tests() { sed -n 's/^\[  FAILED  \] \(test_[a-z0-9_]*\).*/\1/p' "$1" | sort -u; }

expected_failures() {
	sed 's/#.*//; s/[[:space:]]*$//; /^$/d; /^!/d' "$1" | sort
}

# "!test_x" in an expect file: a test not run against the exercise, since
# without the step its result is down to timing (the file says why).
not_run_against_exercise() {
	sed -n 's/^!\(test_[a-z0-9_]*\).*/\1/p' "$1" | paste -sd, -
}

check_exercise_fails() {
	local log=$LOGS/$chapter-exercise.log expect=tests/expect/$chapter.fail total
	local got want unexpected missing bare
	if [ "$(id -u)" -ne 0 ]; then
		skip "$chapter" "exercise: not checked without root (its tests would only skip)"
		return
	fi
	if [ ! -f "$expect" ]; then
		fail "$chapter" "exercise: $expect (the tests its exercise fails) is missing"
		return
	fi
	# An earlier chapter's promise that fails here needs a reason ("# why").
	bare=$(awk -v ch="${chapter%%-*}" 'NR == FNR { if ($1 ~ /^[0-9][0-9]$/) made[$3] = $1; next }
		/^#/ || NF == 0 { next }
		$1 in made && made[$1] < ch && $0 !~ /#/ { print $1 }' tests/promises.list "$expect")
	if [ -n "$bare" ]; then
		echo "$expect lists earlier chapters' promises without saying why: $bare" >"$log"
		fail "$chapter" "exercise: an earlier promise fails with no reason given" "$log"
		return
	fi
	local except name
	except=$(not_run_against_exercise "$expect")
	for name in ${except//,/ }; do
		if ! grep -qw "$name" "$BUILD/tests/list_$chapter.h"; then
			echo "$expect: \"!$name\" names no test of $chapter" >"$log"
			fail "$chapter" "exercise: $expect leaves out a test that does not exist" "$log"
			return
		fi
	done
	DC_EXCEPT=$except run_tests "$log" "$BUILD/exercise/$chapter"
	total=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' "$log" | tail -n 1)
	if [ -z "$total" ]; then
		fail "$chapter" "exercise: the test run broke instead of failing tests" "$log"
		return
	fi
	got=$(failed_tests "$log")
	want=$(expected_failures "$expect")
	unexpected=$(comm -23 <(lines "$got") <(lines "$want") | tr '\n' ' ')
	missing=$(comm -13 <(lines "$got") <(lines "$want") | tr '\n' ' ')
	if [ -z "$unexpected$missing" ]; then
		pass "$chapter" "exercise: fails exactly its $(lines "$want" | wc -l) of $total tests until the step is written"
	else
		{
			[ -n "$unexpected" ] && echo "fails, but $expect does not expect it: $unexpected"
			[ -n "$missing" ] && echo "passes, but $expect expects it to fail: $missing"
			cat "$log"
		} >"$log.why"
		fail "$chapter" "exercise: does not fail exactly the tests its lesson names" "$log.why"
	fi
}

check_in_sync() {
	local log=$LOGS/$chapter-sync.log out=0 f dest
	: >"$log"
	for f in "$BUILD/exercise/$chapter"/*.[ch]; do
		dest=chapters/$chapter/$(basename "$f")
		if ! diff -u "$dest" "$f" >>"$log" 2>&1; then
			out=1
		fi
	done
	if [ ! -f "chapters/$chapter/README.md" ]; then
		echo "chapters/$chapter/README.md (the lesson) is missing" >>"$log"
		out=1
	fi
	if [ $out -eq 0 ]; then
		pass "$chapter" "chapters/ is in sync with solutions/"
	else
		echo "(a student's edits show here too; maintainers: make exercises)" >>"$log"
		fail "$chapter" "chapters/$chapter differs from its generated exercise" "$log"
	fi
}

# This host may be cgroup v1 or hybrid; most users run v2. So the tests
# that touch cgroups also run in a qemu guest whose cgroups are pure v2
# (tests/vm.sh). A boot costs seconds under TCG: the chapters' guest runs
# are queued (guest_queue CHAPTER [TESTS]) and made in one boot.
guest_jobs=()
# 12's cgroup code is its own (cgroupsPath, resources, the freezer, exec's
# join): 09's limits, removal and cgroup namespace through dcrun, 11's
# devices (a BPF program on v2), and 12's that read its groups.
runtime_cgroup_tests() {
	{
		echo test_limits_are_written_to_the_containers_group
		echo test_group_is_removed_after_exit
		echo test_cgroup_namespace_hides_the_hosts_groups
		echo test_host_device_nodes_cannot_be_opened
		echo test_delete_removes_the_state_directory_and_the_group
		echo test_resources_are_written_to_the_cgroups_path
		echo test_paused_container_uses_no_cpu_until_resumed
		echo test_exec_joins_the_containers_namespaces_and_cgroup
	} | paste -sd, -
}
guest_queue() { guest_jobs+=("$1|${2:-}"); }

check_in_v2_guest() {
	local script=$LOGS/v2-guest.sh job ch only status
	if [ ${#guest_jobs[@]} -eq 0 ]; then
		return
	fi
	if [ "$(id -u)" -ne 0 ]; then
		for job in "${guest_jobs[@]}"; do
			skip "${job%%|*}" "cgroup v2 guest: not run without root"
		done
		return
	fi
	# One script, one boot: each chapter's tests write their log and status.
	# (vm.sh starts it in this directory, shared with the guest.) The test
	# rootfs is copied once into the guest's tmpfs: the tests copy it for
	# each container, and over 9p, beside the host's lanes, such copies
	# crawl.
	{
		printf 'rm -rf /tmp/dc-guest-rootfs && cp -a %q /tmp/dc-guest-rootfs || exit 1\n' "$ROOTFS"
		for job in "${guest_jobs[@]}"; do
			ch=${job%%|*} only=${job#*|}
			# Tests named: those, earlier chapters' too; else the chapter's own.
			printf 'env DC_IMPL=%q DC_ROOTFS=%q DC_OWN_ONLY=%d DC_ONLY=%q %q >%q 2>&1; echo $? >%q\n' \
				"solutions/$ch" /tmp/dc-guest-rootfs "$([ -n "$only" ] && echo 0 || echo 1)" "$only" "$BUILD/tests/test_$ch" \
				"$LOGS/$ch-v2-guest.log" "$LOGS/$ch-v2-guest.status"
		done
	} >"$script"
	for job in "${guest_jobs[@]}"; do
		rm -f "$LOGS/${job%%|*}-v2-guest.status"
	done
	tests/vm.sh --share . -- bash "$script" >"$LOGS/v2-guest.log" 2>&1
	status=$?
	for job in "${guest_jobs[@]}"; do
		ch=${job%%|*}
		local log=$LOGS/$ch-v2-guest.log
		if [ $status -eq 77 ]; then
			skip "$ch" "cgroup v2 guest: SKIPPED, $(grep -m1 -i 'skip' "$LOGS/v2-guest.log")"
		elif [ ! -s "$LOGS/$ch-v2-guest.status" ]; then
			fail "$ch" "cgroup v2 guest: the guest never ran the tests (vm.sh exit $status)" "$LOGS/v2-guest.log"
		elif [ "$(cat "$LOGS/$ch-v2-guest.status")" -eq 0 ]; then
			pass "$ch" "cgroup v2 guest: $(count PASSED "$log") tests passed on pure cgroup v2"
		else
			fail "$ch" "cgroup v2 guest: tests failed (exit $(cat "$LOGS/$ch-v2-guest.status"))" "$log"
		fi
	done
}

# The valgrind lane. valgrind costs half a second a program started and
# keeps one core busy: each chapter's own tests run under it on the second
# core, beside everything else, and its lines print at the end. The host
# names and IPC objects the promises check are its own (new UTS and IPC
# namespaces: 04's exercise renames the host). The rest is shared, and the
# tests are written for it: they compare the host's mounts less those in
# another run's temporary directories (where --persist mounts), track their
# own veths, processes and cgroups, and sweep stale groups under the lock
# container's starts take.
VALGRIND="valgrind -q --vgdb=no --suppressions=$PWD/tests/valgrind.supp --error-exitcode=99 --leak-check=full --trace-children=no"

# valgrind costs half a second a program started, and make test's four
# minutes cannot hold all of 11's and 12's own tests under it (two and a
# half minutes): there, the tests that reach every function the chapter
# adds. (podman's scenarios run dcrun themselves, never under valgrind.)
# 12's bad bundles are left to the fuzzer: the same reader, under ASan,
# UBSan and LeakSanitizer, on tens of thousands of configs.
valgrind_only() {
	case $1 in
	11-compose)
		echo test_cap_add_and_cap_drop_change_the_set,test_unknown_capability_is_a_clear_error,test_non_root_user_has_no_capabilities,test_seccomp_filter_is_on_unless_unconfined,test_host_device_nodes_cannot_be_opened,test_kernel_files_are_masked,test_read_only_root_keeps_tmp_writable,test_environment_is_only_the_containers,test_only_standard_descriptors_are_open,test_user_option_sets_ids_groups_and_home,test_workdir_sets_the_starting_directory,test_bad_values_are_refused_before_start,test_joined_containers_share_a_network,test_entered_process_is_confined_like_the_container,test_rootless_container_is_hardened_too
		;;
	12-runtime)
		echo test_create_leaves_the_process_waiting_for_start,test_paused_container_uses_no_cpu_until_resumed,test_ps_and_list_show_the_containers,test_process_settings_are_honoured,test_bind_and_tmpfs_mounts_are_made,test_seccomp_profile_from_config_is_applied,test_exec_options_set_env_cwd_user_and_capabilities,test_terminal_master_goes_to_the_console_socket,test_hooks_get_their_args_and_env_exactly
		;;
	esac
}

# Under ASan every test runs but 12's 200-cycle load test: its 600 dcrun
# commands are the create, start and delete that 12's other tests run
# under ASan, and its promise -- nothing left behind -- is kept by the
# plain run; under ASan it would cost a quarter of a minute.
asan_except() {
	case $1 in
	12-runtime) echo test_many_containers_at_once_leave_nothing_behind ;;
	esac
}

# Chapters 01-08 are also checked under ASan in that lane, which would
# otherwise wait on the other at the end.
asan_in_lane() { [ "${1%%-*}" -lt 9 ]; }

# From 09 to 11, container sweeps away every empty group under
# demystifying-containers as it starts: another lane's container whose
# command has just ended, before it has read its group's memory events
# ("out of memory"), would lose them. So the lanes never run 09-11's
# containers at once: the valgrind lane waits for the other to be past 11.
cgroup_chapter() { case ${1%%-*} in 09 | 10 | 11) return 0 ;; *) return 1 ;; esac }
CGROUP_CHAPTERS_DONE=$LOGS/cgroup-chapters-done
wait_for_cgroup_chapters() {
	for _ in $(seq 900); do
		[ -e "$CGROUP_CHAPTERS_DONE" ] && return
		sleep 1
	done
}

valgrind_lane() {
	for chapter in $CHAPTERS; do
		if [ -x "$BUILD/tests/test_$chapter" ] && asan_in_lane "$chapter"; then
			check_solution "asan+ubsan" "$BUILD/san/$chapter" "env ASAN_OPTIONS=detect_leaks=0"
		fi
	done
	for chapter in $CHAPTERS; do
		[ -x "$BUILD/tests/test_$chapter" ] || continue
		if [ "${chapter%%-*}" -ge 9 ]; then
			wait_for_cgroup_chapters
		fi
		check_solution "valgrind, own tests" "solutions/$chapter" "$VALGRIND" 1 "$(valgrind_only "$chapter")"
	done
	# The mutants too, while the other lane runs the guest; then the fuzzer.
	check_mutants
	check_fuzz
	echo "lane: $passed $failed $skipped"
}

# 09 brought the cgroup code: all its own tests go to the guest. 11 adds
# the devices cgroup (a BPF program on v2) and enter's join of the
# container's group; 12, cgroupsPath, resources and the freezer: the tests
# that touch them (a start costs a second in the guest, and all of 11's
# and 12's would cost two minutes of make test's four).
guest_lane() {
	for chapter in $CHAPTERS; do
		case $chapter in
		09-cgroup) guest_queue "$chapter" ;;
		11-compose) guest_queue "$chapter" test_host_device_nodes_cannot_be_opened,test_cgroup_limits_cannot_be_raised_from_inside,test_entered_process_is_confined_like_the_container ;;
		12-runtime) guest_queue "$chapter" "$(runtime_cgroup_tests)" ;;
		esac
	done
	check_in_v2_guest
	echo "lane: $passed $failed $skipped"
}

# The tests, tested: each tests/mutants/NN-what.patch is a plausible wrong
# answer to chapter NN's step; built from the solution with the patch, it
# must fail every test its "# must fail:" line names. A one-file chapter's
# patch is applied to its container.c. A chapter split by concern (its
# directory holds runtime.h: 12) is copied whole, its .c files and
# runtime.h, and the patch is applied to the copy with its paths as
# `git diff` writes them (a/solutions/NN-name/FILE, -p3 strips all but
# FILE), so that one patch may touch several files; the copy is built as
# dcrun, as the Makefile's dcrun rule does.
check_mutant() {
	local patch=$1 name chapter sol dir log tests got missed
	name=$(basename "$patch" .patch)
	chapter=$(basename "$(ls -d "solutions/${name%%-*}"-*)")
	sol=solutions/$chapter
	dir=$BUILD/mutants/$name log=$LOGS/mutant-$name.log
	tests=$(sed -n 's/^# must fail: //p' "$patch")
	local cflags=(-std=gnu17 -Wall -Wextra -Werror -O2)
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -f "$sol/runtime.h" ]; then
		# --forward: a patch that looks already applied is an error, not undone.
		if ! cp "$sol"/*.c "$sol/runtime.h" "$dir" >"$log" 2>&1 ||
			! patch -s --forward -p3 -d "$dir" <"$patch" >>"$log" 2>&1 ||
			! ${CC:-cc} "${cflags[@]}" -o "$dir/dcrun" "$dir"/*.c -ljson-c -lseccomp >>"$log" 2>&1; then
			fail mutants "$name: does not apply to, or build from, $sol" "$log"
			return
		fi
	else
		local libs=()
		if grep -qs '^#include <seccomp.h>' "$sol/container.c"; then
			libs=(-lseccomp)
		fi
		if ! patch -s -o "$dir/container.c" "$sol/container.c" "$patch" >"$log" 2>&1 ||
			! ${CC:-cc} "${cflags[@]}" -o "$dir/container" "$dir/container.c" "${libs[@]}" >>"$log" 2>&1; then
			fail mutants "$name: does not apply to, or build from, $sol" "$log"
			return
		fi
		# From 11 on, enter is the container program by another name.
		if [ -L "$sol/enter" ]; then
			ln -sf container "$dir/enter"
		fi
	fi
	DC_ONLY=$tests DC_IMPL=$dir DC_ROOTFS=$ROOTFS timeout 600 "$BUILD/tests/test_$chapter" >>"$log" 2>&1
	got=$(failed_tests "$log")
	missed=$(comm -13 <(lines "$got") <(lines "${tests//,/$'\n'}" | sort) | tr '\n' ' ')
	if [ -n "$tests" ] && [ -z "$missed" ]; then
		pass mutants "$name: caught by ${tests//,/, }"
	else
		fail mutants "$name: passes ${missed:-its tests (no \"# must fail:\" line?)}" "$log"
	fi
}

check_mutants() {
	if [ "$(id -u)" -ne 0 ]; then
		skip mutants "not checked without root"
		return
	fi
	for patch in tests/mutants/*.patch; do
		check_mutant "$patch"
	done
}

# dcrun's config.json reader under libFuzzer, ASan and UBSan
# (tests/fuzz/fuzz.sh): the committed seed corpus replayed, then
# FUZZ_SECONDS (here 20) of fuzzing on a copy of it, on one core: last in
# the valgrind lane, which is done before the other lane's guest is.
check_fuzz() {
	local log=$LOGS/fuzz.log status=0
	FUZZ_SECONDS=${FUZZ_SECONDS:-20} MAKE=$MAKE tests/fuzz/fuzz.sh >"$log" 2>&1 || status=$?
	case $status in
	0) pass fuzz "$(tail -n 1 "$log")" ;;
	77) skip fuzz "$(tail -n 1 "$log")" ;;
	*) fail fuzz "$(tail -n 1 "$log")" "$log" ;;
	esac
}

# containerd drives 12's dcrun as a node's would (tests/containerd.sh):
# ctr run through containerd-shim-runc-v2 with dcrun as its runtime binary,
# on a containerd, socket and namespace of its own; a skip where
# containerd is not installed. In the first lane, after 12's own tests.
check_containerd() {
	local log=$LOGS/containerd.log status=0
	timeout 300 tests/containerd.sh "solutions/$chapter/dcrun" "$ROOTFS" >"$log" 2>&1 || status=$?
	case $status in
	0) pass "$chapter" "$(tail -n 1 "$log")" ;;
	77) skip "$chapter" "containerd: $(tail -n 1 "$log")" ;;
	*) fail "$chapter" "containerd: driving dcrun failed (exit $status)" "$log" ;;
	esac
}

case ${DC_LANE:-} in
valgrind)
	valgrind_lane
	exit 0
	;;
guest)
	guest_lane
	exit 0
	;;
esac

# lane_results NAME PID: a lane's lines, once it is done, and its counts.
lane_results() {
	local out=$LOGS/$1-lane.out counts p f s
	wait "$2"
	counts=$(sed -n 's/^lane: //p' "$out")
	sed '/^lane: /d' "$out"
	if [ -z "$counts" ]; then
		fail "$1" "the $1 lane broke off" "$out"
	else
		read -r p f s <<<"$counts"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	cat <<-EOF

	${yellow}******************************************************************
	*  NOT ROOT: the integration tests will SKIP, and the exercises   *
	*  cannot be shown to fail. Run the real suite with:              *
	*      sudo make test                                              *
	******************************************************************${plain}

	EOF
fi

# The chapter after $1 in $CHAPTERS, or "".
next_chapter() {
	local c prev=""
	for c in $CHAPTERS; do
		if [ "$prev" = "$1" ]; then
			echo "$c"
			return
		fi
		prev=$c
	done
}

rm -f "$CGROUP_CHAPTERS_DONE"
mounts_before=$(cat /proc/self/mountinfo)
tmp_before=$(ls -d /tmp/dc-* 2>/dev/null)

# The lint and the deck's checks touch nothing of the host's (no mount, no
# cgroup, no namespace): they run on the second core while the chapters'
# tests, which mostly wait on the kernel, run on the first. Reported at the end.
# beside() NAME COMMAND...: run it in the background, noting its seconds.
beside() {
	local name=$1 start=$SECONDS status=0
	shift
	"$@" >"$LOGS/$name.log" 2>&1 || status=$?
	echo $((SECONDS - start)) >"$LOGS/$name.secs"
	return $status
}
# A background check's line shows its own cost.
background_done() { last=$((SECONDS - $(cat "$LOGS/$1.secs" 2>/dev/null || echo 0))); }
beside lint "${MAKE}" -s lint-quick &
lint_pid=$!
if command -v chromium >/dev/null; then
	beside slides "${MAKE}" -s test-slides &
	slides_pid=$!
fi

# The unit tier: parsers and message builders, run as nobody when we are root.
if ${MAKE} -s unit >"$LOGS/unit.log" 2>&1; then
	pass unit "$(grep -o 'PASSED  \] [0-9]*' "$LOGS/unit.log" | awk '{n += $3} END {print n + 0}') tests passed, no root needed"
else
	fail unit "unit tests failed" "$LOGS/unit.log"
fi

if ! command -v valgrind >/dev/null; then
	skip valgrind "not installed: the solutions are not checked under it"
	check_mutants
	check_fuzz
elif [ "$(id -u)" -eq 0 ]; then
	unshare --uts --ipc env DC_LANE=valgrind "$0" >"$LOGS/valgrind-lane.out" 2>&1 &
	valgrind_pid=$!
else
	DC_LANE=valgrind "$0" >"$LOGS/valgrind-lane.out" 2>&1 &
	valgrind_pid=$!
fi

for chapter in $CHAPTERS; do
	if [ ! -x "$BUILD/tests/test_$chapter" ]; then
		fail "$chapter" "no tests: tests/test_$chapter.c is missing"
		continue
	fi
	check_solution solution "solutions/$chapter"
	case $chapter in 12-*) check_containerd ;; esac
	# LeakSanitizer needs /proc, which a process inside the new root may not
	# have; valgrind's leak check covers leaks instead.
	asan_in_lane "$chapter" ||
		DC_EXCEPT=$(asan_except "$chapter") \
			check_solution "asan+ubsan" "$BUILD/san/$chapter" "env ASAN_OPTIONS=detect_leaks=0"
	check_exercise_fails
	check_in_sync
	if cgroup_chapter "$chapter" && ! cgroup_chapter "$(next_chapter "$chapter")"; then
		touch "$CGROUP_CHAPTERS_DONE"
	fi
done
touch "$CGROUP_CHAPTERS_DONE"

# The guest, once the chapters' tests are done: the machine is CPU-bound,
# and beside 12's checks it only slowed them as much as it gained.
DC_LANE=guest "$0" >"$LOGS/guest-lane.out" 2>&1 &
lane_results guest $!
if [ -n "${valgrind_pid:-}" ]; then
	lane_results valgrind "$valgrind_pid"
fi


if tests/lessons.sh check >"$LOGS/lessons.log" 2>&1; then
	pass lessons "code in every lesson matches its solution"
else
	fail lessons "a lesson's code differs from its solution (make lessons)" "$LOGS/lessons.log"
fi

wait "$lint_pid"
lint_status=$?
background_done lint
if [ $lint_status -eq 0 ]; then
	pass lint "$(tail -n 1 "$LOGS/lint.log")"
else
	fail lint "make lint-quick found problems" "$LOGS/lint.log"
fi
if [ -n "${slides_pid:-}" ]; then
	wait "$slides_pid"
	slides_status=$?
	background_done slides
	if [ $slides_status -eq 0 ]; then
		pass slides "$(tail -n 1 "$LOGS/slides.log")"
	else
		fail slides "the deck failed its checks" "$LOGS/slides.log"
	fi
else
	skip slides "chromium is not installed (apt-get install chromium)"
fi

if [ "$mounts_before" = "$(cat /proc/self/mountinfo)" ]; then
	pass cleanup "the mount table is as it was before the suite"
else
	diff <(echo "$mounts_before") /proc/self/mountinfo >"$LOGS/mounts.diff"
	fail cleanup "the suite changed the mount table" "$LOGS/mounts.diff"
fi
if [ "$tmp_before" = "$(ls -d /tmp/dc-* 2>/dev/null)" ]; then
	pass cleanup "no temporary directory left in /tmp"
else
	fail cleanup "the suite left temporary directories: $(find /tmp -maxdepth 1 -name 'dc-*' | tr '\n' ' ')"
fi

echo
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
