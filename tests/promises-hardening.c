/*
 * Chapter 12's promises about the runtime under stress: see
 * promises-hardening.h. They drive dcrun through promises-runtime.c's
 * bundles (make_bundle, dcrun, dcrun_aside), whose teardown deletes with
 * --force whatever a failed test left under the bundle's --root.
 *
 * A runtime is a program that exits: what it leaves behind outlives it.
 * So each promise looks for every kind of leftover the host can show:
 * state directories under --root, cgroups, mounts, processes (a dcrun, a
 * container's init, a zombie handed to its reaper), and descriptors held
 * on the state's files.
 */
#define _GNU_SOURCE
#include "promises-hardening.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Polling: every 10 ms, for up to 10 s. No test asserts how long anything took. */
enum { WAIT_MS = 10, WAIT_TRIES = 1000 };

/* ---- What the host shows --------------------------------------------------------------------- */

/* A process's command line, its NULs made spaces (malloc'd), or NULL once it has gone. */
static char *command_line_of(pid_t pid)
{
	char path[64];
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	char *t = read_bytes_if_there(path, &len);
	for (size_t i = 0; t && i + 1 < len; i++) {
		if (t[i] == '\0')
			t[i] = ' ';
	}
	return t;
}

/* The same, kept until the end of the test: for a message. */
static const char *command_line(pid_t pid)
{
	char *t = command_line_of(pid);
	const char *kept = text("%s", t ? t : "(gone)");

	free(t);
	return kept;
}

/* "STATE PPID ...": what follows the last ")" of /proc/PID/stat, whatever COMM holds. */
static const char *state_and_parent(pid_t pid)
{
	const char *end = strrchr(contents(text("/proc/%d/stat", (int)pid)), ')');

	return end && end[1] == ' ' ? end + 2 : "(gone)";
}

/*
 * The processes whose command line holds `needle` (our --root): a dcrun,
 * or a container's init, which is dcrun cloned until it execs the
 * command. Their number, and the first in *first.
 */
static int processes_naming(const char *needle, pid_t *first)
{
	DIR *proc = opendir("/proc");
	const struct dirent *e;
	int n = 0;

	if (proc == NULL)
		dc_fail("opendir /proc: %s", strerror(errno));
	while ((e = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		char *t = command_line_of(pid);
		if (t && strstr(t, needle) && n++ == 0)
			*first = pid;
		free(t);
	}
	closedir(proc);
	return n;
}

/* The descriptors any process on the host holds on a file under DIR; the first holder in *holder. */
static int descriptors_into(const char *dir, pid_t *holder, char *file, size_t size)
{
	DIR *proc = opendir("/proc");
	const struct dirent *e;
	size_t len = strlen(dir);
	int n = 0;

	if (proc == NULL)
		dc_fail("opendir /proc: %s", strerror(errno));
	while ((e = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);
		char path[300], target[PATH_MAX];

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		DIR *fds = opendir(path); /* gone meanwhile, or not ours to read: none */
		const struct dirent *fd;
		while (fds && (fd = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, fd->d_name);
			ssize_t got = readlink(path, target, sizeof(target) - 1);
			if (got <= 0)
				continue;
			target[got] = '\0';
			if (strncmp(target, dir, len) == 0 &&
			    (target[len] == '/' || !target[len]) && n++ == 0) {
				*holder = pid;
				snprintf(file, size, "%s", target);
			}
		}
		if (fds)
			closedir(fds);
	}
	closedir(proc);
	return n;
}

/* How many descriptors this process has open (less the one that lists them). */
static int own_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		dc_fail("opendir /proc/self/fd: %s", strerror(errno));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3; /* ".", "..", and the directory's own */
}

/* An entry of DIR other than "." and ".." (kept), or NULL: DIR empty, or not there. */
static const char *entry_of(const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	const char *found = NULL;

	while (d && found == NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			found = text("%s", e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* The children this test inherited as their subreaper, once ended: reaped. */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- Many at once ---------------------------------------------------------------------------- */

/* runc's users (conmon, containerd) run many at once: 20 workers, 10 containers each. */
enum { WORKERS = 20, CYCLES = 10 };

/* A dcrun command a worker ran succeeded (a worker cannot use cmocka's asserts: it is a child). */
static void expect_done(struct run *r, const char *command, const char *id)
{
	if (r->exit_code != 0)
		dc_fail("dcrun %s %s, with %d containers made at once, exited %d: %s", command, id,
			WORKERS, r->exit_code, r->err);
	run_free(r);
}

/*
 * dcrun --root B's ARGS with its streams, which a container it leaves
 * keeps, in DIR/NAME.out and .err (dcrun_aside's, without a shell
 * waiting to copy the .err: one program fewer to start, 200 times).
 */
static void dcrun_to_files(struct run *r, const struct bundle *b, const char *name,
			   const char *const args[])
{
	const char *const prefix[] = {"/bin/sh", "-c",
				      "exec \"$@\" >\"$0.out\" 2>\"$0.err\" </dev/null",
				      text("%s/%s", b->dir, name), NULL};
	const char *argv[16] = {"--root", b->root};
	size_t n = 2;

	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_start_prefixed(r, prefix, "dcrun", argv);
	run_finish(r);
}

/*
 * One worker: CYCLES containers, one after another, each created,
 * started, waited for (its command is `true`) and deleted. It is the
 * subreaper of what its dcruns leave, as conmon is: each container's
 * process, once create has exited, and nothing else.
 */
static _Noreturn void cycle_containers(const struct bundle *b, int worker, pid_t test)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		dc_fail("prctl PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	for (int i = 0; i < CYCLES; i++) {
		/* The test's pid last, as container_id's: the teardown sweeps their groups so. */
		const char *id = text("dc-load%d-%d-%d", worker, i, (int)test);
		const char *pid_file = text("%s/%s.pid", b->dir, id);
		struct run r;
		int status = 0;
		pid_t got = 0;

		dcrun_to_files(&r, b, id,
			       (const char *[]){"create", "--bundle", b->dir, "--pid-file",
						pid_file, id, NULL});
		if (r.exit_code != 0)
			dc_fail("dcrun create %s, with %d containers made at once, exited %d: %s",
				id, WORKERS, r.exit_code, contents(text("%s/%s.err", b->dir, id)));
		run_free(&r);
		pid_t pid = (pid_t)atoi(contents(pid_file));
		if (pid <= 0)
			dc_fail("create %s wrote no pid to --pid-file %s", id, pid_file);
		dcrun(&r, b, (const char *[]){"start", id, NULL});
		expect_done(&r, "start", id);
		for (int t = 0; t < WAIT_TRIES && got == 0; t++) {
			got = waitpid(pid, &status, WNOHANG);
			if (got == 0)
				pause_ms(WAIT_MS);
		}
		if (got != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			dc_fail("container %s's process %d should have run `true` and ended, handed "
				"to us, its subreaper, once create exited (waitpid: %d, status %#x)",
				id, (int)pid, (int)got, status);
		dcrun(&r, b, (const char *[]){"delete", id, NULL});
		expect_done(&r, "delete", id);
	}
	/* Every dcrun has been waited for, and every container's process: no other child. */
	pid_t left = child_of(getpid());
	if (left != 0)
		dc_fail("dcrun left process %d to its reaper (a zombie, or still running): %s",
			(int)left, contents(text("/proc/%d/stat", (int)left)));
	harness_exit_child(0);
}

/*
 * 200 containers, 20 at a time, created, started, ended and deleted: all
 * succeed, and nothing is left of them -- no state directory under
 * --root, no cgroup, no mount, no process (no dcrun, no init, no zombie
 * handed to a reaper), and no descriptor held on their files by anyone.
 * The test's own descriptors are as many as before.
 *
 * The host's count of open files (/proc/sys/fs/file-nr) is not compared:
 * other runs change it meanwhile, and a dcrun that has exited holds none;
 * what a runtime can leak past its exit is a process, which would hold
 * them, and that is looked for instead.
 */
void test_many_containers_at_once_leave_nothing_behind(void **state)
{
	pid_t workers[WORKERS], test = getpid(), p = 0;
	char file[PATH_MAX];
	int started = 0, fork_error = 0, failed = 0;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("load", (const char *[]){"/bin/true", NULL});
	save(b);
	const char *mounts = mounts_naming(b->dir, test_rootfs());
	int descriptors = own_descriptors();

	fflush(NULL); /* nothing buffered is written twice, by the workers too */
	for (; started < WORKERS && fork_error == 0; started++) {
		workers[started] = fork();
		if (workers[started] == -1)
			fork_error = errno;
		if (workers[started] == 0)
			cycle_containers(b, started, test);
	}
	/* Those started are waited for, even if one could not be: none outlives the test. */
	for (int w = 0; w < started - (fork_error != 0); w++) {
		int status = 0;

		while (waitpid(workers[w], &status, 0) == -1) {
			if (errno != EINTR)
				dc_fail("waitpid worker %d: %s", (int)workers[w], strerror(errno));
		}
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	if (fork_error != 0)
		dc_fail("fork of worker %d: %s", started - 1, strerror(fork_error));
	if (failed != 0)
		dc_fail("%d of %d workers failed (each said why above): %d containers made, started "
			"and deleted %d at a time must all succeed",
			failed, WORKERS, WORKERS * CYCLES, WORKERS);

	const char *left = entry_of(b->root);
	if (left != NULL)
		dc_fail("after %d containers were deleted, their --root still holds %s/%s",
			WORKERS * CYCLES, b->root, left);
	int groups = groups_named(text("dcrun/dc-load*-%d", (int)getpid()));
	if (groups != 0)
		dc_fail("after %d containers were deleted, %d of their groups are left "
			"(/sys/fs/cgroup/*/dcrun/dc-load*-%d)",
			WORKERS * CYCLES, groups, (int)getpid());
	if (strcmp(mounts, mounts_naming(b->dir, test_rootfs())) != 0)
		dc_fail("after %d containers were deleted, the host has mounts it did not have:\n%s",
			WORKERS * CYCLES, mounts_naming(b->dir, test_rootfs()));
	if (processes_naming(b->root, &p) != 0)
		dc_fail("after %d containers were deleted, process %d runs with their --root (a "
			"dcrun, or an init that never ran its command): %s",
			WORKERS * CYCLES, (int)p, command_line(p));
	if (descriptors_into(b->dir, &p, file, sizeof(file)) != 0)
		dc_fail("after %d containers were deleted, process %d (%s) still holds %s open",
			WORKERS * CYCLES, (int)p, command_line(p), file);
	p = child_of(getpid());
	if (p != 0)
		dc_fail("a process is left to the test, the workers' reaper: %s",
			contents(text("/proc/%d/stat", (int)p)));
	if (own_descriptors() != descriptors)
		dc_fail("the test had %d descriptors open before the %d containers, and %d after",
			descriptors, WORKERS * CYCLES, own_descriptors());
}

/* ---- A create killed at any step ------------------------------------------------------------- */

/*
 * Where create is killed: at the first (or last) call of a kind whose
 * line, in a trace of a whole create, holds `in` ("@" stands for the
 * state directory, ROOT/ID). strace -y writes a descriptor as its path.
 * The joiner's stages are those of a bundle that joins a namespace by
 * path, which create does through a joiner: a process it forks.
 */
static const struct stage {
	bool joiner;      /* of the bundle that joins a namespace */
	const char *call; /* as strace names it */
	const char *in;
	bool last;
	const char *when; /* for the messages */
} stages[] = {
	{false, "mkdir", "@\"", false, "before it made its state directory"},
	{false, "flock", "@>", false, "its state directory made, not yet locked"},
	{false, "mknodat", "/exec.fifo\"", false, "making exec.fifo"},
	{false, "clone", "CLONE_NEW", false, "cloning the container's process"},
	{false, "rename", "/state.json\"", false, "its process cloned, not yet named in the state"},
	{false, "write", "/uid_map>", false, "writing its process's uid_map"},
	{false, "write", "/cgroup.procs>", false, "moving its process into its first group"},
	{false, "write", "/cgroup.procs>", true, "moving its process into its last group"},
	{false, "read", "<socket:[", true,
	 "waiting for its process's report, the set-up under way"},
	{false, "rename", "/state.json\"", true,
	 "its process ready, the state not yet \"created\""},
	{false, "rename", "/pid.tmp\"", false, "created, --pid-file not yet in place"},
	{true, "clone", "SIGCHLD", false, "forking the joiner"},
	{true, "read", "<pipe:[", false,
	 "waiting for the joiner, which joins, then clones the process"},
	{true, "wait4", "(", false, "the process cloned by the joiner, the joiner not yet reaped"},
};

/*
 * create of ID, with --pid-file, under strace with STRACE_ARGS: its
 * streams to DIR/NAME.out and .err (a waiting init keeps them), and the
 * status as the shell saw it: 128+9 when strace's injected SIGKILL
 * ended dcrun, for strace then kills itself with the same signal.
 */
static void traced_create(struct run *r, const struct bundle *b, const char *id, const char *name,
			  const char *const strace_args[])
{
	char base[PATH_MAX], pid_file[PATH_MAX]; /* not text(): kept strings are few, stages many */
	const char *prefix[16] = {
		"/bin/sh", "-c", "exec \"$@\" >\"$0.out\" 2>\"$0.err\" </dev/null", base, "strace"};
	size_t n = 5;

	snprintf(base, sizeof(base), "%s/%s", b->dir, name);
	snprintf(pid_file, sizeof(pid_file), "%s/pid", b->dir);

	for (size_t i = 0; strace_args[i] != NULL && n + 1 < sizeof(prefix) / sizeof(prefix[0]);
	     i++)
		prefix[n++] = strace_args[i];
	prefix[n] = NULL;
	run_start_prefixed(r, prefix, "dcrun",
			   (const char *[]){"--root", b->root, "create", "--bundle", b->dir,
					    "--pid-file", pid_file, id, NULL});
	run_finish(r);
}

/* Which call of its kind, counted from the first of the traced process, is the stage's; 0: none. */
static int occurrence(const char *trace, const struct stage *s, const char *state_dir)
{
	char in[8192];
	size_t len = strlen(s->call);
	int n = 0, found = 0;

	if (s->in[0] == '@')
		snprintf(in, sizeof(in), "%s%s", state_dir, s->in + 1);
	else
		snprintf(in, sizeof(in), "%s", s->in);
	for (const char *line = trace; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t line_len = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, s->call, len) == 0 && line[len] == '(') {
			n++;
			if (memmem(line, line_len, in, strlen(in)) && (found == 0 || s->last))
				found = n;
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

/* After AFTER ("create killed ..., then delete --force"): nothing of the container is left. */
static void expect_nothing_left(const struct bundle *b, const char *id, const char *group,
				const char *mounts, const char *after)
{
	char dir[sizeof(b->root) + 300];
	pid_t p = 0, left[4];
	bool gone = false;

	snprintf(dir, sizeof(dir), "%s/%s", b->root, id);
	if (exists(dir))
		dc_fail("%s: the state directory %s is left (holding %s)", after, dir,
			entry_of(dir) ? entry_of(dir) : "nothing");
	if (groups_named(group) != 0)
		dc_fail("%s: the group /%s is left", after, group);
	if (strcmp(mounts, mounts_naming(b->dir, test_rootfs())) != 0)
		dc_fail("%s: the host has mounts it did not have:\n%s", after,
			mounts_naming(b->dir, test_rootfs()));
	/*
	 * A process the state did not name yet ends by itself: its read of
	 * the sync channel sees EOF once create is gone. Reaped by us, its
	 * subreaper.
	 */
	for (int t = 0; t < WAIT_TRIES && !gone; t++) {
		reap();
		gone = processes_naming(b->root, &p) == 0 && child_of(getpid()) == 0;
		if (!gone)
			pause_ms(WAIT_MS);
	}
	if (!gone) {
		if (processes_naming(b->root, &p) == 0)
			p = child_of(getpid());
		dc_fail("%s: process %d is left (state and parent: %.10s): %s", after, (int)p,
			state_and_parent(p), command_line(p));
	}
	if (sleepers(left, 4) != 0)
		dc_fail("%s: the container's command ran (host pid %d), though it was never "
			"started",
			after, (int)left[0]);
}

/*
 * Each stage of B's (the joiner's, or not): create of ID killed there
 * under strace, then delete --force, then nothing left. Every run starts
 * from the same --root, made, so that each makes the same calls.
 */
static void kill_create_at_each_stage(const struct bundle *b, const char *id, const char *group,
				      bool joiner)
{
	char calls[256] = "trace=";
	struct run r;

	if (mkdir(b->root, 0700) == -1)
		dc_fail("mkdir %s: %s", b->root, strerror(errno));
	const char *mounts = mounts_naming(b->dir, test_rootfs());

	/* A whole create, traced: the calls of each kind, in order. */
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		char item[32];

		snprintf(item, sizeof(item), "%s,", stages[i].call);
		if (stages[i].joiner == joiner && strstr(calls, item) == NULL)
			snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "%s", item);
	}
	calls[strlen(calls) - 1] = '\0';
	const char *trace = text("%s/create.trace", b->dir);
	traced_create(&r, b, id, "whole", (const char *[]){"-o", trace, "-y", "-e", calls, NULL});
	if (r.exit_code != 0)
		dc_fail("create, traced by strace, exited %d: %s", r.exit_code,
			contents(text("%s/whole.err", b->dir)));
	run_free(&r);
	dcrun(&r, b, (const char *[]){"delete", "--force", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	expect_nothing_left(b, id, group, mounts, "a whole create (traced), then delete --force");
	const char *calls_made = contents(trace);

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		const struct stage *s = &stages[i];
		char trace_one[64], inject[128], after[256], state_dir[sizeof(b->root) + 300];

		if (s->joiner != joiner)
			continue;
		snprintf(state_dir, sizeof(state_dir), "%s/%s", b->root, id);
		int nth = occurrence(calls_made, s, state_dir);

		if (nth == 0)
			dc_fail("a whole create made no %s call holding \"%s\" (%s): the stage is gone "
				"from dcrun, or the test must follow it. The trace:\n%s",
				s->call, s->in, s->when, calls_made);
		snprintf(trace_one, sizeof(trace_one), "trace=%s", s->call);
		snprintf(inject, sizeof(inject), "inject=%s:signal=SIGKILL:when=%d", s->call, nth);
		traced_create(
			&r, b, id, "killed",
			(const char *[]){"-o", "/dev/null", "-e", trace_one, "-e", inject, NULL});
		if (r.exit_code != 128 + SIGKILL)
			dc_fail("create, to be killed %s (at its %s call number %d), exited %d: %s",
				s->when, s->call, nth, r.exit_code,
				contents(text("%s/killed.err", b->dir)));
		run_free(&r);
		dcrun(&r, b, (const char *[]){"delete", "--force", id, NULL});
		if (r.exit_code != 0) {
			run_dump(&r, "delete --force");
			dc_fail("delete --force of a container whose create was killed %s exited %d",
				s->when, r.exit_code);
		}
		run_free(&r);
		snprintf(after, sizeof(after), "create killed %s, then delete --force", s->when);
		expect_nothing_left(b, id, group, mounts, after);
	}
}

/*
 * dcrun killed (SIGKILL) at any step of create leaves nothing that
 * `delete --force` does not remove: no state directory (exec.fifo in it),
 * no group, no mount, no process -- the init, whether the state names it
 * yet or not. Deterministic, with no timing: strace kills dcrun itself at
 * the Nth call of a kind (-e inject=CALL:signal=SIGKILL:when=N), N found
 * in a trace of a whole create of the same bundle, so that the steps
 * follow dcrun's code as it changes. The first bundle has a user
 * namespace (create writes its id maps), the second joins a namespace
 * by path (a joiner process joins it, then clones the container's), and
 * create has a --pid-file.
 *
 * Before its state directory exists, delete --force of the id succeeds
 * with nothing to remove, as runc's does.
 */
void test_create_killed_at_any_step_leaves_nothing_after_delete_force(void **state)
{
	const char *id = container_id("killed");
	const char *group = text("dc-runtime-%d-killed", (int)getpid());

	(void)state;
	require_root();
	if (!on_path("strace")) {
		fprintf(stderr, "\n*** SKIPPED: strace is not installed, to kill create at each of "
				"its steps: `make deps` installs it ***\n\n");
		skip();
	}
	if (under_valgrind()) {
		fprintf(stderr, "\n*** SKIPPED: under valgrind, strace would count valgrind's "
				"calls, not dcrun's ***\n\n");
		skip();
	}
	struct bundle *b = make_bundle("killed", (const char *[]){"/bin/sleep", mark(), NULL});
	map_users(b);
	set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
	save(b);
	kill_create_at_each_stage(b, id, group, false);

	/* And a bundle that joins the test's IPC namespace, through the joiner. */
	b = make_bundle("joiner", (const char *[]){"/bin/sleep", mark(), NULL});
	set(b, "linux.namespaces",
	    json("[{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"uts\"}, "
		 "{\"type\": \"mount\"}, {\"type\": \"ipc\", \"path\": \"/proc/%d/ns/ipc\"}]",
		 (int)getpid()));
	set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
	save(b);
	kill_create_at_each_stage(b, id, group, true);
}
