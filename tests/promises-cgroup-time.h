/*
 * Promises of chapters 09 (cgroup) and 10 (time), kept by every later
 * chapter, as promises.h's are.
 *
 * The machine may be cgroup v1 (or hybrid: v1 controllers, and an
 * almost empty v2 tree at /sys/fs/cgroup/unified) or cgroup v2: the
 * tests ask the filesystem at /sys/fs/cgroup, as the container does, and
 * find the container's groups from /proc/PID/cgroup and the host's mount
 * table, never from a path they assume.
 */
#ifndef PROMISES_CGROUP_TIME_H
#define PROMISES_CGROUP_TIME_H

#include "promises.h"

/*
 * From chapter 09 on, a container run as root leaves a cgroup behind if
 * it is killed, and an exercise without its step may leave processes.
 * After every test, even a failed one: kill the processes these tests
 * start, remove the empty groups under demystifying-containers (and say
 * so), then do promises_teardown_test's cleanup.
 */
int cgroup_promises_teardown_test(void **state);
#define dc_cgroup_promise(f) cmocka_unit_test_teardown(f, cgroup_promises_teardown_test)

/* The group's teardown: the same removal of empty groups, then promises_teardown. */
int cgroup_promises_teardown(void **state);

/*
 * The limit the kernel keeps for the container that process `pid` is in,
 * as its group's file on the host says: "memory" (memory.max, or v1's
 * memory.limit_in_bytes) or "pids" (pids.max). NULL if there is none.
 * Valid until the next call.
 */
const char *container_limit(pid_t pid, const char *controller);

/*
 * Chapter 12: the --root and the id of the container that a run of
 * "container" (dcrun, through tests/runtime-adapter.c) runs, from its
 * command line: what `dcrun delete` needs. Read while the run is alive
 * (a zombie has none); false if it is no dcrun run.
 */
bool dcrun_container_of(const struct run *r, char *root, size_t root_size, char *id,
			size_t id_size);

/* `dcrun --root ROOT delete --force ID`, as nobody for a rootless container: its exit status. */
int dcrun_delete_force(const char *root, const char *id, bool rootless);

/* 09 cgroup: limits, and a group of its own that looks like the root. */
void test_memory_hog_is_killed_at_the_limit(void **state);
void test_fork_bomb_stops_at_the_pids_limit(void **state);
void test_cgroup_looks_like_the_root_inside(void **state);
void test_cgroup_namespace_hides_the_hosts_groups(void **state);
void test_overflowing_numbers_are_refused_before_anything_starts(void **state);
void test_failed_start_leaves_no_group(void **state);
void test_limits_are_written_to_the_containers_group(void **state);
void test_group_is_removed_after_exit(void **state);
void test_group_of_a_killed_container_is_cleaned_up(void **state);
void test_bad_limit_is_a_clear_error(void **state);
void test_rootless_refuses_limits_but_runs_without(void **state);

/* 10 time: an uptime of its own; the wall clock and the host untouched. */
void test_uptime_is_shifted_by_the_offset(void **state);
void test_uptime_is_shifted_without_init(void **state);
void test_wall_clock_is_not_shifted(void **state);
void test_host_clocks_are_untouched(void **state);
void test_uptime_offset_works_rootless(void **state);
void test_bad_uptime_offset_is_a_clear_error(void **state);
void test_uptime_below_zero_is_refused(void **state);

#endif
