/*
 * Promises: what a chapter's container guarantees, kept by every later
 * chapter. Each chapter's test file lists the promises that hold for it,
 * so "later chapters keep the earlier chapters' promises" is checked,
 * not hoped for. Chapter 01's escape is the one promise that is broken
 * on purpose: from chapter 02 on, test_escape_fails_after_pivot_root holds.
 */
#ifndef PROMISES_H
#define PROMISES_H

#include "harness.h"

/* A host-only file for escape tests: created in group setup. */
int promises_setup(void **state);
int promises_teardown(void **state);
const char *host_marker_path(void);
const char *host_marker_text(void);

/* 01 chroot: the command runs in the rootfs, and reports back. */
void test_command_sees_rootfs_files(void **state);
void test_default_command_is_shell(void **state);
void test_exit_status_propagates(void **state);
void test_missing_command_exits_127(void **state);
void test_bad_rootfs_is_a_clear_error(void **state);

/* 02 pivot_root: the host's tree is gone, and the host is untouched. */
extern const char *expected_mount_points;   /* mount_points inside, in order */
void test_escape_fails_after_pivot_root(void **state);
void test_old_root_not_in_mountinfo(void **state);
void test_host_mount_table_unchanged(void **state);
void test_works_when_root_is_shared(void **state);

#endif
