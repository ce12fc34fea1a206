/*
 * test_cgroup.c: cgroup.c's promises, on the layout this machine has
 * (hybrid v1 on the project's hosts, pure v2 in tests/vm.sh's guest).
 * Resolving needs nothing; the rest needs root, and is skipped without it.
 *
 *   gcc -std=gnu17 -Wall -Wextra -Werror -o build/tc test_cgroup.c cgroup.c error.c spec.c -ljson-c
 *   sudo build/tc
 *   BUILD=build tests/vm.sh --share $PWD -- build/tc
 *
 * Exit status: 0 if every promise held, 1 if one did not.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

/* "ok   promise", or "FAIL promise: what was expected, what happened". */
static bool expect(bool ok, const char *promise, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool expect(bool ok, const char *promise, const char *fmt, ...)
{
	printf("%s %s", ok ? "ok  " : "FAIL", promise);
	if (!ok) {
		va_list ap;

		failures++;
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	return ok;
}

static const char *message(const struct error *e)
{
	static char text[2048];
	FILE *f = fmemopen(text, sizeof(text), "w");

	if (f == NULL)
		return "(no message)";
	error_print(e, f);
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* The message of a failure, "" for a success (whose error object is unset). */
static const char *why(int rc, const struct error *e)
{
	return rc == 0 ? "" : message(e);
}

/* config.json with resources: a whole one, since spec_parse checks it all. */
static int load_spec(struct spec *spec, const char *resources)
{
	char json[4096];
	struct error e;

	snprintf(json, sizeof(json),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		 " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
		 " \"linux\": {\"resources\": {%s}}}",
		 resources);
	if (spec_parse(json, strlen(json), spec, &e) == -1) {
		expect(false, "config.json parses", "%s", message(&e));
		return -1;
	}
	return 0;
}

/* --- resolving: no root needed -------------------------------------------------- */

static int resolve(const char *cgroups_path, struct cgroup *cg, struct error *e)
{
	struct spec spec = {.cgroups_path = (char *)cgroups_path};

	return cgroup_resolve(&spec, "c1", cg, e);
}

static void test_empty_path_is_dcrun_id(void)
{
	struct cgroup cg;
	struct error e;
	int rc = resolve(NULL, &cg, &e);

	expect(rc == 0 && strcmp(cg.path, "/dcrun/c1") == 0, __func__, "expected /dcrun/c1, got %s",
	       rc == 0 ? cg.path : message(&e));
}

static void test_absolute_path_is_kept_and_cleaned(void)
{
	struct cgroup cg;
	struct error e;
	int rc = resolve("/libpod_parent//./libpod-c1/", &cg, &e);

	expect(rc == 0 && strcmp(cg.path, "/libpod_parent/libpod-c1") == 0, __func__,
	       "expected /libpod_parent/libpod-c1, got %s", rc == 0 ? cg.path : message(&e));
}

/* Our own group, as /proc/self/cgroup gives it: v2's 0:: line, or v1's memory line. */
static void own_group(int version, char *group, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");

	snprintf(group, size, "/");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if ((version == CGROUP_V2 && strncmp(line, "0::", 3) == 0) ||
		    (version == CGROUP_V1 && strstr(line, ":memory:") != NULL))
			snprintf(group, size, "%s", strrchr(line, ':') + 1);
	}
	if (f)
		fclose(f);
}

static void test_relative_path_is_under_own_group(void)
{
	struct cgroup cg;
	struct error e;
	char own[4096], want[4200];
	int rc = resolve("a/b", &cg, &e);

	if (rc == -1) {
		expect(false, __func__, "%s", message(&e));
		return;
	}
	own_group(cg.version, own, sizeof(own));
	snprintf(want, sizeof(want), "%s/a/b", strcmp(own, "/") == 0 ? "" : own);
	expect(strcmp(cg.path, want) == 0, __func__, "expected %s, got %s", want, cg.path);
}

static void test_refused(const char *promise, const char *cgroups_path, const char *words)
{
	struct cgroup cg;
	struct error e;
	int rc = resolve(cgroups_path, &cg, &e);

	expect(rc == -1 && strstr(message(&e), words) != NULL, promise,
	       "expected a refusal of \"%s\" saying \"%s\", got %s", cgroups_path, words,
	       rc == 0 ? cg.path : message(&e));
}

/* --- entering, freezing, listing, removing: root --------------------------------- */

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd == -1 ? -1 : read(fd, buf, size - 1);

	if (n == -1)
		snprintf(buf, size, "(cannot read: %s)", strerror(errno));
	else
		buf[n] = '\0';
	if (fd != -1)
		close(fd);
}

/* The group's FILE (of controller's v1 hierarchy) reads want, on its first line. */
static void expect_file(const struct cgroup *cg, const char *controller, const char *file,
			const char *want)
{
	char path[4300], got[4096], promise[256];

	if (cg->version == CGROUP_V2)
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", cg->path, file);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/%s", controller, cg->path, file);
	read_file(path, got, sizeof(got));
	got[strcspn(got, "\n")] = '\0';
	snprintf(promise, sizeof(promise), "test_enter_writes_%s", file);
	expect(strcmp(got, want) == 0, promise, "expected %s to read \"%s\", got \"%s\"", path,
	       want, got);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A process to put in the group: it counts, in memory we share, while it runs. */
static pid_t counting_child(volatile unsigned long *counter)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			(*counter)++;
			usleep(1000);
		}
	}
	return pid;
}

/* Every line of /proc/PID/cgroup (each hierarchy) names the group. */
static void test_enter_joins_every_hierarchy(const struct cgroup *cg, pid_t pid)
{
	char path[64], line[4096], bad[4096] = "";
	int lines = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		lines++;
		if (strcmp(strrchr(line, ':') + 1, cg->path) != 0 && bad[0] == '\0')
			snprintf(bad, sizeof(bad), "%s", line);
	}
	if (f)
		fclose(f);
	expect(lines > 0 && bad[0] == '\0', __func__, "expected %s in every line of %s, got \"%s\"",
	       cg->path, path, bad);
}

/*
 * Opening device nodes from inside the group: the rules decide, last
 * match winning. The nodes are made in /dev (devtmpfs: no nodev).
 * c 240:0 has no driver: without a rule against it, open says ENXIO.
 */
static void test_devices_rules_hold(const struct cgroup *cg)
{
	static const struct {
		const char *what;
		unsigned int major, minor;
		int flags;
		int want; /* 0: opens, else errno */
	} cases[] = {
		{"default_list_opens_null", 1, 3, O_RDWR, 0},
		{"allow_then_deny_w_reads_kmsg", 1, 11, O_RDONLY, 0},
		{"allow_then_deny_w_refuses_writing_kmsg", 1, 11, O_WRONLY, EPERM},
		{"unlisted_device_is_refused", 240, 0, O_RDONLY, EPERM},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	char node[N][64];
	int go[2], results[2];
	struct error e;

	for (size_t i = 0; i < N; i++) {
		snprintf(node[i], sizeof(node[i]), "/dev/dcrun-test-%d-%zu", (int)getpid(), i);
		if (mknod(node[i], S_IFCHR | 0666, makedev(cases[i].major, cases[i].minor)) == -1)
			expect(false, __func__, "mknod %s: %s", node[i], strerror(errno));
	}
	if (pipe(go) == -1 || pipe(results) == -1)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		int got[N];

		close(go[1]);
		if (read(go[0], &c, 1) != 1) /* until we are in the group */
			_exit(1);
		for (size_t i = 0; i < N; i++) {
			int fd = open(node[i], cases[i].flags | O_NONBLOCK | O_CLOEXEC);

			got[i] = fd == -1 ? errno : 0;
			if (fd != -1)
				close(fd);
		}
		_exit(write(results[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	close(go[0]);
	close(results[1]);
	int rc = cgroup_join(cg, pid, &e);
	if (!expect(rc == 0, "test_join_moves_a_process", "%s", why(rc, &e)))
		kill(pid, SIGKILL);
	if (write(go[1], "x", 1) != 1)
		kill(pid, SIGKILL);
	close(go[1]);

	int got[N];
	bool read_all = read(results[0], got, sizeof(got)) == sizeof(got);
	close(results[0]);
	waitpid(pid, NULL, 0);
	for (size_t i = 0; i < N; i++) {
		char promise[128];

		unlink(node[i]);
		snprintf(promise, sizeof(promise), "test_devices_%s", cases[i].what);
		expect(read_all && got[i] == cases[i].want, promise, "expected %s, got %s",
		       cases[i].want ? strerror(cases[i].want) : "success",
		       !read_all ? "no answer"
		       : got[i]  ? strerror(got[i])
				 : "success");
	}
}

static void test_freeze_stops_and_thaw_resumes(const struct cgroup *cg, pid_t pid,
					       volatile unsigned long *counter)
{
	struct error e;
	char path[64], stat[512];
	unsigned long before;

	int rc = cgroup_freeze(cg, true, &e);
	if (!expect(rc == 0, "test_freeze_returns_when_frozen", "%s", why(rc, &e)))
		return;
	expect(cgroup_frozen(cg), "test_frozen_says_frozen", "cgroup_frozen said no");
	/* The freezer's own word for it: v1's freezer.state, v2's cgroup.events. */
	char file[4300], text[256];
	if (cg->version == CGROUP_V1)
		snprintf(file, sizeof(file), "/sys/fs/cgroup/freezer%s/freezer.state", cg->path);
	else
		snprintf(file, sizeof(file), "/sys/fs/cgroup%s/cgroup.events", cg->path);
	read_file(file, text, sizeof(text));
	expect(strstr(text, cg->version == CGROUP_V1 ? "FROZEN\n" : "frozen 1\n") != NULL,
	       "test_freezer_file_says_frozen", "expected %s to say %s, got \"%s\"", file,
	       cg->version == CGROUP_V1 ? "FROZEN" : "frozen 1", text);
	before = *counter;
	usleep(200000);
	expect(*counter == before, "test_frozen_process_makes_no_progress",
	       "the counter went from %lu to %lu", before, *counter);
	/* What ps shows of a frozen process: for the lesson, not a promise. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	read_file(path, stat, sizeof(stat));
	printf("     (frozen, /proc/%d/stat says state %c)\n", (int)pid,
	       strrchr(stat, ')') ? strrchr(stat, ')')[2] : '?');

	rc = cgroup_freeze(cg, false, &e);
	expect(rc == 0, "test_thaw_returns_when_thawed", "%s", why(rc, &e));
	expect(!cgroup_frozen(cg), "test_frozen_says_thawed", "cgroup_frozen said yes");
	before = *counter;
	usleep(200000);
	expect(*counter > before, "test_thawed_process_runs_again", "the counter stayed at %lu",
	       before);
}

/* The pids of the group, and of a group the container made inside it. */
static void test_pids_lists_the_group(const struct cgroup *cg, pid_t pid)
{
	char nested[4300], procs[4400], text[32];
	const char *hierarchy = cg->version == CGROUP_V2 ? "" : "/pids";
	pid_t *pids;
	size_t n;
	struct error e;
	int fd;

	snprintf(nested, sizeof(nested), "/sys/fs/cgroup%s%s/nested", hierarchy, cg->path);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", nested);
	snprintf(text, sizeof(text), "%d", (int)pid);
	if (mkdir(nested, 0755) == -1 || (fd = open(procs, O_WRONLY | O_CLOEXEC)) == -1) {
		expect(false, __func__, "cannot make %s: %s", nested, strerror(errno));
		return;
	}
	if (write(fd, text, strlen(text)) == -1)
		expect(false, __func__, "write %s: %s", procs, strerror(errno));
	close(fd);
	if (cgroup_pids(cg, &pids, &n, &e) == -1) {
		expect(false, __func__, "%s", message(&e));
		return;
	}
	expect(n == 1 && pids[0] == pid, __func__, "expected [%d], got %zu pids, the first %d",
	       (int)pid, n, n ? (int)pids[0] : 0);
	free(pids);
}

/* The hierarchies: v2's one, or v1's, as this project's hosts mount them. */
static const char *const v1_hierarchies[] = {"memory",  "pids",    "cpu",     "cpuacct",
					     "cpuset",  "devices", "freezer", "blkio",
					     "systemd", "unified", NULL};

/* group's path in the i-th hierarchy; false past the last. */
static bool in_hierarchy(int version, size_t i, const char *group, char *path, size_t size)
{
	if (version == CGROUP_V2 ? i > 0 : v1_hierarchies[i] == NULL)
		return false;
	if (version == CGROUP_V2)
		snprintf(path, size, "/sys/fs/cgroup%s", group);
	else
		snprintf(path, size, "/sys/fs/cgroup/%s%s", v1_hierarchies[i], group);
	return true;
}

/* The group is gone from every hierarchy. */
static void test_remove_leaves_nothing(const struct cgroup *cg)
{
	char path[4300], left[4300] = "";

	for (size_t i = 0; in_hierarchy(cg->version, i, cg->path, path, sizeof(path)); i++)
		if (exists(path))
			snprintf(left, sizeof(left), "%s", path);
	expect(left[0] == '\0', __func__, "%s is still there", left);
}

static void test_enter_freeze_pids_remove(void)
{
	char resources[2048], cpus[64] = "", swap[64] = "", path[4200], list[4096];
	struct spec spec;
	struct cgroup cg;
	struct error e;
	char id[64];
	volatile unsigned long *counter = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE,
					       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (counter == MAP_FAILED)
		return;
	/* Ask only for what this machine has: a cpuset controller, swap accounting. */
	snprintf(id, sizeof(id), "test-cgroup-%d", (int)getpid());
	if (resolve(NULL, &cg, &e) == -1)
		return;
	char controllers[512] = "";
	read_file("/sys/fs/cgroup/cgroup.controllers", controllers, sizeof(controllers));
	bool has_cpuset = cg.version == CGROUP_V1 ? exists("/sys/fs/cgroup/cpuset/cpuset.cpus")
						  : strstr(controllers, "cpuset") != NULL;
	bool has_swap = cg.version == CGROUP_V2 ||
			exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
	if (has_cpuset)
		snprintf(cpus, sizeof(cpus), ", \"cpus\": \"0\", \"mems\": \"0\"");
	if (has_swap)
		snprintf(swap, sizeof(swap), ", \"swap\": 100663296");
	/* runc's default list, behind a "deny all"; then kmsg allowed, and its writes denied. */
	snprintf(
		resources, sizeof(resources),
		"\"memory\": {\"limit\": 67108864, \"reservation\": 33554432%s},"
		" \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000%s},"
		" \"pids\": {\"limit\": 16},"
		" \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 7, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 8, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 9, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 0, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 2, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"},"
		"  {\"allow\": true, \"type\": \"c\", \"access\": \"m\"},"
		"  {\"allow\": true, \"type\": \"b\", \"access\": \"m\"},"
		"  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rwm\"},"
		"  {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\"}]",
		swap, cpus);
	if (load_spec(&spec, resources) == -1)
		return;
	if (cgroup_resolve(&spec, id, &cg, &e) == -1) {
		expect(false, "test_resolve", "%s", message(&e));
		spec_free(&spec);
		return;
	}
	printf("     (cgroup v%d, the group %s)\n", cg.version, cg.path);

	pid_t pid = counting_child(counter);
	int rc = cgroup_enter(&cg, &spec, pid, &e);
	if (!expect(rc == 0, "test_enter_succeeds", "%s", why(rc, &e)))
		goto out;
	test_enter_joins_every_hierarchy(&cg, pid);
	if (cg.version == CGROUP_V2) {
		/* The parent passes the controllers down; the group holds the limits. */
		char parent[4300], enabled[256];
		snprintf(parent, sizeof(parent), "/sys/fs/cgroup%.*s/cgroup.subtree_control",
			 (int)(strrchr(cg.path, '/') - cg.path), cg.path);
		read_file(parent, enabled, sizeof(enabled));
		expect(strstr(enabled, "memory") && strstr(enabled, "pids") &&
			       strstr(enabled, "cpu"),
		       "test_enter_enables_controllers_in_the_parent",
		       "expected memory, pids and cpu in %s, got \"%s\"", parent, enabled);
		expect_file(&cg, "", "memory.max", "67108864");
		expect_file(&cg, "", "memory.low", "33554432");
		expect_file(&cg, "", "memory.swap.max", "33554432"); /* 96M - 64M */
		expect_file(&cg, "", "pids.max", "16");
		expect_file(&cg, "", "cpu.max", "50000 100000");
		expect_file(&cg, "", "cpu.weight", "20"); /* 1 + (510 * 9999) / 262142 */
		if (has_cpuset)
			expect_file(&cg, "", "cpuset.cpus", "0");
	} else {
		expect_file(&cg, "memory", "memory.limit_in_bytes", "67108864");
		expect_file(&cg, "memory", "memory.soft_limit_in_bytes", "33554432");
		if (has_swap)
			expect_file(&cg, "memory", "memory.memsw.limit_in_bytes", "100663296");
		expect_file(&cg, "pids", "pids.max", "16");
		expect_file(&cg, "cpu", "cpu.shares", "512");
		expect_file(&cg, "cpu", "cpu.cfs_quota_us", "50000");
		expect_file(&cg, "cpu", "cpu.cfs_period_us", "100000");
		if (has_cpuset)
			expect_file(&cg, "cpuset", "cpuset.cpus", "0");
		/* v1's own list: the exceptions to "deny all", kmsg without its w. */
		snprintf(path, sizeof(path), "/sys/fs/cgroup/devices%s/devices.list", cg.path);
		read_file(path, list, sizeof(list));
		expect(strstr(list, "c 1:3 rwm\n") && strstr(list, "c 1:11 rm\n") &&
			       !strstr(list, "a *:*"),
		       "test_enter_writes_devices.list",
		       "expected c 1:3 rwm and c 1:11 rm, and no a *:*, got \"%s\"", list);
	}
	test_devices_rules_hold(&cg);
	test_freeze_stops_and_thaw_resumes(&cg, pid, counter);
	test_pids_lists_the_group(&cg, pid);

	/* A group that holds a process stays: rmdir says EBUSY, after a second of retries. */
	rc = cgroup_remove(&cg, &e);
	expect(rc == -1 && e.err == EBUSY, "test_remove_refuses_a_group_in_use",
	       "expected EBUSY, got %s", rc == 0 ? "success" : message(&e));
out:
	/* As `dcrun delete --force`: SIGKILL, and remove at once, dying or not (nor reaped). */
	kill(pid, SIGKILL);
	rc = cgroup_remove(&cg, &e);
	expect(rc == 0, "test_remove_succeeds_right_after_sigkill", "%s", why(rc, &e));
	waitpid(pid, NULL, 0);
	test_remove_leaves_nothing(&cg);
	spec_free(&spec);
	munmap((void *)counter, sizeof(*counter));
}

/* A write the kernel refuses names the file: a CPU this machine does not have. */
static void test_enter_error_names_the_file(void)
{
	struct spec spec;
	struct cgroup cg;
	struct error e;
	char id[64];

	if (load_spec(&spec, "\"cpu\": {\"cpus\": \"4095\"}") == -1)
		return;
	snprintf(id, sizeof(id), "test-cgroup-bad-%d", (int)getpid());
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int rc = cgroup_resolve(&spec, id, &cg, &e);
	if (rc == 0)
		rc = cgroup_enter(&cg, &spec, pid, &e);
	expect(rc == -1 && (strstr(message(&e), "cpuset.cpus") != NULL ||
			    strstr(message(&e), "cpuset") != NULL),
	       __func__, "expected a failed write to cpuset.cpus, got %s",
	       rc == 0 ? "success" : message(&e));
	printf("     (%s)\n", why(rc, &e));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rc = cgroup_remove(&cg, &e);
	expect(rc == 0, "test_remove_undoes_a_failed_enter", "%s", why(rc, &e));
	test_remove_leaves_nothing(&cg);
	spec_free(&spec);
}

/* Without root, mkdir says EACCES: the message hints at root. */
static void test_non_root_gets_the_root_hint(void)
{
	struct cgroup cg;
	struct error e;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct spec spec = {.cgroups_path = NULL};

		spec.resources.memory_limit = spec.resources.memory_reservation = -1;
		spec.resources.memory_swap = spec.resources.cpu_quota = -1;
		if (setresgid(65534, 65534, 65534) == -1 || setresuid(65534, 65534, 65534) == -1)
			_exit(2);
		if (cgroup_resolve(&spec, "test-cgroup-nobody", &cg, &e) == -1 ||
		    cgroup_enter(&cg, &spec, getpid(), &e) == 0)
			_exit(3);
		_exit(e.hint == HINT_ROOT ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, __func__,
	       "expected HINT_ROOT, the child exited %d", WEXITSTATUS(status));
}

int main(void)
{
	test_empty_path_is_dcrun_id();
	test_absolute_path_is_kept_and_cleaned();
	test_relative_path_is_under_own_group();
	test_refused("test_dotdot_is_refused", "/a/../../etc", "climbs out");
	test_refused("test_systemd_form_is_refused", "machine.slice:libpod:c1",
		     "--systemd-cgroup is not supported");
	test_refused("test_root_group_is_refused", "/", "root group");
	if (geteuid() != 0) {
		printf("skip the rest: it makes cgroups, and needs root\n");
		return failures ? 1 : 0;
	}
	/* /dcrun, the parent cgroup_remove leaves: ours to remove if we made it. */
	struct cgroup cg;
	struct error e;
	char path[4300];

	if (resolve(NULL, &cg, &e) == -1)
		return 1;
	in_hierarchy(cg.version, 0, "/dcrun", path, sizeof(path));
	bool made_parent = !exists(path);

	test_enter_freeze_pids_remove();
	test_enter_error_names_the_file();
	test_non_root_gets_the_root_hint();
	for (size_t i = 0; made_parent && in_hierarchy(cg.version, i, "/dcrun", path, sizeof(path));
	     i++)
		if (rmdir(path) == -1 && errno != ENOENT)
			expect(false, "test_nothing_is_left", "rmdir %s: %s", path,
			       strerror(errno));
	printf("%s\n", failures ? "some promises failed" : "every promise held");
	return failures ? 1 : 0;
}
