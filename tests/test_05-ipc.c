/*
 * Chapter 05: IPC of its own. System V objects and POSIX message queues
 * cross neither way between the host and the container.
 */
#include "promises.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* 01's promises. */
		dc_promise(test_command_sees_rootfs_files),
		dc_promise(test_default_command_is_shell),
		dc_promise(test_exit_status_propagates),
		dc_promise(test_missing_command_exits_127),
		dc_promise(test_bad_rootfs_is_a_clear_error),
		/* 02's. */
		dc_promise(test_escape_fails_after_pivot_root),
		dc_promise(test_old_root_not_in_mountinfo),
		dc_promise(test_host_mount_table_unchanged),
		dc_promise(test_works_when_root_is_shared),
		dc_promise(test_host_root_is_refused_as_rootfs),
		/* 03's. */
		dc_promise(test_tmpfs_mounted_inside_stays_inside),
		dc_promise(test_proc_is_a_fresh_procfs),
		dc_promise(test_sys_is_read_only),
		dc_promise(test_dev_holds_only_the_basic_devices),
		dc_promise(test_dev_nodes_work),
		dc_promise(test_tmp_is_a_private_tmpfs),
		dc_promise(test_mounts_are_nosuid_and_nodev),
		dc_promise(test_persisted_namespace_can_be_entered_after_exit),
		dc_promise(test_unmounting_persisted_namespace_frees_it),
		dc_promise(test_nsls_agrees_with_lsns),
		dc_promise(test_container_dies_with_its_parent),
		dc_promise(test_persist_never_follows_a_symlink),
		dc_promise(test_persist_into_a_dir_in_use_is_refused),
		dc_promise(test_failed_persist_leaves_nothing_behind),
		/* 04's. */
		dc_promise(test_hostname_option_names_the_container),
		dc_promise(test_default_hostname_is_a_container_id),
		dc_promise(test_host_hostname_unchanged_during_and_after),
		dc_promise(test_bad_hostname_is_a_clear_error),
		dc_promise(test_failed_persist_leaves_dir_as_it_was),
		/* 05's. */
		dc_promise(test_host_ipc_objects_invisible_inside),
		dc_promise(test_ipc_objects_made_inside_invisible_on_host),
		dc_promise(test_dev_mqueue_is_an_mqueue_mount),
	};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests("05-ipc", tests, DC_COUNT(tests), "test_host_ipc_objects_invisible_inside", promises_setup,
			    promises_teardown);
}
