/*
 * The promises of chapters 09 (cgroup) and 10 (time), shared by every
 * later chapter's tests. See promises-cgroup-time.h.
 */
#define _GNU_SOURCE
#include "promises-cgroup-time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

/* ---- Reading the host ------------------------------------------------------ */

static const char *next_line(const char *line)
{
	const char *end = strchr(line, '\n');

	return end && end[1] ? end + 1 : NULL;
}

/* Whether `item` is one of the comma-separated items of `list`. */
static bool has_item(const char *list, const char *item)
{
	size_t len = strlen(item);

	for (const char *p = list; p; p = strchr(p, ','), p = p ? p + 1 : NULL) {
		if (strncmp(p, item, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	}
	return false;
}

/*
 * ---- Sleepers ----------------------------------------------------------------
 *
 * The fork bomb's processes are `sleep MARK`, MARK made of our PID, so
 * that the host's process list tells ours from anyone else's.
 */
static const char *sleeper_mark(void)
{
	static char mark[32];

	snprintf(mark, sizeof(mark), "8%07d", (int)getpid());
	return mark;
}

static int find_sleepers(pid_t *pids, int max)
{
	return find_sleeping(sleeper_mark(), pids, max);
}

/*
 * ---- The container's groups ----------------------------------------------------
 *
 * A group is a directory in a cgroup filesystem. On cgroup v2 there is one
 * tree, at /sys/fs/cgroup; on v1 (and hybrid machines) one tree per
 * controller, mounted wherever the host chose. The container's groups are
 * those under demystifying-containers that /proc/PID/cgroup names for its
 * process.
 */
static const char *group_parent(void)
{
	/*
	 * Through dcrun, the adapter's cgroupsPath is under a parent of its
	 * own: container's start sweeps away every empty group under
	 * demystifying-containers, and a runtime's group is empty between its
	 * mkdir and its process joining it (make test runs valgrind's checks
	 * beside the others).
	 */
	return runtime_adapter_active() ? RUNTIME_GROUP_PARENT "/" : "/demystifying-containers/";
}

static bool cgroup_v2(void)
{
	struct statfs fs;

	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

struct hierarchy {
	char point[512];   /* where it is mounted */
	char options[512]; /* super options: its controllers, "memory" or "cpu,cpuacct" */
	bool v2;           /* a cgroup2 mount: v2's tree, or a hybrid's unified */
};

/* The cgroup hierarchies mounted on the host (cgroup and cgroup2 mounts). */
static size_t cgroup_hierarchies(struct hierarchy *h, size_t max)
{
	char *table = read_file_if_there("/proc/self/mountinfo");
	size_t n = 0;

	for (const char *line = table; line && n < max; line = next_line(line)) {
		char point[512], fstype[64], source[256], options[512];
		const char *dash = strstr(line, " - ");

		/* "ID PARENT MAJ:MIN ROOT POINT OPTIONS [FIELDS...] - FSTYPE SOURCE SUPER" */
		if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %511s", point) != 1 ||
		    sscanf(dash, " - %63s %255s %511s", fstype, source, options) != 3)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		snprintf(h[n].point, sizeof(h[n].point), "%s", point);
		snprintf(h[n].options, sizeof(h[n].options), "%s", options);
		h[n].v2 = strcmp(fstype, "cgroup2") == 0;
		n++;
	}
	free(table);
	return n;
}

struct group {
	char controllers[128]; /* "memory", "cpu,cpuacct"; "" on v2 */
	char dir[1024];        /* the group's directory on the host */
};

struct groups {
	struct group g[16];
	size_t n;
};

/*
 * The container's groups, from /proc/PID/cgroup: "ID:CONTROLLERS:PATH"
 * lines. On v2 the one line "0::PATH" is the group, under /sys/fs/cgroup;
 * on v1 each line is a hierarchy, found among the mounts by its first
 * controller. Only the groups under demystifying-containers count.
 */
static void groups_of(pid_t pid, struct groups *gs)
{
	struct hierarchy h[32];
	size_t nh = cgroup_hierarchies(h, 32);
	bool v2 = cgroup_v2();
	char path[64];

	gs->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	char *table = read_file_if_there(path);
	for (const char *line = table; line && gs->n < 16; line = next_line(line)) {
		char controllers[128] = "", group[512] = "", first[64] = "";
		struct group *g = &gs->g[gs->n];

		if (sscanf(line, "%*d:%127[^:]:%511[^\n]", controllers, group) != 2 &&
		    sscanf(line, "%*d::%511[^\n]", group) != 1)
			continue;
		if (strncmp(group, group_parent(), strlen(group_parent())) != 0)
			continue;
		if (v2 && controllers[0] == '\0') {
			g->controllers[0] = '\0';
			snprintf(g->dir, sizeof(g->dir), "/sys/fs/cgroup%s", group);
			gs->n++;
			continue;
		}
		sscanf(controllers, "%63[^,]", first);
		for (size_t i = 0; !v2 && i < nh; i++) {
			if (first[0] != '\0' && has_item(h[i].options, first)) {
				snprintf(g->controllers, sizeof(g->controllers), "%s", controllers);
				snprintf(g->dir, sizeof(g->dir), "%s%s", h[i].point, group);
				gs->n++;
				break;
			}
		}
	}
	free(table);
}

/* The group that holds `controller`: v2's one group, or v1's group in that hierarchy. */
static const char *group_with(const struct groups *gs, const char *controller)
{
	for (size_t i = 0; i < gs->n; i++) {
		if (gs->g[i].controllers[0] == '\0' || has_item(gs->g[i].controllers, controller))
			return gs->g[i].dir;
	}
	return NULL;
}

static void print_groups(const struct groups *gs)
{
	print_error("the container's groups (cgroup %s):\n", cgroup_v2() ? "v2" : "v1");
	for (size_t i = 0; i < gs->n; i++)
		print_error("  %s\n", gs->g[i].dir);
}

/* The container is in a group of its own for memory, pids and cpu: one on v2, one each on v1. */
static void assert_groups_found(const struct groups *gs)
{
	bool ok = cgroup_v2() ? gs->n == 1
			      : group_with(gs, "memory") && group_with(gs, "pids") &&
					group_with(gs, "cpu");
	if (!ok) {
		print_groups(gs);
		dc_fail("the container is not in groups of its own under %s for memory, pids "
			"and cpu",
			group_parent());
	}
}

static bool group_exists(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static void assert_groups_gone(const struct groups *gs, const char *when)
{
	for (size_t i = 0; i < gs->n; i++) {
		if (group_exists(gs->g[i].dir))
			dc_fail("%s, the container's group %s is still there", when, gs->g[i].dir);
	}
}

/* A file of a group, its one line without the newline; NULL if it cannot be read. */
static const char *group_file(const struct groups *gs, const char *controller, const char *file)
{
	static char value[256];
	char path[2048];
	const char *dir = group_with(gs, controller);

	if (dir == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	char *text = read_file_if_there(path);
	if (text == NULL)
		return NULL;
	snprintf(value, sizeof(value), "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
	return value;
}

const char *container_limit(pid_t pid, const char *controller)
{
	struct groups gs;
	bool memory = strcmp(controller, "memory") == 0;

	groups_of(pid, &gs);
	return group_file(&gs, controller,
			  !memory       ? "pids.max"
			  : cgroup_v2() ? "memory.max"
					: "memory.limit_in_bytes");
}

/*
 * A group counts as populated for a moment after its last process dies:
 * wait (up to 5 s) until no process is left in any of them; false if one
 * still has one then.
 */
static bool groups_emptied(const struct groups *gs)
{
	for (int tries = 0; tries < 500; tries++) {
		bool empty = true;

		for (size_t i = 0; i < gs->n; i++) {
			char path[2048];

			snprintf(path, sizeof(path), "%s/cgroup.procs", gs->g[i].dir);
			char *procs = read_file_if_there(path);
			empty = empty && (procs == NULL || procs[0] == '\0');
			free(procs);
		}
		if (empty)
			return true;
		usleep(10000);
	}
	return false;
}

/* Every group under demystifying-containers, in every hierarchy, one per line. */
static char *all_groups(void)
{
	struct hierarchy h[32];
	size_t nh = cgroup_hierarchies(h, 32), len = 0;
	char *list = NULL;
	FILE *out = open_memstream(&list, &len);

	for (size_t i = 0; out && i < nh; i++) {
		char parent[1024];

		snprintf(parent, sizeof(parent), "%s%s", h[i].point, group_parent());
		DIR *d = opendir(parent);
		if (d == NULL)
			continue;
		for (const struct dirent *e; (e = readdir(d)) != NULL;) {
			if (e->d_type == DT_DIR && e->d_name[0] != '.')
				fprintf(out, "%s%s\n", parent, e->d_name);
		}
		closedir(d);
	}
	if (out == NULL || fclose(out) != 0)
		dc_fail("open_memstream: %s", strerror(errno));
	return list;
}

/*
 * container takes this lock (flock(2) on /sys/fs/cgroup) while it makes
 * its group and moves its first process in, and while it sweeps away stale
 * groups: -1 if it cannot be had.
 */
static int lock_containers_cgroups(void)
{
	int lock = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (lock != -1 && flock(lock, LOCK_EX) == -1) {
		close(lock);
		lock = -1;
	}
	return lock;
}

/*
 * Remove every empty group under demystifying-containers, in every
 * hierarchy: container's (named by its 12-hex-digit ids). Through dcrun,
 * only this test binary's (the adapter's ids, "dc-test-PID-N"). A dcrun
 * run's group ("dc-...") is empty for a moment between its mkdir and its
 * process joining it, and must not go then, under a test run alongside.
 */
static void remove_empty_groups(void)
{
	char *groups = all_groups(), ours[64], dcrun[64];

	snprintf(ours, sizeof(ours), "%sdc-test-%d-", group_parent(), (int)getpid());
	snprintf(dcrun, sizeof(dcrun), "%sdc-", group_parent());
	/* So that no group of a container starting alongside is taken for empty. */
	int lock = lock_containers_cgroups();
	for (const char *line = groups; line && *line; line = next_line(line)) {
		char dir[1024];

		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(line, "\n"), line);
		if (runtime_adapter_active() ? strstr(dir, ours) == NULL
					     : strstr(dir, dcrun) != NULL)
			continue;
		/* A group with processes in it says EBUSY, and stays. */
		if (rmdir(dir) == 0)
			fprintf(stderr, "promises: removed the cgroup %s, left behind\n", dir);
	}
	if (lock != -1)
		close(lock);
	free(groups);
}

int cgroup_promises_teardown_test(void **state)
{
	pid_t left[64];
	int n = find_sleepers(left, 64);

	for (int i = 0; i < n; i++) {
		fprintf(stderr, "promises: killing leftover process %d (sleep %s)\n", (int)left[i],
			sleeper_mark());
		kill(left[i], SIGKILL);
	}
	remove_empty_groups();
	return promises_teardown_test(state);
}

int cgroup_promises_teardown(void **state)
{
	remove_empty_groups();
	return promises_teardown(state);
}

/*
 * Start a container whose command says "ready" and waits for its stdin
 * to close, then (optionally) execs `then`. Fills in its groups, found
 * while it runs.
 */
static bool start_and_find_groups(struct run *r, const char *const options[], const char *then,
				  struct groups *gs)
{
	const char *args[16];
	char script[256];
	size_t n = 0;

	snprintf(script, sizeof(script), "echo ready; read line; %s", then ? then : "true");
	for (size_t i = 0; options[i] != NULL && n < 10; i++)
		args[n++] = options[i];
	args[n++] = test_rootfs();
	args[n++] = "/bin/sh";
	args[n++] = "-c";
	args[n++] = script;
	args[n] = NULL;
	run_start(r, "container", args);
	const char *line = run_read_line(r);
	bool ready = line && strcmp(line, "ready") == 0;
	pid_t inside = ready ? child_of(r->pid) : 0;
	gs->n = 0;
	if (inside != 0)
		groups_of(inside, gs);
	return ready && inside != 0;
}

/* After run_finish: say why a start_and_find_groups failed. */
static void assert_started(const struct run *r, bool started)
{
	if (!started)
		run_dump(r, "the container did not say ready, or had no process on the host");
	assert_true(started);
}

/* Run the container as nobody, as an ordinary user would. */
static void run_container_rootless(struct run *r, const char *const args[])
{
	run_start_rootless(r, "container", args);
	run_finish(r);
}

/* ---- Chapter 12: dcrun's containers ------------------------------------------------ */

bool dcrun_container_of(const struct run *r, char *root, size_t root_size, char *id, size_t id_size)
{
	char path[64];
	size_t length;
	bool run = false;

	root[0] = id[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)r->pid);
	char *cmdline = r->pid > 0 ? read_bytes_if_there(path, &length) : NULL;
	if (cmdline == NULL)
		return false;
	/* "dcrun --root ROOT run --bundle BUNDLE ID", maybe after DC_WRAP's words. */
	for (size_t at = 0; at < length; at += strlen(cmdline + at) + 1) {
		const char *word = cmdline + at, *next = word + strlen(word) + 1;

		if (strcmp(word, "--root") == 0 && next < cmdline + length)
			snprintf(root, root_size, "%s", next);
		run = run || strcmp(word, "run") == 0;
		snprintf(id, id_size, "%s", word);
	}
	free(cmdline);
	return run && root[0] != '\0' && id[0] != '\0';
}

int dcrun_delete_force(const char *root, const char *id, bool rootless)
{
	const char *const args[] = {"--root", root, "delete", "--force", id, NULL};
	struct run d;

	if (rootless) {
		run_start_rootless(&d, "dcrun", args);
		run_finish(&d);
	} else {
		run_tool(&d, "dcrun", args, NULL);
	}
	int status = d.exit_code;
	if (status != 0)
		run_dump(&d, "dcrun delete --force");
	run_free(&d);
	return status;
}

/* ---- 09 cgroup ---------------------------------------------------------------- */

/*
 * Past --memory, the kernel's OOM killer kills the biggest process in the
 * group: the hog, with SIGKILL, before it reaches the limit. The
 * container says why it ended (137 alone says only "SIGKILL"), and its
 * group is gone after that end too. Without a limit the same hog ends
 * its work: it was the limit that killed it.
 */
void test_memory_hog_is_killed_at_the_limit(void **state)
{
	struct run r;
	struct groups gs;
	int lines = 0;

	(void)state;
	require_root();
	bool started = start_and_find_groups(&r, (const char *[]){"--memory", "64m", NULL},
					     "exec /bin/hog 512", &gs);
	run_finish(&r);
	assert_started(&r, started);
	assert_exit(&r, 128 + SIGKILL);
	/* runc says nothing of why: the kill, the progress and the run without a limit show it. */
	if (!runtime_adapter_active())
		assert_contains(r.err, "out of memory");
	assert_not_contains(r.out, "done");
	for (const char *line = next_line(r.out); line; line = next_line(line)) {
		int mb = 0;

		if (sscanf(line, "%d MB", &mb) != 1 || mb >= 64) {
			run_dump(&r, "the hog's progress");
			dc_fail("the hog went on to \"%.*s\" under a 64 MB limit",
				(int)strcspn(line, "\n"), line);
		}
		lines++;
	}
	/* It ran, and it got some way: "10 MB" at least. */
	if (lines == 0)
		run_dump(&r, "the hog's progress");
	assert_true(lines > 0);
	assert_groups_found(&gs);
	assert_groups_gone(&gs, "after an OOM kill");
	run_free(&r);

	run_container(&r, (const char *[]){test_rootfs(), "/bin/hog", "100", NULL});
	assert_exit(&r, 0);
	assert_contains(r.out, "100 MB\ndone\n");
	run_free(&r);
}

/*
 * A shell starts 50 background sleeps under --pids 16: fork fails once
 * the group holds 16 processes (EAGAIN), and the shell that forks gives
 * up. Its parent then counts the container's processes in /proc with a
 * glob (a fork would fail too) -- never more than 16 -- and the
 * container still ends, taking every sleep with it. Without the limit,
 * the same shell starts all 50.
 */
void test_fork_bomb_stops_at_the_pids_limit(void **state)
{
	char script[512];
	pid_t left[4];

	(void)state;
	require_root();
	snprintf(script, sizeof(script),
		 "sh -c 'i=0; while [ $i -lt 50 ]; do sleep %s & i=$((i+1)); done'; "
		 "set -- /proc/[0-9]*; echo \"processes $#\"",
		 sleeper_mark());
	const char *args[] = {"--pids", "16", test_rootfs(), "/bin/sh", "-c", script, NULL};
	/* Within the limit, then without it (args + 2). */
	for (int limited = 1; limited >= 0; limited--) {
		struct run r;
		int processes = 0;

		run_container(&r, limited ? args : args + 2);
		assert_exit(&r, 0);
		if (sscanf(r.out, "processes %d", &processes) != 1)
			run_dump(&r, "no count of processes");
		assert_true(processes > 0);
		if (limited) {
			assert_contains(r.err, "Resource temporarily unavailable");
			if (processes > 16)
				dc_fail("%d processes in the container under --pids 16", processes);
		} else if (processes < 50) {
			dc_fail("without --pids only %d processes started: the test proves nothing",
				processes);
		}
		run_free(&r);
		if (find_sleepers(left, 4) > 0)
			dc_fail("after the container exited, sleep %s is still running as PID %d",
				sleeper_mark(), (int)left[0]);
	}
}

/*
 * A cgroup namespace, made once the container is in its group, makes
 * that group look like the root: every line of /proc/self/cgroup inside
 * ends in ":/", whatever group the host put the container program in.
 */
void test_cgroup_looks_like_the_root_inside(void **state)
{
	struct run r;
	int lines = 0;

	(void)state;
	require_root();
	run_container(&r,
		      (const char *[]){test_rootfs(), "/bin/sh", "-c",
				       "cat /proc/self/cgroup && exec /bin/probe ns.cgroup", NULL});
	assert_exit(&r, 0);
	for (const char *line = r.out; line; line = next_line(line)) {
		size_t len = strcspn(line, "\n");

		if (strncmp(line, "ns.cgroup=", 10) == 0)
			continue;
		if (len < 2 || strncmp(line + len - 2, ":/", 2) != 0)
			dc_fail("/proc/self/cgroup inside says \"%.*s\", not the root", (int)len,
				line);
		lines++;
	}
	assert_true(lines > 0);
	/* A namespace of its own, not the host's. */
	if (!probe_in_own_namespace(&r, "cgroup"))
		run_dump(&r, "ns.cgroup: the host's own, or none");
	assert_true(probe_in_own_namespace(&r, "cgroup"));
	run_free(&r);
}

/* The -o to mount a v1 hierarchy again: its controllers and its name=, from its super options. */
static void v1_mount_options(const char *super, char *out, size_t size)
{
	static const char *const flags[] = {
		"rw",           "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
		"favordynmods", NULL};
	char copy[512];
	bool controller = false;
	size_t used = 0;

	snprintf(copy, sizeof(copy), "%s", super);
	out[0] = '\0';
	for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		bool flag = strncmp(opt, "release_agent=", 14) == 0;

		for (size_t i = 0; flags[i] != NULL; i++)
			flag = flag || strcmp(opt, flags[i]) == 0;
		if (flag)
			continue;
		controller = controller || strncmp(opt, "name=", 5) != 0;
		used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "", opt);
		if (used >= size)
			break;
	}
	if (!controller) {
		memmove(out + 5, out, strlen(out) + 1 < size - 5 ? strlen(out) + 1 : size - 5);
		memcpy(out, "none,", 5);
	}
}

/*
 * The cgroup namespace's root, in every hierarchy, is the container's own
 * group -- not only in the three that hold its limits. Seen from the
 * host, each line of the container's /proc/PID/cgroup names a group under
 * demystifying-containers. Seen from inside, the attack: root mounts each
 * of the host's hierarchies (freezer, devices, name=systemd, a hybrid's
 * unified...) and looks for other groups; it finds none, or is refused.
 */
void test_cgroup_namespace_hides_the_hosts_groups(void **state)
{
	struct hierarchy h[32];
	size_t nh = cgroup_hierarchies(h, 32);
	char script[8192], path[64], expected[64];
	size_t used = 0;
	struct run r;

	(void)state;
	require_root();
	used += (size_t)snprintf(script, sizeof(script),
				 "cat /proc/self/cgroup >/tmp/before; "
				 "echo ready; read line; ");
	for (size_t i = 0; i < nh && used < sizeof(script); i++) {
		char options[512];
		bool v2 = h[i].v2;

		v1_mount_options(h[i].options, options, sizeof(options));
		used += (size_t)snprintf(
			script + used, sizeof(script) - used,
			"mkdir -p /tmp/cg%zu; if mount -t %s %s%s cg /tmp/cg%zu 2>/dev/null; then "
			"echo \"cg%zu:$(cd /tmp/cg%zu && for d in *; do [ -d \"$d\" ] && printf ' %%s' \"$d\"; "
			"done)\"; else echo 'cg%zu: refused'; fi; ",
			i, v2 ? "cgroup2" : "cgroup", v2 ? "" : "-o ", v2 ? "" : options, i, i, i,
			i);
	}
	/*
	 * From chapter 11 on root inside may not mount at all, and the attack
	 * would be refused for that reason alone: give it CAP_SYS_ADMIN, so
	 * that the cgroup namespace is what is tested.
	 */
	run_start(&r, "container",
		  with_sys_admin((const char *[]){test_rootfs(), "/bin/sh", "-c", script, NULL}));
	const char *line = run_read_line(&r);
	pid_t inside = line && strcmp(line, "ready") == 0 ? child_of(r.pid) : 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)inside);
	char *host_view = inside ? read_file_if_there(path) : NULL;
	run_finish(&r);
	if (host_view == NULL)
		run_dump(&r, "the container did not say ready, or had no process on the host");
	assert_non_null(host_view);
	for (const char *l = host_view; l && *l; l = next_line(l)) {
		int len = (int)strcspn(l, "\n");

		if (strstr(l, group_parent()) == NULL || strstr(l, group_parent()) > l + len) {
			print_error("the container's /proc/PID/cgroup, seen from the host:\n%s",
				    host_view);
			dc_fail("in \"%.*s\" the container is in the host's group: its cgroup "
				"namespace's root there is the host's",
				len, l);
		}
	}
	free(host_view);
	assert_exit(&r, 0);
	for (size_t i = 0; i < nh; i++) {
		snprintf(expected, sizeof(expected), "cg%zu:", i);
		const char *found = strstr(r.out, expected);
		if (found == NULL)
			run_dump(&r, "no answer for one of the host's hierarchies");
		assert_non_null(found);
		const char *end = found + strlen(expected);
		if (*end != '\n' && strncmp(end, " refused\n", 9) != 0)
			dc_fail("root inside mounted %s (%s) and found groups not its own:%.*s",
				h[i].point, h[i].options, (int)strcspn(end, "\n"), end);
	}
	run_free(&r);
}

/*
 * The limits are the kernel's, not the program's: while the container
 * runs, its group's files on the host hold them -- memory.max, pids.max
 * and cpu.max on v2; memory.limit_in_bytes, pids.max and
 * cpu.cfs_quota_us over cpu.cfs_period_us on v1.
 */
void test_limits_are_written_to_the_containers_group(void **state)
{
	struct run r;
	struct groups gs;
	char memory[64] = "", pids[64] = "", quota[64] = "", period[64] = "";
	const char *value;

	(void)state;
	require_root();
	bool started = start_and_find_groups(
		&r, (const char *[]){"--memory", "64m", "--pids", "16", "--cpus", "0.5", NULL},
		NULL, &gs);
	bool v2 = cgroup_v2();
	if ((value = group_file(&gs, "memory", v2 ? "memory.max" : "memory.limit_in_bytes")))
		snprintf(memory, sizeof(memory), "%s", value);
	if ((value = group_file(&gs, "pids", "pids.max")))
		snprintf(pids, sizeof(pids), "%s", value);
	if ((value = group_file(&gs, "cpu", v2 ? "cpu.max" : "cpu.cfs_quota_us")))
		snprintf(quota, sizeof(quota), "%s", value);
	if (!v2 && (value = group_file(&gs, "cpu", "cpu.cfs_period_us")))
		snprintf(period, sizeof(period), "%s", value);
	run_finish(&r);

	assert_started(&r, started);
	assert_exit(&r, 0);
	run_free(&r);
	assert_groups_found(&gs);
	assert_string_equal(memory, "67108864");
	assert_string_equal(pids, "16");
	if (v2) {
		assert_string_equal(quota, "50000 100000");
	} else {
		assert_string_equal(quota, "50000");
		assert_string_equal(period, "100000");
	}
}

/* When the container ends, so do its groups: nothing is left under demystifying-containers. */
void test_group_is_removed_after_exit(void **state)
{
	struct run r;
	struct groups gs;

	(void)state;
	require_root();
	bool started = start_and_find_groups(
		&r, (const char *[]){"--memory", "64m", "--pids", "16", NULL}, NULL, &gs);
	run_finish(&r);
	assert_started(&r, started);
	assert_exit(&r, 0);
	run_free(&r);
	assert_groups_found(&gs);
	assert_groups_gone(&gs, "after the container exited");
}

/* Start a container, SIGKILL the container program, and check its groups outlive it. */
static void kill_container_leaving_its_groups(struct groups *gs)
{
	struct run r;

	bool started = start_and_find_groups(&r, (const char *[]){"--pids", "16", NULL}, NULL, gs);
	/*
	 * Another container's start (a test run alongside) would sweep the
	 * groups away: hold the lock its sweep takes while we look.
	 */
	int lock = lock_containers_cgroups();
	run_signal(&r, SIGKILL);
	run_finish(&r);
	bool gone = false, emptied = true;
	/*
	 * Its processes die with it (PR_SET_PDEATHSIG); its groups cannot.
	 * Nothing may fail while the lock is held: a failed assertion leaves
	 * the test at once, and the lock with it, and the teardown's sweep
	 * would wait on it for ever.
	 */
	if (started && gs->n > 0)
		emptied = groups_emptied(gs);
	for (size_t i = 0; i < gs->n; i++)
		gone = gone || !group_exists(gs->g[i].dir);
	if (lock != -1)
		close(lock);
	if (!emptied) {
		print_groups(gs);
		dc_fail("the container's processes are still in its groups 5 s after it was "
			"killed");
	}
	assert_started(&r, started);
	assert_exit(&r, 128 + SIGKILL);
	run_free(&r);
	assert_groups_found(gs);
	if (gone)
		dc_fail("the killed container's groups are gone before any cleanup: who removed "
			"them?");
}

/*
 * Chapter 12: SIGKILL dcrun run. As with runc, the container goes on, in
 * its groups, until its caller ends it: `dcrun delete --force ID` must
 * then leave no group behind. (runc never touches another container's
 * groups as it starts one: there is no "next container" half.)
 */
static void kill_runtime_then_delete(struct groups *gs)
{
	struct run r;
	char root[4096], id[256];

	bool started = start_and_find_groups(&r, (const char *[]){"--pids", "16", NULL}, NULL, gs);
	bool known = started && dcrun_container_of(&r, root, sizeof(root), id, sizeof(id));
	run_signal(&r, SIGKILL);
	int deleted = known ? dcrun_delete_force(root, id, false) : -1;
	run_finish(&r);
	assert_started(&r, started);
	assert_true(known);
	assert_exit(&r, 128 + SIGKILL);
	run_free(&r);
	assert_groups_found(gs);
	assert_int_equal(deleted, 0);
	assert_groups_gone(gs, "after dcrun delete --force of a container whose dcrun was killed");
}

/*
 * SIGKILL leaves the container program no chance to remove its groups:
 * they stay, empty, until `container --cleanup` removes them -- or the
 * next container does, as it starts.
 */
void test_group_of_a_killed_container_is_cleaned_up(void **state)
{
	struct run r;
	struct groups gs;

	(void)state;
	require_root();
	if (runtime_adapter_active()) {
		kill_runtime_then_delete(&gs);
		return;
	}
	kill_container_leaving_its_groups(&gs);
	run_tool(&r, "container", (const char *[]){"--cleanup", NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	assert_groups_gone(&gs, "after container --cleanup");

	kill_container_leaving_its_groups(&gs);
	run_container(&r, (const char *[]){test_rootfs(), "/bin/true", NULL});
	assert_exit(&r, 0);
	run_free(&r);
	assert_groups_gone(&gs, "after the next container ran");
}

/* A limit that is not a number is the user's mistake: say which, exit 125, run nothing. */
void test_bad_limit_is_a_clear_error(void **state)
{
	static const char *const bad[][2] = {
		{"--memory", "lots"}, {"--memory", "0"},  {"--pids", "lots"},
		{"--pids", "0"},      {"--cpus", "lots"},
	};

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;
		char named[64];

		run_container(&r, (const char *[]){bad[i][0], bad[i][1], test_rootfs(), "/bin/echo",
						   "ran", NULL});
		assert_exit(&r, 125);
		snprintf(named, sizeof(named), "%s %s", bad[i][0], bad[i][1]);
		assert_contains(r.err, named);
		assert_not_contains(r.out, "ran");
		run_free(&r);
	}
}

/* Whether a group has a process in it (its cgroup.procs is not empty). */
static bool group_in_use(const char *dir)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	char *procs = read_file_if_there(path);
	bool used = procs != NULL && procs[0] != '\0';
	free(procs);
	return used;
}

/*
 * What a run added to all_groups(): lines of `after` not in `before`. Only
 * an empty one is left behind: one with a process in it is another
 * container's, alive (make test runs valgrind's checks beside these), and
 * an empty one its container is removing goes within moments, while a
 * leftover stays.
 */
static void assert_no_new_group(const char *before, const char *after, const char *when)
{
	for (const char *line = after; line && *line; line = next_line(line)) {
		size_t len = strcspn(line, "\n");
		char dir[1024], listed[1030];

		snprintf(dir, sizeof(dir), "%.*s", (int)len, line);
		snprintf(listed, sizeof(listed), "%s\n", dir);
		if (strstr(before, listed) != NULL || group_in_use(dir))
			continue;
		for (int tries = 0; tries < 30 && group_exists(dir); tries++)
			usleep(100 * 1000);
		if (group_exists(dir) && !group_in_use(dir))
			dc_fail("%s, the group %s was left behind (nothing is to be left "
				"right after a failed start)",
				when, dir);
	}
}

/*
 * A number too big for a long long must not be clamped by strtoll(3) to
 * 2^63-1 and taken: it is refused, like any bad limit, before anything
 * starts -- no group is made, not even for a moment.
 */
void test_overflowing_numbers_are_refused_before_anything_starts(void **state)
{
	/* And the number as config.json says it, where dcrun names it (9999999999 GiB in bytes). */
	static const char *const bad[][3] = {
		{"--memory", "99999999999999999999", "99999999999999999999"},
		{"--memory", "9999999999g", "10737418238926258176"},
		{"--pids", "99999999999999999999", "99999999999999999999"},
		{"--pids", "4194305", "4194305"},
	};

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;
		char named[64];
		char *before = all_groups();

		run_container(&r, (const char *[]){bad[i][0], bad[i][1], test_rootfs(), "/bin/echo",
						   "ran", NULL});
		char *after = all_groups();
		snprintf(named, sizeof(named), "%s %s", bad[i][0], bad[i][1]);
		/* runc exits 1 for any failed start. */
		if (r.exit_code != (runtime_adapter_active() ? 1 : 125))
			dc_fail("%s was taken (exit %d): an overflowing number must be refused",
				named, r.exit_code);
		assert_contains(r.err, runtime_adapter_active() ? bad[i][2] : named);
		assert_not_contains(r.out, "ran");
		run_free(&r);
		assert_no_new_group(before, after, named);
		free(before);
		free(after);
	}
}

/*
 * A start that fails after its groups are made -- here --persist into
 * /sys, where no file can be made -- removes them before it exits 125,
 * with the container's processes: nothing is left for --cleanup. (dcrun:
 * a bind of a missing source, mounted once the process is in its
 * groups; exit 1, as runc.)
 */
void test_failed_start_leaves_no_group(void **state)
{
	struct run r;
	pid_t left[4];
	char *before = all_groups();

	(void)state;
	require_root();
	if (runtime_adapter_active()) {
		/* No --persist in config.json: a bind of a missing source fails the mounts instead. */
		char bind[128];

		snprintf(bind, sizeof(bind), "/dc-no-such-source-%d:/mnt", (int)getpid());
		run_container(&r,
			      (const char *[]){"--memory", "64m", "--pids", "16", "--bind", bind,
					       test_rootfs(), "/bin/sleep", sleeper_mark(), NULL});
		/* runc exits 1 for any failed start. */
		assert_exit(&r, 1);
		assert_contains(r.err, "/dc-no-such-source-");
		if (runtime_adapter_leftover())
			dc_fail("the failed start left %s", runtime_adapter_leftover());
	} else {
		run_container(&r, (const char *[]){"--memory", "64m", "--pids", "16", "--persist",
						   "/sys", test_rootfs(), "/bin/sleep",
						   sleeper_mark(), NULL});
		assert_exit(&r, 125);
		assert_contains(r.err, "/sys/mnt");
	}
	char *after = all_groups();
	run_free(&r);
	if (find_sleepers(left, 4) > 0)
		dc_fail("the failed start left its container running (host pid %d)", (int)left[0]);
	assert_no_new_group(before, after, "after a failed --persist");
	free(before);
	free(after);
}

/*
 * Only root may make groups here: rootless, a limit cannot be kept, and
 * the container says so rather than run without it. Without limits the
 * rootless container runs as ever, root inside.
 */
void test_rootless_refuses_limits_but_runs_without(void **state)
{
	static const char *const limits[][2] = {
		{"--memory", "64m"},
		{"--pids", "16"},
		{"--cpus", "0.5"},
	};
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		run_container_rootless(&r, (const char *[]){limits[i][0], limits[i][1],
							    test_rootfs_for_others(), "/bin/echo",
							    "ran", NULL});
		/* runc exits 1 for any failed start; config.json says linux.resources. */
		assert_exit(&r, runtime_adapter_active() ? 1 : 125);
		assert_contains(r.err, runtime_adapter_active() ? "linux.resources" : limits[i][0]);
		assert_contains(r.err, "root");
		assert_not_contains(r.out, "ran");
		run_free(&r);
	}

	run_container_rootless(
		&r, (const char *[]){test_rootfs_for_others(), "/bin/probe", "uid", NULL});
	assert_exit(&r, 0);
	assert_string_equal(probe_get(&r, "uid"), "0");
	run_free(&r);
}

/*
 * ---- 10 time ------------------------------------------------------------------------
 *
 * The clocks inside are read by the probe, between two readings of the
 * host's: a clock the container shifts by OFFSET lies between the host's
 * before and after, plus OFFSET. /proc/uptime has two decimals (the
 * kernel truncates), the probe's boottime whole seconds: both are
 * compared in the unit they are printed in, so no slack is needed.
 */
enum { OFFSET = 86400 }; /* a day */

struct clocks {
	long long uptime;   /* /proc/uptime, in hundredths of a second */
	long long boottime; /* CLOCK_BOOTTIME, whole seconds */
	long long realtime; /* time(2) */
};

/* "12345.67 ..." (the first field of /proc/uptime) in hundredths; -1 if it is not that. */
static long long parse_uptime(const char *text)
{
	long long seconds;
	int hundredths, digits = 0;

	if (text == NULL || sscanf(text, "%lld.%n", &seconds, &digits) != 1 || digits == 0 ||
	    sscanf(text + digits, "%2d", &hundredths) != 1)
		return -1;
	return seconds * 100 + hundredths;
}

static void host_clocks(struct clocks *c)
{
	struct timespec ts;
	char *uptime = read_file("/proc/uptime");

	c->uptime = parse_uptime(uptime);
	free(uptime);
	assert_int_equal(clock_gettime(CLOCK_BOOTTIME, &ts), 0);
	c->boottime = (long long)ts.tv_sec;
	c->realtime = (long long)time(NULL);
	assert_true(c->uptime >= 0);
}

/* The probe's uptime, boottime and realtime lines. */
static void probe_clocks(const struct run *r, struct clocks *c)
{
	/* probe_get's value lasts until its next call: convert each at once. */
	c->uptime = parse_uptime(probe_get(r, "uptime"));
	c->boottime = probe_get(r, "boottime") ? atoll(probe_get(r, "boottime")) : -1;
	c->realtime = probe_get(r, "realtime") ? atoll(probe_get(r, "realtime")) : -1;
	if (c->uptime < 0 || c->boottime < 0 || c->realtime < 0)
		run_dump(r, "the probe's clocks");
	assert_true(c->uptime >= 0 && c->boottime >= 0 && c->realtime >= 0);
}

static void assert_between(const char *what, long long value, long long low, long long high)
{
	if (value < low || value > high)
		dc_fail("%s is %lld: outside [%lld, %lld]", what, value, low, high);
}

/* Run the probe in a container with `options`, and check that uptime and boottime moved by OFFSET. */
static void check_uptime_offset(const char *const options[], bool rootless)
{
	const char *args[16];
	char offset[32];
	struct clocks before, inside, after;
	struct run r;
	size_t n = 0;

	snprintf(offset, sizeof(offset), "%d", OFFSET);
	args[n++] = "--uptime-offset";
	args[n++] = offset;
	for (size_t i = 0; options[i] != NULL && n < 8; i++)
		args[n++] = options[i];
	args[n++] = rootless ? test_rootfs_for_others() : test_rootfs();
	args[n++] = "/bin/probe";
	args[n++] = "uptime";
	args[n++] = "boottime";
	args[n++] = "realtime";
	args[n++] = "ns.time";
	args[n] = NULL;

	host_clocks(&before);
	if (rootless)
		run_container_rootless(&r, args);
	else
		run_container(&r, args);
	host_clocks(&after);

	assert_exit(&r, 0);
	probe_clocks(&r, &inside);
	assert_between("/proc/uptime inside (hundredths of a second)", inside.uptime,
		       before.uptime + OFFSET * 100LL, after.uptime + OFFSET * 100LL);
	assert_between("CLOCK_BOOTTIME inside (seconds)", inside.boottime, before.boottime + OFFSET,
		       after.boottime + OFFSET);
	/* The kernel's doing: a time namespace, not the host's. */
	if (!probe_in_own_namespace(&r, "time"))
		run_dump(&r, "ns.time: the host's own, or none");
	assert_true(probe_in_own_namespace(&r, "time"));
	run_free(&r);
}

/*
 * --uptime-offset N: the container believes the machine booted N seconds
 * earlier. /proc/uptime and CLOCK_BOOTTIME inside are the host's plus N.
 */
void test_uptime_is_shifted_by_the_offset(void **state)
{
	(void)state;
	require_root();
	check_uptime_offset((const char *[]){NULL}, false);
}

/* The command as PID 1 enters the time namespace by its execve(2), as init's child does by fork. */
void test_uptime_is_shifted_without_init(void **state)
{
	(void)state;
	require_root();
	check_uptime_offset((const char *[]){"--no-init", NULL}, false);
}

/* Time is still time: CLOCK_REALTIME has no namespace, and is the host's. */
void test_wall_clock_is_not_shifted(void **state)
{
	struct clocks before, inside, after;
	struct run r;

	(void)state;
	require_root();
	host_clocks(&before);
	run_container(&r, (const char *[]){"--uptime-offset", "86400", test_rootfs(), "/bin/probe",
					   "uptime", "boottime", "realtime", NULL});
	host_clocks(&after);
	assert_exit(&r, 0);
	probe_clocks(&r, &inside);
	assert_between("CLOCK_REALTIME inside (seconds)", inside.realtime, before.realtime,
		       after.realtime);
	run_free(&r);
}

/* The uptime on the host, as a new process there reads it: hundredths of a second. */
static long long fresh_host_uptime(void)
{
	struct run cat;

	run_program(&cat, (const char *[]){"cat", "/proc/uptime", NULL}, NULL);
	assert_exit(&cat, 0);
	long long uptime = parse_uptime(cat.out);
	run_free(&cat);
	return uptime;
}

/*
 * The offset belongs to the container's time namespace: a process started
 * on the host, while the container runs and after, reads the host's
 * uptime, and so does this one.
 */
void test_host_clocks_are_untouched(void **state)
{
	struct clocks before, during, inside, after;
	struct run r;

	(void)state;
	require_root();
	host_clocks(&before);
	run_start(&r, "container",
		  (const char *[]){
			  "--uptime-offset", "86400", test_rootfs(), "/bin/sh", "-c",
			  "echo ready; read line; exec /bin/probe uptime boottime realtime", NULL});
	const char *line = run_read_line(&r);
	bool ready = line && strcmp(line, "ready") == 0;
	long long fresh_during = fresh_host_uptime();
	host_clocks(&during);
	run_finish(&r);
	long long fresh_after = fresh_host_uptime();
	host_clocks(&after);

	assert_true(ready);
	assert_exit(&r, 0);
	/* The container did shift its own uptime... */
	probe_clocks(&r, &inside);
	assert_between("/proc/uptime inside (hundredths of a second)", inside.uptime,
		       before.uptime + OFFSET * 100LL, after.uptime + OFFSET * 100LL);
	run_free(&r);
	/* ...and the host's stayed the host's. */
	assert_between("the host's /proc/uptime while the container ran", fresh_during,
		       before.uptime, during.uptime);
	assert_between("the host's /proc/uptime after the container", fresh_after, during.uptime,
		       after.uptime);
}

/* Without root: the user namespace's root may make a time namespace, and set its offsets. */
void test_uptime_offset_works_rootless(void **state)
{
	(void)state;
	require_root();
	check_uptime_offset((const char *[]){NULL}, true);
}

/* An offset must be whole seconds: anything else is the user's mistake, exit 125. */
void test_bad_uptime_offset_is_a_clear_error(void **state)
{
	static const char *const bad[] = {"soon", "1.5", "", "86400s", "99999999999999999999"};

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;
		char named[64];

		run_container(&r, (const char *[]){"--uptime-offset", bad[i], test_rootfs(),
						   "/bin/echo", "ran", NULL});
		assert_exit(&r, 125);
		snprintf(named, sizeof(named), "--uptime-offset %s", bad[i]);
		assert_contains(r.err, named);
		assert_not_contains(r.out, "ran");
		run_free(&r);
	}
}

/*
 * CLOCK_BOOTTIME may not go below zero: an offset back past the boot is
 * refused -- by the kernel, when the offset is written (ERANGE) -- and
 * the error names the file it was written to.
 */
void test_uptime_below_zero_is_refused(void **state)
{
	struct clocks now;
	struct run r;
	char offset[32];

	(void)state;
	require_root();
	host_clocks(&now);
	snprintf(offset, sizeof(offset), "-%lld", now.boottime + OFFSET);
	run_container(&r, (const char *[]){"--uptime-offset", offset, test_rootfs(), "/bin/echo",
					   "ran", NULL});
	/* runc exits 1 for any failed start. */
	assert_exit(&r, runtime_adapter_active() ? 1 : 125);
	assert_contains(r.err, "timens_offsets");
	assert_contains(r.err, strerror(ERANGE));
	assert_not_contains(r.out, "ran");
	run_free(&r);
}
