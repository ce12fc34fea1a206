/*
 * Chapter 03: a mount table of its own. /proc, /sys, /dev and /tmp are
 * the container's, a mount made inside never reaches the host, and a
 * persisted namespace outlives the container.
 */
#include "promises.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_03-mnt.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
