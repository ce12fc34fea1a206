/*
 * The test harness: run a chapter's program the way a user would, and
 * read what the probe inside it saw.
 *
 * Environment (set by the Makefile, see tests/run.sh):
 *   DC_IMPL    the directory holding the program under test, such as
 *              solutions/02-pivot_root or build/exercise/02-pivot_root
 *   DC_ROOTFS  the test rootfs: busybox, plus /bin/probe and /bin/unroot
 *   DC_WRAP    optional command to run the program under, such as
 *              "valgrind --error-exitcode=99 -q"
 *   DC_SAVE_CONFIGS  optional directory: a copy of every config.json the
 *              tests write (chapter 12) goes there, named TEST.PID.N.json,
 *              for the fuzzer's seed corpus (tests/fuzz/seed.sh)
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <setjmp.h>
#include <cmocka.h>

/* Most runs finish in milliseconds; this only stops a hung test. */
enum { RUN_TIMEOUT_S = 30 };

struct run {
	int status;    /* raw wait(2) status */
	int exit_code; /* exit status, or 128+signal, like a shell */
	bool timed_out;
	char *out; /* everything written to stdout */
	char *err; /* everything written to stderr */
	/* While it runs (run_start): */
	pid_t pid;
	int in_fd, out_fd, err_fd;
	size_t out_len, err_len, line_pos;
	time_t deadline;
	char name[256];
};

/* Run argv (argv[0] a path) with stdin from `input` (NULL: /dev/null). */
void run_program(struct run *r, const char *const argv[], const char *input);

/* Run $DC_IMPL/PROGRAM with args, under $DC_WRAP if set. */
void run_tool(struct run *r, const char *program, const char *const args[], const char *input);

/*
 * A run to talk to while it runs: run_start, then read its output line by
 * line (NULL at EOF or after RUN_TIMEOUT_S), signal it, and run_finish to
 * close its stdin and wait for it. run_finish fills in the status.
 */
void run_start(struct run *r, const char *program, const char *const args[]);
const char *run_read_line(struct run *r);
void run_signal(struct run *r, int sig);
void run_finish(struct run *r);

/*
 * run_start, as nobody (uid and gid 65534, no groups), the way an ordinary
 * user starts a rootless container: through setpriv(1), under $DC_WRAP.
 * Nobody must be able to reach the program: where a checkout is closed to
 * other users (under /root, or in a home that is 0750, Ubuntu's default),
 * the harness runs a copy of it instead, made once under /tmp and removed
 * when the test binary exits. run_finish ends it as usual.
 */
enum { NOBODY = 65534 };
void run_start_rootless(struct run *r, const char *program, const char *const args[]);

/*
 * run_start, with the words of `prefix` in front (before DC_WRAP's): a
 * shell that gives the program a descriptor of the caller's, say,
 * {"/bin/sh", "-c", "exec 7<\"$0\" && exec \"$@\"", DIR, NULL}.
 */
void run_start_prefixed(struct run *r, const char *const prefix[], const char *program,
			const char *const args[]);

/* run_start for any argv (argv[0] a path, or a name on PATH), never under DC_WRAP. */
void run_start_argv(struct run *r, const char *const argv[]);

/* The chapter under test, as a number: 11 for "11-compose" (the name given to dc_run_tests). */
int test_chapter(void);

/*
 * Chapter 12 (tests/runtime-adapter.c): when $DC_IMPL holds dcrun and no
 * container, a run of "container ARGS" writes a bundle for ARGS and runs
 * dcrun's arguments instead (the bundle goes with the test's temporary
 * directories). What config.json cannot say fails the test.
 */
bool runtime_adapter_active(void);
/*
 * Whether a line of a program's stderr is a tool's note rather than the
 * program's: valgrind's ("--PID-- WARNING: unhandled syscall"), or ASan's
 * three lines when a process on a clone(2) stack calls _exit. Never an
 * error report of theirs.
 */
bool tool_note_line(const char *line);

/* A config.json the tests just wrote: copied into $DC_SAVE_CONFIGS, when it is set. */
void harness_save_config(const char *path);

/* The adapter's containers' groups are under this parent (their cgroupsPath). */
#define RUNTIME_GROUP_PARENT "/demystifying-containers-dcrun"
const char *const *runtime_adapter_args(const char *const args[], bool rootless);
/* `enter PID [COMMAND...]` as `dcrun --root R exec ID COMMAND` of the test's container that has PID. */
const char *const *runtime_adapter_enter_args(const char *const args[]);
/* The config.json the adapter would write for ARGS (json-c's; json_object_put it). */
struct json_object *runtime_adapter_config(const char *const args[]);
/*
 * What the adapter's last run left behind: its container in its --root,
 * or its cgroup (cgroupsPath) in any hierarchy. NULL when nothing; else
 * a sentence naming it, valid until the next call.
 */
const char *runtime_adapter_leftover(void);
/* Teardown: delete --force every container the adapter's runs left (the harness calls it). */
void runtime_adapter_teardown(void);

/* Shorthand: run_tool(r, "container", args, NULL). */
void run_container(struct run *r, const char *const args[]);

void run_free(struct run *r);

/*
 * The value of the probe's "key=value" line, or NULL: a copy of its own,
 * valid until the end of the test (two can be compared).
 */
const char *probe_get(const struct run *r, const char *key);

/* Print a run's output when a test fails, so the failure explains itself. */
void run_dump(const struct run *r, const char *what);

/* The test rootfs, and the program under test. */
const char *test_rootfs(void);
/*
 * The test rootfs for a container whose root is not the host's root, but
 * nobody (rootless) or a mapped uid (--uid-map "0 100000 65536"): that uid
 * walks the path to it. The rootfs itself, or the copy the harness made
 * where the checkout is closed to others (see run_start_rootless).
 */
const char *test_rootfs_for_others(void);
const char *impl_path(const char *program);
/* A tool (enter, nsls): the implementation's own, or an earlier chapter's. */
const char *tool_path(const char *program);

/* Is the program under test run under valgrind ($DC_WRAP)? Some facts it hides or changes. */
bool under_valgrind(void);

/* Skip (loudly) when not root: the integration tests need it. */
void require_root(void);

/* The host's mount table, as one string, to compare before and after. */
char *read_file(const char *path);

/*
 * The host's mount table (/proc/self/mountinfo), less the mounts in
 * another test run's temporary directories (/tmp/dc-*): what a promise
 * about the host's mounts compares, with another run beside this one
 * (make test's valgrind lane persists namespaces there). Freed by the caller.
 */
char *host_mount_table(void);

/* A file that may vanish meanwhile (a /proc file, a cgroup's): NULL if it is gone. */
char *read_file_if_there(const char *path);
/* The same, and its length: for contents with NUL bytes in them, like /proc/PID/cmdline. */
char *read_bytes_if_there(const char *path, size_t *length);

/* The first child of `parent` found in /proc (the container's first process), or 0. */
pid_t child_of(pid_t parent);

/* The inode of a process's namespace of a type ("mnt", "net"...), or 0 if it has gone. */
unsigned long namespace_of(pid_t pid, const char *type);

/* Whether the probe's ns.TYPE is a namespace other than the test's own (and not "?"). */
bool probe_in_own_namespace(const struct run *r, const char *type);

/* Write `text` to a new file at path. */
void write_file(const char *path, const char *text);

/* A fresh directory under /tmp, and its removal (with what is in it, and the path). */
char *make_temp_dir(const char *tag);
void remove_tree(char *path);
/* Keep a directory past the end of the test (a group's fixture). */
void keep_temp_dir(const char *path);

/* Group setup: checks the rootfs and the program exist. */
int harness_setup(void **state);

/*
 * After every test, even a failed one: free its runs' output, remove its
 * temporary directories, and go back to the starting directory.
 */
int harness_teardown_test(void **state);

/*
 * For a test that forks a child which runs containers: end the child with
 * `status`, after removing what the child made (its temporary directories,
 * the adapter's containers) -- never the test's own. A dc_fail in such a
 * child ends it so too (exit 99), instead of running the rest of the tests.
 */
_Noreturn void harness_exit_child(int status);
#define dc_test(f) cmocka_unit_test_teardown(f, harness_teardown_test)

/*
 * Run a chapter's tests: the earlier chapters' promises, then its own,
 * from the one named first_own. With DC_OWN_ONLY=1 in the environment
 * only its own run: make test does that under valgrind and in the qemu
 * guest, where every container start costs seconds, and runs the whole
 * list natively and under ASan.
 */
int dc_run_tests(const char *name, const struct CMUnitTest *tests, size_t count,
		 const char *first_own, CMFixtureFunction setup, CMFixtureFunction teardown);
#define DC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The host PIDs of processes running `sleep MARK` (at most max): tests
 * start sleepers with a mark of their own, to find what a container left.
 */
int find_sleeping(const char *mark, pid_t *pids, int max);

/*
 * A broken promise, said in one message: what was expected, what happened,
 * and the likely cause. It reaches cmocka as the failure's own text, so
 * it prints as "[  ERROR   ] --- MESSAGE" and then the line, each on a
 * line of its own (cmocka's fail_msg prints elsewhere, and leaves an empty
 * "[  ERROR   ] --- " in front of the line).
 */
#ifdef __CPPCHECK__
/* cppcheck does not follow _Noreturn through the macro: tell it plainly. */
#define dc_fail(...) abort()
#else
#define dc_fail(...) dc_fail_at(__FILE__, __LINE__, __VA_ARGS__)
#endif
_Noreturn void dc_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Assertions that print the run when they fail. */
#define assert_exit(r, code)                                                                       \
	do {                                                                                       \
		if ((r)->exit_code != (code))                                                      \
			run_dump((r), "unexpected exit status");                                   \
		assert_int_equal((r)->exit_code, (code));                                          \
	} while (0)

#define assert_contains(haystack, needle)                                                          \
	do {                                                                                       \
		const char *h_ = (haystack);                                                       \
		if (h_ == NULL || strstr(h_, (needle)) == NULL)                                    \
			print_error("expected to find \"%s\" in:\n%s\n", (needle),                 \
				    h_ ? h_ : "(null)");                                           \
		assert_non_null(h_);                                                               \
		assert_non_null(strstr(h_, (needle)));                                             \
	} while (0)

#define assert_not_contains(haystack, needle)                                                      \
	do {                                                                                       \
		const char *h_ = (haystack);                                                       \
		if (h_ != NULL && strstr(h_, (needle)) != NULL)                                    \
			print_error("did not expect \"%s\" in:\n%s\n", (needle), h_);              \
		assert_true(h_ == NULL || strstr(h_, (needle)) == NULL);                           \
	} while (0)

#endif
