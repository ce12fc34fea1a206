/*
 * Chapter 12: runtime. dcrun is an OCI runtime with runc's command line:
 * create leaves the process waiting and start runs it, the state tells a
 * live container from a reused pid, config.json is honoured, a bad
 * bundle leaves nothing behind, and podman drives it.
 *
 * Only the runtime's own promises for now: the earlier chapters' run
 * through `container`, which dcrun does not have, until the harness
 * learns to write a config.json for them (tests/promises.list).
 */
#include "promises-runtime.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		dc_runtime_promise(test_create_leaves_the_process_waiting_for_start),
		dc_runtime_promise(test_state_reports_stopped_once_the_process_has_ended),
		dc_runtime_promise(test_state_is_the_oci_state),
		dc_runtime_promise(test_delete_removes_the_state_directory_and_the_group),
		dc_runtime_promise(test_run_exits_with_the_containers_status),
		dc_runtime_promise(test_run_detach_returns_with_the_container_running),
		dc_runtime_promise(test_kill_takes_signal_names_and_numbers),
		dc_runtime_promise(test_command_starts_with_no_signal_blocked),
		dc_runtime_promise(test_kill_all_reaches_every_process),
		dc_runtime_promise(test_kill_of_a_stopped_container_is_an_error),
		dc_runtime_promise(test_delete_refuses_a_running_container_unless_forced),
		dc_runtime_promise(test_reused_pid_is_not_taken_for_the_container),
		dc_runtime_promise(test_container_cannot_pass_itself_off_as_stopped),
		dc_runtime_promise(test_id_in_use_is_refused_and_the_first_is_untouched),
		dc_runtime_promise(test_ids_with_slash_or_dot_dot_are_refused),
		dc_runtime_promise(test_paused_container_uses_no_cpu_until_resumed),
		dc_runtime_promise(test_ps_and_list_show_the_containers),
		dc_runtime_promise(test_bad_bundle_is_refused_and_leaves_nothing),
		dc_runtime_promise(test_process_settings_are_honoured),
		dc_runtime_promise(test_user_is_honoured_with_and_without_a_user_namespace),
		dc_runtime_promise(test_resources_are_written_to_the_cgroups_path),
		dc_runtime_promise(test_masked_and_read_only_paths_are_honoured),
		dc_runtime_promise(test_bind_and_tmpfs_mounts_are_made),
		dc_runtime_promise(test_namespace_path_joins_another_containers_network),
		dc_runtime_promise(test_seccomp_profile_from_config_is_applied),
		dc_runtime_promise(test_podman_run_returns_the_exit_status),
		dc_runtime_promise(test_podman_process_options_reach_the_container),
		dc_runtime_promise(test_podman_isolation_options_work),
		dc_runtime_promise(test_podman_limits_are_seen_inside),
		dc_runtime_promise(test_podman_detached_container_stops_and_is_removed),
	};

	/* DC_ONLY=test_a,test_b runs just those, as in every chapter. */
	return dc_run_tests("12-runtime", tests, DC_COUNT(tests),
			    "test_create_leaves_the_process_waiting_for_start", runtime_setup,
			    runtime_teardown);
}
