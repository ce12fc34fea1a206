/*
 * The promises of chapter 12 (runtime): dcrun, an OCI runtime with runc's
 * command line. Each test writes a bundle (a config.json from `dcrun spec`,
 * edited, and the test rootfs as root.path), drives dcrun as runc's users
 * do (create, start, state, kill, delete, run, pause, resume, ps, list),
 * and checks what the container and the host show: the lifecycle, the
 * state, config.json honoured, bad bundles refused with nothing left
 * behind, and podman driving dcrun as its runtime.
 */
#ifndef PROMISES_RUNTIME_H
#define PROMISES_RUNTIME_H

#include "harness.h"

/*
 * At 12 the earlier promises expect, inside, the mounts the adapter's
 * config.json asks for, in the order dcrun makes them.
 */
const char *runtime_mount_points(void);

/*
 * Group setup: the earlier promises' (promises_setup), dcrun present, and the test process made a
 * child subreaper, so that the containers create leaves behind (whose
 * parent, dcrun, has exited) are reaped by the tests rather than left as
 * zombies under an init that may not reap. Group teardown removes the
 * podman storage the podman tests made.
 */
int runtime_setup(void **state);
int runtime_teardown(void **state);

/*
 * After every test, even a failed one: delete --force every container
 * left under the test's --root, end its sleepers, reap what the tests
 * inherited, remove the podman containers, then the harness's cleanup.
 */
int runtime_teardown_test(void **state);
#define dc_runtime_promise(f) cmocka_unit_test_teardown(f, runtime_teardown_test)

/*
 * What promises-hardening.c shares of this file's helpers. A string or
 * JSON value they return is kept until the test's teardown; a bundle
 * (make_bundle) is deleted there, every container under its --root with it.
 */
const char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool exists(const char *path);
void pause_ms(long ms);
/* A file's contents, or "" when it cannot be read. */
const char *contents(const char *path);
/* A test's sleepers are `sleep MARK`: sleepers() finds those running. */
const char *mark(void);
int sleepers(pid_t *pids, int max);
/* "dc-TAG-PID": the teardown sweeps groups so named (cgroupsPath /dc-runtime-PID-WHAT too). */
const char *container_id(const char *tag);

struct bundle {
	char *dir;         /* the bundle directory: config.json, and the test's own files */
	char root[4200];   /* dcrun --root DIR/state: the state directories */
	char shared[4200]; /* DIR/shared, bound on /mnt inside by share_mnt() */
	struct json_object *config; /* config.json, edited, then written by save() */
};
struct bundle *make_bundle(const char *tag, const char *const args[]);
struct json_object *json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* config.json's dotted PATH set (NULL: removed), or an array there appended to. */
void set(struct bundle *b, const char *path, struct json_object *value);
void append(struct bundle *b, const char *path, struct json_object *value);
void save(const struct bundle *b);
/* A user namespace of its own: 0-65535 inside are 100000-165535 outside, on a rootfs they reach. */
void map_users(struct bundle *b);
/* dcrun --root B's ARGS (never one that leaves a container: it would keep the run's pipes). */
void dcrun(struct run *r, const struct bundle *b, const char *const args[]);
/* The host's mount lines naming A or B; the groups /NAME (a glob) in every hierarchy. */
const char *mounts_naming(const char *a, const char *b);
int groups_named(const char *name);
/* Whether a program of that name is on PATH. */
bool on_path(const char *name);

/* The lifecycle */
void test_create_leaves_the_process_waiting_for_start(void **state);
void test_state_reports_stopped_once_the_process_has_ended(void **state);
void test_state_is_the_oci_state(void **state);
void test_delete_removes_the_state_directory_and_the_group(void **state);
void test_run_exits_with_the_containers_status(void **state);
void test_run_detach_returns_with_the_container_running(void **state);

/* kill and delete */
void test_kill_takes_signal_names_and_numbers(void **state);
void test_command_starts_with_no_signal_blocked(void **state);
void test_kill_all_reaches_every_process(void **state);
void test_kill_of_a_stopped_container_is_an_error(void **state);
void test_delete_refuses_a_running_container_unless_forced(void **state);
void test_reused_pid_is_not_taken_for_the_container(void **state);
void test_container_cannot_pass_itself_off_as_stopped(void **state);
void test_delete_removes_a_created_container_without_force(void **state);

/* Ids, pause, ps and list */
void test_id_in_use_is_refused_and_the_first_is_untouched(void **state);
void test_ids_with_slash_or_dot_dot_are_refused(void **state);
void test_paused_container_uses_no_cpu_until_resumed(void **state);
void test_ps_and_list_show_the_containers(void **state);

/* Bad bundles */
void test_bad_bundle_is_refused_and_leaves_nothing(void **state);
void test_labels_the_host_cannot_apply_are_refused(void **state);

/* Creating (a create killed half way: promises-hardening.h) */
void test_state_says_creating_while_create_runs(void **state);

/* config.json is honoured */
void test_process_settings_are_honoured(void **state);
void test_user_is_honoured_with_and_without_a_user_namespace(void **state);
void test_resources_are_written_to_the_cgroups_path(void **state);
void test_masked_and_read_only_paths_are_honoured(void **state);
void test_bind_and_tmpfs_mounts_are_made(void **state);
void test_namespace_path_joins_another_containers_network(void **state);
void test_waiting_init_cannot_be_reached_from_a_shared_pid_namespace(void **state);
void test_seccomp_profile_from_config_is_applied(void **state);
void test_descriptors_are_closed_under_a_filter_refusing_close_range(void **state);
void test_capabilities_not_held_are_left_out_with_a_warning(void **state);
void test_root_propagation_is_what_config_asks(void **state);

/* dcrun's own binary */
void test_runtime_binary_cannot_be_overwritten_from_inside(void **state);

/* Terminals */
void test_terminal_master_goes_to_the_console_socket(void **state);
void test_terminal_run_in_the_foreground_is_interactive(void **state);
void test_terminal_follows_the_callers_window_size(void **state);
void test_terminal_without_a_taker_is_refused(void **state);

/* Hooks */
void test_hooks_run_once_each_in_the_specs_order_with_the_state(void **state);
void test_hooks_run_in_the_namespaces_the_spec_says(void **state);
void test_hooks_get_their_args_and_env_exactly(void **state);
void test_hooks_failing_in_create_fail_it_and_leave_nothing(void **state);
void test_hooks_past_their_timeout_are_killed_and_fail_create(void **state);
void test_failing_start_container_hook_leaves_the_container_stopped(void **state);
void test_failing_poststart_hook_is_a_warning(void **state);
void test_start_fails_when_the_program_is_gone(void **state);
void test_hooks_failing_in_poststop_still_let_delete_finish(void **state);

/* exec */
void test_exec_joins_the_containers_namespaces_and_cgroup(void **state);
void test_exec_exits_with_the_commands_status(void **state);
void test_exec_options_set_env_cwd_user_and_capabilities(void **state);
void test_exec_process_file_is_honoured(void **state);
void test_exec_gets_the_containers_seccomp_filter_and_no_new_privs(void **state);
void test_exec_command_holds_no_host_descriptor_and_stays_inside(void **state);
void test_exec_process_cannot_be_reached_while_it_joins(void **state);
void test_exec_needs_a_created_or_running_container(void **state);
void test_exec_user_is_read_whole_or_refused(void **state);
void test_exec_tty_is_a_terminal_of_the_containers_own(void **state);

/* podman drives it */
void test_podman_run_returns_the_exit_status(void **state);
void test_podman_process_options_reach_the_container(void **state);
void test_podman_isolation_options_work(void **state);
void test_podman_limits_are_seen_inside(void **state);
void test_podman_detached_container_stops_and_is_removed(void **state);

#endif
