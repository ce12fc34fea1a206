/*
 * The promises of chapter 11 (compose): the hardening a real runtime adds
 * around the namespaces and cgroups of chapters 03 to 10 -- capabilities,
 * no_new_privs, seccomp, the devices cgroup, masked and read-only paths,
 * a clean process, --join, and an enter that cannot be turned against
 * the host. Kept, like every promise, by the chapters after it.
 *
 * Each test is an attempt made from inside, that must fail, or a fact
 * the container shows; the attacks of runtimes' CVEs are among them.
 */
#ifndef PROMISES_COMPOSE_H
#define PROMISES_COMPOSE_H

#include "promises-cgroup-time.h"

/*
 * From chapter 11 on, after every test, even a failed one: end the
 * containers a test left running, take back what it put in the
 * environment, unmount what an attack may have mounted on a victim
 * directory, then cgroup_promises_teardown_test's cleanup.
 */
int compose_teardown_test(void **state);
#define dc_compose_promise(f) cmocka_unit_test_teardown(f, compose_teardown_test)

/*
 * The mount points a chapter 11 container shows, in order (chapter 10's,
 * then the masked and read-only kernel paths this kernel has), and those
 * of them that are /dev/null bound over a file: for expected_mount_points
 * and device_mount_points.
 */
const char *compose_mount_points(void);
const char *compose_null_masked_files(void);

/*
 * Helpers 12's promises use too. shell_loop: a container command that
 * runs each line the test sends it, then says "--end--"; shell_do: what it
 * printed for one command (valid until the next call). pid_inside: a host
 * PID's number in its own PID namespace. interpreter_of: the ELF program
 * interpreter (PT_INTERP) PATH asks for, or "" for a static one.
 */
extern const char shell_loop[];
const char *shell_do(struct run *r, const char *command);
pid_t pid_inside(pid_t pid);
void interpreter_of(const char *path, char *interp, size_t size);

/*
 * A runtime's process at its execve, stopped there for an attack from
 * inside, as a debugger would stop it (ptrace(2)): the races of
 * CVE-2016-9962 and CVE-2019-5736, made certain. trace_run starts ARGV
 * (argv[0] the program) stopped, traces it and every process it forks
 * until they have all exited (20 s at most), and calls t->at for each of
 * them in the PID namespace t->pidns: at TRACE_AFTER_EXEC, its
 * PTRACE_EVENT_EXEC stop (the new program loaded, not one instruction
 * run), and, with t->entries, at TRACE_BEFORE_EXEC, the entry of its
 * first execve (its last instant as the runtime's process). Nothing
 * inside is traced. The run is left for run_finish. Under a DC_WRAP of
 * "env NAME=VALUE..." (the sanitizers' options) it runs under that env;
 * never under valgrind, which would be the process traced.
 */
enum trace_moment { TRACE_BEFORE_EXEC, TRACE_AFTER_EXEC };
struct trace {
	unsigned long pidns;
	bool entries;
	void (*at)(struct trace *t, enum trace_moment moment, pid_t pid);
	void *data;
};
void trace_run(struct run *r, const char *const argv[], struct trace *t);

/* Capabilities */
void test_default_capabilities_are_dockers_fourteen(void **state);
void test_cap_add_and_cap_drop_change_the_set(void **state);
void test_unknown_capability_is_a_clear_error(void **state);
void test_non_root_user_has_no_capabilities(void **state);

/* no_new_privs */
void test_no_new_privs_is_always_set(void **state);
void test_setuid_binary_gains_nothing(void **state);

/* seccomp */
void test_seccomp_filter_is_on_unless_unconfined(void **state);
void test_unconfined_allows_what_the_profile_refuses(void **state);
void test_default_profile_refuses_dangerous_calls(void **state);
void test_calls_of_another_architecture_kill_the_process(void **state);

/* Devices */
void test_host_device_nodes_cannot_be_opened(void **state);

/* Masked and read-only paths */
void test_kernel_files_are_masked(void **state);
void test_kernel_settings_are_read_only(void **state);
void test_proc_and_sys_cannot_be_made_writable_again(void **state);
void test_cgroup_limits_cannot_be_raised_from_inside(void **state);
void test_read_only_root_keeps_tmp_writable(void **state);

/* A clean process */
void test_environment_is_only_the_containers(void **state);
void test_only_standard_descriptors_are_open(void **state);
void test_user_option_sets_ids_groups_and_home(void **state);
void test_workdir_sets_the_starting_directory(void **state);
void test_open_files_limit_is_1024(void **state);
void test_bad_values_are_refused_before_start(void **state);

/* Composing namespaces */
void test_joined_containers_share_a_network(void **state);
void test_bad_join_is_refused_and_leaves_nothing(void **state);

/* enter, done safely */
void test_entering_process_cannot_be_reached_from_inside(void **state);
void test_enter_binary_cannot_be_overwritten_from_inside(void **state);
void test_entered_process_holds_no_host_descriptor(void **state);
void test_entered_process_is_confined_like_the_container(void **state);

/* The story: the old escapes */
void test_symlinked_mount_points_cannot_reach_the_host(void **state);

/* What you should see */
void test_ordinary_work_still_works(void **state);
void test_rootless_container_is_hardened_too(void **state);

#endif
