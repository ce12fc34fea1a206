/*
 * Chapter 07: net. A network of its own: only lo, up -- and, with
 * --net veth, a virtual cable to the host.
 */
#include "promises.h"
#include "promises-net-user.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_07-net.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
