/*
 * Chapter 01: chroot (1979). The command sees the rootfs -- and the host
 * is one escape away.
 */
#define _GNU_SOURCE
#include "promises.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The promises this chapter keeps: tests/promises.list. */
#define DC_PROMISE dc_test
#include "list_01-chroot.h"

/* The classic escape, run inside the chroot, reads a host-only file. */
static void test_chroot_escape_reaches_host(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/unroot", "/bin/cat",
					   host_marker_path(), NULL});
	assert_exit(&r, 0);
	assert_string_equal(r.out, host_marker_text());
	run_free(&r);
}

/* unroot removes the directory it chrooted into: the rootfs is as it was. */
static void test_escape_leaves_rootfs_clean(void **state)
{
	struct run r;
	char listing_cmd[4200];

	(void)state;
	require_root();
	snprintf(listing_cmd, sizeof(listing_cmd), "ls -a %s", test_rootfs());
	run_container(&r, (const char *[]){test_rootfs(), "/bin/unroot", "/bin/true", NULL});
	assert_exit(&r, 0);
	run_free(&r);
	run_program(&r, (const char *[]){"/bin/sh", "-c", listing_cmd, NULL}, NULL);
	assert_exit(&r, 0);
	assert_contains(r.out, "etc");
	assert_not_contains(r.out, ".unroot-");
	run_free(&r);
}

/*
 * chroot(2) leaves the working directory alone. Without chdir("/"), the
 * command still stands in the host's tree: relative paths reach the host,
 * and the kernel reports the cwd as unreachable from the new root.
 */
static void test_chroot_without_chdir_leaves_cwd_outside(void **state)
{
	struct run r;
	char here[4096];
	char *outside = make_temp_dir("cwd");

	(void)state;
	require_root();
	assert_non_null(getcwd(here, sizeof(here)));
	assert_int_equal(chdir(outside), 0);
	write_file("outside.txt", "written on the host\n");

	run_container(
		&r, (const char *[]){"--no-chdir", test_rootfs(), "/bin/cat", "outside.txt", NULL});
	assert_exit(&r, 0);
	assert_string_equal(r.out, "written on the host\n");
	run_free(&r);

	run_container(&r, (const char *[]){"--no-chdir", test_rootfs(), "/bin/probe", "cwd", NULL});
	assert_exit(&r, 0);
	assert_non_null(probe_get(&r, "cwd"));
	assert_true(strncmp(probe_get(&r, "cwd"), "(unreachable)", 13) == 0);
	run_free(&r);

	/* With the chdir, the same relative path finds nothing. */
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "cwd", NULL});
	assert_exit(&r, 0);
	assert_string_equal(probe_get(&r, "cwd"), "/");
	run_free(&r);

	assert_int_equal(chdir(here), 0);
	remove_tree(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {DC_TESTS};

	return dc_run_tests(DC_CHAPTER, tests, DC_COUNT(tests), DC_FIRST_OWN, promises_setup,
			    promises_teardown);
}
