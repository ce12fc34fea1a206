/*
 * Chapter 12: runtime. dcrun is an OCI runtime with runc's command line:
 * create leaves the process waiting and start runs it, the state tells a
 * live container from a reused pid, config.json is honoured, a bad
 * bundle leaves nothing behind, and podman drives it.
 *
 * Every earlier promise that a runtime makes runs through dcrun: the
 * harness turns each `container ARGS` a test asks for into a bundle
 * (tests/runtime-adapter.c). Those that belong to container's own command
 * line (--persist, --net veth, enter) retire at 12, each with its reason,
 * in tests/promises.list.
 */
#include "promises.h"
#include "promises-net-user.h"
#include "promises-cgroup-time.h"
#include "promises-compose.h"
#include "promises-runtime.h"
#include "promises-hardening.h"

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_compose_promise
#include "list_12-runtime.h"

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	expected_mount_points = runtime_mount_points();
	device_mount_points = compose_null_masked_files();
	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, runtime_setup,
			    runtime_teardown);
}
