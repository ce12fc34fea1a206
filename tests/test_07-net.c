/*
 * Chapter 07: net. A network of its own: only lo, up -- and, with
 * --net veth, a virtual cable to the host.
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
	};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return cmocka_run_group_tests_name("07-net", tests, promises_setup, promises_teardown);
}
