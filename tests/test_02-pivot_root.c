/*
 * Chapter 02: pivot_root. The same command, the same rootfs -- and no
 * way back to the host.
 */
#include "promises.h"

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
		dc_test(test_host_root_is_refused_as_rootfs),
	};

	return dc_run_tests("02-pivot_root", tests, DC_COUNT(tests), "test_escape_fails_after_pivot_root", promises_setup,
			    promises_teardown);
}
