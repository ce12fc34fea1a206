/*
 * Chapter 04: a hostname of its own. The container names itself, and the
 * host keeps its name.
 */
#include "promises.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_04-uts.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = "/,/proc,/sys,/dev,/dev/pts,/dev/shm,/tmp";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
