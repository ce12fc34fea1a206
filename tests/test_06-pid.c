/*
 * Chapter 06: PIDs of its own, under an init. The command sees only the
 * container's processes, orphans are reaped, signals and exit statuses
 * pass through, and nothing outlives the container.
 */
#include "promises.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_06-pid.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
