/*
 * Chapter 02: pivot_root. The same command, the same rootfs -- and no
 * way back to the host.
 */
#include "promises.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_test
#include "list_02-pivot_root.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
