/*
 * Chapter 08: user. Root inside, the caller -- or nobody -- outside:
 * a container an ordinary user can start.
 */
#include "promises.h"
#include "promises-net-user.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* 01's promises. */
		dc_test(test_command_sees_rootfs_files),
		dc_test(test_default_command_is_shell),
		dc_test(test_exit_status_propagates),
		dc_test(test_missing_command_exits_127),
		dc_test(test_bad_rootfs_is_a_clear_error),
		/* 02's. */
		dc_test(test_escape_fails_after_pivot_root),
		dc_test(test_old_root_not_in_mountinfo),
		dc_test(test_host_mount_table_unchanged),
		dc_test(test_works_when_root_is_shared),
		/* 03-06's: to come, with their promises in promises.h. */
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
		dc_net_user(test_overlapping_map_is_a_clear_error),
		dc_net_user(test_rootless_cannot_map_another_uid),
		dc_net_user(test_malformed_map_is_rejected_before_start),
		dc_net_user(test_rootless_veth_needs_root),
	};

	/* The six devices are bind mounts of the host's (mknod needs the host's root). */
	expected_mount_points = "/,/proc,/sys,/dev,/dev/null,/dev/zero,/dev/full,/dev/random,"
				"/dev/urandom,/dev/tty,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return cmocka_run_group_tests_name("08-user", tests, promises_setup, promises_teardown);
}
