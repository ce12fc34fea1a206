/*
 * Chapter 11: compose. Root inside keeps docker's capabilities and no
 * more, can gain none (no_new_privs), makes only the system calls a
 * filter allows, opens only the basic devices, reads nothing of the
 * host's kernel files, and starts clean; containers can share namespaces;
 * and enter cannot be turned against the host.
 */
#include "promises.h"
#include "promises-net-user.h"
#include "promises-cgroup-time.h"
#include "promises-compose.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_compose_promise
#include "list_11-compose.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	/* 10's, then the kernel paths masked or made read-only that this kernel has. */
	expected_mount_points = compose_mount_points();
	device_mount_points = compose_null_masked_files();
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    cgroup_promises_teardown);
}
