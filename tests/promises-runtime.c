/*
 * The promises of chapter 12 (runtime): see promises-runtime.h.
 *
 * Each test writes a bundle in a temporary directory: the config.json
 * that `dcrun spec` writes, edited with json-c, whose root.path is the
 * test rootfs (kept read-only, as `dcrun spec` asks: every test shares
 * it). It drives dcrun with a --root of its own under that directory, so
 * that its containers are the only ones there, and the teardown deletes
 * them with --force even when an assertion failed half way.
 *
 * `create` and `run --detach` leave a container running with dcrun's
 * standard streams: the tests give those commands files for them
 * (DIR/NAME.out, DIR/NAME.err), never the harness's pipes, which would
 * stay open as long as the container runs.
 *
 * The promises themselves are listed, in words, in tests/promises.list
 * (KIND "runtime").
 */
#define _GNU_SOURCE
#include "promises-runtime.h"
#include "promises.h"
#include "promises-cgroup-time.h"
#include "promises-compose.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- What a test keeps until its teardown ---------------------------------------------------- */

enum { MAX_KEPT = 256 };
static char *kept[MAX_KEPT];
static json_object *kept_json[MAX_KEPT];

/* A malloc'd string, freed after the test (so that a failed assertion leaks nothing). */
static char *keep(char *text)
{
	for (int i = 0; text && i < MAX_KEPT; i++) {
		if (kept[i] == NULL) {
			kept[i] = text;
			return text;
		}
	}
	fprintf(stderr, "promises: more than %d kept strings in one test\n", MAX_KEPT);
	exit(2);
}

static json_object *keep_json(json_object *o)
{
	for (int i = 0; o && i < MAX_KEPT; i++) {
		if (kept_json[i] == NULL) {
			kept_json[i] = o;
			return o;
		}
	}
	fprintf(stderr, "promises: more than %d kept JSON values in one test\n", MAX_KEPT);
	exit(2);
}

/* printf into a string kept until the end of the test. */
const char *text(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1) {
		fprintf(stderr, "promises: out of memory\n");
		exit(2);
	}
	return keep(s);
}

/* ---- Small helpers --------------------------------------------------------------------------- */

static const char *next_line(const char *line)
{
	const char *end = strchr(line, '\n');

	return end && end[1] ? end + 1 : NULL;
}

/* The value of a "KEY=VALUE" line of a text (probe_get, for any text), or NULL. */
static const char *value_in(const char *text_, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = text_; line && *line; line = next_line(line)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=')
			return text("%.*s", (int)strcspn(line + klen + 1, "\n"), line + klen + 1);
	}
	return NULL;
}

bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void pause_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Polling: every 20 ms, for up to 10 s. No test asserts how long anything took. */
enum { POLL_MS = 20, POLL_TRIES = 500 };

static bool wait_for_file(const char *path)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		if (exists(path))
			return true;
		pause_ms(POLL_MS);
	}
	return false;
}

/* A file's contents (kept), or "" when it cannot be read. */
const char *contents(const char *path)
{
	char *t = read_file_if_there(path);

	return t ? keep(t) : "";
}

/* Whether pid runs: there, and not a zombie (the tests reap the containers they inherit). */
static bool alive(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *stat = read_file_if_there(path);
	/* "PID (COMM) STATE ...": the state follows the last ")", whatever COMM holds. */
	const char *end = stat ? strrchr(stat, ')') : NULL;
	bool yes = end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
	free(stat);
	return yes;
}

/* The sleepers a test starts inside are `sleep MARK`: the host's process list tells them apart. */
const char *mark(void)
{
	static char m[32];

	snprintf(m, sizeof(m), "6%07d", (int)getpid());
	return m;
}

int sleepers(pid_t *pids, int max)
{
	return find_sleeping(mark(), pids, max);
}

/* Poll until exactly `n` sleepers run (one started with `&` may not have exec'd sleep yet). */
static bool wait_for_sleepers(pid_t *pids, int max, int n)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		if (sleepers(pids, max) == n)
			return true;
		pause_ms(POLL_MS);
	}
	return false;
}

/* A container id of this test run: "dc-TAG-PID", so that concurrent runs never share a group. */
const char *container_id(const char *tag)
{
	return text("dc-%s-%d", tag, (int)getpid());
}

/*
 * The error lines of a refusal: one line of dcrun's ("dcrun: ...", or a
 * usage error's "dcrun kill: ..."), then at most its "  hint: " line.
 */
static void expect_one_clear_line(const char *err, const char *names, const char *what)
{
	int lines = 0, messages = 0, others = 0;

	for (const char *line = err; line && *line; line = next_line(line)) {
		/* valgrind's and ASan's own notes, never their errors. */
		if (tool_note_line(line))
			continue;
		lines++;
		if (strncmp(line, "dcrun", 5) == 0)
			messages++;
		else if (strncmp(line, "  hint: ", 8) != 0)
			others++;
	}
	if (messages != 1 || others != 0 || lines > 2)
		dc_fail("%s should say why in one line (\"dcrun: ...\", and maybe a hint line); "
			"stderr has %d lines:\n%s",
			what, lines, err);
	if (strstr(err, names) == NULL)
		dc_fail("%s should name %s in its message; it says:\n%s", what, names, err);
}

/* ---- Bundles --------------------------------------------------------------------------------- */

/* struct bundle: promises-runtime.h. */
enum { MAX_BUNDLES = 8 };
static struct bundle bundles[MAX_BUNDLES];

/* A JSON value from text the test wrote; a mistake there is the test's own. */
json_object *json(const char *fmt, ...)
{
	char *t = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&t, fmt, ap);
	va_end(ap);
	json_object *v = n == -1 ? NULL : json_tokener_parse(t);
	if (v == NULL) {
		fprintf(stderr, "promises: the test's own JSON does not parse: %s\n", t ? t : "");
		exit(2);
	}
	free(t);
	return v;
}

/* A JSON string literal of s: for paths put into json() text. */
static const char *quoted(const char *s)
{
	json_object *o = keep_json(json_object_new_string(s));

	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

static json_object *strings(const char *const list[])
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; list[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(list[i]));
	return a;
}

/* The object at a dotted path of config.json ("linux.resources.memory"), made where missing. */
static json_object *object_at(json_object *o, const char *path)
{
	char key[128];

	while (*path != '\0') {
		size_t n = strcspn(path, ".");
		json_object *next = NULL;

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_object_get_ex(o, key, &next) ||
		    !json_object_is_type(next, json_type_object)) {
			next = json_object_new_object();
			json_object_object_add(o, key, next);
		}
		o = next;
		path += n + (path[n] == '.');
	}
	return o;
}

/* config.json's PATH ("process.user.uid") set to a value (taken over), or removed (NULL). */
void set(struct bundle *b, const char *path, json_object *value)
{
	char parent[256];
	const char *dot = strrchr(path, '.');

	snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - path) : 0, path);
	json_object *o = object_at(b->config, parent);
	if (value == NULL)
		json_object_object_del(o, dot ? dot + 1 : path);
	else
		json_object_object_add(o, dot ? dot + 1 : path, value);
}

/* The array at PATH, made if missing, and a value appended to it. */
void append(struct bundle *b, const char *path, json_object *value)
{
	char parent[256];
	const char *dot = strrchr(path, '.');
	json_object *a = NULL;

	snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - path) : 0, path);
	json_object *o = object_at(b->config, parent);
	const char *key = dot ? dot + 1 : path;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array)) {
		a = json_object_new_array();
		json_object_object_add(o, key, a);
	}
	json_object_array_add(a, value);
}

/* linux.namespaces: the one of TYPE given a path to join, or removed (path NULL). */
static void namespace_path(struct bundle *b, const char *type, const char *path)
{
	json_object *list = NULL;

	json_object_object_get_ex(object_at(b->config, "linux"), "namespaces", &list);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *ns = json_object_array_get_idx(list, i), *t = NULL;

		if (!json_object_object_get_ex(ns, "type", &t) ||
		    strcmp(json_object_get_string(t), type) != 0)
			continue;
		if (path == NULL) {
			json_object_array_del_idx(list, i, 1);
		} else {
			json_object_object_add(ns, "path", json_object_new_string(path));
		}
		return;
	}
	dc_fail("dcrun spec's config.json has no %s namespace to change", type);
}

/*
 * A bundle for ARGS: `dcrun spec`'s config.json, with no terminal (the
 * tests have none), the test rootfs as root.path (read-only, as spec
 * writes it: it is shared by every test), and the command.
 */
struct bundle *make_bundle(const char *tag, const char *const args[])
{
	struct run r;
	int slot = 0;

	while (slot < MAX_BUNDLES && bundles[slot].dir != NULL)
		slot++;
	if (slot == MAX_BUNDLES)
		dc_fail("a test made more than %d bundles", MAX_BUNDLES);
	struct bundle *b = &bundles[slot];
	b->dir = make_temp_dir(tag);
	snprintf(b->root, sizeof(b->root), "%s/state", b->dir);
	snprintf(b->shared, sizeof(b->shared), "%s/shared", b->dir);
	if (mkdir(b->shared, 0755) == -1)
		dc_fail("mkdir %s: %s", b->shared, strerror(errno));
	run_tool(&r, "dcrun", (const char *[]){"spec", "--bundle", b->dir, NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	const char *path = text("%s/config.json", b->dir);
	b->config = json_object_from_file(path);
	if (b->config == NULL)
		dc_fail("dcrun spec wrote a config.json json-c cannot read: %s",
			json_util_get_last_err());
	set(b, "process.terminal", json_object_new_boolean(false));
	set(b, "process.args", strings(args));
	set(b, "root.path", json_object_new_string(test_rootfs()));
	/*
	 * valgrind keeps RLIMIT_NOFILE to itself and refuses (EPERM) any
	 * setrlimit(2) of it that changes the hard limit: under it, leave
	 * spec's 1024:1024 out. The other runs set it.
	 */
	if (under_valgrind())
		set(b, "process.rlimits", NULL);
	return b;
}

/* DIR/shared bound read-write on /mnt (which the rootfs has), for the command's traces. */
static void share_mnt(struct bundle *b)
{
	append(b, "mounts",
	       json("{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": %s, "
		    "\"options\": [\"rbind\", \"rw\"]}",
		    quoted(b->shared)));
}

static const char *shared_file(const struct bundle *b, const char *name)
{
	return text("%s/%s", b->shared, name);
}

void map_users(struct bundle *b)
{
	/* Remapped: the rootfs must be reachable by 100000, which it is or a copy is. */
	set(b, "root.path", json_object_new_string(test_rootfs_for_others()));
	append(b, "linux.namespaces", json("{\"type\": \"user\"}"));
	set(b, "linux.uidMappings",
	    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
	set(b, "linux.gidMappings",
	    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
}

/* B's directory removed and its slot free again: a test's next case makes a bundle of its own. */
static void forget_bundle(struct bundle *b)
{
	json_object_put(b->config);
	b->config = NULL;
	remove_tree(b->dir);
	b->dir = NULL;
}

void save(const struct bundle *b)
{
	const char *path = text("%s/config.json", b->dir);

	if (json_object_to_file_ext(path, b->config, JSON_C_TO_STRING_PRETTY) == -1)
		dc_fail("write %s: %s", path, json_util_get_last_err());
	harness_save_config(path);
}

/* ---- Running dcrun --------------------------------------------------------------------------- */

/* --root B's state directory, then args: a static array, valid until the next call. */
static const char *const *rooted(const struct bundle *b, const char *const args[])
{
	static const char *argv[48];
	size_t n = 0;

	argv[n++] = "--root";
	argv[n++] = b->root;
	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return argv;
}

void dcrun(struct run *r, const struct bundle *b, const char *const args[])
{
	run_tool(r, "dcrun", rooted(b, args), NULL);
}

/*
 * A dcrun command that leaves a container running (create, run
 * --detach): its stdout and stderr, which the container inherits, go to
 * DIR/NAME.out and DIR/NAME.err; dcrun's own stderr is then copied to
 * the run's, for the test to read.
 */
static void dcrun_aside(struct run *r, const struct bundle *b, const char *name,
			const char *const args[])
{
	const char *base = text("%s/%s", b->dir, name);
	const char *const prefix[] = {
		"/bin/sh", "-c",
		"\"$@\" >\"$0.out\" 2>\"$0.err\" </dev/null; s=$?; cat \"$0.err\" >&2; exit $s",
		base, NULL};

	run_start_prefixed(r, prefix, "dcrun", rooted(b, args));
	run_finish(r);
}

/*
 * A dcrun a test leaves running while it looks (a create held half way):
 * dcrun itself (the shell execs it), its streams to DIR/NAME.out and
 * .err. One at a time; the teardown ends it first, since it holds its
 * container's lock, which delete --force would wait for.
 */
static struct run background;
static bool background_running;

static pid_t start_in_background(const struct bundle *b, const char *name, const char *const args[])
{
	const char *base = text("%s/%s", b->dir, name);
	const char *const prefix[] = {
		"/bin/sh", "-c", "exec \"$@\" >\"$0.out\" 2>\"$0.err\" </dev/null", base, NULL};

	if (background_running)
		dc_fail("a test started a second dcrun in the background");
	run_start_prefixed(&background, prefix, "dcrun", rooted(b, args));
	background_running = true;
	return background.pid;
}

/* Wait for it (after a signal, maybe); its exit status. */
static int finish_background(void)
{
	run_finish(&background);
	run_free(&background);
	background_running = false;
	return background.exit_code;
}

static void create(const struct bundle *b, const char *id)
{
	struct run r;

	dcrun_aside(&r, b, id, (const char *[]){"create", "--bundle", b->dir, id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

static void run_detached(const struct bundle *b, const char *id)
{
	struct run r;

	dcrun_aside(&r, b, id, (const char *[]){"run", "--detach", "--bundle", b->dir, id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

static void start(const struct bundle *b, const char *id)
{
	struct run r;

	dcrun(&r, b, (const char *[]){"start", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

/* `dcrun state ID` parsed (kept), or NULL when it fails. */
static json_object *state_of(const struct bundle *b, const char *id)
{
	struct run r;

	dcrun(&r, b, (const char *[]){"state", id, NULL});
	json_object *o = r.exit_code == 0 ? json_tokener_parse(r.out) : NULL;
	run_free(&r);
	return o ? keep_json(o) : NULL;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *status_of(const struct bundle *b, const char *id)
{
	json_object *s = member(state_of(b, id), "status");

	return s && json_object_is_type(s, json_type_string) ? json_object_get_string(s)
							     : "(no state: dcrun state failed)";
}

static pid_t pid_of(const struct bundle *b, const char *id)
{
	json_object *p = member(state_of(b, id), "pid");

	return p && json_object_is_type(p, json_type_int) ? (pid_t)json_object_get_int(p) : 0;
}

static bool wait_for_status(const struct bundle *b, const char *id, const char *want)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		if (strcmp(status_of(b, id), want) == 0)
			return true;
		pause_ms(POLL_MS);
	}
	return false;
}

static void expect_status(const struct bundle *b, const char *id, const char *want, const char *why)
{
	const char *got = status_of(b, id);

	if (strcmp(got, want) != 0)
		dc_fail("dcrun state %s says \"%s\"; it should say \"%s\": %s", id, got, want, why);
}

static void expect_probe(const char *out, const char *key, const char *want, const char *why)
{
	const char *got = value_in(out, key);

	if (got == NULL || strcmp(got, want) != 0) {
		print_error("the container printed:\n%s\n", out);
		dc_fail("%s should be %s; it is %s. %s", key, want, got ? got : "(not printed)",
			why);
	}
}

/* ---- The container's groups ------------------------------------------------------------------ */

static bool cgroup_v2(void)
{
	struct statfs fs;

	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
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

/* Where the cgroup hierarchy with CONTROLLERS ("memory", "name=systemd"; "" for v2) is mounted. */
static bool hierarchy_of(const char *controllers, char *point, size_t size)
{
	char *table = host_mount_table();
	char first[128] = "";
	bool found = false;

	sscanf(controllers, "%127[^,]", first);
	for (const char *line = table; line && !found; line = next_line(line)) {
		char at[512], fstype[64], source[256], options[512];
		const char *dash = strstr(line, " - ");

		/* "ID PARENT MAJ:MIN ROOT POINT OPTIONS [FIELDS...] - FSTYPE SOURCE SUPER" */
		if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %511s", at) != 1 ||
		    sscanf(dash, " - %63s %255s %511s", fstype, source, options) != 3)
			continue;
		if (controllers[0] == '\0'
			    ? strcmp(fstype, "cgroup2") == 0
			    : strcmp(fstype, "cgroup") == 0 && has_item(options, first)) {
			snprintf(point, size, "%s", at);
			found = true;
		}
	}
	free(table);
	return found;
}

struct groups {
	char controllers[16][128]; /* "memory", "cpu,cpuacct", "name=systemd"; "" on v2 */
	char dir[16][1024];        /* the group's directory on the host */
	size_t n;
};

/* The groups of pid that are its own: those /proc/PID/cgroup names, where ours differ. */
static void groups_of(pid_t pid, struct groups *gs)
{
	char *theirs = read_file_if_there(text("/proc/%d/cgroup", (int)pid));
	char *ours = read_file("/proc/self/cgroup");

	gs->n = 0;
	for (const char *line = theirs; line && *line && gs->n < 16; line = next_line(line)) {
		char head[160], path[512] = "", point[512];
		size_t hlen = strcspn(line, ":");

		/* "ID:CONTROLLERS:PATH": our line with the same ID:CONTROLLERS: names our group. */
		hlen += strcspn(line + hlen + 1, ":") + 2;
		snprintf(head, sizeof(head), "%.*s", (int)hlen, line);
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(line + hlen, "\n"), line + hlen);
		bool same = false;
		for (const char *o = ours; o && *o; o = next_line(o)) {
			if (strncmp(o, head, hlen) == 0 &&
			    strncmp(o + hlen, path, strlen(path)) == 0 &&
			    o[hlen + strlen(path)] == '\n')
				same = true;
		}
		char *controllers = gs->controllers[gs->n];
		snprintf(controllers, sizeof(gs->controllers[0]), "%.*s",
			 (int)(hlen - strcspn(line, ":") - 2), line + strcspn(line, ":") + 1);
		if (same || !hierarchy_of(controllers, point, sizeof(point)))
			continue;
		snprintf(gs->dir[gs->n], sizeof(gs->dir[0]), "%s%s", point, path);
		gs->n++;
	}
	free(theirs);
	free(ours);
}

/* The group holding CONTROLLER (v1), or v2's one group; NULL if none. */
static const char *group_with(const struct groups *gs, const char *controller)
{
	for (size_t i = 0; i < gs->n; i++) {
		if (has_item(gs->controllers[i], controller))
			return gs->dir[i];
	}
	for (size_t i = 0; i < gs->n; i++) {
		if (gs->controllers[i][0] == '\0')
			return gs->dir[i];
	}
	return NULL;
}

/* One line of a group's file, without its newline (kept), or NULL. */
static const char *group_file(const struct groups *gs, const char *controller, const char *file)
{
	const char *dir = group_with(gs, controller);
	char *t = dir ? read_file_if_there(text("%s/%s", dir, file)) : NULL;

	if (t == NULL)
		return NULL;
	t[strcspn(t, "\n")] = '\0';
	return keep(t);
}

static void expect_groups_found(const struct groups *gs, pid_t pid)
{
	if (gs->n == 0)
		dc_fail("the container's process (host pid %d) is in no cgroup of its own:\n%s",
			(int)pid, contents(text("/proc/%d/cgroup", (int)pid)));
}

static void expect_groups_gone(const struct groups *gs, const char *when)
{
	for (size_t i = 0; i < gs->n; i++) {
		if (exists(gs->dir[i]))
			dc_fail("%s, the container's group %s is still there", when, gs->dir[i]);
	}
}

/*
 * CPU time the group has used, in ns: v1's cpuacct.usage, or v2's
 * cpu.stat usage_usec; -1 if neither. It keeps nothing: a test polls it.
 */
static long long cpu_used(const struct groups *gs)
{
	const char *v1 = cgroup_v2() ? NULL : group_with(gs, "cpuacct");
	const char *dir = v1 ? v1 : group_with(gs, "");
	char path[1100];
	long long used = -1;

	if (dir == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, v1 ? "cpuacct.usage" : "cpu.stat");
	char *t = read_file_if_there(path);
	const char *usage = t && !v1 ? strstr(t, "usage_usec ") : t;
	if (usage != NULL)
		used = v1 ? atoll(usage) : atoll(usage + 11) * 1000;
	free(t);
	return used;
}

/* ---- Setup and teardown ---------------------------------------------------------------------- */

static struct {
	char *dir; /* T: root/, runroot/, tmp/, rootfs.tar, volumes */
	char root[4200], runroot[4200], tmp[4200];
	char runtime[4300];
	bool used; /* by the test now running: its containers are removed after it */
} storage;

static void remove_podman_containers(void);
static void remove_storage(void);

int runtime_setup(void **state)
{
	/* The earlier chapters' (host names, the marker file), then dcrun's own. */
	if (promises_setup(state) != 0)
		return -1;
	if (access(impl_path("dcrun"), X_OK) == -1) {
		fprintf(stderr, "promises: no dcrun at %s (DC_IMPL is the directory holding it)\n",
			impl_path("dcrun"));
		return -1;
	}
	/*
	 * Once create has exited, the container's process is an orphan: the
	 * nearest subreaper, else init, becomes its parent and must reap it.
	 * Some inits do not (a container's own pid 1, a VM's agent), and a
	 * zombie keeps its pid: be the subreaper, and reap.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("promises: prctl PR_SET_CHILD_SUBREAPER");
		return -1;
	}
	return 0;
}

int runtime_teardown(void **state)
{
	(void)state;
	remove_storage();
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return cgroup_promises_teardown(state);
}

/* Every container under B's --root goes, whatever state it is in. */
static void delete_all(const struct bundle *b)
{
	DIR *d = opendir(b->root);
	const struct dirent *e;
	char ids[64][256];
	int n = 0;

	while (d && (e = readdir(d)) != NULL && n < 64) {
		if (e->d_name[0] != '.')
			snprintf(ids[n++], sizeof(ids[0]), "%s", e->d_name);
	}
	if (d)
		closedir(d);
	for (int i = 0; i < n; i++) {
		struct run r;

		dcrun(&r, b, (const char *[]){"delete", "--force", ids[i], NULL});
		if (r.exit_code != 0)
			fprintf(stderr, "promises: dcrun delete --force %s: exit %d: %s", ids[i],
				r.exit_code, r.err);
		run_free(&r);
	}
}

/* Its processes killed, and the group thawed (a frozen process dies only once thawed). */
static void empty_and_thaw(const char *dir)
{
	/* Not text(): a test may leave more groups than it keeps strings. */
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	char *procs = read_file_if_there(path);
	for (const char *line = procs; line && *line; line = next_line(line))
		kill((pid_t)atoi(line), SIGKILL);
	free(procs);
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	if (exists(path))
		write_file(path, "THAWED");
	snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	if (exists(path))
		write_file(path, "0");
}

static void remove_group(const char *dir)
{
	bool removed = false;

	for (int t = 0; t < 50 && !removed; t++) {
		removed = rmdir(dir) == 0 || errno == ENOENT;
		if (!removed)
			pause_ms(POLL_MS);
	}
	fprintf(stderr, "promises: a group dcrun left, %s: %s\n", dir,
		removed ? "removed" : strerror(errno));
}

/*
 * The groups of this run's containers that dcrun left (after a failed
 * test, or a dcrun that crashed): emptied, thawed, and removed, with a
 * word, so that the next run starts clean. Their names hold our pid:
 * dcrun/dc-TAG-PID (no cgroupsPath), and /dc-runtime-PID-WHAT.
 */
static void remove_groups_left(void)
{
	const char *patterns[] = {
		text("/sys/fs/cgroup/*/dcrun/dc-*-%d", (int)getpid()),
		text("/sys/fs/cgroup/dcrun/dc-*-%d", (int)getpid()),
		text("/sys/fs/cgroup/*/dc-runtime-%d-*", (int)getpid()),
		text("/sys/fs/cgroup/dc-runtime-%d-*", (int)getpid()),
	};

	/* Every group emptied and thawed before any is removed: a v1 freezer may come last. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
			glob_t g;

			if (glob(patterns[p], GLOB_ONLYDIR, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc; i++) {
				if (pass == 0)
					empty_and_thaw(g.gl_pathv[i]);
				else
					remove_group(g.gl_pathv[i]);
			}
			globfree(&g);
		}
	}
}

static void end_tmux(void);

int runtime_teardown_test(void **state)
{
	pid_t left[16];

	end_tmux(); /* a terminal test's tmux server, if it failed half way */
	if (background_running) {
		run_signal(&background, SIGKILL);
		finish_background();
	}
	/*
	 * A detached exec's process is ours to reap (we are the subreaper):
	 * while it is a zombie in the container's PID namespace, the dying
	 * init waits for it, and so would delete.
	 */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < MAX_BUNDLES; i++) {
		if (bundles[i].dir)
			delete_all(&bundles[i]);
		if (bundles[i].config)
			json_object_put(bundles[i].config);
		memset(&bundles[i], 0, sizeof(bundles[i]));
	}
	if (storage.used)
		remove_podman_containers();
	storage.used = false;
	int n = sleepers(left, 16);
	for (int i = 0; i < n; i++)
		kill(left[i], SIGKILL);
	/* SIGKILL takes effect when the process next runs: let the next test start without them. */
	if (n > 0 && !wait_for_sleepers(left, 16, 0))
		fprintf(stderr, "promises: sleeper %d outlived SIGKILL\n", (int)left[0]);
	remove_groups_left();
	/* The containers this process inherited as their subreaper, now ended. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < MAX_KEPT; i++) {
		free(kept[i]);
		kept[i] = NULL;
		if (kept_json[i])
			json_object_put(kept_json[i]);
		kept_json[i] = NULL;
	}
	return harness_teardown_test(state);
}

/* ---- The lifecycle --------------------------------------------------------------------------- */

/*
 * create builds the container and leaves its process waiting on
 * exec.fifo: state says created, the pid lives, and the command has not
 * run (it would have left /mnt/ran). start lets it run.
 */
void test_create_leaves_the_process_waiting_for_start(void **state)
{
	const char *id = container_id("wait");

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("wait", (const char *[]){"/bin/sh", "-c",
						     "echo ran >/mnt/ran; "
						     "while [ ! -e /mnt/go ]; do sleep 0.05; done",
						     NULL});
	share_mnt(b);
	save(b);
	create(b, id);
	expect_status(b, id, "created", "create leaves the process waiting for start");
	pid_t pid = pid_of(b, id);
	if (!alive(pid))
		dc_fail("after create, state gives pid %d, which is not a live process", (int)pid);
	/* A process not held back would have run by now, and many times over. */
	pause_ms(300);
	if (exists(shared_file(b, "ran")))
		dc_fail("the command ran before start: create must leave it waiting on exec.fifo "
			"(lesson 12, \"create and start\")");
	expect_status(b, id, "created", "only start may let the command run");

	start(b, id);
	if (!wait_for_file(shared_file(b, "ran")))
		dc_fail("start returned, but the command never ran (no /mnt/ran)");
	expect_status(b, id, "running", "after start the command runs");
	if (pid_of(b, id) != pid)
		dc_fail("start changed the container's pid from %d to %d: the process create made "
			"must be the one that runs the command",
			(int)pid, (int)pid_of(b, id));
	write_file(shared_file(b, "go"), "");
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
}

/*
 * A process that has ended is stopped, even while it is a zombie no one
 * has reaped yet (this test is its subreaper, and waits before reaping);
 * and a stopped container cannot be started again.
 */
void test_state_reports_stopped_once_the_process_has_ended(void **state)
{
	const char *id = container_id("ended");
	siginfo_t info;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("ended", (const char *[]){"/bin/true", NULL});
	save(b);
	create(b, id);
	pid_t pid = pid_of(b, id);
	start(b, id);
	/* Wait for it to end, without reaping it: WNOWAIT leaves the zombie. */
	bool ended = false;
	for (int i = 0; i < POLL_TRIES && !ended; i++) {
		memset(&info, 0, sizeof(info));
		if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    info.si_pid == pid)
			ended = true;
		else
			pause_ms(POLL_MS);
	}
	if (!ended)
		dc_fail("the container's process (pid %d) never ended, or is not this test's "
			"to reap (it should be: the test is a child subreaper)",
			(int)pid);
	expect_status(b, id, "stopped",
		      "a zombie is a process that has ended (its state in /proc/PID/stat is Z)");
	waitpid(pid, NULL, 0);
	expect_status(b, id, "stopped", "a process that has ended and been reaped has stopped");

	dcrun(&r, b, (const char *[]){"start", id, NULL});
	if (r.exit_code != 1)
		dc_fail("start of a stopped container exited %d; it must be refused (exit 1)",
			r.exit_code);
	expect_one_clear_line(r.err, "stopped", "start of a stopped container");
	run_free(&r);
}

/* state prints the OCI state (runtime-spec's runtime.md, "State"), annotations from config.json. */
void test_state_is_the_oci_state(void **state)
{
	const char *id = container_id("state");
	char bundle_path[4096];

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"state", (const char *[]){"/bin/sh", "-c",
					  "while [ ! -e /mnt/go ]; do sleep 0.05; done", NULL});
	share_mnt(b);
	set(b, "annotations",
	    json("{\"org.example.lesson\": \"12\", \"org.example.why\": \"kept in the state\"}"));
	save(b);
	create(b, id);
	json_object *s = state_of(b, id);
	if (s == NULL)
		dc_fail("dcrun state %s printed no JSON that json-c can read", id);
	static const struct {
		const char *key;
		enum json_type type;
	} fields[] = {
		{"ociVersion", json_type_string}, {"id", json_type_string},
		{"status", json_type_string},     {"pid", json_type_int},
		{"bundle", json_type_string},     {"annotations", json_type_object},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!json_object_is_type(member(s, fields[i].key), fields[i].type))
			dc_fail("the state has no %s of the right type (runtime-spec, "
				"\"State\"): %s",
				fields[i].key, json_object_to_json_string(s));
	}
	if (strcmp(json_object_get_string(member(s, "id")), id) != 0)
		dc_fail("the state's id should be %s: %s", id, json_object_to_json_string(s));
	if (strncmp(json_object_get_string(member(s, "ociVersion")), "1.", 2) != 0)
		dc_fail("the state's ociVersion should be a 1.x version of the runtime spec: %s",
			json_object_to_json_string(s));
	if (realpath(b->dir, bundle_path) == NULL ||
	    strcmp(json_object_get_string(member(s, "bundle")), bundle_path) != 0)
		dc_fail("the state's bundle should be the bundle's absolute path, %s: %s", b->dir,
			json_object_to_json_string(s));
	if (json_object_get_int(member(s, "pid")) <= 0)
		dc_fail("a created container's state should give its pid: %s",
			json_object_to_json_string(s));
	json_object *notes = member(s, "annotations");
	json_object *why = member(notes, "org.example.why");
	if (json_object_object_length(notes) != 2 || why == NULL ||
	    strcmp(json_object_get_string(why), "kept in the state") != 0)
		dc_fail("the state's annotations should be config.json's two: %s",
			json_object_to_json_string(s));
	start(b, id);
	expect_status(b, id, "running", "after start");
	write_file(shared_file(b, "go"), "");
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
}

/* delete of a stopped container removes its state directory and every cgroup it made. */
void test_delete_removes_the_state_directory_and_the_group(void **state)
{
	const char *id = container_id("delete");
	struct groups gs;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("delete", (const char *[]){"/bin/true", NULL});
	save(b);
	create(b, id);
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	const char *dir = text("%s/%s", b->root, id);
	if (!exists(dir))
		dc_fail("create made no state directory %s", dir);
	start(b, id);
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
	expect_groups_found(&gs, pid);
	for (size_t i = 0; i < gs.n; i++) {
		if (!exists(gs.dir[i]))
			dc_fail("the group %s went before delete: a stopped container keeps its "
				"groups until delete",
				gs.dir[i]);
	}
	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	if (exists(dir))
		dc_fail("after delete, the state directory %s is still there", dir);
	expect_groups_gone(&gs, "after delete");
	dcrun(&r, b, (const char *[]){"state", id, NULL});
	if (r.exit_code != 1)
		dc_fail("state of a deleted container exited %d; it must be an error (exit 1)",
			r.exit_code);
	run_free(&r);
}

/*
 * run exits as the container did: exit 7 is 7, and a command killed by
 * signal N is 128+N, whether the signal comes from outside (kill KILL,
 * 137) or from itself (SIGUSR1, 138, with no PID namespace: as PID 1 it
 * could not kill itself).
 */
void test_run_exits_with_the_containers_status(void **state)
{
	const char *id = container_id("status");
	struct run r, k;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("status", (const char *[]){"/bin/sh", "-c", "exit 7", NULL});
	save(b);
	dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
	if (r.exit_code != 7)
		run_dump(&r, "run of exit 7");
	assert_int_equal(r.exit_code, 7);
	run_free(&r);
	if (exists(text("%s/%s", b->root, id)))
		dc_fail("run left its container's state directory behind after it exited");

	set(b, "process.args",
	    strings((const char *[]){"/bin/sh", "-c",
				     "echo up >/mnt/up; while :; do sleep 0.05; done", NULL}));
	share_mnt(b);
	save(b);
	run_start(&r, "dcrun", rooted(b, (const char *[]){"run", "--bundle", b->dir, id, NULL}));
	bool up = wait_for_file(shared_file(b, "up"));
	if (up) {
		dcrun(&k, b, (const char *[]){"kill", id, "KILL", NULL});
		run_free(&k);
	}
	run_finish(&r);
	if (!up)
		run_dump(&r, "run of a command that never wrote /mnt/up");
	assert_true(up);
	if (r.exit_code != 128 + SIGKILL)
		run_dump(&r, "run of a container killed with SIGKILL");
	assert_int_equal(r.exit_code, 128 + SIGKILL);
	run_free(&r);

	set(b, "process.args", strings((const char *[]){"/bin/sh", "-c", "kill -USR1 $$", NULL}));
	namespace_path(b, "pid", NULL);
	save(b);
	dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
	if (r.exit_code != 128 + SIGUSR1)
		run_dump(&r, "run of a command that kills itself with SIGUSR1");
	assert_int_equal(r.exit_code, 128 + SIGUSR1);
	run_free(&r);
}

/* run --detach returns while the container still runs (it waits for the test's word). */
void test_run_detach_returns_with_the_container_running(void **state)
{
	const char *id = container_id("detach");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"detach", (const char *[]){"/bin/sh", "-c",
					   "echo up >/mnt/up; "
					   "while [ ! -e /mnt/go ]; do sleep 0.05; done",
					   NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	if (!wait_for_file(shared_file(b, "up")))
		dc_fail("run --detach returned, but the command never ran (no /mnt/up)");
	expect_status(b, id, "running", "run --detach leaves the container running");
	if (!alive(pid_of(b, id)))
		dc_fail("state gives pid %d, which is not a live process", (int)pid_of(b, id));
	write_file(shared_file(b, "go"), "");
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

/* ---- kill and delete ------------------------------------------------------------------------- */

/* The signals blocked in pid's mask (SigBlk of /proc/PID/status), as hex, or "?". */
static const char *blocked_signals(pid_t pid)
{
	const char *status = contents(text("/proc/%d/status", (int)pid));
	const char *blk = strstr(status, "\nSigBlk:\t");

	return blk ? text("%.16s", blk + 9) : "?";
}

/*
 * kill takes a signal as runc does: TERM, SIGTERM, 15, or none (TERM),
 * and KILL, SIGKILL, 9. The command traps TERM and exits 42, so run's
 * status tells which signal came: 42 for TERM, 137 for KILL. (As PID 1
 * of its namespace, it would ignore a TERM it had no handler for.)
 */
void test_kill_takes_signal_names_and_numbers(void **state)
{
	static const struct {
		const char *signal; /* NULL: none given */
		int status;
	} cases[] = {
		{"TERM", 42},  {"SIGTERM", 42},  {"15", 42}, {NULL, 42},
		{"KILL", 137}, {"SIGKILL", 137}, {"9", 137},
	};
	const char *id = container_id("kill");
	struct run r, k = {0};

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("kill", (const char *[]){"/bin/sh", "-c",
						     "trap 'exit 42' TERM; echo up >/mnt/up; "
						     "while :; do sleep 0.05; done",
						     NULL});
	share_mnt(b);
	save(b);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sig = cases[i].signal ? cases[i].signal : "(none: TERM)";

		unlink(shared_file(b, "up"));
		run_start(&r, "dcrun",
			  rooted(b, (const char *[]){"run", "--bundle", b->dir, id, NULL}));
		bool up = wait_for_file(shared_file(b, "up"));
		pid_t pid = up ? pid_of(b, id) : 0;
		if (up) {
			dcrun(&k, b, (const char *[]){"kill", id, cases[i].signal, NULL});
			if (k.exit_code != 0)
				run_dump(&k, text("kill %s %s", id, sig));
		}
		/* Bounded: a signal that never arrives must not hang the test. */
		bool ended = false;
		for (int t = 0; up && t < POLL_TRIES / 2 && !ended; t++) {
			ended = !alive(pid);
			if (!ended)
				pause_ms(POLL_MS);
		}
		if (up && !ended) {
			struct run stop;

			/* Before it goes: what kept the signal from it? */
			print_error("the container's blocked signals (SigBlk): %s\n",
				    blocked_signals(pid));
			dcrun(&stop, b, (const char *[]){"kill", id, "KILL", NULL});
			run_free(&stop);
		}
		run_finish(&r);
		if (!up)
			run_dump(&r, "a container that never wrote /mnt/up");
		assert_true(up);
		if (!ended)
			dc_fail("kill %s %s exited %d, and the container never ended: the "
				"signal did not reach its trap. Was it blocked (SigBlk, "
				"above)? A runtime must start the command with none blocked "
				"(run blocks TERM, INT, HUP, QUIT and CHLD for itself: they "
				"stay blocked across clone and execve)",
				id, sig, k.exit_code);
		if (k.exit_code != 0 || r.exit_code != cases[i].status) {
			run_dump(&r, "run");
			dc_fail("kill %s %s: kill exited %d, and the container %d; they "
				"should be 0 and %d (42: TERM came, 137: KILL came)",
				id, sig, k.exit_code, r.exit_code, cases[i].status);
		}
		run_free(&k);
		run_free(&r);
	}
}

/*
 * The command starts with no signal blocked, whichever command started
 * it: run (which blocks the signals it forwards, for itself), run
 * --detach, or create and start. A blocked TERM would make the
 * container deaf to kill, docker stop and podman stop.
 */
void test_command_starts_with_no_signal_blocked(void **state)
{
	const char *id = container_id("sigmask");
	const char *none = "0000000000000000";
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"sigmask", (const char *[]){"/bin/grep", "^SigBlk:", "/proc/self/status", NULL});
	save(b);
	const char *ways[] = {"run", "run --detach", "create, start"};
	for (int i = 0; i < 3; i++) {
		const char *out;
		if (i == 0) {
			dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
			assert_exit(&r, 0);
			out = text("%s", r.out);
			run_free(&r);
		} else {
			if (i == 1) {
				run_detached(b, id);
			} else {
				create(b, id);
				start(b, id);
			}
			if (!wait_for_status(b, id, "stopped"))
				dc_fail("grep never ended (state says %s)", status_of(b, id));
			out = contents(text("%s/%s.out", b->dir, id));
			dcrun(&r, b, (const char *[]){"delete", id, NULL});
			assert_exit(&r, 0);
			run_free(&r);
		}
		const char *blk = strstr(out, "SigBlk:\t");
		if (blk == NULL || strncmp(blk + 8, none, 16) != 0)
			dc_fail("started by %s, the command has signals blocked: %s(want "
				"SigBlk %s). A signal mask survives clone and execve: the "
				"runtime must clear it (sigprocmask SIG_SETMASK, empty) before "
				"it runs the command",
				ways[i], out, none);
	}
}

/*
 * kill signals the container's first process; kill --all every process
 * in its cgroup. The first process, PID 1 inside, ignores TERM (it has
 * no handler); a second one, `sleep MARK`, dies of it: so TERM without
 * --all leaves the sleeper, and with --all ends it.
 */
void test_kill_all_reaches_every_process(void **state)
{
	const char *id = container_id("killall");
	pid_t left[4];
	struct run r;

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("killall", (const char *[]){"/bin/sh", "-c",
							text("sleep %s & echo up >/mnt/up; "
							     "while :; do sleep 0.05; done",
							     mark()),
							NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	if (!wait_for_file(shared_file(b, "up")) || !wait_for_sleepers(left, 4, 1))
		dc_fail("the container did not start its second process, sleep %s", mark());
	dcrun(&r, b, (const char *[]){"kill", id, "TERM", NULL});
	assert_exit(&r, 0);
	run_free(&r);
	pause_ms(200);
	if (sleepers(left, 4) != 1)
		dc_fail("kill without --all reached the container's second process: it must signal "
			"only the first");
	dcrun(&r, b, (const char *[]){"kill", "--all", id, "TERM", NULL});
	assert_exit(&r, 0);
	run_free(&r);
	bool gone = false;
	for (int i = 0; i < POLL_TRIES && !gone; i++) {
		gone = sleepers(left, 4) == 0;
		if (!gone)
			pause_ms(POLL_MS);
	}
	if (!gone)
		dc_fail("kill --all %s TERM left the container's second process (host pid %d) "
			"running: --all signals every process in the container's cgroup",
			id, (int)left[0]);
	expect_status(b, id, "running", "PID 1 inside ignores a TERM it has no handler for");
}

/* kill of a stopped or unknown container, or with an unknown signal, is an error (exit 1). */
void test_kill_of_a_stopped_container_is_an_error(void **state)
{
	const char *id = container_id("killstopped");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("killstopped",
			    (const char *[]){"/bin/sh", "-c",
					     "while [ ! -e /mnt/go ]; do sleep 0.05; done", NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	dcrun(&r, b, (const char *[]){"kill", id, "NOSUCHSIGNAL", NULL});
	if (r.exit_code != 1)
		dc_fail("kill with an unknown signal exited %d; it must be refused (exit 1)",
			r.exit_code);
	expect_one_clear_line(r.err, "signal", "kill with an unknown signal");
	run_free(&r);
	expect_status(b, id, "running", "a refused kill changes nothing");

	write_file(shared_file(b, "go"), "");
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
	dcrun(&r, b, (const char *[]){"kill", id, "KILL", NULL});
	if (r.exit_code != 1)
		dc_fail("kill of a stopped container exited %d; it must be an error (exit 1), as "
			"runc's is",
			r.exit_code);
	expect_one_clear_line(r.err, id, "kill of a stopped container");
	run_free(&r);

	dcrun(&r, b, (const char *[]){"kill", "dc-no-such-container", "KILL", NULL});
	if (r.exit_code != 1)
		dc_fail("kill of a container that does not exist exited %d; it must be an error "
			"(exit 1)",
			r.exit_code);
	expect_one_clear_line(r.err, "dc-no-such-container", "kill of an unknown container");
	run_free(&r);
}

/*
 * delete refuses a running container (it goes on running); delete
 * --force kills it, a second process too, and removes its state
 * directory and groups.
 */
void test_delete_refuses_a_running_container_unless_forced(void **state)
{
	const char *id = container_id("force");
	struct groups gs;
	pid_t left[4];
	struct run r;

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("force", (const char *[]){"/bin/sh", "-c",
						      text("sleep %s & echo up >/mnt/up; "
							   "while :; do sleep 0.05; done",
							   mark()),
						      NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	if (!wait_for_file(shared_file(b, "up")) || !wait_for_sleepers(left, 4, 1))
		dc_fail("the container did not start its second process, sleep %s", mark());
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	const char *dir = text("%s/%s", b->root, id);

	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	if (r.exit_code != 1)
		dc_fail("delete of a running container exited %d; without --force it must be "
			"refused (exit 1)",
			r.exit_code);
	expect_one_clear_line(r.err, "--force", "delete of a running container");
	run_free(&r);
	expect_status(b, id, "running", "a refused delete leaves the container as it was");
	if (!alive(pid) || sleepers(left, 4) != 1 || !exists(dir))
		dc_fail("a refused delete harmed the container: its process %s, its sleeper %s, "
			"its state directory %s",
			alive(pid) ? "lives" : "is gone", sleepers(left, 4) ? "lives" : "is gone",
			exists(dir) ? "is there" : "is gone");

	dcrun(&r, b, (const char *[]){"delete", "--force", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	if (alive(pid))
		dc_fail("delete --force returned, and the container's process %d still runs",
			(int)pid);
	if (sleepers(left, 4) != 0)
		dc_fail("delete --force left the container's second process %d running",
			(int)left[0]);
	if (exists(dir))
		dc_fail("after delete --force, the state directory %s is still there", dir);
	expect_groups_gone(&gs, "after delete --force");
}

/*
 * delete of a created container needs no --force, as runc's: it has run
 * nothing yet, so delete kills its waiting process and removes its
 * groups and state directory, and its command never runs. (A running
 * container still needs --force: the test above.)
 */
void test_delete_removes_a_created_container_without_force(void **state)
{
	const char *id = container_id("delcreated");
	struct groups gs;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"delcreated", (const char *[]){"/bin/sh", "-c", "echo ran >/mnt/ran", NULL});
	share_mnt(b);
	save(b);
	create(b, id);
	expect_status(b, id, "created", "create leaves the process waiting for start");
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	const char *dir = text("%s/%s", b->root, id);

	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	if (r.exit_code != 0)
		run_dump(&r, "delete of a created container");
	if (r.exit_code != 0)
		dc_fail("delete of a created container, without --force, exited %d: runc kills and "
			"removes a container that has not started",
			r.exit_code);
	run_free(&r);
	if (alive(pid))
		dc_fail("delete returned, and the created container's process %d still lives",
			(int)pid);
	if (exists(dir))
		dc_fail("after delete, the state directory %s is still there", dir);
	expect_groups_gone(&gs, "after delete of a created container");
	if (exists(shared_file(b, "ran")))
		dc_fail("the deleted container's command ran: delete must kill the process "
			"waiting on exec.fifo, never release it");
}

/*
 * Put a new process of this test at pid `want`, through ns_last_pid (the
 * pid the kernel gave last: the next fork gets the one after, if free),
 * as CRIU restores a pid. Another fork on the host may come between:
 * try again. Returns the child (sleep MARK), or 0.
 */
static pid_t fork_at(pid_t want)
{
	char sleeper[32];

	/* Before fork: the child's own getpid() would make another mark. */
	snprintf(sleeper, sizeof(sleeper), "%s", mark());
	for (int tries = 0; tries < 100; tries++) {
		int fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);

		if (fd == -1)
			return 0;
		flock(fd, LOCK_EX); /* CRIU's lock: one such restore at a time */
		dprintf(fd, "%d", (int)want - 1);
		pid_t pid = fork();
		if (pid == 0) {
			execl("/bin/sleep", "sleep", sleeper, (char *)NULL);
			_exit(127);
		}
		close(fd);
		if (pid == want)
			return pid;
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		if (exists(text("/proc/%d", (int)want)))
			return 0; /* someone else's now */
	}
	return 0;
}

/*
 * A stopped container's pid, once reaped, is free for any process. dcrun
 * keeps the start time of its process (field 22 of /proc/PID/stat) with
 * the pid: a new process there is not the container. So with the pid
 * reused (this test puts a sleeper of its own there), state still says
 * stopped, kill refuses and harms it, and delete (no --force needed)
 * leaves it alone.
 */
void test_reused_pid_is_not_taken_for_the_container(void **state)
{
	const char *id = container_id("reuse");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("reuse", (const char *[]){"/bin/true", NULL});
	save(b);
	create(b, id);
	pid_t pid = pid_of(b, id);
	start(b, id);
	/* This test is its subreaper: reap it, and its pid is free. */
	bool reaped = false;
	for (int i = 0; i < POLL_TRIES && !reaped; i++) {
		reaped = waitpid(pid, NULL, WNOHANG) == pid;
		if (!reaped)
			pause_ms(POLL_MS);
	}
	if (!reaped)
		dc_fail("the container's process %d never ended, or is not this test's to reap",
			(int)pid);
	pid_t impostor = fork_at(pid);
	if (impostor == 0) {
		fprintf(stderr,
			"\n*** SKIPPED: could not put a process at the container's old pid "
			"%d (ns_last_pid): the host forks too fast ***\n\n",
			(int)pid);
		skip();
	}
	expect_status(b, id, "stopped",
		      "a new process at the old pid is not the container: its start time differs");
	dcrun(&r, b, (const char *[]){"kill", id, "KILL", NULL});
	if (r.exit_code != 1)
		dc_fail("kill of a stopped container whose pid was reused exited %d: it must be an "
			"error, and never signal the new process",
			r.exit_code);
	run_free(&r);
	if (!alive(impostor))
		dc_fail("kill of the stopped container killed the process that reused its pid %d",
			(int)pid);
	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	if (!alive(impostor))
		dc_fail("delete of the stopped container killed the process that reused its pid %d",
			(int)pid);
	kill(impostor, SIGKILL);
	waitpid(impostor, NULL, 0);
}

/*
 * The state in /proc/PID/stat follows the command name in parentheses,
 * which the process chooses (/proc/self/comm, 15 bytes): one that calls
 * itself ") Z x" must not pass for a zombie. Parse after the last ")".
 */
void test_container_cannot_pass_itself_off_as_stopped(void **state)
{
	const char *id = container_id("comm");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"comm",
		(const char *[]){"/bin/sh", "-c",
				 "echo up >/mnt/up; "
				 "while [ ! -e /mnt/go ]; do sleep 0.05; done; "
				 "printf ') Z x' >/proc/self/comm; echo renamed >/mnt/renamed; "
				 "while :; do sleep 0.05; done",
				 NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	if (!wait_for_file(shared_file(b, "up")))
		dc_fail("the container never started (no /mnt/up)");
	pid_t pid = pid_of(b, id);
	expect_status(b, id, "running", "run --detach leaves it running");
	write_file(shared_file(b, "go"), "");
	if (!wait_for_file(shared_file(b, "renamed")))
		dc_fail("the container never renamed itself (no /mnt/renamed)");
	const char *stat = contents(text("/proc/%d/stat", (int)pid));
	if (!alive(pid) || strcmp(contents(text("/proc/%d/comm", (int)pid)), ") Z x\n") != 0)
		dc_fail("the container's process %d should run, named \") Z x\": %s", (int)pid,
			stat);
	expect_status(b, id, "running",
		      text("its process runs; /proc/%d/stat only looks like a zombie's to a reader "
			   "that looks before the last \")\": %s",
			   (int)pid, stat));
	dcrun(&r, b, (const char *[]){"kill", id, "KILL", NULL});
	if (r.exit_code != 0)
		dc_fail("kill of the running container was refused (exit %d): %s", r.exit_code,
			r.err);
	run_free(&r);
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("after kill KILL, state still says \"%s\"", status_of(b, id));
}

/* ---- Ids, pause, ps and list ----------------------------------------------------------------- */

/*
 * A second create (or run) with an id in use is refused, and the first
 * container goes on as it was: same pid, same bundle, still running;
 * the second bundle's command never runs.
 */
void test_id_in_use_is_refused_and_the_first_is_untouched(void **state)
{
	const char *id = container_id("inuse");
	struct run r;

	(void)state;
	require_root();
	struct bundle *first = make_bundle(
		"inuse", (const char *[]){"/bin/sh", "-c",
					  "while [ ! -e /mnt/go ]; do sleep 0.05; done", NULL});
	share_mnt(first);
	save(first);
	struct bundle *second = make_bundle(
		"inuse2", (const char *[]){"/bin/sh", "-c", "echo ran >/mnt/second-ran", NULL});
	/* The second bundle writes in the first's /mnt, and uses the first's --root. */
	append(second, "mounts",
	       json("{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": %s, "
		    "\"options\": [\"rbind\", \"rw\"]}",
		    quoted(first->shared)));
	save(second);
	run_detached(first, id);
	pid_t pid = pid_of(first, id);
	const char *bundle = json_object_get_string(member(state_of(first, id), "bundle"));
	const char *first_bundle = text("%s", bundle ? bundle : "");

	static const char *const commands[] = {"create", "run"};
	for (size_t i = 0; i < 2; i++) {
		const char *args[] = {commands[i], "--bundle", second->dir, id, NULL};
		dcrun_aside(&r, first, "second", args);
		if (r.exit_code != 1)
			dc_fail("%s of a second container with the id %s, in use, exited "
				"%d: it must be refused (exit 1)",
				commands[i], id, r.exit_code);
		expect_one_clear_line(r.err, id, "a create with an id in use");
		run_free(&r);
		expect_status(first, id, "running",
			      "a refused create must leave the container of that id alone");
		json_object *s = state_of(first, id);
		const char *now = json_object_get_string(member(s, "bundle"));
		if (pid_of(first, id) != pid || now == NULL || strcmp(now, first_bundle) != 0)
			dc_fail("a refused %s changed the first container's state: pid "
				"%d, bundle %s (was %d, %s)",
				commands[i], (int)pid_of(first, id), now ? now : "(none)", (int)pid,
				first_bundle);
	}
	pause_ms(200);
	if (exists(shared_file(first, "second-ran")))
		dc_fail("the refused container's command ran");
}

/* Ids that are no plain name are refused: nothing is made in --root, or next to it. */
void test_ids_with_slash_or_dot_dot_are_refused(void **state)
{
	static const char *const bad[] = {"a/b", "..", ".", "../escape", "x/../y", "/abs", ""};
	pid_t left[4];
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("badid", (const char *[]){"/bin/sleep", mark(), NULL});
	save(b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dcrun_aside(&r, b, "bad",
			    (const char *[]){"create", "--bundle", b->dir, bad[i], NULL});
		if (r.exit_code != 1)
			dc_fail("create with the id \"%s\" exited %d: an id with \"/\", "
				"or \".\" or \"..\", must be refused (exit 1)",
				bad[i], r.exit_code);
		if (r.err[0] == '\0')
			dc_fail("create with the id \"%s\" was refused without a word", bad[i]);
		run_free(&r);
		DIR *d = opendir(b->root);
		const struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				dc_fail("create with the id \"%s\" left %s/%s", bad[i], b->root,
					e->d_name);
		}
		if (d)
			closedir(d);
		if (exists(text("%s/escape", b->dir)) || exists(text("%s/y", b->root)))
			dc_fail("create with the id \"%s\" made a directory outside --root",
				bad[i]);
		if (sleepers(left, 4) != 0)
			dc_fail("create with the id \"%s\" started the container (host pid %d)",
				bad[i], (int)left[0]);
	}
}

/*
 * How far the counting loop of the test below has got: the last thousand
 * it reached, or 0 before the first. It writes the number whole (to a
 * temporary file, renamed over), so that a read never finds it half made.
 */
static long long progress(const struct bundle *b)
{
	char path[4300];

	/* Read without keeping anything: the test polls it. */
	snprintf(path, sizeof(path), "%s/count", b->shared);
	char *t = read_file_if_there(path);
	long long n = t ? atoll(t) : 0;
	free(t);
	return n;
}

/*
 * pause freezes every process of the container: a busy loop that counts
 * uses no CPU time at all while it is paused (the group's usage does not
 * grow in a second) and its count stands still, state says paused; resume
 * lets it count on from there, and state says running.
 */
void test_paused_container_uses_no_cpu_until_resumed(void **state)
{
	const char *id = container_id("pause");
	struct groups gs;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"pause", (const char *[]){"/bin/sh", "-c",
					  "i=0; while :; do i=$((i + 1)); case $i in *000) "
					  "echo $i >/mnt/count.tmp; mv /mnt/count.tmp /mnt/count;; "
					  "esac; done",
					  NULL});
	share_mnt(b);
	save(b);
	run_detached(b, id);
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	long long before = cpu_used(&gs);
	if (before < 0)
		dc_fail("the container's group has no CPU usage to read (cpuacct.usage on v1, "
			"cpu.stat on v2)");
	bool busy = false;
	for (int i = 0; i < POLL_TRIES && !busy; i++) {
		busy = cpu_used(&gs) > before && progress(b) > 0;
		if (!busy)
			pause_ms(POLL_MS);
	}
	if (!busy)
		dc_fail("the busy loop uses no CPU, or does not count, even before pause");

	dcrun(&r, b, (const char *[]){"pause", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	expect_status(b, id, "paused", "pause freezes the container, and state says so, as runc's");
	long long frozen = cpu_used(&gs), count = progress(b);
	pause_ms(1000);
	long long later = cpu_used(&gs);
	/* A second of a busy loop is a thousand million ns: allow 1 ms of accounting's rounding. */
	if (later - frozen > 1000000)
		dc_fail("the paused container used %lld ns of CPU in a second: pause must freeze "
			"every process in its cgroup (freezer.state on v1, cgroup.freeze on v2)",
			later - frozen);
	/* Running, it counts a thousand in a millisecond or so: frozen, not one. */
	if (progress(b) != count)
		dc_fail("the paused container went on counting, from %lld to %lld in a second: "
			"pause must freeze every process in its cgroup",
			count, progress(b));

	dcrun(&r, b, (const char *[]){"resume", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	expect_status(b, id, "running", "resume thaws the container");
	busy = false;
	for (int i = 0; i < POLL_TRIES && !busy; i++) {
		busy = cpu_used(&gs) > later && progress(b) > count;
		if (!busy)
			pause_ms(POLL_MS);
	}
	if (!busy)
		dc_fail("after resume, the loop should go on: it used %lld ns more CPU, and counted "
			"from %lld to %lld",
			cpu_used(&gs) - later, count, progress(b));
}

/* ps lists the container's processes (host pids), and list its containers. */
void test_ps_and_list_show_the_containers(void **state)
{
	const char *one = container_id("ps1"), *two = container_id("ps2");
	pid_t left[4];
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"ps", (const char *[]){"/bin/sh", "-c",
				       text("sleep %s & echo up >/mnt/up; "
					    "while [ ! -e /mnt/go ]; do sleep 0.05; done",
					    mark()),
				       NULL});
	share_mnt(b);
	save(b);
	run_detached(b, one);
	if (!wait_for_file(shared_file(b, "up")) || !wait_for_sleepers(left, 4, 1))
		dc_fail("the container did not start its second process, sleep %s", mark());
	pid_t first = pid_of(b, one);

	dcrun(&r, b, (const char *[]){"ps", "--format", "json", one, NULL});
	assert_exit(&r, 0);
	json_object *pids = keep_json(json_tokener_parse(r.out));
	bool has_first = false, has_sleeper = false;
	for (size_t i = 0;
	     json_object_is_type(pids, json_type_array) && i < json_object_array_length(pids);
	     i++) {
		pid_t p = (pid_t)json_object_get_int(json_object_array_get_idx(pids, i));
		has_first |= p == first;
		has_sleeper |= p == left[0];
	}
	if (!has_first || !has_sleeper)
		dc_fail("ps --format json should list the container's host pids, %d and %d; it "
			"printed %s",
			(int)first, (int)left[0], r.out);
	run_free(&r);
	dcrun(&r, b, (const char *[]){"ps", one, NULL});
	assert_exit(&r, 0);
	assert_contains(r.out, text("%d", (int)left[0]));
	assert_contains(r.out, mark());
	run_free(&r);

	create(b, two);
	dcrun(&r, b, (const char *[]){"list", "--quiet", NULL});
	assert_exit(&r, 0);
	if (strstr(r.out, text("%s\n", one)) == NULL || strstr(r.out, text("%s\n", two)) == NULL)
		dc_fail("list --quiet should print both ids, %s and %s, one a line; it "
			"printed:\n%s",
			one, two, r.out);
	run_free(&r);
	dcrun(&r, b, (const char *[]){"list", "--format", "json", NULL});
	assert_exit(&r, 0);
	json_object *list = keep_json(json_tokener_parse(r.out));
	int found = 0;
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		json_object *c = json_object_array_get_idx(list, i);
		const char *cid = json_object_get_string(member(c, "id"));
		const char *status = json_object_get_string(member(c, "status"));
		if (cid && status && strcmp(cid, one) == 0 && strcmp(status, "running") == 0)
			found++;
		if (cid && status && strcmp(cid, two) == 0 && strcmp(status, "created") == 0)
			found++;
	}
	if (found != 2)
		dc_fail("list --format json should give %s running and %s created: %s", one, two,
			r.out);
	run_free(&r);
}

/* ---- Bad bundles ----------------------------------------------------------------------------- */

/* The lines of the host's mount table that name A or B, joined (kept). */
const char *mounts_naming(const char *a, const char *b)
{
	char *table = host_mount_table();
	size_t size = 1;
	char *found = calloc(1, size);

	for (const char *line = table; found && line && *line; line = next_line(line)) {
		size_t len = strcspn(line, "\n");
		char *one = strndup(line, len);

		if (one && (strstr(one, a) || strstr(one, b))) {
			char *more = realloc(found, size + len + 1);
			if (more == NULL)
				free(found);
			found = more;
			if (found) {
				strcat(found, one);
				strcat(found, "\n");
				size += len + 1;
			}
		}
		free(one);
	}
	free(table);
	if (found == NULL) {
		fprintf(stderr, "promises: out of memory\n");
		exit(2);
	}
	return keep(found);
}

/* The groups of cgroupsPath /NAME in every hierarchy the host has. */
int groups_named(const char *name)
{
	glob_t g;
	int n = 0;

	if (glob(text("/sys/fs/cgroup/*/%s", name), 0, NULL, &g) == 0)
		n += (int)g.gl_pathc;
	globfree(&g);
	if (glob(text("/sys/fs/cgroup/%s", name), 0, NULL, &g) == 0)
		n += (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * `dcrun ARGS` (a create, a run) of B (id ID) is refused: exit 1, one
 * line naming NAMES, and nothing is left: no state directory, no cgroup
 * /GROUP in any hierarchy, no mount naming the bundle or the rootfs, no
 * process.
 */
static void expect_refused_with(const struct bundle *b, const char *id, const char *group,
				const char *const args[], const char *names, const char *what)
{
	const char *before = mounts_naming(b->dir, test_rootfs());
	pid_t left[4];
	struct run r;

	dcrun_aside(&r, b, "bad", args);
	if (r.exit_code != 1)
		dc_fail("%s with %s exited %d; it must be refused (exit 1)", args[0], what,
			r.exit_code);
	expect_one_clear_line(r.err, names, what);
	run_free(&r);
	if (exists(text("%s/%s", b->root, id)))
		dc_fail("%s with %s left its state directory %s/%s", args[0], what, b->root, id);
	if (groups_named(group) != 0)
		dc_fail("%s with %s left its cgroup /%s", args[0], what, group);
	if (strcmp(before, mounts_naming(b->dir, test_rootfs())) != 0)
		dc_fail("%s with %s left a mount on the host:\n%s", args[0], what,
			mounts_naming(b->dir, test_rootfs()));
	if (sleepers(left, 4) != 0 || child_of(getpid()) != 0)
		dc_fail("%s with %s left a process behind (pid %d)", args[0], what,
			sleepers(left, 4) ? (int)left[0] : (int)child_of(getpid()));
}

/* `create --bundle B ID` is refused (expect_refused_with). */
static void expect_create_refused(const struct bundle *b, const char *id, const char *group,
				  const char *names, const char *what)
{
	expect_refused_with(b, id, group, (const char *[]){"create", "--bundle", b->dir, id, NULL},
			    names, what);
}

enum bad_kind {
	NO_CONFIG,
	NOT_JSON,
	WRONG_TYPE,
	BAD_SWAPPINESS,
	UNKNOWN_NAMESPACE,
	RELATIVE_DESTINATION,
	UNKNOWN_CAPABILITY,
	HOOK,
	NO_ROOTFS,
	NO_BIND_SOURCE,
	NO_PROC,
	NO_MOUNT_NAMESPACE,
};

/*
 * A bad bundle is refused by create with exit 1 and one line that names
 * what is wrong (the JSON path of the bad value), and nothing is left: no
 * state directory, no cgroup (at the cgroupsPath it gives), no mount, no
 * process. The last cases fail late, after clone, once the process and
 * its groups exist: create must undo them.
 */
void test_bad_bundle_is_refused_and_leaves_nothing(void **state)
{
	static const struct {
		enum bad_kind kind;
		const char *what;
		const char *names; /* what the message must say */
	} cases[] = {
		{NO_CONFIG, "a bundle without config.json", "config.json"},
		{NOT_JSON, "a config.json that is not JSON", "config.json"},
		{WRONG_TYPE, "a memory limit of \"abc\"", "linux.resources.memory.limit"},
		{BAD_SWAPPINESS, "a swappiness of 101", "linux.resources.memory.swappiness"},
		{UNKNOWN_NAMESPACE, "an unknown namespace type", "netwrok"},
		{RELATIVE_DESTINATION, "a relative mount destination", "destination"},
		{UNKNOWN_CAPABILITY, "an unknown capability", "CAP_NO_SUCH_THING"},
		/* Refused before anything is made, or run: never half of it. */
		{HOOK, "a createRuntime hook with a relative path", "hooks.createRuntime[1].path"},
		{NO_ROOTFS, "a missing rootfs", "no-such-rootfs"},
		{NO_BIND_SOURCE, "a bind mount of a missing source", "no-such-source"},
		/* init reopens exec.fifo through /proc/self/fd: without /proc it could never start. */
		{NO_PROC, "a config with nothing mounted at /proc", "/proc"},
		/* Without a mount namespace of its own, the command would run in the host's /. */
		{NO_MOUNT_NAMESPACE, "a config without a mount namespace", "\"mount\""},
	};
	const char *id = container_id("bad");
	const char *group = text("dc-runtime-%d-bad", (int)getpid());

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bundle *b = make_bundle("bad", (const char *[]){"/bin/sleep", mark(), NULL});
		const char *config = text("%s/config.json", b->dir);

		set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
		switch (cases[i].kind) {
		case WRONG_TYPE:
			set(b, "linux.resources.memory", json("{\"limit\": \"abc\"}"));
			break;
		case BAD_SWAPPINESS:
			set(b, "linux.resources.memory", json("{\"swappiness\": 101}"));
			break;
		case UNKNOWN_NAMESPACE:
			append(b, "linux.namespaces", json("{\"type\": \"netwrok\"}"));
			break;
		case RELATIVE_DESTINATION:
			append(b, "mounts",
			       json("{\"destination\": \"data\", \"type\": \"tmpfs\", \"source\": "
				    "\"tmpfs\"}"));
			break;
		case UNKNOWN_CAPABILITY:
			append(b, "process.capabilities.bounding",
			       json_object_new_string("CAP_NO_SUCH_THING"));
			break;
		case NO_ROOTFS:
			set(b, "root.path",
			    json_object_new_string(text("%s/no-such-rootfs", b->dir)));
			break;
		case NO_BIND_SOURCE:
			append(b, "mounts",
			       json("{\"destination\": \"/mnt\", \"type\": \"bind\", "
				    "\"source\": %s, \"options\": [\"rbind\"]}",
				    quoted(text("%s/no-such-source", b->dir))));
			break;
		case NO_PROC: {
			json_object *mounts = NULL, *others = json_object_new_array();
			json_object_object_get_ex(b->config, "mounts", &mounts);
			for (size_t m = 0; m < json_object_array_length(mounts); m++) {
				json_object *one = json_object_array_get_idx(mounts, m), *to = NULL;
				json_object_object_get_ex(one, "destination", &to);
				if (strcmp(json_object_get_string(to), "/proc") != 0)
					json_object_array_add(others, json_object_get(one));
			}
			set(b, "mounts", others);
			break;
		}
		case NO_MOUNT_NAMESPACE: {
			json_object *namespaces = NULL, *others = json_object_new_array();
			json_object_object_get_ex(json_object_object_get(b->config, "linux"),
						  "namespaces", &namespaces);
			for (size_t n = 0; n < json_object_array_length(namespaces); n++) {
				json_object *one = json_object_array_get_idx(namespaces, n),
					    *type = NULL;
				json_object_object_get_ex(one, "type", &type);
				if (strcmp(json_object_get_string(type), "mount") != 0)
					json_object_array_add(others, json_object_get(one));
			}
			set(b, "linux.namespaces", others);
			break;
		}
		case HOOK:
			/* The good hook before it must not run either: validation comes first. */
			set(b, "hooks.prestart", json_object_new_array());
			set(b, "hooks.createRuntime",
			    json("[{\"path\": \"/bin/touch\", \"args\": [\"touch\", %s]}, "
				 "{\"path\": \"bin/true\"}]",
				 quoted(text("%s/hook-ran", b->dir))));
			break;
		default:
			break;
		}
		save(b);
		if (cases[i].kind == NO_CONFIG)
			unlink(config);
		if (cases[i].kind == NOT_JSON) {
			write_file(config, "{\"ociVersion\": \"1.0.2\", \"process\": {");
			harness_save_config(config);
		}
		expect_create_refused(b, id, group, cases[i].names, cases[i].what);
		if (cases[i].kind == HOOK && exists(text("%s/hook-ran", b->dir)))
			dc_fail("create of %s refused it, yet ran the hook", cases[i].what);
		forget_bundle(b); /* the next case gets a bundle of its own */
	}
}

/*
 * A label is a security promise, so one the host cannot apply is refused
 * before anything is made, never dropped: process.apparmorProfile where
 * AppArmor is not enabled (where it is, a profile the kernel does not
 * know fails create the same way), and SELinux's process.selinuxLabel,
 * linux.mountLabel and a mount's context= option, which dcrun never
 * applies -- as `dcrun features` says. "unconfined" asks for no
 * profile: it runs, with AppArmor or without.
 */
void test_labels_the_host_cannot_apply_are_refused(void **state)
{
	static const struct {
		const char *path; /* NULL: a tmpfs mount with a context= option */
		const char *value;
	} cases[] = {
		{"process.apparmorProfile", "dc-no-such-profile"},
		{"process.selinuxLabel", "system_u:system_r:container_t:s0:c1,c2"},
		{"linux.mountLabel", "system_u:object_r:container_file_t:s0:c1,c2"},
		{NULL, "context=\"system_u:object_r:container_file_t:s0\""},
	};
	const char *id = container_id("label");
	const char *group = text("dc-runtime-%d-label", (int)getpid());
	struct run r;

	(void)state;
	require_root();
	run_tool(&r, "dcrun", (const char *[]){"features", NULL}, NULL);
	assert_exit(&r, 0);
	json_object *features = keep_json(json_tokener_parse(r.out));
	run_free(&r);
	json_object *lx = member(features, "linux");
	json_object *selinux = member(member(lx, "selinux"), "enabled");
	json_object *apparmor = member(member(lx, "apparmor"), "enabled");
	if (selinux == NULL || json_object_get_boolean(selinux) || apparmor == NULL ||
	    !json_object_get_boolean(apparmor))
		dc_fail("dcrun features should say what dcrun applies: linux.selinux.enabled "
			"false, linux.apparmor.enabled true; it says %s",
			lx ? json_object_to_json_string(lx) : "(no linux)");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bundle *b =
			make_bundle("label", (const char *[]){"/bin/sleep", mark(), NULL});
		const char *names = cases[i].path;

		set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
		if (cases[i].path != NULL) {
			set(b, cases[i].path, json_object_new_string(cases[i].value));
		} else {
			json_object *mounts = member(b->config, "mounts");
			names = text("mounts[%zu].options",
				     mounts ? json_object_array_length(mounts) : (size_t)0);
			append(b, "mounts",
			       json("{\"destination\": \"/mnt\", \"type\": \"tmpfs\", \"source\": "
				    "\"tmpfs\", \"options\": [%s]}",
				    quoted(cases[i].value)));
		}
		save(b);
		expect_create_refused(b, id, group, names, text("%s %s", names, cases[i].value));
		forget_bundle(b);
	}

	struct bundle *b = make_bundle("unconfined", (const char *[]){"/bin/true", NULL});
	set(b, "process.apparmorProfile", json_object_new_string("unconfined"));
	save(b);
	dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
	if (r.exit_code != 0)
		run_dump(&r, "run with process.apparmorProfile \"unconfined\"");
	if (r.exit_code != 0)
		dc_fail("run with process.apparmorProfile \"unconfined\" exited %d: no profile is "
			"what it asks for, and any host can give it",
			r.exit_code);
	run_free(&r);
}

/* ---- Creating -------------------------------------------------------------------------------- */

/*
 * A group NAME made frozen before create names it as cgroupsPath: create
 * moves the container's process in, where it freezes (a process that
 * joins a frozen group stops with it) before it has reported ready, so
 * create waits, the container "creating", until the test thaws it.
 * Returns the group's directory in the freezer hierarchy (v2: the
 * group), or skips without a freezer.
 */
static const char *frozen_group(const char *name)
{
	char point[512];
	const char *dir;

	if (cgroup_v2()) {
		dir = text("/sys/fs/cgroup/%s", name);
	} else if (hierarchy_of("freezer", point, sizeof(point))) {
		dir = text("%s/%s", point, name);
	} else {
		fprintf(stderr,
			"\n*** SKIPPED: this host mounts no cgroup v1 freezer hierarchy, to "
			"hold a create half way ***\n\n");
		skip();
		return NULL;
	}
	if (mkdir(dir, 0755) == -1)
		dc_fail("mkdir %s: %s", dir, strerror(errno));
	write_file(text("%s/%s", dir, cgroup_v2() ? "cgroup.freeze" : "freezer.state"),
		   cgroup_v2() ? "1" : "FROZEN");
	return dir;
}

static void thaw(const char *dir)
{
	write_file(text("%s/%s", dir, cgroup_v2() ? "cgroup.freeze" : "freezer.state"),
		   cgroup_v2() ? "0" : "THAWED");
}

/* The first process in the group DIR, once one is there (up to 10 s); 0 if none came. */
static pid_t wait_for_member(const char *dir)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		const char *procs = contents(text("%s/cgroup.procs", dir));
		if (atoi(procs) > 0)
			return (pid_t)atoi(procs);
		pause_ms(POLL_MS);
	}
	return 0;
}

/* The status list --format json gives ID, or NULL if it lists no such container. */
static const char *listed_status(const struct bundle *b, const char *id)
{
	struct run r;

	dcrun(&r, b, (const char *[]){"list", "--format", "json", NULL});
	json_object *all = r.exit_code == 0 ? keep_json(json_tokener_parse(r.out)) : NULL;
	run_free(&r);
	for (size_t i = 0; all && i < json_object_array_length(all); i++) {
		json_object *c = json_object_array_get_idx(all, i);
		json_object *name = member(c, "id"), *status = member(c, "status");
		if (name && status && strcmp(json_object_get_string(name), id) == 0)
			return json_object_get_string(status);
	}
	return NULL;
}

/*
 * While create runs, state and list say "creating" (the runtime spec's
 * first status), with the container's pid, and do not wait for create to
 * finish; once it has, "created". Create is held half way by a frozen
 * cgroup: its process has joined its group but not reported ready.
 */
void test_state_says_creating_while_create_runs(void **state)
{
	const char *id = container_id("creating");
	const char *group = text("dc-runtime-%d-creating", (int)getpid());

	(void)state;
	require_root();
	struct bundle *b = make_bundle("creating", (const char *[]){"/bin/sleep", mark(), NULL});
	set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
	save(b);
	const char *frozen = frozen_group(group);
	start_in_background(b, id, (const char *[]){"create", "--bundle", b->dir, id, NULL});
	pid_t pid = wait_for_member(frozen);
	if (pid == 0)
		dc_fail("create never moved its process into its group %s: %s", frozen,
			contents(text("%s/%s.err", b->dir, id)));
	expect_status(b, id, "creating",
		      "create has not finished: its process has not reported ready");
	if (pid_of(b, id) != pid)
		dc_fail("while creating, state should give the container's process, %d (in its "
			"group); it gives %d",
			(int)pid, (int)pid_of(b, id));
	const char *listed = listed_status(b, id);
	if (listed == NULL || strcmp(listed, "creating") != 0)
		dc_fail("while create runs, list --format json should show %s creating; it shows "
			"%s",
			id, listed ? listed : "no such container");

	thaw(frozen);
	int status = finish_background();
	if (status != 0)
		dc_fail("create, thawed, exited %d: %s", status,
			contents(text("%s/%s.err", b->dir, id)));
	expect_status(b, id, "created", "create has finished");
	if (pid_of(b, id) != pid)
		dc_fail("create changed the container's pid from %d to %d", (int)pid,
			(int)pid_of(b, id));
}

/* ---- config.json is honoured ----------------------------------------------------------------- */

/* A container run in the foreground: its output, and its exit status checked. */
static const char *run_output(const struct bundle *b, const char *id, int want_status)
{
	struct run r;

	dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
	if (r.exit_code != want_status) {
		run_dump(&r, "dcrun run");
		dc_fail("dcrun run exited %d; it should exit %d", r.exit_code, want_status);
	}
	const char *out = text("%s", r.out);
	run_free(&r);
	return out;
}

/*
 * hostname, env, cwd, capabilities, noNewPrivileges and rlimits, as
 * config.json asks. With noNewPrivileges, root keeps after execve the
 * effective and permitted sets config.json gives it (without, the
 * kernel would raise them to the bounding set); an ordinary user keeps
 * the ambient set.
 */
void test_process_settings_are_honoured(void **state)
{
	const char *id = container_id("process");

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"process",
		(const char *[]){"/bin/sh", "-c",
				 "echo \"greeting=$DC_GREETING\"; echo \"caller=$DC_CALLER\"; "
				 "exec /bin/probe hostname cwd cap_bnd cap_eff cap_prm cap_inh "
				 "cap_amb no_new_privs rlimit_nofile",
				 NULL});
	set(b, "hostname", json_object_new_string("dc-honoured"));
	set(b, "process.env",
	    strings((const char *[]){"PATH=/bin:/usr/bin", "DC_GREETING=hello from config.json",
				     NULL}));
	set(b, "process.cwd", json_object_new_string("/etc"));
	set(b, "process.capabilities",
	    json("{\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"], "
		 "\"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}"));
	set(b, "process.noNewPrivileges", json_object_new_boolean(true));
	/* Not under valgrind, which refuses it (make_bundle); the other runs check it. */
	if (!under_valgrind())
		set(b, "process.rlimits",
		    json("[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 256, \"hard\": 512}]"));
	save(b);
	/* The caller's environment is not the container's. */
	setenv("DC_CALLER", "leaked", 1);
	const char *out = run_output(b, id, 0);
	unsetenv("DC_CALLER");
	expect_probe(out, "greeting", "hello from config.json", "process.env is the environment");
	expect_probe(out, "caller", "", "only process.env is the environment: nothing of dcrun's");
	expect_probe(out, "hostname", "dc-honoured", "hostname names the container");
	expect_probe(out, "cwd", "/etc", "process.cwd is where the command starts");
	/* CHOWN 0, KILL 5, NET_BIND_SERVICE 10. */
	expect_probe(out, "cap_bnd", "0000000000000421",
		     "capabilities.bounding is the bounding set");
	/* With no_new_privs, execve grants nothing more: root keeps what config.json gave it. */
	expect_probe(out, "cap_eff", "0000000000000020", "capabilities.effective is CAP_KILL");
	expect_probe(out, "cap_prm", "0000000000000020", "capabilities.permitted is CAP_KILL");
	expect_probe(out, "cap_inh", "0000000000000000", "no inheritable set was asked for");
	expect_probe(out, "cap_amb", "0000000000000000", "no ambient set was asked for");
	expect_probe(out, "no_new_privs", "1", "noNewPrivileges: true");
	if (under_valgrind())
		fprintf(stderr, "*** NOTE: process.rlimits not checked under valgrind, which "
				"refuses setrlimit(RLIMIT_NOFILE); the other runs check it ***\n");
	else
		expect_probe(out, "rlimit_nofile", "256 512",
			     "rlimits sets RLIMIT_NOFILE, soft and hard");

	/* An ordinary user keeps what is ambient; without noNewPrivileges the bit is clear. */
	set(b, "process.user", json("{\"uid\": 1000, \"gid\": 1000}"));
	set(b, "process.capabilities",
	    json("{\"bounding\": [\"CAP_NET_BIND_SERVICE\"], \"effective\": "
		 "[\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_NET_BIND_SERVICE\"], "
		 "\"inheritable\": [\"CAP_NET_BIND_SERVICE\"], \"ambient\": "
		 "[\"CAP_NET_BIND_SERVICE\"]}"));
	set(b, "process.noNewPrivileges", json_object_new_boolean(false));
	save(b);
	out = run_output(b, id, 0);
	expect_probe(out, "cap_amb", "0000000000000400", "capabilities.ambient is the ambient set");
	expect_probe(out, "cap_eff", "0000000000000400",
		     "an ordinary user's effective set after execve is the ambient set");
	expect_probe(out, "no_new_privs", "0", "noNewPrivileges: false leaves the bit clear");
}

/*
 * process.user as root's ids, without a user namespace: uid, gid,
 * additionalGids and umask. Then through a user namespace mapping 0-65535
 * inside to 100000-165535: uid 1000 inside is 101000 on the host.
 */
void test_user_is_honoured_with_and_without_a_user_namespace(void **state)
{
	const char *id = container_id("user");

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"user", (const char *[]){"/bin/sh", "-c",
					 "echo \"umask=$(umask)\"; exec /bin/probe uid gid groups "
					 "uid_map",
					 NULL});
	set(b, "process.user",
	    json("{\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [2000, 3000], "
		 "\"umask\": 23}"));
	save(b);
	const char *out = run_output(b, id, 0);
	expect_probe(out, "uid", "1000", "process.user.uid");
	expect_probe(out, "gid", "1001", "process.user.gid");
	expect_probe(out, "umask", "0027", "process.user.umask (23 is 027 in octal)");
	const char *groups = value_in(out, "groups");
	if (groups == NULL || !has_item(groups, "2000") || !has_item(groups, "3000"))
		dc_fail("the groups should hold process.user.additionalGids, 2000 and 3000: %s",
			groups ? groups : "(not printed)");

	map_users(b);
	set(b, "process.user", json("{\"uid\": 1000, \"gid\": 1000}"));
	save(b);
	out = run_output(b, id, 0);
	expect_probe(out, "uid", "1000", "process.user.uid, inside the user namespace");
	expect_probe(out, "uid_map", "0 100000 65536", "linux.uidMappings is the uid map");

	set(b, "process.args",
	    strings((const char *[]){"/bin/sh", "-c", "while :; do sleep 0.05; done", NULL}));
	save(b);
	run_detached(b, id);
	pid_t pid = pid_of(b, id);
	const char *status = contents(text("/proc/%d/status", (int)pid));
	const char *uid = strstr(status, "\nUid:");
	if (uid == NULL || strncmp(uid, "\nUid:\t101000\t", 13) != 0)
		dc_fail("on the host, uid 1000 of the container should be 101000 (100000 + 1000); "
			"/proc/%d/status says:\n%s",
			(int)pid, status);
}

/*
 * linux.resources' memory limit and pids limit are written to the group
 * that linux.cgroupsPath names, in the container's own hierarchy; on v1,
 * so are memory's swappiness and disableOOMKiller.
 */
void test_resources_are_written_to_the_cgroups_path(void **state)
{
	const char *id = container_id("limits");
	const char *path = text("/dc-runtime-%d-limits", (int)getpid());
	struct groups gs;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"limits", (const char *[]){"/bin/sh", "-c", "while :; do sleep 0.05; done", NULL});
	set(b, "linux.cgroupsPath", json_object_new_string(path));
	set(b, "linux.resources.memory",
	    json("{\"limit\": 67108864, \"swappiness\": 10, \"disableOOMKiller\": true}"));
	set(b, "linux.resources.pids", json("{\"limit\": 32}"));
	save(b);
	run_detached(b, id);
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	for (size_t i = 0; i < gs.n; i++) {
		size_t len = strlen(gs.dir[i]), plen = strlen(path);
		if (len < plen || strcmp(gs.dir[i] + len - plen, path) != 0)
			dc_fail("the container's group %s is not at cgroupsPath %s", gs.dir[i],
				path);
	}
	bool v2 = cgroup_v2();
	const char *memory = group_file(&gs, "memory", v2 ? "memory.max" : "memory.limit_in_bytes");
	const char *pids = group_file(&gs, "pids", "pids.max");
	if (memory == NULL || strcmp(memory, "67108864") != 0)
		dc_fail("the group's memory limit should be 67108864 (64 MiB); it is %s",
			memory ? memory : "(unreadable)");
	if (pids == NULL || strcmp(pids, "32") != 0)
		dc_fail("the group's pids limit should be 32; it is %s",
			pids ? pids : "(unreadable)");
	/* v2 has neither file: dcrun skips both there, as runc does (the container ran). */
	if (v2)
		return;
	const char *swappiness = group_file(&gs, "memory", "memory.swappiness");
	const char *oom = group_file(&gs, "memory", "memory.oom_control"); /* its first line */
	if (swappiness == NULL || strcmp(swappiness, "10") != 0)
		dc_fail("the group's memory.swappiness should be 10; it is %s",
			swappiness ? swappiness : "(unreadable)");
	if (oom == NULL || strcmp(oom, "oom_kill_disable 1") != 0)
		dc_fail("disableOOMKiller: the group's memory.oom_control should start with "
			"\"oom_kill_disable 1\"; it is \"%s\"",
			oom ? oom : "(unreadable)");
}

/*
 * maskedPaths read empty (here a kernel file and a file of the image);
 * readonlyPaths cannot be written (a bind mount, here, whose twin that is
 * not in readonlyPaths can be); and a root.readonly root is mounted ro.
 */
void test_masked_and_read_only_paths_are_honoured(void **state)
{
	const char *id = container_id("masked");

	(void)state;
	require_root();
	const char *writable = text("%s", make_temp_dir("writable"));
	struct bundle *b = make_bundle(
		"masked",
		(const char *[]){"/bin/sh", "-c",
				 "for f in /proc/kcore /proc/keys /etc/os-release; do "
				 "echo \"$f=$(wc -c <$f)\"; done; "
				 "for d in /mnt /tmp; do "
				 "if echo x 2>/dev/null >$d/written; then echo \"$d=rw\"; "
				 "else echo \"$d=ro\"; fi; done; "
				 "awk '$5 == \"/\" { split($6, o, \",\"); print \"root=\" o[1] }' "
				 "/proc/self/mountinfo",
				 NULL});
	share_mnt(b);
	append(b, "mounts",
	       json("{\"destination\": \"/tmp\", \"type\": \"bind\", \"source\": %s, "
		    "\"options\": [\"rbind\", \"rw\"]}",
		    quoted(writable)));
	set(b, "linux.maskedPaths",
	    strings((const char *[]){"/proc/kcore", "/proc/keys", "/etc/os-release", NULL}));
	set(b, "linux.readonlyPaths", strings((const char *[]){"/proc/sys", "/mnt", NULL}));
	set(b, "root.readonly", json_object_new_boolean(true));
	save(b);
	const char *out = run_output(b, id, 0);
	/* A path the kernel lacks (no CONFIG_PROC_KCORE: no /proc/kcore) is skipped, as in runc. */
	if (exists("/proc/kcore"))
		expect_probe(out, "/proc/kcore", "0", "/proc/kcore is in maskedPaths");
	expect_probe(out, "/proc/keys", "0", "/proc/keys is in maskedPaths");
	expect_probe(out, "/etc/os-release", "0",
		     "/etc/os-release, a file of the image, is in maskedPaths");
	expect_probe(out, "/mnt", "ro", "/mnt is in readonlyPaths");
	expect_probe(out, "/tmp", "rw", "/tmp, bound the same way, is not in readonlyPaths");
	expect_probe(out, "root", "ro", "root.readonly mounts the root read-only");
	if (exists(shared_file(b, "written")))
		dc_fail("a file written in a readonlyPaths directory reached the host");
	if (!exists(text("%s/written", writable)))
		dc_fail("the writable bind mount's file did not reach the host");
}

/*
 * mounts: a tmpfs with size= (1 MiB: 1024k in mountinfo), a read-only
 * bind mount nested in it, and a read-write bind mount whose writes reach
 * the host. Nothing lands in the rootfs.
 */
void test_bind_and_tmpfs_mounts_are_made(void **state)
{
	const char *id = container_id("mounts");

	(void)state;
	require_root();
	const char *ro = text("%s", make_temp_dir("ro"));
	write_file(text("%s/hello", ro), "hello from the host\n");
	struct bundle *b = make_bundle(
		"mounts",
		(const char *[]){
			"/bin/sh", "-c",
			"echo \"hello=$(cat /tmp/ro/hello)\"; "
			"if echo x 2>/dev/null >/tmp/ro/written; then echo ro_bind=rw; "
			"else echo ro_bind=ro; fi; "
			"echo from-inside >/mnt/inside; echo scratch >/tmp/scratch; "
			"awk '$5 == \"/tmp\" { print \"tmpfs=\" $0 }' /proc/self/mountinfo",
			NULL});
	share_mnt(b);
	append(b, "mounts",
	       json("{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
		    "\"options\": [\"nosuid\", \"nodev\", \"size=1m\", \"mode=1777\"]}"));
	append(b, "mounts",
	       json("{\"destination\": \"/tmp/ro\", \"type\": \"bind\", \"source\": %s, "
		    "\"options\": [\"rbind\", \"ro\"]}",
		    quoted(ro)));
	save(b);
	const char *out = run_output(b, id, 0);
	expect_probe(out, "hello", "hello from the host", "the bind mount shows the host's files");
	expect_probe(out, "ro_bind", "ro", "a bind mount with \"ro\" cannot be written");
	const char *tmpfs = value_in(out, "tmpfs");
	if (tmpfs == NULL || strstr(tmpfs, " - tmpfs ") == NULL ||
	    strstr(tmpfs, "size=1024k") == NULL)
		dc_fail("/tmp should be a tmpfs of size=1m (1024k in mountinfo): %s",
			tmpfs ? tmpfs : "(not mounted)");
	if (strcmp(contents(shared_file(b, "inside")), "from-inside\n") != 0)
		dc_fail("a file written in the read-write bind mount did not reach the host");
	if (exists(text("%s/tmp/scratch", test_rootfs())))
		dc_fail("a file written on the tmpfs landed in the rootfs: %s/tmp/scratch",
			test_rootfs());
}

/* A namespace with a path is joined: B joins A's network namespace, and keeps its own UTS. */
void test_namespace_path_joins_another_containers_network(void **state)
{
	const char *a_id = container_id("neta"), *b_id = container_id("netb");

	(void)state;
	require_root();
	struct bundle *a = make_bundle(
		"neta", (const char *[]){"/bin/sh", "-c", "while :; do sleep 0.05; done", NULL});
	save(a);
	run_detached(a, a_id);
	pid_t a_pid = pid_of(a, a_id);
	unsigned long net = namespace_of(a_pid, "net"), uts = namespace_of(a_pid, "uts");
	if (net == 0 || net == namespace_of(getpid(), "net"))
		dc_fail("container A (pid %d) has no network namespace of its own", (int)a_pid);

	struct bundle *b =
		make_bundle("netb", (const char *[]){"/bin/probe", "ns.net", "ns.uts", NULL});
	namespace_path(b, "network", text("/proc/%d/ns/net", (int)a_pid));
	save(b);
	const char *out = run_output(b, b_id, 0);
	expect_probe(out, "ns.net", text("%lu", net),
		     "linux.namespaces' network with a path joins that namespace: A's");
	const char *b_uts = value_in(out, "ns.uts");
	if (b_uts == NULL || strcmp(b_uts, text("%lu", uts)) == 0)
		dc_fail("B should have a UTS namespace of its own, not A's (%lu): %s", uts,
			b_uts ? b_uts : "(not printed)");
}

/* "Permission denied" or "Operation not permitted" at the end of an answer: refused. */
static bool refused(const char *answer)
{
	return answer && (strstr(answer, "Permission denied") != NULL ||
			  strstr(answer, "Operation not permitted") != NULL);
}

/*
 * Container A joins the PID namespace of B, created and waiting for
 * start (and its user namespace, when B has one). A's shell finds B's
 * init, PID 1 there, and tries what a debugger could: open its
 * /proc/1/mem read-write, read its environ.
 */
static void expect_waiting_init_out_of_reach(bool user_namespace)
{
	const char *tag = user_namespace ? "waitu" : "wait";
	const char *b_id = container_id(text("%sb", tag)), *a_id = container_id(text("%sa", tag));
	static const char script[] = "printf 'init=%s\\n' \"$(tr '\\000' ' ' </proc/1/cmdline)\"; "
				     "if err=$( (exec 3<>/proc/1/mem) 2>&1 ); then echo mem_rw=ok; "
				     "else echo \"mem_rw=$err\"; fi; "
				     "/bin/probe ns.pid; exec /bin/probe --reach 1";
	size_t len = 0;

	struct bundle *b = make_bundle(text("%sb", tag), (const char *[]){"/bin/true", NULL});
	struct bundle *a =
		make_bundle(text("%sa", tag), (const char *[]){"/bin/sh", "-c", script, NULL});
	if (user_namespace) {
		set(b, "root.path", json_object_new_string(test_rootfs_for_others()));
		append(b, "linux.namespaces", json("{\"type\": \"user\"}"));
		set(b, "linux.uidMappings",
		    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
		set(b, "linux.gidMappings",
		    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
		set(a, "root.path", json_object_new_string(test_rootfs_for_others()));
	}
	save(b);
	create(b, b_id);
	expect_status(b, b_id, "created", "create leaves init waiting for start");
	pid_t b_pid = pid_of(b, b_id);
	if (b_pid <= 0)
		dc_fail("dcrun state %s gives no pid for the created container", b_id);
	char *cmdline = keep(read_bytes_if_there(text("/proc/%d/cmdline", (int)b_pid), &len));
	for (size_t i = 0; cmdline && i < len; i++)
		cmdline[i] = cmdline[i] == '\0' ? ' ' : cmdline[i];
	const char *b_init = text("%.*s", cmdline ? (int)len : 0, cmdline ? cmdline : "");

	namespace_path(a, "pid", text("/proc/%d/ns/pid", (int)b_pid));
	if (user_namespace)
		append(a, "linux.namespaces",
		       json("{\"type\": \"user\", \"path\": %s}",
			    quoted(text("/proc/%d/ns/user", (int)b_pid))));
	save(a);
	const char *out = run_output(a, a_id, 0);
	const char *init = value_in(out, "init");
	/* The attack must really be tried: A's PID 1 is B's waiting init. */
	expect_probe(out, "ns.pid", text("%lu", namespace_of(b_pid, "pid")),
		     "linux.namespaces' pid with a path joins B's PID namespace");
	if (init == NULL || b_init[0] == '\0' || strcmp(init, b_init) != 0) {
		print_error("container A printed:\n%s\n", out);
		dc_fail("A's PID 1 should be B's waiting init (\"%s\" on the host); A saw \"%s\": "
			"the attack was not tried",
			b_init, init ? init : "(nothing)");
	}
	const char *mem = value_in(out, "mem_rw"), *environ_ = value_in(out, "reach.environ");
	if (!refused(mem) || !refused(environ_) || !refused(value_in(out, "reach.mem"))) {
		print_error("container A printed:\n%s\n", out);
		dc_fail("from a container sharing its PID namespace%s, B's init, waiting for start, "
			"let root open its /proc/PID/mem (read-write: \"%s\") or read its environ "
			"(\"%s\"): writing there runs code in B before B's seccomp filter is "
			"loaded. init must be non-dumpable until execve, as runc's is (lesson 12, "
			"\"create and start\")",
			user_namespace ? " and user namespace" : "", mem ? mem : "(not printed)",
			environ_ ? environ_ : "(not printed)");
	}
	/* And a non-dumpable init still opens exec.fifo: start runs the command. */
	expect_status(b, b_id, "created", "A only looked at B's init");
	start(b, b_id);
	if (!wait_for_status(b, b_id, "stopped"))
		dc_fail("B's /bin/true did not run to its end after start: state says \"%s\"",
			status_of(b, b_id));
}

/*
 * Between create and start, init is dcrun's code: its capabilities
 * dropped, its seccomp filter not yet loaded. Another container sharing
 * its PID namespace (podman's --pid container:NAME, a pod's), and its
 * user namespace if it has one, has a root of the same uid and
 * capabilities. It must not reach init as a debugger would: through
 * /proc/PID/mem it could make init run its code, unfiltered. runc keeps
 * its init non-dumpable until execve (CVE-2016-9962); so must dcrun.
 */
void test_waiting_init_cannot_be_reached_from_a_shared_pid_namespace(void **state)
{
	(void)state;
	require_root();
	expect_waiting_init_out_of_reach(false);
	expect_waiting_init_out_of_reach(true);
}

/*
 * linux.seccomp is the filter: a profile that allows everything but
 * keyctl(2), refused with errnoRet 95 (EOPNOTSUPP, which keyctl never
 * gives on its own). Without the profile the same call is not refused so.
 */
void test_seccomp_profile_from_config_is_applied(void **state)
{
	const char *id = container_id("seccomp");

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("seccomp", (const char *[]){"/bin/probe", "--try", "keyctl", NULL});
	save(b);
	const char *out = run_output(b, id, 0);
	const char *without = value_in(out, "try.keyctl");
	if (without == NULL || strcmp(without, strerror(EOPNOTSUPP)) == 0)
		dc_fail("without a profile, keyctl should not say \"%s\": %s", strerror(EOPNOTSUPP),
			out);

	set(b, "linux.seccomp",
	    json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 95}]}"));
	set(b, "process.args",
	    strings((const char *[]){"/bin/sh", "-c",
				     "/bin/probe --try keyctl; exec /bin/probe seccomp", NULL}));
	save(b);
	out = run_output(b, id, 0);
	expect_probe(out, "try.keyctl", strerror(EOPNOTSUPP),
		     "linux.seccomp refuses keyctl with errnoRet 95 (EOPNOTSUPP)");
	expect_probe(out, "seccomp", "2", "a seccomp filter is on (mode 2)");
}

/* ---- dcrun's own binary ---------------------------------------------------------------------- */

/*
 * The first exec, in a PID namespace, of a process dcrun started, and what
 * an attacker there does at that instant (trace_run, shared with lesson
 * 11's promises, stops it there): at its PTRACE_EVENT_EXEC stop, or with
 * `before`, at the entry of its execve, while it is still dcrun's.
 */
struct first_exec {
	struct run *shell;  /* the attacker: a shell_loop there */
	const char *attack; /* its command; %d is the process's pid there */
	bool before;        /* at the entry of its execve, still the runtime's, rather than after */
	pid_t pid;          /* the host pid that exec'd there, 0 until one did */
	char argv[512];     /* its command line, its words joined by spaces */
	char exe[4096];     /* where its /proc/PID/exe led, seen from the host */
	char answer[4096];  /* what the attacker got */
};

static void at_first_exec(struct trace *t, enum trace_moment moment, pid_t pid)
{
	struct first_exec *x = t->data;
	char command[256];
	size_t len = 0;

	if (x->pid != 0 || moment != (x->before ? TRACE_BEFORE_EXEC : TRACE_AFTER_EXEC))
		return;
	char *cmdline = read_bytes_if_there(text("/proc/%d/cmdline", (int)pid), &len);
	ssize_t n = readlink(text("/proc/%d/exe", (int)pid), x->exe, sizeof(x->exe) - 1);

	x->pid = pid;
	x->exe[n > 0 ? n : 0] = '\0';
	for (size_t i = 0; cmdline && i < len; i++)
		cmdline[i] = cmdline[i] == '\0' ? ' ' : cmdline[i];
	snprintf(x->argv, sizeof(x->argv), "%.*s", cmdline ? (int)len : 0, cmdline ? cmdline : "");
	free(cmdline);
	snprintf(command, sizeof(command), x->attack, (int)pid_inside(pid));
	snprintf(x->answer, sizeof(x->answer), "%s", shell_do(x->shell, command));
}

/* Run ARGS (dcrun's: argv[0] is the program) traced, and attack at the first exec in PIDNS. */
static void trace_to_first_exec(struct run *r, const char *const args[], unsigned long pidns,
				struct first_exec *x)
{
	struct trace t = {.pidns = pidns, .entries = x->before, .at = at_first_exec, .data = x};

	trace_run(r, args, &t);
}

/*
 * CVE-2019-5736 (runc, 2019): the image's command is a script whose
 * interpreter is "#!/proc/self/exe". dcrun's init, exec'ing it, makes the
 * kernel run inside the container the very file dcrun was started from
 * -- the host's binary. Root in another container sharing its PID
 * namespace (a pod's) opens it (/proc/PID/exe, with O_PATH) while it
 * runs, and once nothing runs it any more, opens that descriptor for
 * writing: the next dcrun on the host would run the attacker's code. The
 * image is an ordinary one: it holds the dynamic loader dcrun asks for
 * (any Debian-based image does). The binary attacked is a copy of dcrun,
 * never the one under test; it runs outside valgrind, which would keep
 * dcrun from its sealed copy (valgrind cannot follow an exec from memory):
 * every run checks the promise.
 */
void test_runtime_binary_cannot_be_overwritten_from_inside(void **state)
{
	const char *pod_id = container_id("stealpod"), *evil_id = container_id("stealevil");
	struct first_exec x = {.attack = "/bin/probe --steal-exe %d /mnt/steal"};
	size_t original_len = 0, now_len = 0;
	const char *write_answer = "";
	char real[PATH_MAX];
	struct run r, pod, evil;

	(void)state;
	require_root();
	/* The attacker: a shell in a container of its own, whose PID namespace the other joins. */
	struct bundle *a =
		make_bundle("stealpod", (const char *[]){"/bin/sh", "-c", shell_loop, NULL});
	share_mnt(a);
	save(a);
	if (mkdir(shared_file(a, "steal"), 0755) == -1)
		dc_fail("mkdir %s: %s", shared_file(a, "steal"), strerror(errno));

	/* The image: the test rootfs, the script, and the loader. */
	struct bundle *b = make_bundle("stealevil", (const char *[]){"/bin/dc-evil", NULL});
	const char *rootfs = text("%s/rootfs", b->dir);
	run_program(&r, (const char *[]){"cp", "-a", "--", test_rootfs(), rootfs, NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	write_file(text("%s/bin/dc-evil", rootfs), "#!/proc/self/exe\n");
	assert_int_equal(chmod(text("%s/bin/dc-evil", rootfs), 0755), 0);
	assert_non_null(realpath(impl_path("dcrun"), real));
	char interp[512];
	interpreter_of(real, interp, sizeof(interp));
	if (interp[0] != '\0') {
		const char *in_image = text("%s%s", rootfs, interp);
		const char *dir = text("%.*s", (int)(strrchr(in_image, '/') - in_image), in_image);
		run_program(&r, (const char *[]){"mkdir", "-p", dir, NULL}, NULL);
		assert_exit(&r, 0);
		run_free(&r);
		run_program(&r, (const char *[]){"cp", "-L", interp, in_image, NULL}, NULL);
		assert_exit(&r, 0);
		run_free(&r);
	}
	set(b, "root.path", json_object_new_string(rootfs));

	/* The binary attacked: a copy. */
	const char *copy = text("%s/dcrun", b->dir);
	run_program(&r, (const char *[]){"cp", real, copy, NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	char *original = read_bytes_if_there(copy, &original_len);
	assert_non_null(original);
	keep(original);

	run_start(&pod, "dcrun",
		  rooted(a, (const char *[]){"run", "--bundle", a->dir, pod_id, NULL}));
	const char *line = run_read_line(&pod);
	pid_t pod_pid = line && strcmp(line, "ready") == 0 ? pid_of(a, pod_id) : 0;
	if (pod_pid == 0) {
		run_finish(&pod);
		run_dump(&pod, "dcrun run (the attacker's container)");
		dc_fail("the attacker's container did not start");
	}
	x.shell = &pod;
	namespace_path(b, "pid", text("/proc/%d/ns/pid", (int)pod_pid));
	save(b);
	trace_to_first_exec(
		&evil,
		(const char *[]){copy, "--root", b->root, "run", "--bundle", b->dir, evil_id, NULL},
		namespace_of(pod_pid, "pid"), &x);
	run_finish(&evil);
	/* Nothing runs the copy any more: now write. */
	const char *opened = value_in(x.answer, "steal.open");
	if (opened && strcmp(opened, "ok") == 0)
		write_answer = text(
			"%s", shell_do(&pod, "echo go > /mnt/steal/go; cat /mnt/steal/result"));
	run_finish(&pod);
	char *now = read_bytes_if_there(copy, &now_len);
	bool unchanged = now && now_len == original_len && !memcmp(now, original, now_len);
	free(now);

	if (x.pid == 0 || strncmp(x.argv, "/proc/self/exe ", 15) != 0) {
		run_dump(&evil, "dcrun run (the copy), of /bin/dc-evil");
		dc_fail("the image's #!/proc/self/exe script never ran inside (%s): the attack was "
			"not tried",
			x.pid ? text("the first exec in the pod ran \"%s\"", x.argv)
			      : "no exec seen in the pod's PID namespace");
	}
	if (opened == NULL) {
		run_dump(&pod, "dcrun run (the attacker's container)");
		dc_fail("the attacker's probe did not run (it said \"%s\"): the attack was not tried",
			x.answer);
	}
	if (!unchanged) {
		print_error("the attacker got:\n%sand, once dcrun had exited:\n%s", x.answer,
			    write_answer);
		dc_fail("root inside overwrote the host's dcrun binary (a copy: %s). While the "
			"image's #!/proc/self/exe ran it inside, /proc/PID/exe led to %s. dcrun "
			"must run from a sealed copy of itself (memfd_create, F_SEAL_WRITE), so "
			"that /proc/self/exe is never the host's file (lesson 12, \"create and "
			"start\")",
			copy, x.exe);
	}
}

/* ---- podman drives it ------------------------------------------------------------------------ */

/*
 * podman runs dcrun as its runtime (--runtime), with storage of its own
 * under a temporary directory (--root, --runroot, --tmpdir; vfs, which
 * mounts nothing), so the user's podman storage is never touched, and an
 * image imported from a tar of the test rootfs: no registry. This host
 * needs two more things, which every run passes:
 *   --cgroup-manager cgroupfs   there is no systemd to ask for groups;
 *   --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
 *                               podman asks by default for hard limits
 *                               above the caller's, which only
 *                               CAP_SYS_RESOURCE may raise (a container
 *                               runner, CI or a VM agent, often lacks it).
 * And --network none: podman's default network would add a bridge and
 * firewall rules to the host, which a test must not change.
 */
static const char image[] = "localhost/dc-test-rootfs:latest";

bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char dir[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p != '\0';) {
		size_t len = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s/%s", (int)len, p, name);
		if (access(dir, X_OK) == 0)
			return true;
		p += len + (p[len] == ':');
	}
	return false;
}

static void podman(struct run *r, const char *const args[])
{
	const char *argv[64] = {
		"podman",        "--root",           storage.root,   "--runroot",
		storage.runroot, "--tmpdir",         storage.tmp,    "--storage-driver",
		"vfs",           "--cgroup-manager", "cgroupfs",     "--events-backend",
		"file",          "--runtime",        storage.runtime};
	size_t n = 15;

	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_program(r, argv, NULL);
}

/* Skip loudly without podman; else make its storage and image, once for all the tests. */
static void require_podman(void)
{
	struct run r;

	require_root();
	if (!on_path("podman") || !on_path("conmon")) {
		fprintf(stderr, "\n*** SKIPPED: podman and conmon are not installed, so the podman "
				"scenarios cannot run: `make deps` installs them ***\n\n");
		skip();
	}
	storage.used = true;
	if (storage.dir != NULL)
		return;
	storage.dir = make_temp_dir("podman");
	keep_temp_dir(storage.dir);
	snprintf(storage.root, sizeof(storage.root), "%s/root", storage.dir);
	snprintf(storage.runroot, sizeof(storage.runroot), "%s/runroot", storage.dir);
	snprintf(storage.tmp, sizeof(storage.tmp), "%s/tmp", storage.dir);
	snprintf(storage.runtime, sizeof(storage.runtime), "%s", impl_path("dcrun"));
	if (mkdir(storage.tmp, 0700) == -1)
		dc_fail("mkdir %s: %s", storage.tmp, strerror(errno));
	const char *tar = text("%s/rootfs.tar", storage.dir);
	run_program(&r, (const char *[]){"tar", "-C", test_rootfs(), "-cf", tar, ".", NULL}, NULL);
	assert_exit(&r, 0);
	run_free(&r);
	podman(&r, (const char *[]){"import", "--quiet", tar, image, NULL});
	if (r.exit_code != 0) {
		run_dump(&r, "podman import");
		dc_fail("podman import of the test rootfs failed (exit %d)", r.exit_code);
	}
	run_free(&r);
}

static void remove_podman_containers(void)
{
	struct run r;

	podman(&r, (const char *[]){"rm", "--all", "--force", "--time", "0", NULL});
	if (r.exit_code != 0)
		fprintf(stderr, "promises: podman rm --all --force: exit %d: %s", r.exit_code,
			r.err);
	run_free(&r);
}

/* Whatever podman left mounted under its storage (a container's /dev/shm), unmounted. */
static void unmount_storage(void)
{
	char *table = host_mount_table();
	size_t len = strlen(storage.dir);

	for (const char *line = table; line && *line; line = next_line(line)) {
		char point[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    strncmp(point, storage.dir, len) == 0 && umount2(point, MNT_DETACH) == -1)
			fprintf(stderr, "promises: umount %s: %s\n", point, strerror(errno));
	}
	free(table);
}

static void remove_storage(void)
{
	if (storage.dir == NULL)
		return;
	remove_podman_containers();
	unmount_storage();
	remove_tree(storage.dir);
	storage.dir = NULL;
}

/* podman run --rm with this host's options, then OPTIONS, the image, and COMMAND. */
static void podman_run(struct run *r, const char *const options[], const char *const command[])
{
	const char *args[48] = {"run",      "--rm",           "--network",
				"none",     "--ulimit",       "nofile=1024:1024",
				"--ulimit", "nproc=1024:1024"};
	size_t n = 8;

	for (size_t i = 0; options[i] != NULL && n + 2 < sizeof(args) / sizeof(args[0]); i++)
		args[n++] = options[i];
	args[n++] = image;
	for (size_t i = 0; command[i] != NULL && n + 1 < sizeof(args) / sizeof(args[0]); i++)
		args[n++] = command[i];
	args[n] = NULL;
	podman(r, args);
}

static void expect_podman_exit(const struct run *r, int status, const char *what)
{
	if (r->exit_code != status) {
		run_dump(r, what);
		dc_fail("%s exited %d; it should exit %d", what, r->exit_code, status);
	}
}

/* podman run --rm returns the command's exit status, through conmon and dcrun. */
void test_podman_run_returns_the_exit_status(void **state)
{
	struct run r;

	(void)state;
	require_podman();
	podman_run(&r, (const char *[]){NULL}, (const char *[]){"/bin/sh", "-c", "exit 7", NULL});
	expect_podman_exit(&r, 7, "podman run of exit 7");
	run_free(&r);
	podman_run(&r, (const char *[]){NULL}, (const char *[]){"/bin/probe", "uid", NULL});
	expect_podman_exit(&r, 0, "podman run of the probe");
	assert_string_equal(r.out, "uid=0\n");
	run_free(&r);
}

/* --hostname, -e, -w and --user reach the container. */
void test_podman_process_options_reach_the_container(void **state)
{
	struct run r;

	(void)state;
	require_podman();
	podman_run(&r,
		   (const char *[]){"--hostname", "dc-podman", "-e",
				    "DC_GREETING=hello from podman", "-w", "/etc", "--user",
				    "1000:1001", NULL},
		   (const char *[]){"/bin/sh", "-c",
				    "echo \"greeting=$DC_GREETING\"; exec /bin/probe hostname cwd "
				    "uid gid",
				    NULL});
	expect_podman_exit(&r, 0, "podman run with --hostname, -e, -w and --user");
	expect_probe(r.out, "greeting", "hello from podman", "-e sets the environment");
	expect_probe(r.out, "hostname", "dc-podman", "--hostname names the container");
	expect_probe(r.out, "cwd", "/etc", "-w is where the command starts");
	expect_probe(r.out, "uid", "1000", "--user 1000:1001 runs it as uid 1000");
	expect_probe(r.out, "gid", "1001", "--user 1000:1001 runs it with gid 1001");
	run_free(&r);
}

/* --network none (loopback only), --read-only, -v and --cap-drop hold. */
void test_podman_isolation_options_work(void **state)
{
	struct run r;

	(void)state;
	require_podman();
	const char *volume = text("%s", make_temp_dir("volume"));
	write_file(text("%s/hello", volume), "hello from the host\n");
	podman_run(&r,
		   (const char *[]){"--read-only", "-v", text("%s:/data", volume), "--cap-drop",
				    "NET_BIND_SERVICE", NULL},
		   (const char *[]){"/bin/sh", "-c",
				    "echo \"hello=$(cat /data/hello)\"; echo from-inside "
				    ">/data/inside; "
				    "if touch /dc-written 2>/dev/null; then echo root=rw; "
				    "else echo root=ro; fi; "
				    "exec /bin/probe ifaces cap_eff",
				    NULL});
	expect_podman_exit(&r, 0, "podman run with --read-only, -v and --cap-drop");
	const char *ifaces = value_in(r.out, "ifaces");
	if (ifaces == NULL || strncmp(ifaces, "lo:", 3) != 0 || strchr(ifaces, ',') != NULL)
		dc_fail("with --network none the container should have loopback only: ifaces=%s",
			ifaces ? ifaces : "(not printed)");
	expect_probe(r.out, "root", "ro", "--read-only makes the root read-only");
	expect_probe(r.out, "hello", "hello from the host", "-v shows the host's directory");
	if (strcmp(contents(text("%s/inside", volume)), "from-inside\n") != 0)
		dc_fail("a file written in the -v volume did not reach the host");
	const char *eff = value_in(r.out, "cap_eff");
	unsigned long long caps = eff ? strtoull(eff, NULL, 16) : 0;
	if (eff == NULL || caps == 0 || (caps & (1ULL << 10)) != 0)
		dc_fail("--cap-drop NET_BIND_SERVICE (bit 10) should leave podman's other "
			"capabilities, without it: cap_eff=%s",
			eff ? eff : "(not printed)");
	run_free(&r);
}

/* --memory and --pids-limit are seen inside, in the container's own cgroup files. */
void test_podman_limits_are_seen_inside(void **state)
{
	struct run r;

	(void)state;
	require_podman();
	podman_run(
		&r, (const char *[]){"--memory", "64m", "--pids-limit", "50", NULL},
		(const char *[]){"/bin/sh", "-c",
				 "cd /sys/fs/cgroup; "
				 "echo \"memory=$(cat memory.max 2>/dev/null || "
				 "cat memory/memory.limit_in_bytes)\"; "
				 "echo \"pids=$(cat pids.max 2>/dev/null || cat pids/pids.max)\"",
				 NULL});
	expect_podman_exit(&r, 0, "podman run with --memory and --pids-limit");
	expect_probe(r.out, "memory", "67108864", "--memory 64m is the group's memory limit");
	expect_probe(r.out, "pids", "50", "--pids-limit 50 is the group's pids limit");
	run_free(&r);
}

/*
 * run -d leaves the container running; stop sends SIGTERM, which the
 * command traps to exit 0 (so the exit status shows TERM came, not the
 * SIGKILL of stop's timeout); rm removes it, and no container is left.
 */
void test_podman_detached_container_stops_and_is_removed(void **state)
{
	const char *name = container_id("podman");
	struct run r;

	(void)state;
	require_podman();
	podman(&r,
	       (const char *[]){"run", "-d", "--name", name, "--network", "none", "--ulimit",
				"nofile=1024:1024", "--ulimit", "nproc=1024:1024", image, "/bin/sh",
				"-c", "trap 'exit 0' TERM; while :; do sleep 0.05; done", NULL});
	expect_podman_exit(&r, 0, "podman run -d");
	run_free(&r);
	podman(&r, (const char *[]){"inspect", "--format", "{{.State.Status}}", name, NULL});
	expect_podman_exit(&r, 0, "podman inspect");
	assert_string_equal(r.out, "running\n");
	run_free(&r);
	podman(&r, (const char *[]){"stop", "--time", "20", name, NULL});
	expect_podman_exit(&r, 0, "podman stop");
	run_free(&r);
	podman(&r, (const char *[]){"inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}",
				    name, NULL});
	expect_podman_exit(&r, 0, "podman inspect");
	if (strcmp(r.out, "exited 0\n") != 0)
		dc_fail("after podman stop the container should have exited 0, its TERM trap's "
			"status: podman says %s",
			r.out);
	run_free(&r);
	podman(&r, (const char *[]){"rm", name, NULL});
	expect_podman_exit(&r, 0, "podman rm");
	run_free(&r);
	podman(&r, (const char *[]){"ps", "--all", "--quiet", NULL});
	expect_podman_exit(&r, 0, "podman ps --all");
	if (r.out[0] != '\0')
		dc_fail("after podman rm, podman still lists a container: %s", r.out);
	run_free(&r);
}

/* Append POINT to a comma-joined list. */
static void add_point(char *points, size_t size, const char *point)
{
	size_t len = strlen(points);

	if ((size_t)snprintf(points + len, size - len, "%s%s", len ? "," : "", point) >= size - len)
		dc_fail("runtime_mount_points: more mount points than fit in %zu bytes", size);
}

/* Each path of the JSON array that this kernel has. */
static void add_existing(char *points, size_t size, json_object *paths)
{
	for (size_t i = 0; paths && i < json_object_array_length(paths); i++) {
		const char *path = json_object_get_string(json_object_array_get_idx(paths, i));
		if (access(path, F_OK) == 0)
			add_point(points, size, path);
	}
}

/*
 * The mount points dcrun makes for the adapter's config.json, in dcrun's
 * order (rootfs.c, as runc's): "/"; mounts[], where a "cgroup" mount is
 * one cgroup2 mount on a v2 host, and on v1 or hybrid a tmpfs holding one
 * mount per line of /proc/self/cgroup that the host mounts under
 * /sys/fs/cgroup; the default devices, bound from the host where a user
 * namespace forbids mknod; then readonlyPaths and maskedPaths, those this
 * kernel has.
 */
const char *runtime_mount_points(void)
{
	static const char *const devices[] = {"/dev/null", "/dev/random", "/dev/full",
					      "/dev/tty",  "/dev/zero",   "/dev/urandom"};
	static char points[8192];
	json_object *c = runtime_adapter_config((const char *[]){test_rootfs(), "/bin/true", NULL});
	json_object *mounts = json_object_object_get(c, "mounts");
	json_object *lx = json_object_object_get(c, "linux");
	json_object *namespaces = json_object_object_get(lx, "namespaces");
	bool bound_devices = false, own_dev = false;
	struct statfs fs;

	points[0] = '\0';
	add_point(points, sizeof(points), "/");
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *dest = json_object_get_string(json_object_object_get(m, "destination"));
		const char *type = json_object_get_string(json_object_object_get(m, "type"));
		char *cgroups, *rest = NULL;

		add_point(points, sizeof(points), dest);
		own_dev |= strcmp(dest, "/dev") == 0 && type && strcmp(type, "bind") == 0;
		if (type == NULL || strcmp(type, "cgroup") != 0 ||
		    (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC))
			continue;
		/* "4:memory:/x", "1:name=systemd:/x", "0::/x" (hybrid's v2: "unified") */
		cgroups = read_file("/proc/self/cgroup");
		for (char *line = strtok_r(cgroups, "\n", &rest); line;
		     line = strtok_r(NULL, "\n", &rest)) {
			char *controllers = strchr(line, ':'), *end, host[4200], inside[4200];

			if (controllers == NULL || (end = strchr(++controllers, ':')) == NULL)
				continue;
			*end = '\0';
			const char *name = controllers[0] == '\0'                  ? "unified"
					   : strncmp(controllers, "name=", 5) == 0 ? controllers + 5
										   : controllers;
			snprintf(host, sizeof(host), "/sys/fs/cgroup/%s", name);
			snprintf(inside, sizeof(inside), "%s/%s", dest, name);
			if (access(host, F_OK) == 0)
				add_point(points, sizeof(points), inside);
		}
		free(cgroups);
	}
	/* root inside a user namespace cannot mknod: dcrun binds the host's nodes, as runc. */
	for (size_t i = 0; i < json_object_array_length(namespaces); i++) {
		json_object *ns = json_object_array_get_idx(namespaces, i);
		bound_devices |= strcmp(json_object_get_string(json_object_object_get(ns, "type")),
					"user") == 0;
	}
	for (size_t i = 0; bound_devices && !own_dev && i < sizeof(devices) / sizeof(devices[0]);
	     i++)
		add_point(points, sizeof(points), devices[i]);
	json_object *listed = json_object_object_get(lx, "devices");
	for (size_t i = 0;
	     bound_devices && !own_dev && listed && i < json_object_array_length(listed); i++) {
		const char *path = json_object_get_string(
			json_object_object_get(json_object_array_get_idx(listed, i), "path"));
		if (strcmp(path, "/dev/ptmx") != 0)
			add_point(points, sizeof(points), path);
	}
	add_existing(points, sizeof(points), json_object_object_get(lx, "readonlyPaths"));
	add_existing(points, sizeof(points), json_object_object_get(lx, "maskedPaths"));
	json_object_put(c);
	return points;
}

/* ---- Terminals ------------------------------------------------------------------------------- */

/* A Unix socket listening at path, as conmon's console socket: non-blocking, to accept after create. */
static int listen_at(const char *path)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(address.sun_path, sizeof(address.sun_path), "%s", path);
	if (fd == -1 || bind(fd, (struct sockaddr *)&address, sizeof(address)) == -1 ||
	    listen(fd, 1) == -1)
		dc_fail("listen on %s: %s", path, strerror(errno));
	return fd;
}

/*
 * The descriptor create sent to the console socket (SCM_RIGHTS), or -1.
 * create has exited by now: its connection waits in the backlog.
 */
static int receive_master(int listener)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char name[256];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC), fd = -1;

	if (connection == -1)
		return -1;
	if (recvmsg(connection, &msg, MSG_CMSG_CLOEXEC) > 0) {
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
		if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	}
	close(connection);
	return fd;
}

/*
 * What the container wrote to its terminal, read from the master until
 * `want` is in it, or the terminal reads EIO (every slave closed: the
 * container has gone), or 10 s have passed. *gone says which (kept).
 */
static const char *read_terminal(int master, const char *want, bool *gone)
{
	static char seen[8192];
	size_t used = 0;

	*gone = false;
	seen[0] = '\0';
	for (int i = 0; i < POLL_TRIES && !*gone && (!want || !strstr(seen, want)); i++) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, POLL_MS) != 1)
			continue;
		ssize_t n = read(master, seen + used, sizeof(seen) - 1 - used);
		if (n > 0)
			used += (size_t)n;
		else if (n == 0 || errno != EINTR)
			*gone = true; /* EIO */
		seen[used] = '\0';
	}
	return text("%s", seen);
}

/*
 * With process.terminal, create sends the terminal's master to
 * --console-socket, as runc sends it to conmon or containerd: one
 * message, the descriptor in SCM_RIGHTS. The container's 0, 1 and 2 are
 * the slave, /dev/pts/0 of its own devpts, also bound on /dev/console,
 * sized as process.consoleSize says; the container holds no master. What
 * is written to the master is the container's input, and once it has
 * gone the master reads EIO: no one else holds its terminal.
 */
void test_terminal_master_goes_to_the_console_socket(void **state)
{
	const char *id = container_id("console");
	bool gone;
	int number = -1;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"console",
		(const char *[]){
			"/bin/sh", "-c",
			"tty; stty size; [ /dev/console -ef /dev/pts/0 ] && echo console=pts0; "
			": </dev/tty && echo ctty=yes; read line; echo got:$line",
			NULL});
	set(b, "process.terminal", json_object_new_boolean(true));
	set(b, "process.consoleSize", json("{\"height\": 33, \"width\": 77}"));
	save(b);
	const char *socket_path = text("%s/console.sock", b->dir);
	int listener = listen_at(socket_path);
	struct run r;
	dcrun_aside(&r, b, id,
		    (const char *[]){"create", "--console-socket", socket_path, "--bundle", b->dir,
				     id, NULL});
	int master = receive_master(listener);
	close(listener);
	if (r.exit_code != 0 || master == -1) {
		run_dump(&r, "create");
		dc_fail("create --console-socket exited %d and sent %s: it must send the "
			"terminal's master there (SCM_RIGHTS), and exit 0",
			r.exit_code, master == -1 ? "no descriptor" : "one");
	}
	run_free(&r);

	/* The container's side: the slave on 0, 1 and 2, and no master anywhere. */
	pid_t pid = pid_of(b, id);
	for (int fd = 0; fd < 64; fd++) {
		char link[256] = "";
		ssize_t n = readlink(text("/proc/%d/fd/%d", (int)pid, fd), link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		if ((fd <= 2 && strcmp(link, "/dev/pts/0") != 0) || strstr(link, "ptmx")) {
			close(master);
			dc_fail("the container's fd %d is \"%s\": 0, 1 and 2 must be its terminal, "
				"/dev/pts/0, and no master (ptmx) may stay in the container",
				fd, link);
		}
	}
	if (ioctl(master, TIOCGPTN, &number) == -1 || number != 0) {
		close(master);
		dc_fail("what create sent is %s: it must be the master of the container's own "
			"pty, number 0 of the devpts mounted newinstance at its /dev/pts",
			number == -1 ? "no pty master" : text("pty number %d", number));
	}

	start(b, id);
	if (write(master, "hello\n", 6) != 6)
		dc_fail("write to the terminal's master: %s", strerror(errno));
	const char *out = read_terminal(master, "got:hello", &gone);
	if (strstr(out, "/dev/pts/0") == NULL || strstr(out, "33 77") == NULL ||
	    strstr(out, "console=pts0") == NULL || strstr(out, "ctty=yes") == NULL ||
	    strstr(out, "got:hello") == NULL) {
		close(master);
		dc_fail("through the master, the container should have printed /dev/pts/0 (tty), "
			"33 77 (stty size: consoleSize), console=pts0 (/dev/console is the "
			"terminal), ctty=yes (/dev/tty opens: it is the controlling terminal) and "
			"got:hello (what was written to the master); it printed:\n%s",
			out);
	}
	read_terminal(master, NULL, &gone);
	close(master);
	if (!gone)
		dc_fail("10 s after the container's command ended, its terminal's master still "
			"did not read EIO: someone else still holds the terminal");
}

/* ---- The caller's terminal: tmux ------------------------------------------------------------- */

/* The private tmux server of a test (tmux -S PATH), killed by the teardown too. */
static char tmux_socket[4200];

static const char *tmux(const char *const args[])
{
	const char *argv[16] = {"tmux", "-S", tmux_socket};
	size_t n = 3;
	struct run r;

	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_program(&r, argv, NULL);
	const char *out = r.exit_code == 0 ? text("%s", r.out) : NULL;
	if (out == NULL)
		run_dump(&r, "tmux");
	run_free(&r);
	return out;
}

static void end_tmux(void)
{
	struct run r;

	if (tmux_socket[0] == '\0')
		return;
	/* Quietly: its last pane's end may have ended it already. */
	run_program(&r, (const char *[]){"tmux", "-S", tmux_socket, "kill-server", NULL}, NULL);
	run_free(&r);
	unlink(tmux_socket);
	tmux_socket[0] = '\0';
}

/* Whether a line of text is `want`, trailing blanks aside. */
static bool has_line(const char *text_, const char *want)
{
	for (const char *line = text_; line && *line; line = next_line(line)) {
		size_t len = strcspn(line, "\n");
		while (len > 0 && line[len - 1] == ' ')
			len--;
		if (len == strlen(want) && strncmp(line, want, len) == 0)
			return true;
	}
	return false;
}

/* A line of the pane that is `want`, polled for 10 s; the pane (kept), or NULL. */
static const char *wait_for_pane_line(const char *want)
{
	const char *argv[] = {"tmux", "-S", tmux_socket, "capture-pane", "-p", "-t", "dc", NULL};
	char *pane = NULL;

	for (int i = 0; i < POLL_TRIES; i++) {
		struct run r;

		run_program(&r, argv, NULL);
		free(pane);
		pane = r.exit_code == 0 && r.out ? strdup(r.out) : NULL;
		run_free(&r);
		if (pane && has_line(pane, want))
			return keep(pane);
		pause_ms(POLL_MS);
	}
	print_error("the tmux pane shows:\n%s\n", pane ? pane : "(tmux failed)");
	free(pane);
	return NULL;
}

static void type_line(const char *line)
{
	if (tmux((const char *[]){"send-keys", "-t", "dc", "-l", line, NULL}) == NULL ||
	    tmux((const char *[]){"send-keys", "-t", "dc", "Enter", NULL}) == NULL)
		dc_fail("tmux send-keys failed");
}

/*
 * `dcrun run` in the foreground, of an interactive shell with
 * process.terminal, in a tmux pane of rows x columns: the pane is the
 * caller's terminal. The pane's script saves `stty -g` before and after,
 * and dcrun's exit status, in B's directory.
 */
static struct bundle *run_in_tmux(const char *id, int rows, int columns)
{
	if (!on_path("tmux")) {
		fprintf(stderr, "\n*** SKIPPED: tmux is not installed, so no test can type into a "
				"container's terminal: `make deps` installs it ***\n\n");
		skip();
	}
	struct bundle *b = make_bundle("tmux", (const char *[]){"/bin/sh", NULL});
	set(b, "process.terminal", json_object_new_boolean(true));
	/* The caller's terminal's size wins, as with runc: this one is never seen. */
	set(b, "process.consoleSize", json("{\"height\": 11, \"width\": 22}"));
	save(b);
	const char *wrap = getenv("DC_WRAP");
	write_file(text("%s/pane.sh", b->dir),
		   text("stty -g >%s/before\n"
			"%s %s --root %s run --bundle %s %s\n"
			"s=$?\n"
			"stty -g >%s/after\n"
			"echo $s >%s/status.tmp && mv %s/status.tmp %s/status\n",
			b->dir, wrap ? wrap : "", impl_path("dcrun"), b->root, b->dir, id, b->dir,
			b->dir, b->dir, b->dir));
	snprintf(tmux_socket, sizeof(tmux_socket), "%s/tmux.sock", b->dir);
	if (tmux((const char *[]){"new-session", "-d", "-s", "dc", "-x", text("%d", columns), "-y",
				  text("%d", rows), text("sh %s/pane.sh", b->dir), NULL}) == NULL)
		dc_fail("tmux new-session failed");
	/* Type only once the shell's prompt shows: dcrun's terminal is raw by then. */
	if (wait_for_pane_line("/ #") == NULL)
		dc_fail("dcrun run of a shell with process.terminal: no prompt within 10 s");
	return b;
}

/* The pane's dcrun's exit status, once it has exited (10 s at most), or -1. */
static int pane_status(const struct bundle *b)
{
	const char *path = text("%s/status", b->dir);

	return wait_for_file(path) ? atoi(contents(path)) : -1;
}

/*
 * `dcrun run` in the foreground with process.terminal is the terminal
 * of an interactive shell, as runc: typed commands run and their output
 * comes back (the container's pty echoes and edits the line, dcrun's
 * own terminal is raw), `tty` is the container's /dev/pts/0, the shell's
 * `exit 3` is dcrun's exit status, and the caller's terminal is as it
 * was before (stty -g the same).
 */
void test_terminal_run_in_the_foreground_is_interactive(void **state)
{
	const char *id = container_id("tty");

	(void)state;
	require_root();
	const struct bundle *b = run_in_tmux(id, 30, 100);
	type_line("echo $((6*7))");
	const char *pane = wait_for_pane_line("42");
	if (pane == NULL)
		dc_fail("typed `echo $((6*7))` into the container's shell through dcrun run: no 42 "
			"came back");
	/* dc_fail above does not return: pane is not NULL here. */
	// cppcheck-suppress nullPointerRedundantCheck
	const char *first = strstr(pane, "echo $((6*7))");
	if (first == NULL || strstr(first + 1, "echo $((6*7))") != NULL)
		dc_fail("the pane should show the typed line once, as the container's pty echoes "
			"it: dcrun must put its own terminal in raw mode, which echoes nothing. It "
			"shows:\n%s",
			pane);
	type_line("tty");
	if (wait_for_pane_line("/dev/pts/0") == NULL)
		dc_fail("typed `tty` in the container: its terminal should be /dev/pts/0, of its own "
			"devpts");
	type_line("exit 3");
	int status = pane_status(b);
	end_tmux();
	if (status != 3)
		dc_fail("the shell exited 3; dcrun run exited %d (-1: not within 10 s)", status);
	const char *before = contents(text("%s/before", b->dir));
	const char *after = contents(text("%s/after", b->dir));
	if (before[0] == '\0' || strcmp(before, after) != 0)
		dc_fail("the caller's terminal is not restored after dcrun run: stty -g was\n%s"
			"before, and is\n%safter",
			before, after);
}

/* The pane's terminal (the caller's, for dcrun) has rows x columns: tmux resizes it in a while. */
static bool pane_has_size(int rows, int columns)
{
	const char *tty = tmux((const char *[]){"display", "-p", "-t", "dc", "#{pane_tty}", NULL});
	const char *path = tty ? text("%.*s", (int)strcspn(tty, "\n"), tty) : NULL;

	for (int i = 0; path && i < POLL_TRIES; i++) {
		struct winsize size = {0};
		int fd = open(path, O_RDONLY | O_NOCTTY);
		bool done = fd != -1 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_row == rows &&
			    size.ws_col == columns;
		if (fd != -1)
			close(fd);
		if (done)
			return true;
		pause_ms(POLL_MS);
	}
	return false;
}

/*
 * The container's terminal has the caller's size: when `run` starts
 * (rather than consoleSize), and again after the caller's terminal is
 * resized (SIGWINCH, passed on with TIOCSWINSZ on the master).
 */
void test_terminal_follows_the_callers_window_size(void **state)
{
	const char *id = container_id("winch");

	(void)state;
	require_root();
	const struct bundle *b = run_in_tmux(id, 30, 100);
	type_line("stty size");
	if (wait_for_pane_line("30 100") == NULL)
		dc_fail("`stty size` in the container should say 30 100, the size of dcrun's own "
			"terminal (a 30x100 tmux pane), not consoleSize's 11 22");
	if (tmux((const char *[]){"resize-window", "-t", "dc", "-x", "120", "-y", "40", NULL}) ==
		    NULL ||
	    !pane_has_size(40, 120))
		dc_fail("tmux could not resize its pane to 40x120");
	type_line("stty size");
	if (wait_for_pane_line("40 120") == NULL)
		dc_fail("after the caller's terminal became 40x120 (SIGWINCH), `stty size` in the "
			"container should say 40 120");
	type_line("exit");
	if (pane_status(b) != 0)
		dc_fail("dcrun run should exit 0 after the shell's exit");
	end_tmux();
}

/* ---- Refusals -------------------------------------------------------------------------------- */

/*
 * As runc's checkTerminal: a terminal's master needs a taker. create
 * with process.terminal and no --console-socket, and --console-socket
 * without process.terminal, are refused before anything is made; a
 * --console-socket that is no socket too; one where nobody listens
 * fails once the container exists, which create then undoes. Each
 * exits 1 with one line naming what is wrong, and leaves no state
 * directory, cgroup, mount or process.
 */
void test_terminal_without_a_taker_is_refused(void **state)
{
	const char *id = container_id("notty");
	const char *group = text("dc-runtime-%d-tty", (int)getpid());

	(void)state;
	require_root();
	struct bundle *b = make_bundle("notty", (const char *[]){"/bin/sleep", mark(), NULL});
	const char *file = text("%s/not-a-socket", b->dir);
	const char *deaf = text("%s/deaf.sock", b->dir);
	const char *live = text("%s/live.sock", b->dir);
	write_file(file, "");
	/* Bound, but not listening: connect(2) says ECONNREFUSED. */
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	snprintf(address.sun_path, sizeof(address.sun_path), "%s", deaf);
	int bound = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bound == -1 || bind(bound, (struct sockaddr *)&address, sizeof(address)) == -1)
		dc_fail("bind %s: %s", deaf, strerror(errno));
	int listener = listen_at(live);

	set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
	set(b, "process.terminal", json_object_new_boolean(true));
	save(b);
	expect_create_refused(b, id, group, "console-socket",
			      "process.terminal and no --console-socket");
	expect_refused_with(
		b, id, group,
		(const char *[]){"create", "--console-socket", file, "--bundle", b->dir, id, NULL},
		file, "a --console-socket that is a plain file");
	expect_refused_with(
		b, id, group,
		(const char *[]){"create", "--console-socket", deaf, "--bundle", b->dir, id, NULL},
		deaf, "a --console-socket where nobody listens");
	set(b, "process.terminal", json_object_new_boolean(false));
	save(b);
	expect_refused_with(
		b, id, group,
		(const char *[]){"create", "--console-socket", live, "--bundle", b->dir, id, NULL},
		"console-socket", "a --console-socket and no process.terminal");
	close(bound);
	close(listener);
}

/* ---- Hooks ----------------------------------------------------------------------------------- */

/*
 * Each hook of these tests is `sh -c SCRIPT KIND LOG`, the host's /bin/sh
 * or, for startContainer (after pivot_root), the rootfs's busybox. It
 * appends one line to LOG: its kind; its mount and UTS namespaces and the
 * hostname it sees; the descriptors it holds beyond 0-2 (checked with
 * the shell's own `[`, so that no other process's show); the executable
 * of the state's pid (after execve, the command's; before, dcrun's); and
 * the state it read on stdin, on one line.
 */
static const char hook_script[] =
	"kind=$0; log=$1; fds=; n=3; "
	"while [ $n -lt 256 ]; do [ -e /proc/self/fd/$n ] && fds=$fds,$n; n=$((n+1)); done; "
	"state=$(tr -d '\\n'); "
	"pid=$(echo \"$state\" | sed 's/.*\"pid\": *\\([0-9]*\\).*/\\1/'); "
	"echo \"$kind mnt=$(readlink /proc/self/ns/mnt) uts=$(readlink /proc/self/ns/uts)"
	" host=$(hostname) fds=$fds exe=$(readlink /proc/$pid/exe) state=$state\" >>\"$log\"";

static const char *const hook_kinds[] = {"prestart",       "createRuntime", "createContainer",
					 "startContainer", "poststart",     "poststop"};

/* hooks.KIND[] gets one more hook: /bin/sh with these args (sh's $0 and on), and env. */
static void add_hook(struct bundle *b, const char *kind, const char *const args[],
		     const char *const env[], int timeout)
{
	json_object *h = json("{\"path\": \"/bin/sh\"}");

	json_object_object_add(h, "args", strings(args));
	if (env != NULL)
		json_object_object_add(h, "env", strings(env));
	if (timeout > 0)
		json_object_object_add(h, "timeout", json_object_new_int(timeout));
	append(b, text("hooks.%s", kind), h);
}

/* The logging hook of every kind: to DIR/shared/hooks.log, which is /mnt/hooks.log inside. */
static void add_logging_hooks(struct bundle *b)
{
	static const char *const path[] = {"PATH=/usr/bin:/bin", NULL};

	for (size_t k = 0; k < sizeof(hook_kinds) / sizeof(hook_kinds[0]); k++) {
		bool inside = strcmp(hook_kinds[k], "startContainer") == 0;
		const char *log = inside ? "/mnt/hooks.log" : shared_file(b, "hooks.log");
		add_hook(b, hook_kinds[k],
			 (const char *[]){"sh", "-c", hook_script, hook_kinds[k], log, NULL}, path,
			 0);
	}
}

/* FIELD= of a hook's log line: up to the next space (exe=: " state="; state=: the end). */
static const char *hook_field(const char *line, const char *field)
{
	const char *at = line ? strstr(line, text(" %s=", field)) : NULL;

	if (at == NULL)
		return "";
	at += strlen(field) + 2;
	const char *end = at + strcspn(at, strcmp(field, "state") == 0 ? "\n" : " \n");
	/* exe= may hold spaces ("/memfd:dcrun (deleted)"). */
	if (strcmp(field, "exe") == 0 && strstr(at, " state=") != NULL)
		end = strstr(at, " state=");
	return text("%.*s", (int)(end - at), at);
}

/* The log's lines, and how many. */
static int hook_lines(const struct bundle *b, const char *lines[], int max)
{
	const char *log = contents(shared_file(b, "hooks.log"));
	int n = 0;

	for (const char *line = log; line && *line && n < max; line = next_line(line))
		lines[n++] = text("%.*s", (int)strcspn(line, "\n"), line);
	return n;
}

/* The log's kinds, in order, as "prestart,createRuntime,...". */
static const char *hook_order(const struct bundle *b)
{
	const char *lines[16];
	int n = hook_lines(b, lines, 16);
	const char *order = "";

	for (int i = 0; i < n; i++)
		order = text("%s%s%.*s", order, i ? "," : "", (int)strcspn(lines[i], " "),
			     lines[i]);
	return order;
}

/* The line of one kind (the first), or NULL. */
static const char *hook_line(const struct bundle *b, const char *kind)
{
	const char *lines[16];
	int n = hook_lines(b, lines, 16);

	for (int i = 0; i < n; i++) {
		if (strncmp(lines[i], kind, strlen(kind)) == 0 && lines[i][strlen(kind)] == ' ')
			return lines[i];
	}
	return NULL;
}

struct hooked {
	const char *after_create, *after_start, *after_delete; /* the kinds run by then */
	pid_t pid;                                             /* the container's, on the host */
	unsigned long mnt, uts;                                /* its namespaces */
	const char *saw;                                       /* the command's grep of the log */
};

/*
 * dcrun ARGS, given a descriptor 3 beyond its streams (which create
 * passes on with --preserve-fds 1, as conmon's LISTEN_FDS): no hook may
 * get it. Streams to DIR/NAME.out and .err, as dcrun_aside's.
 */
static void dcrun_with_fd3(const struct bundle *b, const char *name, const char *const args[])
{
	const char *base = text("%s/%s", b->dir, name);
	const char *const prefix[] = {
		"/bin/sh", "-c",
		"\"$@\" >\"$0.out\" 2>\"$0.err\" </dev/null 3</dev/null; s=$?; "
		"cat \"$0.err\" >&2; exit $s",
		base, NULL};
	struct run r;

	run_start_prefixed(&r, prefix, "dcrun", rooted(b, args));
	run_finish(&r);
	if (r.exit_code != 0)
		run_dump(&r, text("dcrun %s of a container with hooks", args[0]));
	assert_exit(&r, 0);
	run_free(&r);
}

/*
 * A container with a logging hook of every kind, through its whole life:
 * create, start, its command (which counts the startContainer lines the
 * log already has, then waits for the test's word), delete. What had run
 * at each step is kept.
 */
static void live_with_every_hook(struct bundle *b, const char *id, struct hooked *h)
{
	share_mnt(b);
	set(b, "hostname", json_object_new_string("dc-hooked"));
	add_logging_hooks(b);
	save(b);
	dcrun_with_fd3(
		b, id,
		(const char *[]){"create", "--preserve-fds", "1", "--bundle", b->dir, id, NULL});
	h->after_create = hook_order(b);
	h->pid = pid_of(b, id);
	h->mnt = namespace_of(h->pid, "mnt");
	h->uts = namespace_of(h->pid, "uts");
	dcrun_with_fd3(b, "start", (const char *[]){"start", id, NULL});
	h->after_start = hook_order(b);
	if (!wait_for_file(shared_file(b, "saw")))
		dc_fail("start returned, but the command never ran (no /mnt/saw)");
	h->saw = text("%.*s", (int)strcspn(contents(shared_file(b, "saw")), "\n"),
		      contents(shared_file(b, "saw")));
	write_file(shared_file(b, "go"), "");
	if (!wait_for_status(b, id, "stopped"))
		dc_fail("the command ended, and state still says \"%s\"", status_of(b, id));
	dcrun_with_fd3(b, "delete", (const char *[]){"delete", id, NULL});
	h->after_delete = hook_order(b);
}

static struct bundle *hooked_bundle(const char *tag)
{
	return make_bundle(tag,
			   (const char *[]){"/bin/sh", "-c",
					    "grep -c startContainer /mnt/hooks.log >/mnt/saw.tmp; "
					    "mv /mnt/saw.tmp /mnt/saw; "
					    "while [ ! -e /mnt/go ]; do sleep 0.05; done",
					    NULL});
}

/*
 * Every kind of hook runs once, at its moment, in runtime.md's order:
 * create runs prestart, createRuntime and createContainer; start runs
 * startContainer (before the command: it finds that line in the log
 * already) and poststart (after the command's execve: the state's pid is
 * then the command, no longer dcrun); delete runs poststop. Each reads
 * the state on stdin, its status the moment's: creating, creating,
 * creating, created, running, stopped, with the container's id, and its
 * pid as the host sees it (0 once stopped). `features` lists all six.
 */
void test_hooks_run_once_each_in_the_specs_order_with_the_state(void **state)
{
	static const char *const statuses[] = {"creating", "creating", "creating",
					       "created",  "running",  "stopped"};
	const char *id = container_id("hookorder");
	struct hooked h;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = hooked_bundle("hookorder");
	live_with_every_hook(b, id, &h);
	if (strcmp(h.after_create, "prestart,createRuntime,createContainer") != 0)
		dc_fail("create should run prestart, createRuntime, createContainer, in that order, "
			"and no other hook; the hooks that ran: %s",
			h.after_create);
	if (strcmp(h.after_start, "prestart,createRuntime,createContainer,startContainer,"
				  "poststart") != 0)
		dc_fail("start should run startContainer, then poststart, and no other hook; the "
			"hooks that ran by then: %s",
			h.after_start);
	if (strcmp(h.after_delete, "prestart,createRuntime,createContainer,startContainer,"
				   "poststart,poststop") != 0)
		dc_fail("delete should run poststop, and every hook should have run once; the "
			"hooks that ran: %s",
			h.after_delete);
	if (strcmp(h.saw, "1") != 0)
		dc_fail("the command found %s startContainer line(s) in the log: startContainer "
			"must run before the command does",
			h.saw);
	for (size_t k = 0; k < sizeof(hook_kinds) / sizeof(hook_kinds[0]); k++) {
		const char *line = hook_line(b, hook_kinds[k]);
		json_object *s = json_tokener_parse(hook_field(line, "state"));
		json_object *sid = member(s, "id"), *status = member(s, "status");
		int pid = json_object_get_int(member(s, "pid"));
		int want_pid = strcmp(hook_kinds[k], "poststop") == 0 ? 0 : (int)h.pid;

		if (s != NULL)
			keep_json(s);
		if (s == NULL || !sid || strcmp(json_object_get_string(sid), id) != 0 || !status ||
		    strcmp(json_object_get_string(status), statuses[k]) != 0 || pid != want_pid)
			dc_fail("the %s hook should read the state with id %s, status \"%s\" and "
				"pid %d on its stdin; it read: %s",
				hook_kinds[k], id, statuses[k], want_pid,
				hook_field(line, "state"));
	}
	const char *exe = hook_field(hook_line(b, "poststart"), "exe");
	if (strstr(exe, "busybox") == NULL)
		dc_fail("when poststart runs, the container's process (pid %d) should run the "
			"command (/bin/sh, busybox): its executable is \"%s\". poststart runs "
			"after the command's execve",
			(int)h.pid, exe);
	run_tool(&r, "dcrun", (const char *[]){"features", NULL}, NULL);
	json_object *features = json_tokener_parse(r.out);
	json_object *listed = member(features ? keep_json(features) : NULL, "hooks");
	for (size_t k = 0; k < sizeof(hook_kinds) / sizeof(hook_kinds[0]); k++) {
		bool found = false;
		for (size_t i = 0; listed && i < json_object_array_length(listed); i++)
			found |=
				strcmp(json_object_get_string(json_object_array_get_idx(listed, i)),
				       hook_kinds[k]) == 0;
		if (!found)
			dc_fail("dcrun features should list the hook %s, which it runs: %s",
				hook_kinds[k], r.out);
	}
	run_free(&r);
}

/*
 * A hook runs where it is forked from: prestart, createRuntime,
 * poststart and poststop in the runtime's namespaces (the host's mount
 * and UTS namespaces here), createContainer and startContainer in the
 * container's (its mount namespace, its UTS namespace and hostname).
 * And none holds a descriptor of dcrun's beyond 0-2: not the sync
 * socket, exec.fifo, the state's lock, nor the descriptor 3 that dcrun
 * was given, and passes on to the container (--preserve-fds 1).
 */
void test_hooks_run_in_the_namespaces_the_spec_says(void **state)
{
	const char *id = container_id("hookns");
	const char *host_mnt = text("mnt:[%lu]", namespace_of(getpid(), "mnt"));
	const char *host_uts = text("uts:[%lu]", namespace_of(getpid(), "uts"));
	char hostname[256] = "";
	struct hooked h;

	(void)state;
	require_root();
	gethostname(hostname, sizeof(hostname));
	struct bundle *b = hooked_bundle("hookns");
	live_with_every_hook(b, id, &h);
	for (size_t k = 0; k < sizeof(hook_kinds) / sizeof(hook_kinds[0]); k++) {
		const char *line = hook_line(b, hook_kinds[k]);
		bool inside = strcmp(hook_kinds[k], "createContainer") == 0 ||
			      strcmp(hook_kinds[k], "startContainer") == 0;
		const char *mnt = inside ? text("mnt:[%lu]", h.mnt) : host_mnt;
		const char *uts = inside ? text("uts:[%lu]", h.uts) : host_uts;
		const char *name = inside ? "dc-hooked" : hostname;

		if (line == NULL)
			dc_fail("the %s hook never ran (the log: %s)", hook_kinds[k],
				contents(shared_file(b, "hooks.log")));
		if (strcmp(hook_field(line, "mnt"), mnt) != 0 ||
		    strcmp(hook_field(line, "uts"), uts) != 0 ||
		    strcmp(hook_field(line, "host"), name) != 0)
			dc_fail("the %s hook should run in the %s's namespaces: mount %s, UTS %s, "
				"hostname %s; it ran in mount %s, UTS %s, hostname %s",
				hook_kinds[k], inside ? "container" : "runtime", mnt, uts, name,
				hook_field(line, "mnt"), hook_field(line, "uts"),
				hook_field(line, "host"));
		if (hook_field(line, "fds")[0] != '\0')
			dc_fail("the %s hook holds descriptors %s beyond 0-2: dcrun's must not "
				"reach a hook",
				hook_kinds[k], hook_field(line, "fds") + 1);
	}
}

/* What a hook was given: its argv and environ, each a NUL-separated list, read from /proc. */
static const char *nul_list(const char *path, size_t *length)
{
	char *bytes = read_bytes_if_there(path, length);

	if (bytes == NULL)
		dc_fail("the hook never wrote %s", path);
	return keep(bytes);
}

static void expect_nul_list(const char *path, const char *const want[], const char *what)
{
	size_t length = 0, at = 0;
	const char *got = nul_list(path, &length);
	const char *shown = "";
	bool same = true;

	for (size_t i = 0; want[i] != NULL; i++) {
		size_t len = strlen(want[i]);
		same &= at + len + 1 <= length && memcmp(got + at, want[i], len + 1) == 0;
		at += len + 1;
	}
	same &= at == length;
	for (size_t i = 0; i < length; i += strlen(got + i) + 1)
		shown = text("%s[%s]", shown, got + i);
	if (!same)
		dc_fail("%s: got %s", what, shown);
}

/*
 * A hook's args are its argv, exactly, args[0] included, and its env is
 * its whole environment, none of dcrun's: on the host (createRuntime) as
 * in the container (startContainer). A shell hook writes its
 * /proc/$$/cmdline, and a dd hook copies its own /proc/self/environ (a
 * shell would add PWD and SHLVL to its own). Inside, args[0] is "ash" and
 * "dd": busybox picks its applet by argv[0].
 */
void test_hooks_get_their_args_and_env_exactly(void **state)
{
	static const char *const env[] = {"DC_HOOK=1", "DC_WORDS=two words", "DC_EMPTY=", NULL};
	/* Not last, or the shell would exec cat in its place. */
	static const char script[] = "/bin/cat /proc/$$/cmdline >\"$0/argv.$1\"; exit 0";
	const char *id = container_id("hookargs");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("hookargs", (const char *[]){"/bin/true", NULL});
	share_mnt(b);
	const char *dirs[] = {b->shared, "/mnt"};
	const char *kinds[] = {"createRuntime", "startContainer"};
	const char *argv0[] = {"dc-argv0", "ash"};
	for (int k = 0; k < 2; k++) {
		add_hook(b, kinds[k],
			 (const char *[]){argv0[k], "-c", script, dirs[k], kinds[k], "two words",
					  "", "*", NULL},
			 env, 0);
		json_object *dd = json("{\"path\": \"/bin/dd\"}");
		json_object_object_add(
			dd, "args",
			strings((const char *[]){"dd", "if=/proc/self/environ",
						 text("of=%s/env.%s", dirs[k], kinds[k]), NULL}));
		json_object_object_add(dd, "env", strings(env));
		append(b, text("hooks.%s", kinds[k]), dd);
	}
	save(b);
	dcrun(&r, b, (const char *[]){"run", "--bundle", b->dir, id, NULL});
	if (r.exit_code != 0)
		run_dump(&r, "run of a container with hooks");
	assert_exit(&r, 0);
	run_free(&r);
	for (int k = 0; k < 2; k++) {
		expect_nul_list(shared_file(b, text("argv.%s", kinds[k])),
				(const char *[]){argv0[k], "-c", script, dirs[k], kinds[k],
						 "two words", "", "*", NULL},
				text("the %s hook's argv should be its args exactly, args[0] "
				     "included: [%s][-c][SCRIPT][%s][%s][two words][][*]",
				     kinds[k], argv0[k], dirs[k], kinds[k]));
		expect_nul_list(shared_file(b, text("env.%s", kinds[k])), env,
				text("the %s hook's environment should be its env exactly, and "
				     "none of dcrun's: [DC_HOOK=1][DC_WORDS=two words][DC_EMPTY=]",
				     kinds[k]));
	}
}

/*
 * A hook that fails at create -- prestart, createRuntime (on the host) or
 * createContainer (in the container) -- fails create: exit 1, one line
 * naming the hook, and nothing left (no state directory, cgroup, mount or
 * process). The hooks after it do not run; poststop does, once, with the
 * state "stopped": runtime.md has the lifecycle go on at "destroy".
 */
void test_hooks_failing_in_create_fail_it_and_leave_nothing(void **state)
{
	static const char *const failing[] = {"prestart", "createRuntime", "createContainer"};
	static const char *const path[] = {"PATH=/usr/bin:/bin", NULL};
	const char *id = container_id("hookfail");
	const char *group = text("dc-runtime-%d-hookfail", (int)getpid());

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(failing) / sizeof(failing[0]); i++) {
		struct bundle *b =
			make_bundle("hookfail", (const char *[]){"/bin/sleep", mark(), NULL});
		const char *log = text("%s/hooks.log", b->dir);

		set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
		for (size_t k = 0; k < sizeof(failing) / sizeof(failing[0]); k++) {
			if (k == i)
				add_hook(b, failing[k],
					 (const char *[]){"sh", "-c", "echo broken >&2; exit 3",
							  NULL},
					 path, 0);
			else
				add_hook(b, failing[k],
					 (const char *[]){"sh", "-c", hook_script, failing[k], log,
							  NULL},
					 path, 0);
		}
		add_hook(b, "poststop",
			 (const char *[]){"sh", "-c", hook_script, "poststop", log, NULL}, path, 0);
		save(b);
		expect_create_refused(b, id, group, text("%s[0]", failing[i]),
				      text("a bundle whose %s hook exits 3", failing[i]));
		const char *ran = contents(log);
		for (size_t k = i + 1; k < sizeof(failing) / sizeof(failing[0]); k++) {
			if (strstr(ran, failing[k]) != NULL)
				dc_fail("after the %s hook failed, the %s hook ran all the same:\n%s",
					failing[i], failing[k], ran);
		}
		const char *poststop = strstr(ran, "poststop ");
		if (poststop == NULL || strstr(poststop + 1, "poststop ") != NULL ||
		    strstr(poststop, "\"status\": \"stopped\"") == NULL)
			dc_fail("after the %s hook failed, poststop should run once, with the "
				"state \"stopped\" (the lifecycle goes on at destroy); the hooks "
				"that ran:\n%s",
				failing[i], ran);
		forget_bundle(b); /* the next case gets a bundle of its own */
	}
}

/*
 * A hook that runs past its timeout is killed (SIGKILL), and create fails
 * with a line that says so -- on the host (createRuntime) and in the
 * container (createContainer). The hook is `sleep MARK`, which would
 * sleep for years: none is left.
 */
void test_hooks_past_their_timeout_are_killed_and_fail_create(void **state)
{
	static const char *const kinds[] = {"createRuntime", "createContainer"};
	const char *id = container_id("hooktime");
	const char *group = text("dc-runtime-%d-hooktime", (int)getpid());

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct bundle *b = make_bundle("hooktime", (const char *[]){"/bin/true", NULL});

		set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
		add_hook(b, kinds[i],
			 (const char *[]){"sh", "-c", text("exec /bin/sleep %s", mark()), NULL},
			 NULL, 1);
		save(b);
		expect_create_refused(b, id, group,
				      text("%s[0] /bin/sh: ran past its timeout", kinds[i]),
				      text("a %s hook past its timeout", kinds[i]));
		forget_bundle(b);
	}
}

/*
 * A startContainer hook that fails fails start (exit 1, one line naming
 * it), and the command, which would run after it, never runs: the
 * container is stopped, and delete removes it.
 */
void test_failing_start_container_hook_leaves_the_container_stopped(void **state)
{
	const char *id = container_id("hookstart");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("hookstart", (const char *[]){"/bin/sh", "-c",
							  "echo ran >/mnt/ran; sleep 600", NULL});
	share_mnt(b);
	add_hook(b, "startContainer", (const char *[]){"sh", "-c", "echo broken; exit 4", NULL},
		 NULL, 0);
	save(b);
	create(b, id);
	dcrun(&r, b, (const char *[]){"start", id, NULL});
	if (r.exit_code != 1)
		dc_fail("start with a startContainer hook that exits 4 exited %d; it must fail "
			"(exit 1)",
			r.exit_code);
	expect_one_clear_line(r.err, "startContainer[0]",
			      "start with a failing startContainer hook");
	run_free(&r);
	expect_status(b, id, "stopped",
		      "once start has failed on its startContainer hook, the container's process "
		      "should have ended");
	if (exists(shared_file(b, "ran")))
		dc_fail("the startContainer hook failed, yet the command ran");
	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

/*
 * A poststart hook runs once the command does. runtime.md: if one fails,
 * "the runtime MUST log a warning, but the remaining hooks and lifecycle
 * continue as if the hook had succeeded": start exits 0 with a warning
 * naming poststart[0], the next poststart hook runs, and the container
 * keeps running. (runc 1.1 kills it and fails start instead.)
 */
void test_failing_poststart_hook_is_a_warning(void **state)
{
	static const char *const path[] = {"PATH=/usr/bin:/bin", NULL};
	const char *id = container_id("hookpost");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("hookpost", (const char *[]){"/bin/sleep", mark(), NULL});
	const char *log = text("%s/hooks.log", b->dir);
	add_hook(b, "poststart", (const char *[]){"sh", "-c", "echo broken; exit 4", NULL}, NULL,
		 0);
	add_hook(b, "poststart", (const char *[]){"sh", "-c", hook_script, "poststart", log, NULL},
		 path, 0);
	save(b);
	create(b, id);
	dcrun(&r, b, (const char *[]){"start", id, NULL});
	if (r.exit_code != 0)
		dc_fail("start with a failing poststart hook exited %d; the spec makes it a warning, "
			"and start goes on (exit 0): %s",
			r.exit_code, r.err);
	if (strstr(r.err, "warning") == NULL || strstr(r.err, "poststart[0]") == NULL)
		dc_fail("start should warn that the poststart[0] hook failed; its stderr: %s",
			r.err);
	run_free(&r);
	expect_status(b, id, "running", "a failing poststart hook leaves the container running");
	if (strncmp(contents(log), "poststart ", 10) != 0)
		dc_fail("the second poststart hook should run after the first failed; it left: %s",
			contents(log));
}

/*
 * A capability config.json asks for that dcrun does not hold to give --
 * here CAP_SYS_BOOT, taken from dcrun's bounding set by setpriv(1), as a
 * restricted host (this project's CI lacks CAP_SYS_RESOURCE) would --
 * "MUST be logged as a warning", and runtimes "SHOULD NOT fail"
 * (config.md, process.capabilities): the container runs, with every
 * other capability it asked for, and dcrun's stderr names the one left
 * out. Through create and through exec.
 */
void test_capabilities_not_held_are_left_out_with_a_warning(void **state)
{
	static const char *const without_boot[] = {"setpriv", "--bounding-set", "-sys_boot", NULL};
	const char *id = container_id("capwarn");
	/* CAP_KILL (5) and CAP_SYS_BOOT (22): 0x400020 asked, 0x20 granted. */
	const char *sets = "[\"CAP_KILL\", \"CAP_SYS_BOOT\"]";
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("capwarn", (const char *[]){"/bin/probe", "cap_eff", NULL});
	set(b, "process.capabilities",
	    json("{\"bounding\": %s, \"effective\": %s, \"permitted\": %s}", sets, sets, sets));
	save(b);
	run_start_prefixed(&r, without_boot, "dcrun",
			   rooted(b, (const char *[]){"run", "--bundle", b->dir, id, NULL}));
	run_finish(&r);
	if (r.exit_code != 0) {
		run_dump(&r, "dcrun run, CAP_SYS_BOOT not in its bounding set");
		dc_fail("dcrun run exited %d when it could not grant CAP_SYS_BOOT: the spec says a "
			"runtime SHOULD NOT fail, and logs a warning instead",
			r.exit_code);
	}
	expect_probe(r.out, "cap_eff", "0000000000000020",
		     "the container keeps CAP_KILL, and runs without CAP_SYS_BOOT, which dcrun "
		     "did not hold");
	if (strstr(r.err, "warning") == NULL || strstr(r.err, "CAP_SYS_BOOT") == NULL ||
	    strstr(r.err, "CAP_KILL") != NULL)
		dc_fail("dcrun's stderr should warn that CAP_SYS_BOOT (only it) was not granted; it "
			"said: \"%s\"",
			r.err);
	run_free(&r);

	set(b, "process.args", strings((const char *[]){"/bin/sleep", mark(), NULL}));
	save(b);
	run_detached(b, id);
	run_start_prefixed(&r, without_boot, "dcrun",
			   rooted(b, (const char *[]){"exec", id, "/bin/probe", "cap_eff", NULL}));
	run_finish(&r);
	assert_exit(&r, 0);
	expect_probe(r.out, "cap_eff", "0000000000000020",
		     "exec's process keeps CAP_KILL and runs without CAP_SYS_BOOT");
	if (strstr(r.err, "warning") == NULL || strstr(r.err, "CAP_SYS_BOOT") == NULL)
		dc_fail("dcrun exec's stderr should warn that CAP_SYS_BOOT was not granted; it "
			"said: \"%s\"",
			r.err);
	run_free(&r);
}

/* The optional fields (field 7 on) of the "/" line in PID's mountinfo: "shared:N", "master:N"... */
static const char *root_propagation_of(pid_t pid)
{
	char *info = read_file(text("/proc/%d/mountinfo", (int)pid));
	const char *found = NULL;

	for (char *rest = NULL, *line = strtok_r(info, "\n", &rest); line && !found;
	     line = strtok_r(NULL, "\n", &rest)) {
		char point[4096];
		int at = 0;
		/* Fields: id, parent, major:minor, root, mount point, options; then optional ones up to "-". */
		if (sscanf(line, "%*s %*s %*s %*s %4095s %*s %n", point, &at) == 1 && at > 0 &&
		    strcmp(point, "/") == 0)
			found = text("%.*s", (int)strcspn(line + at, "-"), line + at);
	}
	free(info);
	return found ? found : "(no \"/\" in mountinfo)";
}

/*
 * linux.rootfsPropagation is the propagation of the container's own "/"
 * (config-linux.md): shared, so that a bind of "/" inside sees later
 * mounts; unbindable, so that it cannot be bound at all; private, so
 * neither. Read from the host, in the container process's mountinfo.
 */
void test_root_propagation_is_what_config_asks(void **state)
{
	static const struct {
		const char *value, *tag; /* tag: in "/"'s optional fields, or "" for none */
	} cases[] = {{"shared", "shared:"}, {"unbindable", "unbindable"}, {"private", ""}};
	const char *id = container_id("propagation");

	(void)state;
	require_root();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bundle *b =
			make_bundle("propagation", (const char *[]){"/bin/sleep", mark(), NULL});
		struct run r;

		set(b, "linux.rootfsPropagation", json_object_new_string(cases[i].value));
		save(b);
		run_detached(b, id);
		const char *fields = root_propagation_of(pid_of(b, id));
		bool tagged = cases[i].tag[0]
				      ? strstr(fields, cases[i].tag) != NULL
				      : !strstr(fields, "shared:") && !strstr(fields, "master:");
		dcrun(&r, b, (const char *[]){"delete", "--force", id, NULL});
		assert_exit(&r, 0);
		run_free(&r);
		forget_bundle(b);
		if (!tagged)
			dc_fail("with linux.rootfsPropagation \"%s\", the container's \"/\" should be "
				"%s%s; its mountinfo's optional fields are \"%s\"",
				cases[i].value,
				cases[i].tag[0] ? "tagged " : "neither shared nor a slave",
				cases[i].tag, fields);
	}
}

/*
 * A profile may refuse close_range(2) (Linux 5.9: a profile written
 * before it refuses what it does not know). Without noNewPrivileges the
 * filter is on in init before init closes dcrun's descriptors: the
 * caller's descriptor 7 must still not reach the command, and the
 * container must still run. A startContainer hook runs under the filter
 * too, forked by init while init still holds exec.fifo and its sync
 * channel: the hook must hold only 0, 1 and 2.
 */
void test_descriptors_are_closed_under_a_filter_refusing_close_range(void **state)
{
	const char *id = container_id("closerange");
	char *host = make_temp_dir("fd7");
	const char *const fd7[] = {"/bin/sh", "-c", "exec 7<\"$0\" && exec \"$@\"", host, NULL};
	static const char *const path[] = {"PATH=/usr/bin:/bin", NULL};
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"closerange",
		(const char *[]){"/bin/sh", "-c",
				 "/bin/probe --try close_range; exec /bin/probe fds", NULL});
	share_mnt(b);
	set(b, "process.noNewPrivileges", json_object_new_boolean(false));
	set(b, "linux.seccomp",
	    json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		 "[\"close_range\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}"));
	add_hook(b, "startContainer",
		 (const char *[]){"sh", "-c", "/bin/probe fds >/mnt/hook", NULL}, path, 0);
	save(b);
	run_start_prefixed(&r, fd7, "dcrun",
			   rooted(b, (const char *[]){"run", "--bundle", b->dir, id, NULL}));
	run_finish(&r);
	if (r.exit_code != 0) {
		run_dump(&r, "dcrun run, close_range refused by the profile");
		dc_fail("dcrun run exited %d under a profile refusing close_range: the container "
			"must run (descriptors can be closed one by one)",
			r.exit_code);
	}
	expect_probe(r.out, "try.close_range", strerror(EPERM),
		     "the profile refuses close_range in the container (errnoRet 1, EPERM)");
	expect_probe(r.out, "fds", "0,1,2",
		     "with close_range refused, the command still holds only 0, 1 and 2: the "
		     "caller's 7 is a way out to the host");
	run_free(&r);
	char *hook = read_file(shared_file(b, "hook"));
	const char *said = text("%s", hook);
	free(hook);
	if (strstr(said, "fds=0,1,2\n") == NULL)
		dc_fail("the startContainer hook, under the same filter, should hold only 0, 1 and "
			"2 (fds=0,1,2), none of init's (exec.fifo, its channel to dcrun); it printed: "
			"%s",
			said);
}

/*
 * A poststop hook that fails is a warning, not an error (runtime.md): the
 * next poststop hook still runs, and delete still removes everything
 * (state directory, cgroups) and exits 0.
 */
void test_hooks_failing_in_poststop_still_let_delete_finish(void **state)
{
	static const char *const path[] = {"PATH=/usr/bin:/bin", NULL};
	const char *id = container_id("hookstop");
	struct groups gs;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("hookstop", (const char *[]){"/bin/sleep", mark(), NULL});
	const char *log = text("%s/hooks.log", b->dir);
	add_hook(b, "poststop", (const char *[]){"sh", "-c", "echo broken; exit 5", NULL}, NULL, 0);
	add_hook(b, "poststop", (const char *[]){"sh", "-c", hook_script, "poststop", log, NULL},
		 path, 0);
	save(b);
	create(b, id);
	pid_t pid = pid_of(b, id);
	groups_of(pid, &gs);
	expect_groups_found(&gs, pid);
	dcrun(&r, b, (const char *[]){"delete", id, NULL});
	if (r.exit_code != 0)
		dc_fail("delete with a failing poststop hook exited %d; a failing poststop hook "
			"is a warning, and delete goes on (exit 0): %s",
			r.exit_code, r.err);
	if (strstr(r.err, "warning") == NULL || strstr(r.err, "poststop[0]") == NULL)
		dc_fail("delete should warn that the poststop[0] hook failed; its stderr: %s",
			r.err);
	run_free(&r);
	if (exists(text("%s/%s", b->root, id)))
		dc_fail("after delete, the state directory %s/%s is still there", b->root, id);
	expect_groups_gone(&gs, "after delete with a failing poststop hook");
	if (strncmp(contents(log), "poststop ", 9) != 0)
		dc_fail("the second poststop hook should run after the first failed; it left: %s",
			contents(log));
}

/* ---- exec ------------------------------------------------------------------------------------ */

/* A container left running: `sleep MARK` (the teardown ends it), as config.json and `edit` say. */
static struct bundle *running(const char *tag, const char *id, void (*edit)(struct bundle *b))
{
	struct bundle *b = make_bundle(tag, (const char *[]){"/bin/sleep", mark(), NULL});

	if (edit != NULL)
		edit(b);
	save(b);
	run_detached(b, id);
	return b;
}

/* `dcrun exec ARGS` in the foreground: its stdout (kept), its exit status checked. */
static const char *exec_output(const struct bundle *b, const char *const args[], int want)
{
	const char *argv[40] = {"exec"};
	size_t n = 1;
	struct run r;

	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	dcrun(&r, b, argv);
	if (r.exit_code != want) {
		run_dump(&r, "dcrun exec");
		dc_fail("dcrun exec exited %d; it should exit %d", r.exit_code, want);
	}
	const char *out = text("%s", r.out);
	run_free(&r);
	return out;
}

/* A refusal of exec: exit 255, as runc's (its own failures never pass for the command's). */
static void expect_exec_refused(const struct bundle *b, const char *const args[], const char *names,
				const char *what)
{
	const char *argv[40] = {"exec"};
	size_t n = 1;
	struct run r;

	for (size_t i = 0; args[i] != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	dcrun(&r, b, argv);
	if (r.exit_code != 255) {
		run_dump(&r, "dcrun exec");
		dc_fail("%s: dcrun exec exited %d; it should fail with 255, as runc's exec", what,
			r.exit_code);
	}
	if (r.out[0] != '\0')
		dc_fail("%s: the command ran anyway; it printed: %s", what, r.out);
	expect_one_clear_line(r.err, names, what);
	run_free(&r);
}

static void with_user_namespace(struct bundle *b)
{
	set(b, "hostname", json_object_new_string("dc-exec-ns"));
	map_users(b);
	append(b, "linux.namespaces", json("{\"type\": \"cgroup\"}"));
}

/* "MAJOR:MINOR:INODE" of pid's root, as the probe prints its own (root_inode). */
static const char *root_of(pid_t pid)
{
	struct stat st;

	if (stat(text("/proc/%d/root/", (int)pid), &st) == -1)
		return "(gone)";
	return text("%u:%u:%llu", major(st.st_dev), minor(st.st_dev),
		    (unsigned long long)st.st_ino);
}

/*
 * exec joins every namespace of the container's (here with a user and a
 * cgroup namespace too), and its cgroup in every hierarchy: what it runs
 * sees the container's name, its init as PID 1, its own cgroup as init's;
 * seen from the host, a process exec --detach left has init's namespaces,
 * root and groups, and is one of the container's processes.
 */
void test_exec_joins_the_containers_namespaces_and_cgroup(void **state)
{
	static const char *const types[] = {"mnt", "net", "pid", "uts", "ipc", "user", "cgroup"};
	static const char script[] =
		"/bin/probe hostname pid uid_map; echo \"init=$(tr '\\000' ' ' </proc/1/cmdline)\"; "
		"s=$(tr '\\n' ' ' </proc/self/cgroup); i=$(tr '\\n' ' ' </proc/1/cgroup); "
		"if [ \"$s\" = \"$i\" ]; then echo cgroup=init; else echo \"cgroup=$s, not $i\"; fi";
	const char *id = container_id("execns");

	(void)state;
	require_root();
	struct bundle *b = running("execns", id, with_user_namespace);
	pid_t init = pid_of(b, id);
	const char *out = exec_output(b, (const char *[]){id, "/bin/sh", "-c", script, NULL}, 0);
	expect_probe(out, "hostname", "dc-exec-ns", "exec joins the container's UTS namespace");
	expect_probe(out, "uid_map", "0 100000 65536", "exec joins the container's user namespace");
	expect_probe(out, "init", text("/bin/sleep %s ", mark()),
		     "exec joins the container's PID namespace: its PID 1 is the container's");
	const char *pid = value_in(out, "pid");
	if (pid == NULL || atoi(pid) <= 1 || atoi(pid) == init)
		dc_fail("exec's process should have a pid of the container's PID namespace, "
			"neither 1 nor the host's: pid=%s",
			pid ? pid : "(not printed)");
	expect_probe(out, "cgroup", "init",
		     "exec joins the container's cgroup: /proc/self/cgroup reads as init's");

	/*
	 * Detached: it returns at once, and the pid file names the process,
	 * seen from the host. (Its streams go to files: it keeps them.)
	 */
	const char *pid_file = text("%s/exec.pid", b->dir);
	struct run r;
	dcrun_aside(&r, b, "exec",
		    (const char *[]){"exec", "--detach", "--pid-file", pid_file, id, "/bin/sleep",
				     mark(), NULL});
	assert_exit(&r, 0);
	run_free(&r);
	pid_t p = (pid_t)atoi(contents(pid_file));
	if (p <= 0 || !alive(p))
		dc_fail("exec --detach --pid-file %s: no process %s runs", pid_file,
			contents(pid_file));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (namespace_of(p, types[i]) != namespace_of(init, types[i]))
			dc_fail("exec's process (host pid %d) is not in the container's %s "
				"namespace (init, %d, is in %lu; it is in %lu)",
				(int)p, types[i], (int)init, namespace_of(init, types[i]),
				namespace_of(p, types[i]));
	}
	if (strcmp(root_of(p), root_of(init)) != 0)
		dc_fail("exec's process should have the container's root (%s); it has %s",
			root_of(init), root_of(p));
	const char *mine = contents(text("/proc/%d/cgroup", (int)p));
	const char *its = contents(text("/proc/%d/cgroup", (int)init));
	if (strcmp(mine, its) != 0)
		dc_fail("exec's process should be in the container's groups, in every hierarchy:\n"
			"init's:\n%sexec's:\n%s",
			its, mine);
	if (pid_inside(p) == p || pid_inside(p) <= 1)
		dc_fail("exec's process should have a pid of its own in the container (NSpid): %d",
			(int)pid_inside(p));
	/*
	 * Ours to reap: dcrun exec has exited, and we are the subreaper. The
	 * container's init, once killed, waits until every process of its PID
	 * namespace is reaped (pid_namespaces(7)): so reap it before delete.
	 */
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

/*
 * exec exits as its command did, or with 128+N after signal N; a signal
 * sent to dcrun exec reaches the command, as with run.
 */
void test_exec_exits_with_the_commands_status(void **state)
{
	static const char trapper[] =
		"trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.05; done";
	const char *id = container_id("execstatus");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = running("execstatus", id, NULL);
	exec_output(b, (const char *[]){id, "/bin/sh", "-c", "exit 7", NULL}, 7);
	exec_output(b, (const char *[]){id, "/bin/sh", "-c", "kill -KILL $$", NULL}, 128 + SIGKILL);
	run_start(&r, "dcrun",
		  rooted(b, (const char *[]){"exec", id, "/bin/sh", "-c", trapper, NULL}));
	const char *line = run_read_line(&r);
	bool ready = line && strcmp(line, "ready") == 0;
	if (ready)
		run_signal(&r, SIGTERM);
	run_finish(&r);
	if (!ready || r.exit_code != 3 || strstr(r.out, "got TERM") == NULL) {
		run_dump(&r, "dcrun exec (a command that traps TERM)");
		dc_fail("SIGTERM sent to dcrun exec should reach its command, which traps it and "
			"exits 3; dcrun exec exited %d",
			r.exit_code);
	}
	run_free(&r);
	if (!alive(pid_of(b, id)))
		dc_fail("the container's own process should outlive exec's command and its signal");
}

static void with_process_settings(struct bundle *b)
{
	set(b, "process.env",
	    strings((const char *[]){"PATH=/bin:/usr/bin", "DC_GREETING=from config.json",
				     "DC_KEPT=kept", NULL}));
}

/*
 * Without --process, exec runs config.json's process with COMMAND, and
 * the flags on top, as runc's: --env appended (a name given again
 * wins), --cwd, --user UID:GID, --additional-gids, --cap added to the
 * sets. Nothing of the caller's environment gets in.
 */
void test_exec_options_set_env_cwd_user_and_capabilities(void **state)
{
	static const char script[] = "echo \"greeting=$DC_GREETING\"; echo \"kept=$DC_KEPT\"; "
				     "echo \"extra=$DC_EXTRA\"; echo \"caller=$DC_CALLER\"; "
				     "exec /bin/probe uid gid groups cwd";
	const char *id = container_id("execflags");

	(void)state;
	require_root();
	struct bundle *b = running("execflags", id, with_process_settings);
	setenv("DC_CALLER", "leaked", 1);
	const char *out = exec_output(
		b,
		(const char *[]){"--env", "DC_GREETING=from exec", "-e", "DC_EXTRA=added", "--cwd",
				 "/etc", "--user", "1000:1001", "--additional-gids", "2000", "-g",
				 "3000", id, "/bin/sh", "-c", script, NULL},
		0);
	unsetenv("DC_CALLER");
	expect_probe(out, "greeting", "from exec", "--env overrides process.env's DC_GREETING");
	expect_probe(out, "kept", "kept", "the rest of process.env stays");
	expect_probe(out, "extra", "added", "--env adds to process.env");
	expect_probe(out, "caller", "", "nothing of the caller's environment reaches the command");
	expect_probe(out, "uid", "1000", "--user 1000:1001 sets the uid");
	expect_probe(out, "gid", "1001", "--user 1000:1001 sets the gid");
	expect_probe(out, "cwd", "/etc", "--cwd is where the command starts");
	const char *groups = value_in(out, "groups");
	if (groups == NULL || !has_item(groups, "2000") || !has_item(groups, "3000"))
		dc_fail("--additional-gids 2000 and 3000 should be among the groups: %s",
			groups ? groups : "(not printed)");

	/* dcrun spec's: AUDIT_WRITE 29, KILL 5, NET_BIND_SERVICE 10; --cap adds NET_RAW, 13. */
	out = exec_output(b, (const char *[]){id, "/bin/probe", "cap_eff", "cap_bnd", NULL}, 0);
	expect_probe(out, "cap_eff", "0000000020000420", "exec has process.capabilities");
	out = exec_output(b,
			  (const char *[]){"--cap", "CAP_NET_RAW", id, "/bin/probe", "cap_eff",
					   "cap_prm", "cap_bnd", NULL},
			  0);
	expect_probe(out, "cap_eff", "0000000020002420",
		     "--cap adds the capability: root's command has it in effect");
	expect_probe(out, "cap_prm", "0000000020002420", "--cap adds to the permitted set");
	expect_probe(out, "cap_bnd", "0000000020002420", "--cap adds to the bounding set");
	expect_exec_refused(b, (const char *[]){"--cap", "CAP_NO_SUCH", id, "/bin/true", NULL},
			    "CAP_NO_SUCH", "exec --cap of an unknown capability");
}

/*
 * --process FILE is the whole process, as runc reads it: args, env,
 * cwd, user, capabilities and noNewPrivileges from the file; what it
 * leaves out is zero (no noNewPrivileges: off), but the container's
 * capabilities stay when it names none. A bad file is refused, naming
 * the property.
 */
void test_exec_process_file_is_honoured(void **state)
{
	const char *id = container_id("execproc");

	(void)state;
	require_root();
	struct bundle *b = running("execproc", id, NULL);
	const char *file = text("%s/process.json", b->dir);
	write_file(
		file,
		"{\"args\": [\"/bin/sh\", \"-c\", \"echo \\\"x=$X\\\"; exec /bin/probe cwd "
		"cap_eff cap_bnd no_new_privs\"], \"env\": [\"PATH=/bin\", \"X=from the file\"], "
		"\"cwd\": \"/etc\", \"noNewPrivileges\": true, \"capabilities\": {\"bounding\": "
		"[\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}}\n");
	const char *out = exec_output(b, (const char *[]){"--process", file, id, NULL}, 0);
	expect_probe(out, "x", "from the file", "the file's env is the environment");
	expect_probe(out, "cwd", "/etc", "the file's cwd");
	expect_probe(out, "cap_eff", "0000000000000020", "the file's capabilities: CAP_KILL");
	expect_probe(out, "cap_bnd", "0000000000000020", "the file's bounding set: CAP_KILL");
	expect_probe(out, "no_new_privs", "1", "the file's noNewPrivileges");

	write_file(file,
		   "{\"args\": [\"/bin/probe\", \"uid\", \"gid\", \"cap_bnd\", "
		   "\"no_new_privs\"], \"cwd\": \"/\", \"user\": {\"uid\": 7, \"gid\": 8}}\n");
	out = exec_output(b, (const char *[]){"-p", file, id, NULL}, 0);
	expect_probe(out, "uid", "7", "the file's user.uid");
	expect_probe(out, "gid", "8", "the file's user.gid");
	expect_probe(out, "cap_bnd", "0000000020000420",
		     "a file without capabilities keeps the container's (runc's newInitConfig)");
	expect_probe(out, "no_new_privs", "0",
		     "a file without noNewPrivileges has it off, as runc");

	write_file(file, "{\"args\": [\"/bin/echo\", \"ran\"]}\n");
	expect_exec_refused(b, (const char *[]){"--process", file, id, NULL}, "process.cwd",
			    "exec --process of a file without cwd");
}

static void with_seccomp(struct bundle *b)
{
	set(b, "process.noNewPrivileges", json_object_new_boolean(false));
	set(b, "linux.seccomp",
	    json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 95}]}"));
}

/*
 * exec's process gets the container's seccomp filter (a call it
 * refuses, keyctl, fails with its errnoRet, 95) and noNewPrivileges as
 * config.json says, or on with --no-new-privs.
 */
void test_exec_gets_the_containers_seccomp_filter_and_no_new_privs(void **state)
{
	static const char script[] =
		"/bin/probe --try keyctl; exec /bin/probe seccomp no_new_privs";
	const char *id = container_id("execsecc");

	(void)state;
	require_root();
	struct bundle *b = running("execsecc", id, with_seccomp);
	const char *out = exec_output(b, (const char *[]){id, "/bin/sh", "-c", script, NULL}, 0);
	expect_probe(out, "try.keyctl", strerror(EOPNOTSUPP),
		     "linux.seccomp refuses keyctl with errnoRet 95 in exec's process too");
	expect_probe(out, "seccomp", "2", "exec's process runs under a seccomp filter (mode 2)");
	expect_probe(out, "no_new_privs", "0", "noNewPrivileges: false in config.json");
	out = exec_output(
		b, (const char *[]){"--no-new-privs", id, "/bin/probe", "no_new_privs", NULL}, 0);
	expect_probe(out, "no_new_privs", "1", "exec --no-new-privs sets no_new_privs");
}

/*
 * CVE-2024-21626 (runc, 2024): a descriptor of the host's leaked into
 * the process runc exec started, and process.cwd could name it
 * (/proc/self/fd/7), leaving the command in the host's tree. exec's
 * command holds 0, 1 and 2 (and --preserve-fds' ones) only, and its cwd
 * resolves in the container's root: "/.." is "/", and a cwd through a
 * descriptor of the caller's finds nothing.
 */
void test_exec_command_holds_no_host_descriptor_and_stays_inside(void **state)
{
	const char *id = container_id("execfds");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = running("execfds", id, NULL);
	const char *root = root_of(pid_of(b, id));
	char *host = make_temp_dir("fd7");
	const char *const fd7[] = {"/bin/sh", "-c", "exec 7<\"$0\" && exec \"$@\"", host, NULL};
	const char *const fd3[] = {"/bin/sh", "-c", "exec 3<\"$0\" && exec \"$@\"", host, NULL};

	run_start_prefixed(
		&r, fd7, "dcrun",
		rooted(b, (const char *[]){"exec", "--cwd", "/../../..", id, "/bin/probe", "fds",
					   "cwd", "root_inode", NULL}));
	run_finish(&r);
	assert_exit(&r, 0);
	expect_probe(r.out, "fds", "0,1,2",
		     "exec's command holds no descriptor but 0, 1 and 2: the caller's 7 is a way "
		     "out to the host");
	expect_probe(r.out, "cwd", "/", "--cwd /../../.. resolves in the container's root: /");
	expect_probe(r.out, "root_inode", root, "exec's command has the container's root");
	run_free(&r);

	run_start_prefixed(&r, fd3, "dcrun",
			   rooted(b, (const char *[]){"exec", "--preserve-fds", "1", id,
						      "/bin/probe", "fds", NULL}));
	run_finish(&r);
	assert_exit(&r, 0);
	expect_probe(r.out, "fds", "0,1,2,3",
		     "--preserve-fds 1 passes the caller's 3, and only it");
	run_free(&r);

	run_start_prefixed(&r, fd7, "dcrun",
			   rooted(b, (const char *[]){"exec", "--cwd", "/proc/self/fd/7", id,
						      "/bin/probe", "cwd", NULL}));
	run_finish(&r);
	if (r.exit_code != 255 || r.out[0] != '\0') {
		run_dump(&r, "dcrun exec --cwd /proc/self/fd/7");
		dc_fail("with the caller's descriptor 7 on a host directory, exec --cwd "
			"/proc/self/fd/7 must fail (255) before the command runs: the descriptor is "
			"closed first; it exited %d",
			r.exit_code);
	}
	run_free(&r);
}

/*
 * CVE-2016-9962 (runc): the process exec makes is the runtime's until its
 * execve, inside the container and holding what the runtime held. Root
 * inside must not reach it, even in that last instant: the test stops it
 * there (ptrace, at its execve's entry) and lets the container's shell try
 * /proc/PID/exe, cwd, root, fd, environ and mem. And its /proc/PID/exe is
 * dcrun's sealed copy in memory, never the host's file.
 */
void test_exec_process_cannot_be_reached_while_it_joins(void **state)
{
	static const char *const what[] = {"exe", "cwd", "root", "fd", "environ", "mem"};
	const char *id = container_id("execreach");
	struct first_exec x = {.attack = "/bin/probe --reach %d", .before = true};
	struct run c, e;

	(void)state;
	require_root();
	struct bundle *b =
		make_bundle("execreach", (const char *[]){"/bin/sh", "-c", shell_loop, NULL});
	save(b);
	run_start(&c, "dcrun", rooted(b, (const char *[]){"run", "--bundle", b->dir, id, NULL}));
	const char *line = run_read_line(&c);
	pid_t init = line && strcmp(line, "ready") == 0 ? pid_of(b, id) : 0;
	if (init == 0) {
		run_finish(&c);
		run_dump(&c, "dcrun run (the attacker's container)");
		dc_fail("the container did not start");
	}
	x.shell = &c;
	trace_to_first_exec(&e,
			    (const char *[]){impl_path("dcrun"), "--root", b->root, "exec", id,
					     "/bin/true", NULL},
			    namespace_of(init, "pid"), &x);
	run_finish(&e);
	run_finish(&c);
	if (x.pid == 0) {
		run_dump(&e, "dcrun exec");
		dc_fail("dcrun exec's process was never seen at its execve in the container's PID "
			"namespace: the attack was not tried");
	}
	assert_exit(&e, 0);
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		const char *got = value_in(x.answer, text("reach.%s", what[i]));
		if (got == NULL || strcmp(got, "ok") == 0)
			dc_fail("root inside reached /proc/PID/%s of exec's process just before its "
				"execve: %s\n%sdcrun exec must make itself non-dumpable (prctl "
				"PR_SET_DUMPABLE 0) before it joins anything (lesson 12, \"exec\")",
				what[i], got ? got : "(no answer)", x.answer);
	}
	if (strncmp(x.exe, "/memfd:dcrun", 12) != 0)
		dc_fail("exec's process should run dcrun's sealed copy (/memfd:dcrun); its "
			"/proc/PID/exe leads to %s",
			x.exe);
}

/*
 * exec needs a container whose process is there: a created one (its
 * init waits for start, its namespaces are made) or a running one. Into
 * a stopped, paused or unknown container it is refused, as runc's, with
 * exit 255 and one line, and nothing runs; the container is as it was.
 */
void test_exec_needs_a_created_or_running_container(void **state)
{
	const char *created = container_id("execcreated"), *ended = container_id("execstopped");
	const char *paused = container_id("execpaused");

	(void)state;
	require_root();
	struct bundle *b = make_bundle("execstate", (const char *[]){"/bin/sleep", mark(), NULL});
	save(b);
	create(b, created);
	const char *out = exec_output(b, (const char *[]){created, "/bin/echo", "in", NULL}, 0);
	if (strcmp(out, "in\n") != 0)
		dc_fail("exec into a created container should run its command; it printed: %s",
			out);
	expect_status(b, created, "created", "exec does not start the container");

	run_detached(b, paused);
	struct run r;
	dcrun(&r, b, (const char *[]){"pause", paused, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	/* (Else exec would join a frozen group, and wait with it.) */
	expect_status(b, paused, "paused", "pause froze the container");
	expect_exec_refused(b, (const char *[]){paused, "/bin/echo", "ran", NULL}, "paused",
			    "exec into a paused container");
	expect_status(b, paused, "paused", "a refused exec leaves the container paused");
	dcrun(&r, b, (const char *[]){"resume", paused, NULL});
	assert_exit(&r, 0);
	run_free(&r);

	set(b, "process.args", strings((const char *[]){"/bin/true", NULL}));
	save(b);
	run_detached(b, ended);
	if (!wait_for_status(b, ended, "stopped"))
		dc_fail("/bin/true in %s did not end: state says %s", ended, status_of(b, ended));
	expect_exec_refused(b, (const char *[]){ended, "/bin/echo", "ran", NULL}, "stopped",
			    "exec into a stopped container");
	expect_status(b, ended, "stopped", "a refused exec leaves the container stopped");
	expect_exec_refused(b, (const char *[]){container_id("execnone"), "/bin/echo", "ran", NULL},
			    container_id("execnone"), "exec into a container that does not exist");
	dcrun(&r, b, (const char *[]){"delete", ended, NULL});
	assert_exit(&r, 0);
	run_free(&r);
}

/*
 * exec -t: the process gets a terminal of the container's own devpts,
 * as its controlling terminal on 0, 1 and 2; detached, the master goes
 * to --console-socket, as create's does, and what is written there is
 * its input. A terminal without a taker is refused, as runc's
 * checkTerminal refuses it.
 */
void test_exec_tty_is_a_terminal_of_the_containers_own(void **state)
{
	static const char script[] = "tty; : </dev/tty && echo ctty=yes; read line; echo got:$line";
	const char *id = container_id("exectty");
	int number = -1;
	bool gone;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = running("exectty", id, NULL);
	const char *socket_path = text("%s/console.sock", b->dir);
	int listener = listen_at(socket_path);
	dcrun_aside(&r, b, "exec",
		    (const char *[]){"exec", "-t", "--detach", "--console-socket", socket_path, id,
				     "/bin/sh", "-c", script, NULL});
	int master = receive_master(listener);
	close(listener);
	if (r.exit_code != 0 || master == -1) {
		run_dump(&r, "exec -t --detach --console-socket");
		dc_fail("exec -t --detach --console-socket exited %d and sent %s: it must send "
			"the terminal's master there, and exit 0",
			r.exit_code, master == -1 ? "no descriptor" : "one");
	}
	run_free(&r);
	if (ioctl(master, TIOCGPTN, &number) == -1 || number != 0) {
		close(master);
		dc_fail("what exec sent is %s: it must be the master of a pty of the container's "
			"own devpts (its first: number 0)",
			number == -1 ? "no pty master" : text("pty number %d", number));
	}
	if (write(master, "hello\n", 6) != 6)
		dc_fail("write to the terminal's master: %s", strerror(errno));
	const char *out = read_terminal(master, "got:hello", &gone);
	close(master);
	if (strstr(out, "/dev/pts/0") == NULL || strstr(out, "ctty=yes") == NULL ||
	    strstr(out, "got:hello") == NULL)
		dc_fail("through the master, exec's process should have printed /dev/pts/0 (tty), "
			"ctty=yes (its controlling terminal) and got:hello (what was written to "
			"the master); it printed:\n%s",
			out);

	expect_exec_refused(b, (const char *[]){"-t", "--detach", id, "/bin/true", NULL},
			    "console-socket", "exec -t --detach without --console-socket");
	expect_exec_refused(
		b, (const char *[]){"--console-socket", socket_path, id, "/bin/true", NULL},
		"console-socket", "exec --console-socket without -t");
}

/*
 * create checks that the program is there; if it is gone by start (here:
 * a program on a bind-mounted host directory, removed in between), start
 * must not report success for a program that never ran: it fails with one
 * line naming the exec and the path, and the container is stopped.
 */
void test_start_fails_when_the_program_is_gone(void **state)
{
	const char *id = container_id("gone");
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle("gone", (const char *[]){"/mnt/prog", NULL});
	share_mnt(b);
	save(b);
	const char *prog = shared_file(b, "prog");
	int fd = open(prog, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd == -1 || write(fd, "#!/bin/sh\necho ran\n", 19) != 19 || close(fd) == -1)
		dc_fail("write %s: %s", prog, strerror(errno));
	create(b, id);
	if (unlink(prog) == -1)
		dc_fail("unlink %s: %s", prog, strerror(errno));
	dcrun(&r, b, (const char *[]){"start", id, NULL});
	if (r.exit_code == 0)
		dc_fail("start exited 0 for a program that is gone (%s): it must fail, as the "
			"program never ran",
			prog);
	expect_one_clear_line(r.err, "/mnt/prog", "start of a program that is gone");
	run_free(&r);
	expect_status(b, id, "stopped",
		      "a program that could not run leaves its container stopped");
}

/*
 * --user's numbers are read whole or refused: a uid cut to its first 31
 * digits, "000...0001000" read as "000...000", would run the command as
 * root. Refused with exit 255 and one line naming --user; nothing runs.
 */
void test_exec_user_is_read_whole_or_refused(void **state)
{
	const char *id = container_id("execuser");
	const char *long_uid = "00000000000000000000000000000001000";

	(void)state;
	require_root();
	struct bundle *b = running("execuser", id, NULL);
	expect_exec_refused(b, (const char *[]){"-u", long_uid, id, "/bin/id", "-u", NULL},
			    "--user", "exec -u with a uid of 35 digits");
	expect_exec_refused(
		b, (const char *[]){"-u", text("%s:0", long_uid), id, "/bin/id", "-u", NULL},
		"--user", "exec -u with a uid of 35 digits and a gid");
}
