/*
 * The promises of chapters 01 and 02, shared by every chapter's tests.
 * See promises.h.
 */
#define _GNU_SOURCE
#include "promises.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

const char *expected_mount_points = "/,/proc";

static char *marker_dir;
static char marker_path[4096];
static char marker_text[128];

int promises_setup(void **state)
{
	if (harness_setup(state) != 0)
		return -1;
	/* A file that exists only on the host, with text no rootfs has. */
	marker_dir = make_temp_dir("host");
	keep_temp_dir(marker_dir);
	snprintf(marker_path, sizeof(marker_path), "%s/marker", marker_dir);
	snprintf(marker_text, sizeof(marker_text), "host-only marker %d\n", (int)getpid());
	write_file(marker_path, marker_text);
	return 0;
}

int promises_teardown(void **state)
{
	(void)state;
	if (marker_dir) {
		remove_tree(marker_dir);
		marker_dir = NULL;
	}
	return 0;
}

const char *host_marker_path(void)
{
	return marker_path;
}

const char *host_marker_text(void)
{
	return marker_text;
}

/* The rootfs's /etc/os-release names it; the host's does not. */
void test_command_sees_rootfs_files(void **state)
{
	struct run r;
	struct stat st;
	char root_inode[128];

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/cat", "/etc/os-release", NULL});
	assert_exit(&r, 0);
	assert_contains(r.out, "Demystifying Containers");
	run_free(&r);

	/* And "/" inside is the very directory we passed. */
	assert_int_equal(stat(test_rootfs(), &st), 0);
	snprintf(root_inode, sizeof(root_inode), "%u:%u:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "root_inode", NULL});
	assert_exit(&r, 0);
	assert_string_equal(probe_get(&r, "root_inode"), root_inode);
	run_free(&r);
}

/* With no command, the rootfs's own /bin/sh runs, reading stdin. */
void test_default_command_is_shell(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_tool(&r, "container", (const char *[]){test_rootfs(), NULL},
		 "cat /etc/os-release\nexit 3\n");
	assert_exit(&r, 3);
	assert_contains(r.out, "Demystifying Containers");
	run_free(&r);
}

void test_exit_status_propagates(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/sh", "-c", "exit 7", NULL});
	assert_exit(&r, 7);
	run_free(&r);
}

/* 127, like a shell, and the message says where we looked. */
void test_missing_command_exits_127(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe-is-not-here", NULL});
	assert_exit(&r, 127);
	assert_contains(r.err, "/bin/probe-is-not-here");
	assert_contains(r.err, "No such file or directory");
	run_free(&r);
}

/* A bad ROOTFS is the user's mistake: say so clearly, exit 125, run nothing. */
void test_bad_rootfs_is_a_clear_error(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){"/nonexistent-rootfs", "/bin/probe", NULL});
	assert_exit(&r, 125);
	assert_contains(r.err, "/nonexistent-rootfs");
	assert_contains(r.err, "No such file or directory");
	assert_contains(r.err, "rootfs-fetch.sh");
	run_free(&r);

	/* Usage errors, too. */
	run_container(&r, (const char *[]){NULL});
	assert_exit(&r, 125);
	assert_contains(r.err, "usage:");
	run_free(&r);
}

/*
 * Chapter 01's unroot climbs out of a chroot. After pivot_root there is
 * nothing above "/" to climb to: cat runs, inside, and finds no marker.
 */
void test_escape_fails_after_pivot_root(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/unroot", "/bin/cat",
					   host_marker_path(), NULL});
	assert_not_contains(r.out, host_marker_text());
	assert_int_not_equal(r.exit_code, 0);
	/* It was cat, inside, that failed: not a missing unroot. */
	assert_contains(r.err, "can't open");
	run_free(&r);
}

/*
 * The mount table inside holds the new root and what the container
 * mounted (with /proc mounted to look, where the container does not):
 * exactly expected_mount_points, and nothing of the host's.
 */
void test_old_root_not_in_mountinfo(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "--mount-proc",
					   "mount_points", NULL});
	assert_exit(&r, 0);
	assert_string_equal(probe_get(&r, "mount_points"), expected_mount_points);
	run_free(&r);
}

void test_host_mount_table_unchanged(void **state)
{
	struct run r;

	(void)state;
	require_root();
	char *before = read_file("/proc/self/mountinfo");
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "--mount-proc", NULL});
	char *after = read_file("/proc/self/mountinfo");
	assert_exit(&r, 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	run_free(&r);
}

/*
 * Under systemd "/" is shared, and a new mount namespace inherits that.
 * Recreate it in a throwaway namespace: cut it off from the host first
 * (rprivate), then make it rshared, run the container there, and check
 * that the container worked and nothing propagated back.
 */
void test_works_when_root_is_shared(void **state)
{
	int status;

	(void)state;
	require_root();
	pid_t pid = fork();
	assert_int_not_equal(pid, -1);
	if (pid == 0) {
		struct run r;

		if (unshare(CLONE_NEWNS) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == -1) {
			perror("test: making / shared in a new mount namespace");
			_exit(3);
		}
		char *before = read_file("/proc/self/mountinfo");
		run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "--mount-proc",
						   "mount_points", NULL});
		char *after = read_file("/proc/self/mountinfo");
		const char *points = probe_get(&r, "mount_points");
		if (r.exit_code != 0 || points == NULL || strcmp(points, expected_mount_points) != 0) {
			fprintf(stderr, "container failed under a shared /: exit %d\n%s%s",
				r.exit_code, r.out, r.err);
			_exit(4);
		}
		if (strcmp(before, after) != 0) {
			fprintf(stderr, "mounts propagated out of the container:\n--- before\n%s"
					"--- after\n%s", before, after);
			_exit(5);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}
