/*
 * Chapter 09: control groups. The container runs within limits the
 * kernel keeps -- memory, processes, CPU -- in a group of its own that
 * looks like the root from inside, and that goes when the container does.
 */
#include "promises.h"
#include "promises-net-user.h"
#include "promises-cgroup-time.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* 01's promises. */
		dc_cgroup_promise(test_command_sees_rootfs_files),
		dc_cgroup_promise(test_default_command_is_shell),
		dc_cgroup_promise(test_exit_status_propagates),
		dc_cgroup_promise(test_missing_command_exits_127),
		dc_cgroup_promise(test_bad_rootfs_is_a_clear_error),
		/* 02's. */
		dc_cgroup_promise(test_escape_fails_after_pivot_root),
		dc_cgroup_promise(test_old_root_not_in_mountinfo),
		dc_cgroup_promise(test_host_mount_table_unchanged),
		dc_cgroup_promise(test_works_when_root_is_shared),
		dc_cgroup_promise(test_host_root_is_refused_as_rootfs),
		/* 03's. */
		dc_cgroup_promise(test_tmpfs_mounted_inside_stays_inside),
		dc_cgroup_promise(test_proc_is_a_fresh_procfs),
		dc_cgroup_promise(test_sys_is_read_only),
		dc_cgroup_promise(test_dev_holds_only_the_basic_devices),
		dc_cgroup_promise(test_mounts_are_nosuid_and_nodev),
		dc_cgroup_promise(test_dev_nodes_work),
		dc_cgroup_promise(test_tmp_is_a_private_tmpfs),
		/* (test_persisted_namespace_can_be_entered_after_exit: see 06's last two.) */
		dc_cgroup_promise(test_unmounting_persisted_namespace_frees_it),
		dc_cgroup_promise(test_nsls_agrees_with_lsns),
		dc_cgroup_promise(test_container_dies_with_its_parent),
		dc_cgroup_promise(test_persist_never_follows_a_symlink),
		dc_cgroup_promise(test_persist_into_a_dir_in_use_is_refused),
		dc_cgroup_promise(test_failed_persist_leaves_nothing_behind),
		/* 04's. */
		dc_cgroup_promise(test_hostname_option_names_the_container),
		dc_cgroup_promise(test_default_hostname_is_a_container_id),
		dc_cgroup_promise(test_host_hostname_unchanged_during_and_after),
		dc_cgroup_promise(test_bad_hostname_is_a_clear_error),
		dc_cgroup_promise(test_failed_persist_leaves_dir_as_it_was),
		/* 05's. */
		dc_cgroup_promise(test_host_ipc_objects_invisible_inside),
		dc_cgroup_promise(test_ipc_objects_made_inside_invisible_on_host),
		dc_cgroup_promise(test_dev_mqueue_is_an_mqueue_mount),
		/* 06's. */
		dc_cgroup_promise(test_first_process_is_pid_1),
		dc_cgroup_promise(test_proc_lists_only_the_containers_processes),
		dc_cgroup_promise(test_orphans_are_reaped),
		dc_cgroup_promise(test_sigterm_stops_the_command),
		dc_cgroup_promise(test_init_passes_on_exit_status),
		dc_cgroup_promise(test_nothing_left_running_after_exit),
		dc_cgroup_promise(test_enter_joins_a_running_container),
		dc_cgroup_promise(test_persisted_pid_namespace_needs_its_init),
		/* 07's. */
		dc_net_user(test_only_lo_and_it_is_up),
		dc_net_user(test_loopback_works_inside),
		dc_net_user(test_veth_connects_container_and_host),
		dc_net_user(test_default_route_goes_through_host_end),
		dc_net_user(test_two_containers_get_their_own_subnets),
		dc_net_user(test_no_veth_left_after_exit),
		dc_net_user(test_no_veth_left_after_container_is_killed),
		dc_net_user(test_bad_net_value_is_a_clear_error),
		/* 08's. */
		dc_net_user(test_root_inside_is_the_caller_outside),
		dc_net_user(test_rootless_container_has_every_namespace),
		dc_net_user(test_file_made_inside_is_owned_by_mapped_uid),
		dc_net_user(test_root_inside_cannot_write_host_root_file),
		dc_net_user(test_rootfs_out_of_the_mapped_uids_reach_is_a_clear_error),
		dc_net_user(test_overlapping_map_is_a_clear_error),
		dc_net_user(test_rootless_cannot_map_another_uid),
		dc_net_user(test_malformed_map_is_rejected_before_start),
		dc_net_user(test_rootless_veth_needs_root),
		dc_net_user(test_root_inside_cannot_make_device_nodes),
		dc_net_user(test_remapped_container_dies_with_its_parent),
		dc_net_user(test_rootless_container_dies_with_its_parent),
		dc_net_user(test_bind_target_is_resolved_inside_the_rootfs),
		/* 09's. */
		dc_cgroup_promise(test_memory_hog_is_killed_at_the_limit),
		dc_cgroup_promise(test_fork_bomb_stops_at_the_pids_limit),
		dc_cgroup_promise(test_cgroup_looks_like_the_root_inside),
		dc_cgroup_promise(test_limits_are_written_to_the_containers_group),
		dc_cgroup_promise(test_group_is_removed_after_exit),
		dc_cgroup_promise(test_group_of_a_killed_container_is_cleaned_up),
		dc_cgroup_promise(test_bad_limit_is_a_clear_error),
		dc_cgroup_promise(test_rootless_refuses_limits_but_runs_without),
		dc_cgroup_promise(test_cgroup_namespace_hides_the_hosts_groups),
		dc_cgroup_promise(test_overflowing_numbers_are_refused_before_anything_starts),
		dc_cgroup_promise(test_failed_start_leaves_no_group),
	};

	/* As in 08: the six devices are bind mounts of the host's. */
	expected_mount_points = "/,/proc,/sys,/dev,/dev/null,/dev/zero,/dev/full,/dev/random,"
				"/dev/urandom,/dev/tty,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests("09-cgroup", tests, DC_COUNT(tests), "test_memory_hog_is_killed_at_the_limit", promises_setup,
			    cgroup_promises_teardown);
}
