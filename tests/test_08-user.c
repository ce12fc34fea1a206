/*
 * Chapter 08: user. Root inside, the caller -- or nobody -- outside:
 * a container an ordinary user can start.
 */
#include "promises.h"
#include "promises-net-user.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_promise
#include "list_08-user.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	/* The six devices are bind mounts of the host's (mknod needs the host's root). */
	expected_mount_points = "/,/proc,/sys,/dev,/dev/null,/dev/zero,/dev/full,/dev/random,"
				"/dev/urandom,/dev/tty,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
