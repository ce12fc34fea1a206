/*
 * The promises of chapter 11 (compose), shared by every later chapter's
 * tests. See promises-compose.h.
 *
 * Most tests run the probe, or a busybox shell, inside and compare what it
 * reports with what the lesson promises. Some need a rootfs of their own
 * (a set-uid program, a device node, a user in /etc/passwd, a symlink
 * where /proc should be): each makes a copy of the test rootfs on a tmpfs
 * of its own (cp -a, about 4 MB), never a change to the one every test
 * shares.
 */
#define _GNU_SOURCE
#include "promises-compose.h"
#include "promises.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* docker's 14: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP
 * NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE, as /proc/PID/status prints a set. */
static const char default_caps[] = "00000000a80425fb";
static const char no_caps[] = "0000000000000000";

/* Root inside is 100000 outside, and 1000 inside is someone: the map --user needs. */
#define REMAPPED "--uid-map", "0 100000 65536", "--gid-map", "0 100000 65536"
enum { ROOT_OUTSIDE = 100000 };

/* What the environment may carry in from the caller: it must not get in. */
static const char secret_name[] = "DC_SECRET";

/* ---- Small helpers --------------------------------------------------------- */

static const char *next_line(const char *line)
{
	const char *end = strchr(line, '\n');

	return end && end[1] ? end + 1 : NULL;
}

/* A probe value that must be `want`: else say what it was, and why that matters. */
static void expect_probe(const struct run *r, const char *key, const char *want, const char *why)
{
	const char *got = probe_get(r, key);

	if (got == NULL || strcmp(got, want) != 0) {
		run_dump(r, key);
		dc_fail("%s should be %s; it is %s. %s", key, want, got ? got : "(not reported)",
			why);
	}
}

/* One line "KEY=VALUE" of a text (like probe_get, for any text). */
static const char *value_in(const char *text, const char *key)
{
	static char value[4096];
	size_t klen = strlen(key);

	for (const char *line = text; line && *line; line = next_line(line)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			snprintf(value, sizeof(value), "%.*s", (int)strcspn(line + klen + 1, "\n"),
				 line + klen + 1);
			return value;
		}
	}
	return NULL;
}

/* The same, or "(none)" where the text has no such line. */
static const char *value_or_none(const char *text, const char *key)
{
	const char *value = value_in(text, key);

	return value ? value : "(none)";
}

/* Whether `path` exists on the host (a /proc or /sys entry this kernel has). */
static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The tmpfs mounts that hold copies of the rootfs: the teardown unmounts them. */
enum { MAX_COPIES = 4 };
static char *copies[MAX_COPIES];

/*
 * A copy of the test rootfs, to change freely: a temporary directory
 * (removed after the test) with a tmpfs of its own mounted on it, which
 * honours set-uid bits and device nodes as an image's disk would -- /tmp
 * may not (a tmpfs mounted nosuid,nodev, as in the qemu guest). 0755, so
 * that a remapped root (100000 outside) may walk it too.
 */
static char *rootfs_copy(const char *tag)
{
	char from[4200];
	struct run cp;
	int free_slot = -1;

	for (int i = MAX_COPIES - 1; i >= 0; i--) {
		if (copies[i] == NULL)
			free_slot = i;
	}
	if (free_slot == -1)
		dc_fail("more than %d copies of the rootfs in one test", MAX_COPIES);
	char *dir = make_temp_dir(tag);
	if (mount("dc-rootfs", dir, "tmpfs", 0, "mode=0755,size=256m") == -1)
		dc_fail("cannot mount a tmpfs on %s for a copy of the rootfs: %s", dir,
			strerror(errno));
	copies[free_slot] = dir;
	snprintf(from, sizeof(from), "%s/.", test_rootfs());
	run_program(&cp, (const char *[]){"cp", "-a", "--", from, dir, NULL}, NULL);
	if (cp.exit_code != 0)
		dc_fail("cannot copy the test rootfs to %s: %s", dir, cp.err);
	run_free(&cp);
	assert_int_equal(chmod(dir, 0755), 0);
	return dir;
}

/* ROOTFS/PATH, for a copy's files. */
static const char *in_copy(const char *rootfs, const char *path)
{
	static char paths[4][4200];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s%s", rootfs, path);
	return p;
}

/* Run `args` (a NULL-terminated list) after `options` (another). */
static void run_with(struct run *r, const char *const options[], const char *const args[])
{
	const char *all[48];
	size_t n = 0;

	for (size_t i = 0; options[i] != NULL && n < 24; i++)
		all[n++] = options[i];
	for (size_t i = 0; args[i] != NULL && n + 1 < 48; i++)
		all[n++] = args[i];
	all[n] = NULL;
	run_container(r, all);
}

/* A shell's answer to `script` in a container with `options`: its stdout and stderr. */
static void shell(struct run *r, const char *const options[], const char *rootfs,
		  const char *script)
{
	run_with(r, options, (const char *[]){rootfs, "/bin/sh", "-c", script, NULL});
}

/* argv[1] of a `sleep` that must not outlive its test: killed in the teardown. */
static const char *sleep_mark(void)
{
	static char mark[32];

	snprintf(mark, sizeof(mark), "7%07d", (int)getpid());
	return mark;
}

/* ---- Containers to talk to ---------------------------------------------------------- */

/*
 * A container whose shell runs each line the test sends it, then says
 * "--end--": the test asks, the container answers, for as long as the
 * test needs it running. stdin of each command is /dev/null, so that no
 * command eats the next line.
 */
enum { MAX_LIVE = 8 };
/* Those still running, by value: a failed test's own `struct run` is gone with it. */
static struct run live[MAX_LIVE];

const char shell_loop[] =
	"echo ready; while read -r line; do eval \"$line\" </dev/null; echo --end--; done";

static bool start_shell(struct run *r, const char *const options[], const char *rootfs)
{
	const char *args[32];
	size_t n = 0;

	for (size_t i = 0; options[i] != NULL && n < 24; i++)
		args[n++] = options[i];
	args[n++] = rootfs;
	args[n++] = "/bin/sh";
	args[n++] = "-c";
	args[n++] = shell_loop;
	args[n] = NULL;
	run_start(r, "container", args);
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].pid == 0) {
			live[i] = *r;
			break;
		}
	}
	const char *line = run_read_line(r);
	return line && strcmp(line, "ready") == 0;
}

/* What the shell printed for `command` (stdout; say 2>&1 for stderr too). */
const char *shell_do(struct run *r, const char *command)
{
	static char out[16384];
	size_t used = 0;
	const char *line;

	out[0] = '\0';
	if (r->in_fd < 0 || write(r->in_fd, command, strlen(command)) == -1 ||
	    write(r->in_fd, "\n", 1) == -1)
		return out;
	/* Read to "--end--" even when the text overflows out: the next answer starts there. */
	while ((line = run_read_line(r)) != NULL && strcmp(line, "--end--") != 0) {
		if (used < sizeof(out))
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s\n", line);
	}
	return out;
}

/* End it: EOF on its stdin ends the loop, the shell, the container. */
static void stop_shell(struct run *r)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].pid == r->pid)
			live[i].pid = 0;
	}
	run_finish(r);
}

/* The container's init, seen from the host: the first child of the container program. */
static pid_t init_of(const struct run *r)
{
	return child_of(r->pid);
}

/* A host PID's number inside its own PID namespace (the last of /proc/PID/status's NSpid). */
pid_t pid_inside(pid_t pid)
{
	char path[64];
	pid_t inside = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char *status = read_file_if_there(path);
	const char *line = status ? strstr(status, "\nNSpid:") : NULL;
	for (const char *p = line ? line + 7 : NULL; p && *p != '\n' && *p != '\0';) {
		char *end;
		long n = strtol(p, &end, 10);
		if (end == p)
			break;
		inside = (pid_t)n;
		p = end;
	}
	free(status);
	return inside;
}

/* ---- Around each test ---------------------------------------------------------------- */

/* Directories an attack aims at: whatever got mounted on them goes in the teardown. */
enum { MAX_VICTIMS = 4 };
static const char *victims[MAX_VICTIMS];

static void unmount_under(const char *dir)
{
	char *table = host_mount_table();
	size_t len = strlen(dir);

	for (const char *line = table; line; line = next_line(line)) {
		char point[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    strncmp(point, dir, len) == 0 && (point[len] == '/' || point[len] == '\0')) {
			fprintf(stderr, "promises: unmounting %s, left by an attack\n", point);
			umount2(point, MNT_DETACH);
		}
	}
	free(table);
}

int compose_teardown_test(void **state)
{
	pid_t left[16];

	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i].pid == 0)
			continue;
		fprintf(stderr, "promises: ending container %d, still running\n", (int)live[i].pid);
		kill(-live[i].pid, SIGKILL);
		close(live[i].in_fd);
		close(live[i].out_fd);
		close(live[i].err_fd);
		waitpid(live[i].pid, NULL, 0);
		live[i].pid = 0;
	}
	int n = find_sleeping(sleep_mark(), left, 16);
	for (int i = 0; i < n; i++)
		kill(left[i], SIGKILL);
	unsetenv(secret_name);
	for (int i = 0; i < MAX_VICTIMS; i++) {
		if (victims[i])
			unmount_under(victims[i]);
		victims[i] = NULL;
	}
	for (int i = 0; i < MAX_COPIES; i++) {
		if (copies[i] && umount2(copies[i], MNT_DETACH) == -1)
			fprintf(stderr, "promises: umount %s: %s\n", copies[i], strerror(errno));
		copies[i] = NULL;
	}
	return cgroup_promises_teardown_test(state);
}

/* ---- The kernel paths chapter 11 masks (runc's maskedPaths and readonlyPaths) ----------- */

enum mask { NULL_OVER_FILE, EMPTY_OVER_DIR, READ_ONLY };

static const struct kernel_path {
	const char *path;
	enum mask how;
} kernel_paths[] = {
	{"/proc/kcore", NULL_OVER_FILE},
	{"/proc/keys", NULL_OVER_FILE},
	{"/proc/timer_list", NULL_OVER_FILE},
	{"/proc/sched_debug", NULL_OVER_FILE},
	{"/proc/latency_stats", NULL_OVER_FILE},
	{"/proc/acpi", EMPTY_OVER_DIR},
	{"/proc/scsi", EMPTY_OVER_DIR},
	{"/sys/firmware", EMPTY_OVER_DIR},
	{"/proc/bus", READ_ONLY},
	{"/proc/fs", READ_ONLY},
	{"/proc/irq", READ_ONLY},
	{"/proc/sys", READ_ONLY},
	{"/proc/sysrq-trigger", READ_ONLY},
};
enum { N_KERNEL_PATHS = sizeof(kernel_paths) / sizeof(kernel_paths[0]) };

const char *compose_mount_points(void)
{
	static char points[2048];

	snprintf(points, sizeof(points),
		 "/,/proc,/sys,/dev,/dev/null,/dev/zero,/dev/full,/dev/random,/dev/urandom,"
		 "/dev/tty,/dev/pts,/dev/shm,/tmp");
	for (size_t i = 0; i < N_KERNEL_PATHS; i++) {
		if (exists(kernel_paths[i].path)) {
			strcat(points, ",");
			strcat(points, kernel_paths[i].path);
		}
	}
	strcat(points, ",/dev/mqueue");
	return points;
}

const char *compose_null_masked_files(void)
{
	static char files[512];

	files[0] = '\0';
	for (size_t i = 0; i < N_KERNEL_PATHS; i++) {
		if (kernel_paths[i].how == NULL_OVER_FILE && exists(kernel_paths[i].path)) {
			strcat(files, files[0] ? "," : "");
			strcat(files, kernel_paths[i].path);
		}
	}
	return files;
}

/* ---- Capabilities --------------------------------------------------------------------- */

static void run_probe_caps(struct run *r, const char *const options[], const char *rootfs)
{
	run_with(r, options,
		 (const char *[]){rootfs, "/bin/probe", "uid", "cap_inh", "cap_prm", "cap_eff",
				  "cap_bnd", "cap_amb", NULL});
	assert_exit(r, 0);
}

/* The three sets that count are `set`; nothing is inheritable or ambient. */
static void expect_caps(const struct run *r, const char *set, const char *why)
{
	expect_probe(r, "cap_bnd", set, why);
	expect_probe(r, "cap_prm", set, why);
	expect_probe(r, "cap_eff", set, why);
	expect_probe(r, "cap_inh", no_caps,
		     "An inheritable set lets a program with inheritable file capabilities gain "
		     "them (CVE-2022-24769): leave it empty (lesson 11, \"Capabilities\")");
	expect_probe(r, "cap_amb", no_caps,
		     "Ambient capabilities pass through execve to any program: clear them "
		     "(lesson 11, \"Capabilities\")");
}

/*
 * Root inside holds docker's 14 capabilities, no more: the bounding set
 * too, so that nothing run later can gain another one.
 */
void test_default_capabilities_are_dockers_fourteen(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_probe_caps(&r, (const char *[]){NULL}, test_rootfs());
	expect_probe(&r, "uid", "0", "The command runs as root inside by default");
	expect_caps(&r, default_caps,
		    "Root inside keeps only docker's 14 capabilities, in the bounding set too "
		    "(PR_CAPBSET_DROP), then permitted and effective (capset) (lesson 11, "
		    "\"Capabilities\")");
	run_free(&r);
}

/*
 * --cap-add and --cap-drop change the set, by any of docker's spellings,
 * and a dropped capability is gone: chown, CAP_CHOWN's, fails.
 */
void test_cap_add_and_cap_drop_change_the_set(void **state)
{
	static const struct {
		const char *options[5];
		const char *set;
	} cases[] = {
		{{"--cap-add", "NET_ADMIN", NULL}, "00000000a80435fb"},
		{{"--cap-add", "cap_net_admin", NULL}, "00000000a80435fb"},
		{{"--cap-drop", "CHOWN", NULL}, "00000000a80425fa"},
		{{"--cap-drop", "Cap_Chown", NULL}, "00000000a80425fa"},
		{{"--cap-drop", "ALL", NULL}, "0000000000000000"},
		{{"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", NULL}, "0000000000000400"},
	};
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256];

		snprintf(
			why, sizeof(why),
			"With %s %s%s%s the set is docker's default plus what is added, minus what "
			"is dropped (lesson 11, \"Capabilities\")",
			cases[i].options[0], cases[i].options[1], cases[i].options[2] ? " " : "",
			cases[i].options[2] ? cases[i].options[2] : "");
		run_probe_caps(&r, cases[i].options, test_rootfs());
		expect_caps(&r, cases[i].set, why);
		run_free(&r);
	}

	/* --cap-add ALL: every capability this kernel has, 0 to /proc/sys/kernel/cap_last_cap. */
	char every[32];
	char *last = read_file("/proc/sys/kernel/cap_last_cap");
	snprintf(every, sizeof(every), "%016llx", (1ULL << (atoi(last) + 1)) - 1);
	free(last);
	run_probe_caps(&r, (const char *[]){"--cap-add", "ALL", NULL}, test_rootfs());
	expect_probe(&r, "cap_eff", every,
		     "--cap-add ALL keeps every capability the kernel has (lesson 11, "
		     "\"Capabilities\")");
	run_free(&r);

	/* A dropped capability is really gone: chown to another user is refused. */
	shell(&r, (const char *[]){REMAPPED, "--cap-drop", "CHOWN", NULL}, test_rootfs_for_others(),
	      "touch /tmp/f && chown 1000 /tmp/f");
	if (r.exit_code == 0)
		dc_fail("with --cap-drop CHOWN, root inside still gave a file away (chown 1000 "
			"worked): the capability was not dropped from the effective set");
	assert_contains(r.err, "Operation not permitted");
	run_free(&r);
}

/* A capability name that does not exist is the user's mistake: 125, said once, nothing run. */
void test_unknown_capability_is_a_clear_error(void **state)
{
	static const char *const options[] = {"--cap-add", "--cap-drop"};
	struct run r;

	(void)state;
	require_root();
	/*
	 * Chapter 12: config.json can only name a capability that is kept
	 * (CAP_NET_ADMINN in process.capabilities), and dcrun refuses it as
	 * runc does: exit 1, naming it and where it is.
	 */
	for (size_t i = 0; i < (runtime_adapter_active() ? 1 : 2); i++) {
		char *before = host_mount_table();
		run_container(&r, (const char *[]){"-v", options[i], "NET_ADMINN", test_rootfs(),
						   "/bin/echo", "ran", NULL});
		char *after = host_mount_table();
		bool unchanged = strcmp(before, after) == 0;
		free(before);
		free(after);
		assert_exit(&r, runtime_adapter_active() ? 1 : 125);
		if (runtime_adapter_active())
			assert_contains(r.err, "process.capabilities");
		assert_contains(r.err, "NET_ADMINN");
		/* Refused up front: no narration, so no step was taken. */
		assert_not_contains(r.err, "=>");
		assert_not_contains(r.out, "ran");
		assert_true(unchanged);
		run_free(&r);
	}
}

/*
 * A user other than root gets no capability at all: the kernel empties
 * the permitted and effective sets at execve for a uid other than 0
 * (with no ambient set), and the bounding set stays the container's.
 */
void test_non_root_user_has_no_capabilities(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_probe_caps(&r, (const char *[]){REMAPPED, "--user", "1000", NULL},
		       test_rootfs_for_others());
	expect_probe(&r, "uid", "1000", "--user 1000 runs the command as uid 1000");
	expect_probe(&r, "cap_bnd", default_caps,
		     "The bounding set is the container's, whoever runs in it");
	const char *why = "execve(2) as a uid other than 0 empties permitted and effective, "
			  "unless capabilities were left in the ambient set (lesson 11, "
			  "\"Capabilities\")";
	expect_probe(&r, "cap_prm", no_caps, why);
	expect_probe(&r, "cap_eff", no_caps, why);
	expect_probe(&r, "cap_inh", no_caps, why);
	expect_probe(&r, "cap_amb", no_caps, why);
	run_free(&r);
}

/* ---- no_new_privs ------------------------------------------------------------------------ */

/*
 * no_new_privs is set for every command, whatever else is asked: with
 * no filter, with every capability, as another user.
 */
void test_no_new_privs_is_always_set(void **state)
{
	static const char *const variants[][6] = {
		{NULL},
		{"--seccomp", "unconfined", NULL},
		{"--cap-add", "ALL", NULL},
		{REMAPPED, NULL},
	};
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		bool remapped = variants[i][0] && strcmp(variants[i][0], "--uid-map") == 0;
		const char *const user[] = {"--user", "1000", NULL};
		const char *options[10];
		size_t n = 0;

		for (size_t k = 0; variants[i][k] != NULL; k++)
			options[n++] = variants[i][k];
		for (size_t k = 0; remapped && user[k] != NULL; k++)
			options[n++] = user[k];
		options[n] = NULL;
		run_with(&r, options,
			 (const char *[]){remapped ? test_rootfs_for_others() : test_rootfs(),
					  "/bin/probe", "no_new_privs", NULL});
		assert_exit(&r, 0);
		expect_probe(
			&r, "no_new_privs", "1",
			"PR_SET_NO_NEW_PRIVS is set before the command runs, always: from then "
			"on execve(2) grants nothing (lesson 11, \"no_new_privs\")");
		run_free(&r);
	}
}

/*
 * The oldest way up: a set-uid-root program. The image holds one, owned
 * by root inside (100000 outside), mode 4755, on "/" -- the one mount
 * that allows set-uid programs. Run by --user 1000 it gains nothing:
 * with no_new_privs, execve ignores the set-uid bit.
 */
void test_setuid_binary_gains_nothing(void **state)
{
	struct run r;

	(void)state;
	require_root();
	char *rootfs = rootfs_copy("suid");
	const char *suid = in_copy(rootfs, "/bin/dc-suid-probe");
	run_program(&r, (const char *[]){"cp", in_copy(rootfs, "/bin/probe"), suid, NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	/* chown first: it clears the set-uid bit. */
	assert_int_equal(chown(suid, ROOT_OUTSIDE, ROOT_OUTSIDE), 0);
	assert_int_equal(chmod(suid, 04755), 0);

	shell(&r, (const char *[]){REMAPPED, "--user", "1000", NULL}, rootfs,
	      "echo \"file=$(stat -c '%u %a' /bin/dc-suid-probe)\"; "
	      "echo \"root_options=$(awk '$5 == \"/\" {print $6}' /proc/self/mountinfo)\"; "
	      "exec /bin/dc-suid-probe uid euid no_new_privs");
	assert_exit(&r, 0);
	/* The attack is real: root's set-uid program, on a mount that honours the bit. */
	if (strcmp(value_or_none(r.out, "file"), "0 4755") != 0)
		dc_fail("the test's set-uid program is not root's 4755 inside:\n%s", r.out);
	const char *options = value_in(r.out, "root_options");
	if (options == NULL || strstr(options, "nosuid"))
		dc_fail("/ is mounted %s: with nosuid the kernel ignores the bit anyway, and this "
			"test cannot show no_new_privs at work",
			options ? options : "(unknown)");
	expect_probe(&r, "uid", "1000", "--user 1000 runs the command as uid 1000");
	expect_probe(&r, "euid", "1000",
		     "A set-uid-root program made uid 1000 root inside: execve honoured the "
		     "set-uid bit. Is PR_SET_NO_NEW_PRIVS set before the command runs? (lesson 11, "
		     "\"no_new_privs\")");
	run_free(&r);
}

/* ---- seccomp ------------------------------------------------------------------------------ */

/* The filter is on (Seccomp: 2, "filter") by default, and only --seccomp unconfined takes it away. */
void test_seccomp_filter_is_on_unless_unconfined(void **state)
{
	static const struct {
		const char *options[3];
		const char *mode;
	} cases[] = {
		{{NULL}, "2"},
		{{"--seccomp", "default", NULL}, "2"},
		{{"--seccomp", "unconfined", NULL}, "0"},
	};
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_with(&r, cases[i].options,
			 (const char *[]){test_rootfs(), "/bin/probe", "seccomp", NULL});
		assert_exit(&r, 0);
		expect_probe(&r, "seccomp", cases[i].mode,
			     "Seccomp in /proc/self/status is 2 under a filter, 0 without one: the "
			     "default profile is loaded unless --seccomp unconfined (lesson 11, "
			     "\"seccomp\")");
		run_free(&r);
	}
}

/*
 * One system call shows what the filter does: unshare(CLONE_NEWUSER) and
 * keyctl need no capability, so only the filter refuses them; with
 * --seccomp unconfined the very same calls work.
 */
void test_unconfined_allows_what_the_profile_refuses(void **state)
{
	const char *script =
		"/bin/probe seccomp; /bin/probe --try keyctl; unshare -U true && echo unshare=ok";
	struct run r;

	(void)state;
	require_root();
	shell(&r, (const char *[]){NULL}, test_rootfs(), script);
	if (strstr(r.out, "unshare=ok") || !strstr(r.out, "try.keyctl=Operation not permitted")) {
		run_dump(&r, "the default profile");
		dc_fail("under the default profile, unshare -U and keyctl must be refused "
			"(EPERM): they need no capability, only the filter stops them (lesson 11, "
			"\"seccomp\")");
	}
	assert_contains(r.err, "Operation not permitted");
	run_free(&r);

	shell(&r, (const char *[]){"--seccomp", "unconfined", NULL}, test_rootfs(), script);
	if (!strstr(r.out, "seccomp=0\n") || !strstr(r.out, "try.keyctl=ok")) {
		run_dump(&r, "--seccomp unconfined");
		dc_fail("with --seccomp unconfined, keyctl should work, as it does for any user: "
			"was a filter loaded anyway?");
	}
	/*
	 * A host may forbid new user namespaces to anyone without CAP_SYS_ADMIN
	 * on the host (Ubuntu's AppArmor, Debian's old unprivileged_userns_clone):
	 * then unshare fails here too, with no filter at all (seccomp=0 above).
	 */
	if (!strstr(r.out, "unshare=ok"))
		fprintf(stderr,
			"*** NOTE: with no filter, unshare -U still failed inside (%s): "
			"this host forbids unprivileged user namespaces; keyctl made the "
			"point ***\n",
			r.err);
	run_free(&r);
}

/*
 * What the default profile refuses, tried one call at a time as root
 * inside with docker's capabilities: every one answers EPERM, and clone3
 * ENOSYS (its flags are in memory, where a filter cannot look; libc then
 * falls back to clone).
 */
void test_default_profile_refuses_dangerous_calls(void **state)
{
	static const struct {
		const char *call, *answer;
		/* cppcheck-suppress unusedStructMember */
		const char *why;
	} calls[] = {
		{"mount", "Operation not permitted", "a mount could cover the masks"},
		{"umount", "Operation not permitted", "an unmount uncovers what a mask hides"},
		{"unshare_mnt", "Operation not permitted",
		 "new namespaces are the runtime's to make"},
		{"clone_newuser", "Operation not permitted",
		 "clone with a CLONE_NEW* flag makes namespaces"},
		{"keyctl", "Operation not permitted", "the kernel keyring is not namespaced"},
		{"add_key", "Operation not permitted", "the kernel keyring is not namespaced"},
		{"bpf", "Operation not permitted", "BPF programs run in the kernel"},
		{"init_module", "Operation not permitted", "a module is code in the host's kernel"},
		{"finit_module", "Operation not permitted",
		 "a module is code in the host's kernel"},
		{"setns", "Operation not permitted", "joining namespaces is the runtime's job"},
		{"pivot_root", "Operation not permitted", "the root is the runtime's to choose"},
		{"kexec_load", "Operation not permitted", "it replaces the host's kernel"},
		{"open_by_handle_at", "Operation not permitted",
		 "the \"shocker\" escape of 2014 opened host files by handle"},
		{"swapon", "Operation not permitted", "swap is the host's"},
		{"clone3", "Function not implemented",
		 "clone3's flags are in memory, where no filter can check them"},
		/* Last: were it allowed, the probe would go on in a new user namespace. */
		{"unshare_user", "Operation not permitted",
		 "a new user namespace hands out every capability within it"},
	};
	const char *argv[40] = {test_rootfs(), "/bin/probe", "--try"};
	size_t n = 3;
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		argv[n++] = calls[i].call;
	argv[n] = NULL;
	run_container(&r, argv);
	assert_exit(&r, 0);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char key[64];

		snprintf(key, sizeof(key), "try.%s", calls[i].call);
		const char *got = probe_get(&r, key);
		if (got == NULL || strcmp(got, calls[i].answer) != 0) {
			run_dump(&r, "the calls, tried inside");
			dc_fail("%s should answer \"%s\" inside; it answered \"%s\". It must be "
				"refused because %s: is it left out of the default profile? "
				"(lesson 11, \"seccomp\")",
				calls[i].call, calls[i].answer, got ? got : "(nothing)",
				calls[i].why);
		}
	}
	run_free(&r);
}

/* The probe, run on the host. */
static void probe_here(struct run *r, const char *const args[])
{
	char probe[4096 + 16];
	const char *argv[16] = {probe};
	size_t n = 1;

	snprintf(probe, sizeof(probe), "%s/bin/probe", test_rootfs());
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_program(r, argv, NULL);
}

/*
 * An x86-64 process may still make i386 system calls (int $0x80), where
 * every number means another call: a filter that checks only x86-64's
 * numbers must not let them through. The filter kills the process
 * (SIGSYS); without it the same call works.
 */
void test_calls_of_another_architecture_kill_the_process(void **state)
{
	struct run r;

	(void)state;
	require_root();
	probe_here(&r, (const char *[]){"--try", "int80", NULL});
	bool host_has_i386 = r.exit_code == 0 && strstr(r.out, "try.int80=ok");
	run_free(&r);
	if (!host_has_i386) {
		fprintf(stderr, "*** NOTE: this kernel runs no i386 system calls (no "
				"IA32_EMULATION): nothing to filter, nothing checked ***\n");
		return;
	}
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "--try", "int80", NULL});
	if (r.exit_code != 128 + SIGSYS) {
		run_dump(&r, "an i386 call inside");
		dc_fail("an i386 system call (int $0x80) inside should kill the probe with SIGSYS "
			"(exit %d); it exited %d. A filter for x86-64 alone must kill calls of any "
			"other architecture (SCMP_FLTATR_ACT_BADARCH) (lesson 11, \"seccomp\")",
			128 + SIGSYS, r.exit_code);
	}
	assert_not_contains(r.out, "try.int80=");
	run_free(&r);

	run_container(&r, (const char *[]){"--seccomp", "unconfined", test_rootfs(), "/bin/probe",
					   "--try", "int80", NULL});
	assert_exit(&r, 0);
	expect_probe(&r, "try.int80", "ok", "Without a filter the i386 call is allowed");
	run_free(&r);
}

/* ---- Devices ----------------------------------------------------------------------------- */

/*
 * A device node is a door to a driver: whoever opens it talks to the
 * host's kernel log, disks or consoles. Root inside cannot make one (a
 * user namespace), but an image can bring one, and a user can share the
 * host's /dev by mistake. The devices cgroup is what refuses them: only
 * null, zero, full, random, urandom, tty, ptmx and the ptys open. Here
 * the image holds /dc-kmsg (1:11, the host's kernel log; opening it for
 * writing needs no capability) and /dc-null (1:3), on "/", which does not
 * forbid devices; and the host's /dev is bound at /mnt.
 */
void test_host_device_nodes_cannot_be_opened(void **state)
{
	const char *script =
		"true > /dc-null && echo dc-null=ok; "
		"true 2>/dev/null > /dc-kmsg && echo dc-kmsg=opened || echo dc-kmsg=refused; "
		"true 2>/dev/null > /mnt/kmsg && echo mnt-kmsg=opened || echo mnt-kmsg=refused; "
		"echo x > /dev/null && echo dev-null=ok; echo \"dev-zero=$(head -c 4 /dev/zero | "
		"wc -c)\"; /bin/probe --try mknod_block";
	struct run r;

	(void)state;
	require_root();
	int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg == -1) {
		fprintf(stderr,
			"*** NOTE: this host itself may not open /dev/kmsg (%s): the "
			"devices cgroup is not checked here ***\n",
			strerror(errno));
		return;
	}
	close(kmsg);
	char *rootfs = rootfs_copy("devices");
	assert_int_equal(mknod(in_copy(rootfs, "/dc-kmsg"), S_IFCHR | 0666, makedev(1, 11)), 0);
	assert_int_equal(mknod(in_copy(rootfs, "/dc-null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(chmod(in_copy(rootfs, "/dc-kmsg"), 0666), 0);
	assert_int_equal(chmod(in_copy(rootfs, "/dc-null"), 0666), 0);

	shell(&r, (const char *[]){"--bind", "/dev:/mnt", NULL}, rootfs, script);
	assert_exit(&r, 0);
	if (!value_in(r.out, "dc-null"))
		dc_fail("the test's own control failed: /dc-null (1:3), on the image's /, did not "
			"open, so / forbids every device and the devices cgroup was not tested:\n%s%s",
			r.out, r.err);
	const char *opened = strcmp(value_or_none(r.out, "dc-kmsg"), "refused") != 0 ? "/dc-kmsg"
			     : strcmp(value_or_none(r.out, "mnt-kmsg"), "refused") != 0
				     ? "/mnt/kmsg"
				     : NULL;
	if (opened)
		dc_fail("root inside opened the host's kernel log (%s, 1:11) for writing. The "
			"devices cgroup must let only null, zero, full, random, urandom, tty, ptmx "
			"and the ptys in /dev/pts open (v1 devices.deny/allow, v2 a BPF_PROG_TYPE_CGROUP_DEVICE "
			"program) (lesson 11, \"Devices\")",
			opened);
	if (!value_in(r.out, "dev-null") || strcmp(value_or_none(r.out, "dev-zero"), "4") != 0)
		dc_fail("/dev/null and /dev/zero must still work inside:\n%s%s", r.out, r.err);
	expect_probe(&r, "try.mknod_block", "Operation not permitted",
		     "Root inside may not make a block device anywhere (user namespace, and the "
		     "devices cgroup) (lesson 11, \"Devices\")");
	run_free(&r);
}

/* ---- Masked and read-only paths ---------------------------------------------------------- */

/* The options of the topmost mount at `point` in a mountinfo text, or NULL. */
static const char *mount_options(const char *mountinfo, const char *point)
{
	static char options[512];
	bool found = false;

	for (const char *line = mountinfo; line; line = next_line(line)) {
		char here[4096], opts[512];

		if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", here, opts) == 2 &&
		    strcmp(here, point) == 0) {
			snprintf(options, sizeof(options), "%s", opts);
			found = true;
		}
	}
	return found ? options : NULL;
}

/* Whether a mount's options start with "ro" (ro,nosuid...). */
static bool read_only(const char *options)
{
	return options && strncmp(options, "ro", 2) == 0 && (options[2] == ',' || !options[2]);
}

/*
 * The kernel's memory image, its keys and timers, the firmware's tables:
 * the files read nothing (/dev/null is bound over them), the directories
 * are empty (an empty tmpfs). Those this kernel lacks are not checked.
 */
void test_kernel_files_are_masked(void **state)
{
	char script[4096] = "";
	size_t used = 0, checked = 0;
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < N_KERNEL_PATHS; i++) {
		const char *p = kernel_paths[i].path;

		if (!exists(p) || kernel_paths[i].how == READ_ONLY)
			continue;
		if (kernel_paths[i].how == NULL_OVER_FILE)
			used += (size_t)snprintf(script + used, sizeof(script) - used,
						 "if head -c 1 %s >/tmp/x; then echo \"%s=$(wc -c "
						 "</tmp/x)\"; else echo %s=error; fi; ",
						 p, p, p);
		else
			used += (size_t)snprintf(script + used, sizeof(script) - used,
						 "echo \"%s=$(ls -A %s | wc -l)\"; ", p, p);
		checked++;
	}
	if (checked == 0) {
		fprintf(stderr, "*** NOTE: this kernel has none of the masked paths ***\n");
		return;
	}
	shell(&r, (const char *[]){NULL}, test_rootfs(), script);
	assert_exit(&r, 0);
	for (size_t i = 0; i < N_KERNEL_PATHS; i++) {
		const char *p = kernel_paths[i].path, *got;

		if (!exists(p) || kernel_paths[i].how == READ_ONLY)
			continue;
		got = value_in(r.out, p);
		if (got == NULL || strcmp(got, "0") != 0)
			dc_fail("%s inside %s \"%s\"; it must show nothing: %s is bound over it "
				"(lesson 11, \"Masked and read-only paths\")\n%s%s",
				p, kernel_paths[i].how == NULL_OVER_FILE ? "read" : "listed",
				got ? got : "(nothing)",
				kernel_paths[i].how == NULL_OVER_FILE ? "/dev/null"
								      : "an empty read-only tmpfs",
				r.out, r.err);
	}
	run_free(&r);
}

/*
 * The kernel's settings are for reading: /proc/sys, /proc/sysrq-trigger,
 * /proc/bus, /proc/fs and /proc/irq are read-only mounts. Root inside
 * (the host's root, with the default map) tries the one setting a UTS
 * namespace would let it change, its hostname through
 * /proc/sys/kernel/hostname, and the magic SysRq key's "h" (help, a line
 * in the host's kernel log): both fail with EROFS.
 */
void test_kernel_settings_are_read_only(void **state)
{
	const char *script = "echo dc-test-sysctl > /proc/sys/kernel/hostname; hostname; "
			     "[ -e /proc/sysrq-trigger ] && echo h > /proc/sysrq-trigger; "
			     "cat /proc/self/mountinfo";
	struct run r;

	(void)state;
	require_root();
	shell(&r, (const char *[]){"--hostname", "dc-test-ro", NULL}, test_rootfs(), script);
	if (strncmp(r.out, "dc-test-ro\n", 11) != 0 || !strstr(r.err, "Read-only file system")) {
		run_dump(&r, "writing /proc/sys/kernel/hostname");
		dc_fail("root inside renamed its container through /proc/sys/kernel/hostname (or "
			"the write failed otherwise): /proc/sys must be a read-only mount, and the "
			"write fail with \"Read-only file system\" (lesson 11, \"Masked and "
			"read-only paths\")");
	}
	if (exists("/proc/sysrq-trigger") && strstr(r.err, "sysrq-trigger") == NULL)
		dc_fail("echo h > /proc/sysrq-trigger did not fail inside:\n%s", r.err);
	for (size_t i = 0; i < N_KERNEL_PATHS; i++) {
		const char *p = kernel_paths[i].path;

		if (kernel_paths[i].how != READ_ONLY || !exists(p))
			continue;
		const char *options = mount_options(r.out, p);
		if (!read_only(options))
			dc_fail("%s inside is %s; it must be a read-only mount (lesson 11, "
				"\"Masked and read-only paths\")",
				p, options ? options : "not a mount of its own");
	}
	run_free(&r);
}

/*
 * A read-only mount is only as good as root's inability to undo it: a
 * remount rw, an unmount that uncovers the real /proc/sys, or a fresh
 * procfs or sysfs with nothing masked. All are refused, and the mounts
 * are as they were.
 */
void test_proc_and_sys_cannot_be_made_writable_again(void **state)
{
	const char *script = "mount -o remount,rw /sys; mount -o remount,bind,rw /proc/sys; "
			     "umount /proc/sys; umount -l /proc/timer_list; mkdir /tmp/p; "
			     "mount -t proc proc /tmp/p && echo proc-mounted; "
			     "mount -t sysfs sysfs /tmp/p && echo sysfs-mounted; "
			     "cat /proc/self/mountinfo";
	struct run r;

	(void)state;
	require_root();
	shell(&r, (const char *[]){NULL}, test_rootfs(), script);
	assert_exit(&r, 0);
	const char *sys = mount_options(r.out, "/sys"),
		   *proc_sys = mount_options(r.out, "/proc/sys");
	if (!read_only(sys) || !read_only(proc_sys))
		dc_fail("after root's attempts inside, /sys is %s and /proc/sys %s; both must stay "
			"read-only mounts: mount and umount2 are refused (lesson 11, \"seccomp\")",
			sys ? sys : "not mounted", proc_sys ? proc_sys : "not mounted");
	if (exists("/proc/timer_list") && mount_options(r.out, "/proc/timer_list") == NULL)
		dc_fail("root inside unmounted the mask over /proc/timer_list");
	if (strstr(r.out, "proc-mounted") || strstr(r.out, "sysfs-mounted") ||
	    mount_options(r.out, "/tmp/p") != NULL)
		dc_fail("root inside mounted a fresh procfs or sysfs, with nothing masked:\n%s",
			r.out);
	assert_contains(r.err, "Operation not permitted");
	run_free(&r);
}

/*
 * The limits are the host's to set. Root inside tries to mount each
 * cgroup filesystem and raise its own group's memory and pids limits:
 * every mount is refused, and the host's files still hold 64m and 16.
 */
void test_cgroup_limits_cannot_be_raised_from_inside(void **state)
{
	static const char *const mounts[] = {"-t cgroup -o memory", "-t cgroup -o pids",
					     "-t cgroup2"};
	char script[2048];
	size_t used = 0;
	struct run c;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++)
		used += (size_t)snprintf(
			script + used, sizeof(script) - used,
			"mkdir -p /tmp/cg%zu; if mount %s cg /tmp/cg%zu 2>/dev/null; then "
			"echo cg%zu=mounted; echo max > /tmp/cg%zu/memory.max; "
			"echo -1 > /tmp/cg%zu/memory.limit_in_bytes; echo max > /tmp/cg%zu/pids.max; "
			"else echo cg%zu=refused; fi 2>/dev/null; ",
			i, mounts[i], i, i, i, i, i, i);
	bool started = start_shell(&c, (const char *[]){"--memory", "64m", "--pids", "16", NULL},
				   test_rootfs());
	char out[4096] = "", memory[64] = "", pids[64] = "";
	const char *value;
	pid_t init = started ? init_of(&c) : 0;
	if (started)
		snprintf(out, sizeof(out), "%s", shell_do(&c, script));
	if (init && (value = container_limit(init, "memory")))
		snprintf(memory, sizeof(memory), "%s", value);
	if (init && (value = container_limit(init, "pids")))
		snprintf(pids, sizeof(pids), "%s", value);
	stop_shell(&c);

	if (!started)
		run_dump(&c, "the container did not start");
	assert_true(started);
	if (strstr(out, "mounted"))
		dc_fail("root inside mounted a cgroup filesystem, its own group at its root:\n%s"
			"It needs CAP_SYS_ADMIN, which the container has not, and mount(2), which "
			"the filter refuses (lesson 11, \"Capabilities\")",
			out);
	if (strcmp(memory, "67108864") != 0 || strcmp(pids, "16") != 0)
		dc_fail("the container's limits on the host are memory %s and pids %s, not "
			"67108864 and 16: something inside raised them",
			memory[0] ? memory : "(none)", pids[0] ? pids : "(none)");
	run_free(&c);
}

/*
 * --read-only: the image cannot be changed, but a program still has its
 * scratch space: /tmp, /dev and /dev/shm stay writable. Without the
 * option, the same write to / works (in a copy of the rootfs).
 */
void test_read_only_root_keeps_tmp_writable(void **state)
{
	const char *script = "touch /dc-written; touch /tmp/f && echo tmp=ok; "
			     "touch /dev/shm/f && echo shm=ok; echo x > /dev/null && echo null=ok";
	struct stat st;
	struct run r;

	(void)state;
	require_root();
	char *rootfs = rootfs_copy("readonly");
	shell(&r, (const char *[]){"--read-only", NULL}, rootfs, script);
	if (stat(in_copy(rootfs, "/dc-written"), &st) == 0)
		dc_fail("with --read-only, root inside wrote /dc-written into the image: the root "
			"mount must be read-only (lesson 11, \"Masked and read-only paths\")");
	assert_contains(r.err, "Read-only file system");
	assert_string_equal(r.out, "tmp=ok\nshm=ok\nnull=ok\n");
	run_free(&r);

	shell(&r, (const char *[]){NULL}, rootfs, script);
	assert_exit(&r, 0);
	assert_int_equal(stat(in_copy(rootfs, "/dc-written"), &st), 0);
	run_free(&r);
}

/* ---- A clean process ------------------------------------------------------------------------ */

/* A text's lines, sorted: to compare environments, whose order is the program's own. */
static char *sorted_lines(const char *text)
{
	static char *lines[256];
	char *copy = strdup(text), *save = NULL, *out;
	size_t n = 0, size = strlen(text) + 2;

	assert_non_null(copy);
	for (char *l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	}
	out = calloc(1, size);
	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(copy);
	return out;
}

static void expect_environment(const struct run *r, const char *want, const char *why)
{
	char *got = sorted_lines(r->out);
	bool same = strcmp(got, want) == 0;

	if (!same)
		print_error("expected, sorted:\n%sgot, sorted:\n%s", want, got);
	free(got);
	if (!same)
		dc_fail("%s", why);
}

#define CONTAINER_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"

/*
 * The command's environment is made from nothing: PATH, HOSTNAME, HOME
 * and TERM, and what --env adds. Nothing of the caller's gets in -- not
 * the secret in this test's own environment -- and the init, a copy of
 * the container program, shows neither the host's environment nor its
 * command line (the rootfs's host path) in /proc/1.
 */
void test_environment_is_only_the_containers(void **state)
{
	char secret[64];
	struct run r;

	(void)state;
	require_root();
	snprintf(secret, sizeof(secret), "dc-host-secret-%d", (int)getpid());
	assert_int_equal(setenv(secret_name, secret, 1), 0);

	run_container(&r, (const char *[]){"--hostname", "dc-test-env", test_rootfs(),
					   "/usr/bin/env", NULL});
	assert_exit(&r, 0);
	expect_environment(
		&r, "HOME=/root\nHOSTNAME=dc-test-env\n" CONTAINER_PATH "TERM=xterm\n",
		"the command's environment must be exactly PATH, HOSTNAME, HOME (root's, "
		"from the image's /etc/passwd) and TERM: nothing of the caller's (lesson "
		"11, \"A clean process\")");
	run_free(&r);

	run_container(&r, (const char *[]){"--hostname", "dc-test-env", "--env", "DC_A=b c",
					   "--env", "TERM=dumb", "--env",
					   "DC_EMPTY=", test_rootfs(), "/usr/bin/env", NULL});
	assert_exit(&r, 0);
	expect_environment(
		&r,
		"DC_A=b c\nDC_EMPTY=\nHOME=/root\nHOSTNAME=dc-test-env\n" CONTAINER_PATH
		"TERM=dumb\n",
		"--env NAME=VALUE adds NAME, or replaces one of the four (lesson 11, \"A "
		"clean process\")");
	run_free(&r);

	run_container(&r, (const char *[]){test_rootfs(), "/bin/sh", "-c",
					   "cat /proc/1/environ /proc/1/cmdline; exit 0", NULL});
	assert_exit(&r, 0);
	if (strstr(r.out, secret) || strstr(r.err, secret))
		dc_fail("the caller's %s is readable inside, in /proc/1/environ: init must clear "
			"the environment it was started with (lesson 11, \"A clean process\")",
			secret_name);
	if (memmem(r.out, strlen(r.out), test_rootfs(), strlen(test_rootfs())))
		dc_fail("the rootfs's host path (%s) is readable inside, in /proc/1/cmdline: init "
			"must clear the command line it was started with",
			test_rootfs());
	run_free(&r);
}

/* Open descriptors from /proc/PID/fd, seen from the host: "0,1,2". */
static void fds_of(pid_t pid, char *list, size_t size)
{
	char path[64];
	int fds[64];
	size_t n = 0, used = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	list[0] = '\0';
	DIR *d = opendir(path);
	for (const struct dirent *e; d && (e = readdir(d)) != NULL && n < 64;) {
		if (e->d_name[0] != '.')
			fds[n++] = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	}
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(list + used, size - used, "%s%d", i ? "," : "", fds[i]);
}

/* The caller's shell opens descriptor 7 on a host directory, then runs `program`. */
static const char *const with_fd_7[] = {"/bin/sh", "-c", "exec 7<\"$0\" && exec \"$@\"", NULL,
					NULL};

/*
 * A descriptor is a door: one that reaches the command from whoever
 * started the container (here, 7, open on a host directory) lets it walk
 * out of any root, cd /proc/self/fd/7/.. (CVE-2024-21626 was runc leaking
 * one of its own). Only 0, 1 and 2 are open in the command, and in init.
 */
void test_only_standard_descriptors_are_open(void **state)
{
	const char *prefix[5];
	char command[64] = "", init[64] = "", out[4096] = "";
	struct run c;

	(void)state;
	require_root();
	char *host = make_temp_dir("fd7");
	memcpy(prefix, with_fd_7, sizeof(prefix));
	prefix[3] = host;
	run_start_prefixed(&c, prefix, "container",
			   (const char *[]){test_rootfs(), "/bin/sh", "-c",
					    "echo ready; read line; /bin/probe fds; "
					    "cd /proc/self/fd/7 && echo walked out",
					    NULL});
	const char *line = run_read_line(&c);
	bool ready = line && strcmp(line, "ready") == 0;
	pid_t pid = ready ? init_of(&c) : 0;
	if (pid)
		fds_of(pid, init, sizeof(init));
	if (write(c.in_fd, "go\n", 3) != 3)
		ready = false;
	run_finish(&c);
	snprintf(out, sizeof(out), "%s", c.out);
	snprintf(command, sizeof(command), "%s",
		 value_in(c.out, "fds") ? value_in(c.out, "fds") : "");

	if (!ready)
		run_dump(&c, "the container did not start");
	assert_true(ready);
	if (strcmp(command, "0,1,2") != 0)
		dc_fail("the command has descriptors %s open; only 0,1,2 may reach it, never one "
			"of the caller's (lesson 11, \"A clean process\")\n%s",
			command, out);
	/* Under valgrind, init is valgrind too, with descriptors of its own (1024 and up). */
	if (under_valgrind())
		fprintf(stderr, "*** NOTE: init's descriptors not checked under valgrind, which "
				"keeps its own there; the other runs check them ***\n");
	else if (strcmp(init, "0,1,2") != 0)
		dc_fail("the container's init (host pid %d) has descriptors %s open; only 0,1,2 "
			"may be: init never execs, so close-on-exec does not close them, and root "
			"inside reaches them through /proc/1/fd (lesson 11, \"A clean process\")",
			(int)pid, init);
	assert_not_contains(out, "walked out");
	run_free(&c);
}

/*
 * --user UID[:GID] runs the command as that user: its group from the
 * image's /etc/passwd unless given, the groups /etc/group lists it in --
 * and no other, not the caller's -- and its home as HOME. A uid the
 * image does not name gets group 0, no groups, and "/".
 */
void test_user_option_sets_ids_groups_and_home(void **state)
{
	static const struct {
		const char *user, *uid, *gid, *groups, *home;
	} cases[] = {
		{"1000", "1000", "1000", "2000,2001", "/home/dc"},
		{"1000:3000", "1000", "3000", "2000,2001", "/home/dc"},
		{"4242", "4242", "0", "", "/"},
		{"0", "0", "0", "2001,3000", "/root"},
	};
	struct run r;
	FILE *f;

	(void)state;
	require_root();
	char *rootfs = rootfs_copy("user");
	f = fopen(in_copy(rootfs, "/etc/passwd"), "ae");
	assert_non_null(f);
	fputs("dc:x:1000:1000:a test user:/home/dc:/bin/sh\n", f);
	fclose(f);
	f = fopen(in_copy(rootfs, "/etc/group"), "ae");
	assert_non_null(f);
	fputs("dc:x:1000:\ndcextra:x:2000:dc\ndcboth:x:2001:root,dc\ndcroot:x:3000:root\n", f);
	fclose(f);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256];

		snprintf(why, sizeof(why),
			 "--user %s: uid, gid, groups and HOME come from the image's /etc/passwd "
			 "and /etc/group (lesson 11, \"A clean process\")",
			 cases[i].user);
		run_with(&r, (const char *[]){REMAPPED, "--user", cases[i].user, NULL},
			 (const char *[]){rootfs, "/bin/sh", "-c",
					  "echo \"home=$HOME\"; exec /bin/probe uid gid euid egid "
					  "groups",
					  NULL});
		assert_exit(&r, 0);
		expect_probe(&r, "uid", cases[i].uid, why);
		expect_probe(&r, "euid", cases[i].uid, why);
		expect_probe(&r, "gid", cases[i].gid, why);
		expect_probe(&r, "egid", cases[i].gid, why);
		expect_probe(&r, "groups", cases[i].groups, why);
		expect_probe(&r, "home", cases[i].home, why);
		run_free(&r);
	}
}

/*
 * --workdir DIR is where the command starts; "/" without it; a DIR
 * missing inside is 125 (through dcrun, made inside, as runc does).
 */
void test_workdir_sets_the_starting_directory(void **state)
{
	char missing[64];
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "cwd", NULL});
	assert_exit(&r, 0);
	expect_probe(&r, "cwd", "/",
		     "Without --workdir the command starts in / (lesson 11, \"A "
		     "clean process\")");
	run_free(&r);

	run_container(&r, (const char *[]){"--workdir", "/tmp", test_rootfs(), "/bin/probe", "cwd",
					   NULL});
	assert_exit(&r, 0);
	expect_probe(&r, "cwd", "/tmp", "--workdir /tmp starts the command in /tmp");
	run_free(&r);

	snprintf(missing, sizeof(missing), "/dc-no-such-dir-%d", (int)getpid());
	if (runtime_adapter_active()) {
		/* runc makes a missing process.cwd, inside the rootfs (never on the host), and starts there. */
		run_container(&r, (const char *[]){"--workdir", missing, test_rootfs(),
						   "/bin/probe", "cwd", NULL});
		bool made_inside = rmdir(in_copy(test_rootfs(), missing)) == 0;
		if (exists(missing))
			dc_fail("process.cwd %s was made on the host, not in the rootfs", missing);
		assert_exit(&r, 0);
		expect_probe(&r, "cwd", missing,
			     "runc makes a missing process.cwd and starts there");
		assert_true(made_inside);
		run_free(&r);
		return;
	}
	run_container(&r, (const char *[]){"--workdir", missing, test_rootfs(), "/bin/echo", "ran",
					   NULL});
	assert_exit(&r, 125);
	assert_contains(r.err, missing);
	assert_not_contains(r.out, "ran");
	run_free(&r);
}

/*
 * At most 1024 open files, as systemd gives a service (select(2) cannot
 * watch a descriptor past 1023), and a hard limit of the caller's, up to
 * 524288. Below 1024, the caller's limit stands.
 */
void test_open_files_limit_is_1024(void **state)
{
	struct rlimit ours;
	char want[64];
	struct run r;

	(void)state;
	require_root();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &ours), 0);
	rlim_t hard = ours.rlim_max < 524288 ? ours.rlim_max : 524288;
	snprintf(want, sizeof(want), "%llu %llu", (unsigned long long)(hard < 1024 ? hard : 1024),
		 (unsigned long long)hard);
	/*
	 * valgrind keeps its own RLIMIT_NOFILE for the program it runs, and
	 * never passes a setrlimit(2) of it to the kernel: the command after
	 * execve sees the caller's. The other runs check it.
	 */
	if (under_valgrind()) {
		fprintf(stderr,
			"*** NOTE: RLIMIT_NOFILE not checked under valgrind, which keeps "
			"setrlimit(RLIMIT_NOFILE) to itself; the other runs check it ***\n");
		return;
	}
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "rlimit_nofile", NULL});
	assert_exit(&r, 0);
	expect_probe(&r, "rlimit_nofile", want,
		     "RLIMIT_NOFILE is 1024 soft, and the caller's hard limit up to 524288 (lesson "
		     "11, \"A clean process\")");
	run_free(&r);

	run_start_prefixed(
		&r, (const char *[]){"/bin/sh", "-c", "ulimit -n 512 && exec \"$@\"", "sh", NULL},
		"container", (const char *[]){test_rootfs(), "/bin/probe", "rlimit_nofile", NULL});
	run_finish(&r);
	if (runtime_adapter_active()) {
		/*
		 * runc sets process.rlimits as they are, whatever its caller's: a
		 * runtime without CAP_SYS_RESOURCE cannot raise 512 to them, and
		 * must refuse to start rather than quietly run with less.
		 */
		if (r.exit_code == 0)
			expect_probe(&r, "rlimit_nofile", want,
				     "config.json's RLIMIT_NOFILE holds, or the start is refused");
		else
			assert_contains(r.err, "RLIMIT_NOFILE");
		assert_true(r.exit_code == 0 || r.exit_code == 1);
		run_free(&r);
		return;
	}
	assert_exit(&r, 0);
	expect_probe(&r, "rlimit_nofile", "512 512",
		     "A caller's limit below 1024 stands: only root may raise one");
	run_free(&r);
}

/*
 * Values that make no sense are refused before anything starts (no
 * narration, nothing run): --env without "=", a --user that is not
 * numbers, a relative --workdir, an unknown --seccomp profile, a --join
 * of a type that cannot be shared. A --user the maps do not hold is
 * refused too, with a hint: no one inside could be that user.
 *
 * Chapter 12: what config.json can say is refused by dcrun, exit 1 as
 * runc, naming its place (the third column) and the value. The rest is
 * container's own command line: a user by name or "-1" (process.user
 * holds numbers), docker's --seccomp names, --join's TYPE:PATH text, and
 * a joined mount namespace, which runc allows.
 */
void test_bad_values_are_refused_before_start(void **state)
{
	static const char *const bad[][3] = {
		{"--env", "DC_NO_VALUE", "process.env"},
		{"--env", "=value", "process.env"},
		{"--user", "dc", NULL},
		{"--user", "1000:dc", NULL},
		{"--user", "-1", NULL},
		{"--user", "", NULL},
		{"--workdir", "tmp", "process.cwd"},
		{"--seccomp", "strict", NULL},
		{"--join", "mnt:/proc/self/ns/mnt", NULL},
		{"--join", "net", NULL},
	};
	bool dcrun = runtime_adapter_active();
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dcrun && bad[i][2] == NULL)
			continue;
		run_container(&r, (const char *[]){"-v", bad[i][0], bad[i][1], test_rootfs(),
						   "/bin/echo", "ran", NULL});
		if (r.exit_code != (dcrun ? 1 : 125))
			dc_fail("%s \"%s\" was taken (exit %d): it must be refused, with %d",
				bad[i][0], bad[i][1], r.exit_code, dcrun ? 1 : 125);
		assert_contains(r.err, dcrun ? bad[i][2] : bad[i][0]);
		/* dcrun names a relative cwd by its place alone ("process.cwd: must be absolute"). */
		if (!dcrun || strcmp(bad[i][0], "--workdir") != 0)
			assert_contains(r.err, bad[i][1]);
		assert_not_contains(r.err, "=>");
		assert_not_contains(r.out, "ran");
		run_free(&r);
	}

	run_container(&r, (const char *[]){"-v", "--user", "1000", test_rootfs(), "/bin/echo",
					   "ran", NULL});
	assert_exit(&r, dcrun ? 1 : 125);
	assert_contains(r.err, dcrun ? "process.user.uid" : "--user");
	assert_contains(r.err, dcrun ? "uid map" : "--uid-map");
	assert_not_contains(r.err, "=>");
	assert_not_contains(r.out, "ran");
	run_free(&r);
}

/* ---- Composing namespaces ---------------------------------------------------------------- */

/* NPROCS of namespace TYPE INODE in nsls -r's lines ("NS TYPE NPROCS PID COMMAND"), or -1. */
static long nsls_count(const char *text, const char *type, unsigned long inode)
{
	for (const char *line = text; line && *line; line = next_line(line)) {
		unsigned long ns;
		char t[16];
		long n;

		if (sscanf(line, "%lu %15s %ld", &ns, t, &n) == 3 && ns == inode &&
		    !strcmp(t, type))
			return n;
	}
	return -1;
}

static unsigned long inode_in(const char *text, const char *key)
{
	const char *v = value_in(text, key);

	return v ? strtoul(v, NULL, 10) : 0;
}

/*
 * Chapter 12: runc keeps no namespace past its container (--persist is
 * container's): B joins A's while A runs, by their /proc/PID/ns files,
 * as namespaces[].path (what podman does for a pod). Fills in `user` and
 * `net` as --join's TYPE:PATH, and `uts_as_net`, a namespace of the
 * wrong type for net.
 */
static bool start_a_to_join(struct run *a, char *user, char *net, char *uts_as_net, size_t size)
{
	bool up = start_shell(a, (const char *[]){NULL}, test_rootfs());
	pid_t pid = up ? init_of(a) : 0;

	snprintf(user, size, "user:/proc/%d/ns/user", (int)pid);
	snprintf(net, size, "net:/proc/%d/ns/net", (int)pid);
	snprintf(uts_as_net, size, "net:/proc/%d/ns/uts", (int)pid);
	return up && pid > 0;
}

/*
 * A pod: container B joins the user and network namespaces container A
 * kept (--persist DIR; through dcrun, A's while it runs: start_a_to_join):
 * B's network is A's -- the same namespace, as the
 * probe and nsls both say -- while its mounts, hostname and processes are
 * its own. A message over 127.0.0.1 from B reaches A's listener.
 */
void test_joined_containers_share_a_network(void **state)
{
	static const char probe[] = "/bin/probe ns.net ns.user ns.mnt ns.uts ns.pid";
	char user[4200], net[4200], a_ns[1024] = "", b_ns[1024] = "", got[256] = "",
				    tries[256] = "";
	long in_net = -1, in_a = -1, in_b = -1;
	struct run a, b, ls;
	bool a_up;

	(void)state;
	require_root();
	if (runtime_adapter_active()) {
		char uts_as_net[4200];

		a_up = start_a_to_join(&a, user, net, uts_as_net, sizeof(user));
	} else {
		char *dir = make_persist_dir();

		snprintf(user, sizeof(user), "user:%s/user", dir);
		snprintf(net, sizeof(net), "net:%s/net", dir);
		a_up = start_shell(&a, (const char *[]){"--persist", dir, NULL}, test_rootfs());
	}
	if (a_up)
		snprintf(
			a_ns, sizeof(a_ns), "%s",
			shell_do(&a,
				 "/bin/probe ns.net ns.user ns.mnt ns.uts ns.pid; "
				 /* Its stdin held open: on EOF there, busybox nc may quit first. */
				 "sleep 60 | nc -l -p 5555 >/tmp/got 2>&1 &"));
	bool b_up = a_up && start_shell(&b, (const char *[]){"--join", user, "--join", net, NULL},
					test_rootfs());
	if (b_up) {
		snprintf(b_ns, sizeof(b_ns), "%s", shell_do(&b, probe));
		/* Both run, and wait: count each namespace's processes. */
		run_tool(&ls, "nsls", (const char *[]){"-r", NULL}, NULL);
		in_net = nsls_count(ls.out, "net", inode_in(a_ns, "ns.net"));
		in_a = nsls_count(ls.out, "mnt", inode_in(a_ns, "ns.mnt"));
		in_b = nsls_count(ls.out, "mnt", inode_in(b_ns, "ns.mnt"));
		run_free(&ls);
		/* A's listener may not be up yet: try for a while. */
		snprintf(tries, sizeof(tries), "%s",
			 shell_do(&b, "i=0; until echo hello-from-b | nc 127.0.0.1 5555; do "
				      "i=$((i + 1)); [ $i -ge 100 ] && break; sleep 0.1; done; "
				      "echo tries=$i"));
		snprintf(got, sizeof(got), "%s",
			 shell_do(&a, "i=0; until [ -s /tmp/got ] || [ $i -ge 100 ]; do "
				      "i=$((i + 1)); sleep 0.1; done; cat /tmp/got"));
		stop_shell(&b);
	}
	stop_shell(&a);

	if (!a_up || !b_up)
		run_dump(a_up ? &b : &a, "a container did not start");
	assert_true(a_up);
	assert_true(b_up);
	static const char *const types[] = {"net", "user", "mnt", "uts", "pid"};
	for (size_t i = 0; i < 5; i++) {
		char key[16];
		bool shared = i < 2;

		snprintf(key, sizeof(key), "ns.%s", types[i]);
		if ((inode_in(a_ns, key) == inode_in(b_ns, key)) != shared || !inode_in(a_ns, key))
			dc_fail("B %s A's %s namespace, and should %s: A has %lu, B %lu (lesson 11, "
				"\"Composing namespaces\")",
				shared ? "is not in" : "is in", types[i],
				shared ? "be (--join)" : "have its own", inode_in(a_ns, key),
				inode_in(b_ns, key));
	}
	if (in_a < 1 || in_b < 1 || in_net != in_a + in_b)
		dc_fail("nsls should count A's processes (%ld in its mnt namespace) and B's (%ld) "
			"together in the one network namespace; it counts %ld there",
			in_a, in_b, in_net);
	if (strcmp(got, "hello-from-b\n") != 0) {
		print_error("B tried: %s", tries);
		dc_fail("B's message over 127.0.0.1 did not reach A: A got \"%s\"", got);
	}
	run_free(&b);
	run_free(&a);
}

/*
 * A --join that cannot work is refused before anything starts, and
 * leaves nothing: a file that is no namespace, a namespace of the wrong
 * type, a network without the user namespace that owns it (root's
 * capabilities count only there), a joined network with --net veth, a
 * joined user namespace with maps of its own.
 *
 * Chapter 12: the joined namespaces are a running container's (see
 * start_a_to_join), and dcrun refuses a path that is no namespace, or
 * one of the wrong type, before it makes anything, exit 1 as runc. The
 * other cases are container's alone: runc joins a network with the
 * host's privileges and then makes the new user namespace (nothing to
 * refuse), --net veth is container's, and the adapter cannot say maps
 * next to a joined user namespace.
 */
void test_bad_join_is_refused_and_leaves_nothing(void **state)
{
	char user[4200], net[4200], uts_as_net[4200], file_as_net[4200];
	bool dcrun = runtime_adapter_active();
	struct run r, a;
	pid_t left[4];

	(void)state;
	require_root();
	if (dcrun) {
		bool a_up = start_a_to_join(&a, user, net, uts_as_net, sizeof(user));
		if (!a_up)
			run_dump(&a, "the container to join did not start");
		assert_true(a_up);
	} else {
		char *dir = make_persist_dir();
		run_container(&r,
			      (const char *[]){"--persist", dir, test_rootfs(), "/bin/true", NULL});
		assert_exit(&r, 0);
		run_free(&r);
		snprintf(user, sizeof(user), "user:%s/user", dir);
		snprintf(net, sizeof(net), "net:%s/net", dir);
		snprintf(uts_as_net, sizeof(uts_as_net), "net:%s/uts", dir);
	}
	snprintf(file_as_net, sizeof(file_as_net), "net:%s", host_marker_path());
	const struct {
		const char *options[7];
		const char *says;
		bool container_only;
	} cases[] = {
		{{"--join", file_as_net, NULL}, host_marker_path(), false},
		{{"--join", user, "--join", uts_as_net, NULL}, "uts", false},
		{{"--join", net, NULL}, "--join user:", true},
		{{"--join", user, "--join", net, "--net", "veth", NULL}, "--net veth", true},
		{{"--join", user, REMAPPED, NULL}, "--uid-map", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (dcrun && cases[i].container_only)
			continue;
		char *before = host_mount_table();
		run_with(&r, cases[i].options,
			 (const char *[]){test_rootfs(), "/bin/sleep", sleep_mark(), NULL});
		char *after = host_mount_table();
		bool unchanged = strcmp(before, after) == 0;
		free(before);
		free(after);
		if (r.exit_code != (dcrun ? 1 : 125))
			dc_fail("%s %s was taken (exit %d); it must be refused with %d (lesson 11, "
				"\"Composing namespaces\")",
				cases[i].options[0], cases[i].options[1], r.exit_code,
				dcrun ? 1 : 125);
		assert_contains(r.err, cases[i].says);
		if (dcrun)
			assert_contains(r.err, "linux.namespaces[");
		run_free(&r);
		if (find_sleeping(sleep_mark(), left, 4) > 0)
			dc_fail("a refused --join left its container running (host pid %d)",
				(int)left[0]);
		if (dcrun && runtime_adapter_leftover())
			dc_fail("a refused --join left %s", runtime_adapter_leftover());
		assert_true(unchanged);
	}
	if (dcrun)
		stop_shell(&a);
}

/* ---- enter, watched -------------------------------------------------------------------------- */

/*
 * Two moments of `enter PID COMMAND` matter to an attacker inside: the
 * last instant before the process enter started in the container runs
 * COMMAND (it is inside, and still enter), and the first instant after
 * (with an image's "#!/proc/self/exe" as COMMAND, it is enter's own host
 * file again). An attack races for them; the test instead stops the
 * process there, as a debugger would (ptrace(2): at the entry of its
 * execve, and at its PTRACE_EVENT_EXEC stop), and lets the attacker
 * inside try while it waits. Nothing inside is traced: only enter's
 * processes, which the test starts stopped, and which it follows through
 * fork.
 */
struct watch {
	unsigned long pidns; /* the container's PID namespace */
	struct run *inside;  /* the attacker: a shell in the container */
	const char *attack[2];
	char exe[2][4096];    /* where /proc/PID/exe led, seen from the host */
	char answer[2][4096]; /* what the attacker got */
	bool reached[2];
};

static void at_moment(struct trace *t, enum trace_moment m, pid_t pid)
{
	struct watch *w = t->data;
	char path[64], command[256];
	ssize_t len;

	w->reached[m] = true;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	len = readlink(path, w->exe[m], sizeof(w->exe[m]) - 1);
	w->exe[m][len > 0 ? len : 0] = '\0';
	if (w->attack[m] == NULL)
		return;
	snprintf(command, sizeof(command), w->attack[m], (int)pid_inside(pid));
	snprintf(w->answer[m], sizeof(w->answer[m]), "%s", shell_do(w->inside, command));
}

/* Stopped (T) or traced-stopped (t): polled, so nothing kept. */
static bool is_stopped(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *stat = read_file_if_there(path);
	const char *after = stat ? strrchr(stat, ')') : NULL;
	bool stopped = after && after[1] == ' ' && (after[2] == 'T' || after[2] == 't');
	free(stat);
	return stopped;
}

struct tracee {
	pid_t pid;
	bool entered, execed;
};

/* One ptrace stop of `p`: note what it is, call the moment if it is one, and let it go on. */
static bool on_stop(struct trace *t, struct tracee *p, int status, struct tracee *all, int *n)
{
	int sig = WSTOPSIG(status), event = status >> 16, inject = 0;
	bool inside = namespace_of(p->pid, "pid") == t->pidns;

	if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			       event == PTRACE_EVENT_CLONE)) {
		unsigned long child = 0;

		if (ptrace(PTRACE_GETEVENTMSG, p->pid, NULL, &child) == 0 && *n < 16)
			all[(*n)++] = (struct tracee){.pid = (pid_t)child};
	} else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
		if (inside && !p->execed)
			t->at(t, TRACE_AFTER_EXEC, p->pid);
		p->execed = true;
	} else if (sig == (SIGTRAP | 0x80)) {
		struct __ptrace_syscall_info info;

		if (ptrace(PTRACE_GET_SYSCALL_INFO, p->pid, (void *)sizeof(info), &info) > 0 &&
		    info.op == PTRACE_SYSCALL_INFO_ENTRY &&
		    (info.entry.nr == SYS_execve || info.entry.nr == SYS_execveat) && inside &&
		    !p->entered) {
			p->entered = true;
			t->at(t, TRACE_BEFORE_EXEC, p->pid);
		}
	} else if (event != PTRACE_EVENT_STOP) {
		inject = sig; /* a signal on its way: deliver it */
	}
	/* Inside and not yet at its execve: stop at each system call, to find that one. */
	bool step = t->entries && inside && !p->entered && !p->execed;
	return ptrace(step ? PTRACE_SYSCALL : PTRACE_CONT, p->pid, NULL, (void *)(long)inject) == 0;
}

void trace_run(struct run *r, const char *const argv[], struct trace *t)
{
	const long options = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			     PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL |
			     (t->entries ? PTRACE_O_TRACESYSGOOD : 0);
	const char *words[48] = {"/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "sh"};
	struct tracee all[16];
	char wrap[1024];
	size_t k = 4;
	int n = 0;

	snprintf(wrap, sizeof(wrap), "%s", getenv("DC_WRAP") ? getenv("DC_WRAP") : "");
	if (strncmp(wrap, "env ", 4) == 0) {
		for (char *save = NULL, *word = strtok_r(wrap, " ", &save); word && k < 16;
		     word = strtok_r(NULL, " ", &save))
			words[k++] = word;
	}
	for (size_t i = 0; argv[i] != NULL && k + 1 < sizeof(words) / sizeof(words[0]); i++)
		words[k++] = argv[i];
	words[k] = NULL;
	run_start_argv(r, words);
	for (int tries = 0; tries < 5000 && !is_stopped(r->pid); tries++)
		usleep(1000);
	if (ptrace(PTRACE_SEIZE, r->pid, NULL, (void *)options) == -1) {
		print_error("ptrace PTRACE_SEIZE %d: %s\n", (int)r->pid, strerror(errno));
		kill(r->pid, SIGKILL);
		return;
	}
	all[n++] = (struct tracee){.pid = r->pid};
	kill(r->pid, SIGCONT);
	for (time_t deadline = time(NULL) + 20; n > 0 && time(NULL) < deadline;) {
		bool any = false;

		for (int i = 0; i < n; i++) {
			siginfo_t info = {0};
			int status;
			pid_t got;

			/* Our own child is run_finish's to reap: look at its end, never reap it. */
			if (all[i].pid == r->pid) {
				if (waitid(P_PID, (id_t)r->pid, &info,
					   WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) == -1 ||
				    info.si_code == CLD_EXITED || info.si_code == CLD_KILLED ||
				    info.si_code == CLD_DUMPED) {
					all[i--] = all[--n];
					continue;
				}
				if (info.si_pid == 0)
					continue;
			}
			got = waitpid(all[i].pid, &status, WNOHANG | __WALL);
			if (got == 0)
				continue;
			any = true;
			if (got == -1 || WIFEXITED(status) || WIFSIGNALED(status) ||
			    !on_stop(t, &all[i], status, all, &n))
				all[i--] = all[--n];
		}
		if (!any)
			usleep(500);
	}
	/* Past the deadline: whatever is still traced goes (PTRACE_O_EXITKILL would, at exit). */
	for (int i = 0; i < n; i++)
		kill(all[i].pid, SIGKILL);
}

/* enter's program: at 12, dcrun, whose exec takes enter's place (the runtime adapter). */
static const char *enter_tool(void)
{
	return tool_path(runtime_adapter_active() ? "dcrun" : "enter");
}

/* Run `enter PID COMMAND...` (the program at `enter`) traced, and attack at both moments. */
static void watch_enter(struct run *e, const char *enter, pid_t target, const char *const command[],
			struct watch *w)
{
	struct trace t = {
		.pidns = namespace_of(target, "pid"), .entries = true, .at = at_moment, .data = w};
	const char *argv[40] = {enter};
	char pid_text[16];
	size_t k = 1;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)target);
	const char *request[32] = {pid_text};
	for (size_t i = 0; command[i] != NULL && i + 2 < 32; i++)
		request[i + 1] = command[i];
	/* At 12, enter is `dcrun exec` (the runtime adapter's mapping). */
	const char *const *words =
		runtime_adapter_active() ? runtime_adapter_enter_args(request) : request;
	for (size_t i = 0; words[i] != NULL && k < 39; i++)
		argv[k++] = words[i];
	argv[k] = NULL;
	w->pidns = t.pidns;
	trace_run(e, argv, &t);
}

/*
 * CVE-2016-9962 (runc): a process inside could ptrace the runtime's
 * process as it joined the container, and through it reach the host's
 * descriptors and memory. enter makes itself non-dumpable before it joins:
 * then the kernel's ptrace access check refuses everyone inside, at the
 * last instant before it runs the command too. The attacker, root inside,
 * tries what that check guards: /proc/PID/exe, cwd, root, its descriptors,
 * its environment, its memory.
 */
void test_entering_process_cannot_be_reached_from_inside(void **state)
{
	static const char *const what[] = {"exe", "cwd", "root", "fd", "environ", "mem"};
	struct watch w = {.attack = {"/bin/probe --reach %d", NULL}};
	struct run c, e;

	(void)state;
	require_root();
	bool started = start_shell(&c, (const char *[]){NULL}, test_rootfs());
	w.inside = &c;
	if (started) {
		watch_enter(&e, enter_tool(), init_of(&c), (const char *[]){"/bin/true", NULL}, &w);
		run_finish(&e);
	}
	stop_shell(&c);

	if (!started)
		run_dump(&c, "the container did not start");
	assert_true(started);
	if (!w.reached[TRACE_BEFORE_EXEC]) {
		run_dump(&e, "enter");
		dc_fail("enter never ran a command in the container's PID namespace (no execve "
			"seen there)");
	}
	assert_exit(&e, 0);
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "reach.%s", what[i]);
		const char *got = value_in(w.answer[TRACE_BEFORE_EXEC], key);
		if (got == NULL || strcmp(got, "ok") == 0)
			dc_fail("root inside reached /proc/PID/%s of enter's process (%s) just before "
				"it ran the command: %s\n%s"
				"enter must make itself non-dumpable (prctl PR_SET_DUMPABLE 0) before it "
				"joins the container (lesson 11, \"enter, done safely\")",
				what[i], w.exe[TRACE_BEFORE_EXEC], got ? got : "(no answer)",
				w.answer[TRACE_BEFORE_EXEC]);
	}
	run_free(&e);
	run_free(&c);
}

/* The program interpreter (PT_INTERP) an ELF file asks for, or "" for a static one. */
void interpreter_of(const char *path, char *interp, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	interp[0] = '\0';
	assert_true(fd != -1);
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (int i = 0; i < eh.e_phnum; i++) {
			off_t at = (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize);
			if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph) ||
			    ph.p_type != PT_INTERP || ph.p_filesz >= size)
				continue;
			if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) ==
			    (ssize_t)ph.p_filesz)
				interp[ph.p_filesz] = '\0';
		}
	}
	close(fd);
}

/*
 * CVE-2019-5736 (runc, 2019): the image's command is a script whose
 * interpreter is "#!/proc/self/exe", so `enter PID /bin/dc-evil` makes
 * the kernel run, inside the container, the very file enter was started
 * from -- the host's binary. Root inside opens it (/proc/PID/exe, with
 * O_PATH) while it runs, and once enter has exited and the file is no
 * longer busy, opens that descriptor for writing: the next `enter` on the
 * host would run the attacker's code. The image here is an ordinary one:
 * it holds the dynamic loader the binary asks for (any Debian-based image
 * does). The binary attacked is a copy of enter, never the one under test.
 */
void test_enter_binary_cannot_be_overwritten_from_inside(void **state)
{
	struct watch w = {.attack = {NULL, "mkdir -p /tmp/steal && /bin/probe --steal-exe %d "
					   "/tmp/steal"}};
	char real[PATH_MAX], copy[4200], interp[512] = "", write_answer[256] = "";
	size_t original_len = 0, now_len = 0;
	struct run c, e, r;

	(void)state;
	require_root();
	char *rootfs = rootfs_copy("evil");
	write_file(in_copy(rootfs, "/bin/dc-evil"), "#!/proc/self/exe\n");
	assert_int_equal(chmod(in_copy(rootfs, "/bin/dc-evil"), 0755), 0);
	assert_non_null(realpath(enter_tool(), real));
	interpreter_of(real, interp, sizeof(interp));
	if (interp[0] != '\0') {
		char dir[512];

		snprintf(dir, sizeof(dir), "%s", in_copy(rootfs, interp));
		*strrchr(dir, '/') = '\0';
		run_program(&r, (const char *[]){"mkdir", "-p", dir, NULL}, NULL);
		assert_exit(&r, 0);
		run_free(&r);
		run_program(&r, (const char *[]){"cp", "-L", interp, in_copy(rootfs, interp), NULL},
			    NULL);
		assert_exit(&r, 0);
		run_free(&r);
	}
	char *bin = make_temp_dir("enter");
	assert_int_equal(chmod(bin, 0755), 0);
	snprintf(copy, sizeof(copy), "%s/enter", bin);
	run_program(&r, (const char *[]){"cp", real, copy, NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	char *original = read_bytes_if_there(copy, &original_len);
	assert_non_null(original);

	bool started = start_shell(&c, (const char *[]){NULL}, rootfs);
	w.inside = &c;
	if (started) {
		watch_enter(&e, copy, init_of(&c), (const char *[]){"/bin/dc-evil", NULL}, &w);
		run_finish(&e);
		/* enter has exited: its file is no longer busy. Now write. */
		if (strstr(w.answer[TRACE_AFTER_EXEC], "steal.open=ok"))
			snprintf(write_answer, sizeof(write_answer), "%s",
				 shell_do(&c, "echo go > /tmp/steal/go; cat /tmp/steal/result"));
	}
	stop_shell(&c);
	char *now = read_bytes_if_there(copy, &now_len);
	bool unchanged = now && now_len == original_len && !memcmp(now, original, now_len);
	free(original);
	free(now);

	if (!started)
		run_dump(&c, "the container did not start");
	assert_true(started);
	if (!w.reached[TRACE_AFTER_EXEC]) {
		run_dump(&e, "enter PID /bin/dc-evil");
		dc_fail("the image's #!/proc/self/exe script never ran inside (no exec seen in the "
			"container's PID namespace): the attack was not tried");
	}
	if (!unchanged) {
		print_error("the attacker got:\n%sand, after enter exited:\n%s",
			    w.answer[TRACE_AFTER_EXEC], write_answer);
		dc_fail("root inside overwrote the host's enter binary (a copy: %s). While the "
			"image's #!/proc/self/exe ran it inside, /proc/PID/exe led to %s. "
			"Non-dumpable covers enter only until it execs: a runtime runs from a "
			"sealed copy of itself (memfd_create, F_SEAL_WRITE), so that /proc/self/exe "
			"is never the host's file (lesson 11, \"enter, done safely\")",
			copy, w.exe[TRACE_AFTER_EXEC]);
	}
	run_free(&e);
	run_free(&c);
}

/*
 * CVE-2024-21626 (runc, 2024): a descriptor of the host's leaked into the
 * process runc started, and its working directory could be set to it. The
 * process enter starts has only 0, 1 and 2 open -- not the caller's 7,
 * here open on a host directory -- and starts in the container's "/".
 */
void test_entered_process_holds_no_host_descriptor(void **state)
{
	const char *prefix[5];
	char root[64] = "";
	struct run c, e = {0};

	(void)state;
	require_root();
	char *host = make_temp_dir("fd7");
	memcpy(prefix, with_fd_7, sizeof(prefix));
	prefix[3] = host;
	bool started = start_shell(&c, (const char *[]){NULL}, test_rootfs());
	if (started) {
		char pid[16];

		snprintf(root, sizeof(root), "%s",
			 value_or_none(shell_do(&c, "/bin/probe root_inode"), "root_inode"));
		snprintf(pid, sizeof(pid), "%d", (int)init_of(&c));
		run_start_prefixed(
			&e, prefix, "enter",
			(const char *[]){pid, "/bin/probe", "fds", "cwd", "root_inode", NULL});
		run_finish(&e);
	}
	stop_shell(&c);

	if (!started)
		run_dump(&c, "the container did not start");
	assert_true(started);
	assert_exit(&e, 0);
	expect_probe(&e, "fds", "0,1,2",
		     "The process enter starts must hold no descriptor but 0, 1 and 2: the "
		     "caller's 7 is a way out to the host (lesson 11, \"enter, done safely\")");
	expect_probe(&e, "cwd", "/", "enter starts the command in the container's /");
	expect_probe(&e, "root_inode", root, "enter's command has the container's root");
	run_free(&e);
	run_free(&c);
}

/*
 * `enter PID` gives its command what the container gave its own: the
 * same capabilities (here --cap-drop ALL --cap-add NET_RAW), no_new_privs,
 * the seccomp filter, the environment (not the caller's), the cgroup and
 * the namespaces.
 */
void test_entered_process_is_confined_like_the_container(void **state)
{
	static const char probe[] = "/bin/probe cgroup ns.mnt ns.net";
	char inside[2048] = "", secret[64];
	struct run c, e = {0};

	(void)state;
	require_root();
	snprintf(secret, sizeof(secret), "dc-host-secret-%d", (int)getpid());
	assert_int_equal(setenv(secret_name, secret, 1), 0);
	bool started = start_shell(&c,
				   (const char *[]){"--cap-drop", "ALL", "--cap-add", "NET_RAW",
						    "--env", "DC_X=in-container", NULL},
				   test_rootfs());
	if (started) {
		char pid[16];

		snprintf(inside, sizeof(inside), "%s", shell_do(&c, probe));
		snprintf(pid, sizeof(pid), "%d", (int)init_of(&c));
		run_tool(&e, "enter",
			 (const char *[]){pid, "/bin/sh", "-c",
					  "/bin/probe cap_inh cap_prm cap_eff cap_bnd cap_amb "
					  "no_new_privs seccomp cgroup ns.mnt ns.net; env",
					  NULL},
			 NULL);
	}
	stop_shell(&c);

	if (!started)
		run_dump(&c, "the container did not start");
	assert_true(started);
	assert_exit(&e, 0);
	const char *why = "enter gives its command the container's capabilities, no_new_privs "
			  "and seccomp filter (lesson 11, \"enter, done safely\")";
	expect_probe(&e, "cap_bnd", "0000000000002000", why);
	expect_probe(&e, "cap_prm", "0000000000002000", why);
	expect_probe(&e, "cap_eff", "0000000000002000", why);
	expect_probe(&e, "cap_inh", no_caps, why);
	expect_probe(&e, "cap_amb", no_caps, why);
	expect_probe(&e, "no_new_privs", "1", why);
	expect_probe(&e, "seccomp", "2", why);
	expect_probe(&e, "cgroup", value_or_none(inside, "cgroup"),
		     "enter PID joins the container's cgroup");
	expect_probe(&e, "ns.mnt", value_or_none(inside, "ns.mnt"),
		     "enter PID joins the container's namespaces");
	expect_probe(&e, "ns.net", value_or_none(inside, "ns.net"),
		     "enter PID joins the container's namespaces");
	if (!strstr(e.out, "\nDC_X=in-container\n") || strstr(e.out, secret))
		dc_fail("enter's command should have the container's environment (DC_X), and "
			"nothing of the caller's (%s):\n%s",
			secret_name, e.out);
	run_free(&e);
	run_free(&c);
}

/* ---- The story: the old escapes ------------------------------------------------------------ */

/*
 * An image may hold anything, symlinks too: proc, sys, dev or tmp as a
 * link to a host path (here /tmp/dc-victim-...). Had the container
 * resolved those names on the host, it would have mounted over, or
 * written into, the host's directory. It resolves them in the rootfs
 * (or refuses): the host's mount table and the victim stay as they were.
 */
void test_symlinked_mount_points_cannot_reach_the_host(void **state)
{
	static const char *const names[] = {"proc", "sys", "dev", "tmp"};
	char marker[4200];
	struct run r;

	(void)state;
	require_root();
	char *victim = make_temp_dir("victim");
	victims[0] = victim;
	snprintf(marker, sizeof(marker), "%s/marker", victim);
	write_file(marker, "the host's own\n");
	char *rootfs = rootfs_copy("symlinks");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", rootfs, names[i]);
		run_program(&r, (const char *[]){"rm", "-rf", "--", path, NULL}, NULL);
		assert_exit(&r, 0);
		run_free(&r);
		assert_int_equal(symlink(victim, path), 0);
		char *before = host_mount_table();
		run_container(&r, (const char *[]){rootfs, "/bin/sh", "-c",
						   "echo written > /tmp/dc-x; ls /", NULL});
		char *after = host_mount_table();
		bool unchanged = strcmp(before, after) == 0;
		free(before);
		free(after);
		unlink(path);
		assert_int_equal(mkdir(path, 0755), 0);
		if (strcmp(names[i], "tmp") == 0)
			assert_int_equal(chmod(path, 01777), 0);

		if (!unchanged)
			dc_fail("with /%s -> %s in the image, the host's mount table changed",
				names[i], victim);
		DIR *d = opendir(victim);
		assert_non_null(d);
		for (const struct dirent *e; (e = readdir(d)) != NULL;) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    strcmp(e->d_name, "marker") != 0) {
				closedir(d);
				dc_fail("with /%s -> %s in the image, the container made %s/%s on the "
					"host: paths in the rootfs must resolve inside it",
					names[i], victim, victim, e->d_name);
			}
		}
		closedir(d);
		char *text = read_file(marker);
		bool same = strcmp(text, "the host's own\n") == 0;
		free(text);
		if (!same)
			dc_fail("with /%s -> %s in the image, the host's %s changed", names[i],
				victim, marker);
		run_free(&r);
	}
}

/* ---- What you should see ------------------------------------------------------------------- */

/*
 * The hardening takes nothing an ordinary program needs: a pipeline,
 * busybox's applets (ls, ps, date), ping (NET_RAW), chown (CHOWN), a
 * child's exit status -- as a remapped root, where uid 1000 is someone.
 */
void test_ordinary_work_still_works(void **state)
{
	const char *script = "echo hello world | tr a-z A-Z | sed s/WORLD/THERE/; "
			     "ls /bin | grep -c '^busybox$'; "
			     "ps | grep -q '^ *1 ' && echo ps=ok; "
			     "date +%Y | grep -q '^[0-9][0-9][0-9][0-9]$' && echo date=ok; "
			     "ping -c 1 -W 5 127.0.0.1 >/dev/null && echo ping=ok; "
			     "touch /tmp/f && chown 1000:1000 /tmp/f && "
			     "echo \"chown=$(stat -c %u:%g /tmp/f)\"; "
			     "sh -c 'exit 3'; echo \"status=$?\"";
	struct run r;

	(void)state;
	require_root();
	shell(&r, (const char *[]){REMAPPED, NULL}, test_rootfs_for_others(), script);
	if (strcmp(r.out, "HELLO THERE\n1\nps=ok\ndate=ok\nping=ok\nchown=1000:1000\nstatus=3\n") !=
	    0) {
		run_dump(&r, "ordinary work");
		dc_fail("ordinary work failed under the default profile and capabilities: a call "
			"a program needs is refused (lesson 11, \"What you should see\")");
	}
	assert_exit(&r, 0);
	run_free(&r);
}

/*
 * Rootless, the same hardening: docker's capabilities, no_new_privs,
 * the filter (which refuses unshare -U here too).
 */
void test_rootless_container_is_hardened_too(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_start_rootless(
		&r, "container",
		(const char *[]){test_rootfs_for_others(), "/bin/sh", "-c",
				 "/bin/probe uid cap_inh cap_prm cap_eff cap_bnd cap_amb "
				 "no_new_privs seccomp; unshare -U true && echo unshare=ok",
				 NULL});
	run_finish(&r);
	assert_exit(&r, 1);
	expect_probe(&r, "uid", "0", "Rootless, root inside is the caller outside");
	expect_caps(&r, default_caps, "Rootless, root inside keeps docker's 14 capabilities too");
	expect_probe(&r, "no_new_privs", "1", "Rootless, no_new_privs is set too");
	expect_probe(&r, "seccomp", "2", "Rootless, the default profile is loaded too");
	assert_not_contains(r.out, "unshare=ok");
	run_free(&r);
}
