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

/*
 * A host-only file for escape tests: created in group setup. The setup
 * also notes the host's hostname and domainname, to put them back.
 */
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
extern const char *expected_mount_points; /* mount_points inside, in order */
/*
 * Mount points, among them, that are device nodes: from chapter 11 on the
 * kernel files masked by /dev/null (/proc/keys...). Comma-joined; "" before.
 */
extern const char *device_mount_points;
void test_escape_fails_after_pivot_root(void **state);
void test_old_root_not_in_mountinfo(void **state);
void test_host_mount_table_unchanged(void **state);
void test_works_when_root_is_shared(void **state);
void test_host_root_is_refused_as_rootfs(void **state);

/*
 * From chapter 03 on, the tests run the untouched exercises as root, and
 * an exercise without its step changes the host: it renames it, leaves
 * IPC objects or processes behind. After every test, even a failed one,
 * this puts the host back, then does the harness's cleanup.
 */
int promises_teardown_test(void **state);
#define dc_promise(f) cmocka_unit_test_teardown(f, promises_teardown_test)

/* A fresh --persist DIR, whose bind mounts promises_teardown_test undoes. */
char *make_persist_dir(void);

/*
 * `args`, after the options that give root inside CAP_SYS_ADMIN, with no
 * seccomp filter in its way, from chapter 11 on (--cap-add SYS_ADMIN
 * --seccomp unconfined): an earlier promise whose test mounts, or renames
 * the machine, inside on purpose asks for that privilege explicitly, and
 * keeps its assertion. A static array, valid until the next call.
 */
const char *const *with_sys_admin(const char *const args[]);

/* 03 mnt: a mount table of its own, with what a program expects in it. */
void test_tmpfs_mounted_inside_stays_inside(void **state);
void test_proc_is_a_fresh_procfs(void **state);
void test_sys_is_read_only(void **state);
void test_dev_holds_only_the_basic_devices(void **state);
void test_dev_nodes_work(void **state);
void test_tmp_is_a_private_tmpfs(void **state);
void test_mounts_are_nosuid_and_nodev(void **state);
void test_persisted_namespace_can_be_entered_after_exit(void **state);
void test_unmounting_persisted_namespace_frees_it(void **state);
void test_nsls_agrees_with_lsns(void **state);
void test_container_dies_with_its_parent(void **state);
void test_persist_never_follows_a_symlink(void **state);
void test_persist_into_a_dir_in_use_is_refused(void **state);
void test_failed_persist_leaves_nothing_behind(void **state);
/* 04 on: a failed --persist of two namespaces or more. */
void test_failed_persist_leaves_dir_as_it_was(void **state);
/*
 * SIGKILL the container program, running `sleep` in ROOTFS with OPTIONS
 * (NULL-terminated), as root or rootless: the sleep must go too.
 */
void assert_container_dies_with_its_parent(const char *const options[], const char *rootfs,
					   bool rootless);

/* 04 uts: a hostname of its own. */
void test_hostname_option_names_the_container(void **state);
void test_default_hostname_is_a_container_id(void **state);
void test_host_hostname_unchanged_during_and_after(void **state);
void test_bad_hostname_is_a_clear_error(void **state);

/* 05 ipc: System V IPC and POSIX message queues of its own. */
void test_host_ipc_objects_invisible_inside(void **state);
void test_ipc_objects_made_inside_invisible_on_host(void **state);
void test_dev_mqueue_is_an_mqueue_mount(void **state);

/* 06 pid: PIDs of its own, and an init that looks after them. */
void test_first_process_is_pid_1(void **state);
void test_proc_lists_only_the_containers_processes(void **state);
void test_orphans_are_reaped(void **state);
void test_sigterm_stops_the_command(void **state);
void test_init_passes_on_exit_status(void **state);
void test_nothing_left_running_after_exit(void **state);
/* 03's test_persisted_namespace_can_be_entered_after_exit, with a PID namespace: */
void test_enter_joins_a_running_container(void **state);
void test_persisted_pid_namespace_needs_its_init(void **state);

#endif
