/*
 * Chapter 09: control groups. The container runs within limits the
 * kernel keeps -- memory, processes, CPU -- in a group of its own that
 * looks like the root from inside, and that goes when the container does.
 */
#include "promises.h"
#include "promises-net-user.h"
#include "promises-cgroup-time.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_cgroup_promise
#include "list_09-cgroup.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	/* As in 08: the six devices are bind mounts of the host's. */
	expected_mount_points = "/,/proc,/sys,/dev,/dev/null,/dev/zero,/dev/full,/dev/random,"
				"/dev/urandom,/dev/tty,/dev/pts,/dev/shm,/tmp,/dev/mqueue";
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    cgroup_promises_teardown);
}
