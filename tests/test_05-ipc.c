/*
 * Chapter 05: IPC of its own. System V objects and POSIX message queues
 * cross neither way between the host and the container.
 */
#include "promises.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_05-ipc.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
