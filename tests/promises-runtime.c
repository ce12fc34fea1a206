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
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
static const char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *text(const char *fmt, ...)
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

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void pause_ms(long ms)
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
static const char *contents(const char *path)
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
static const char *mark(void)
{
	static char m[32];

	snprintf(m, sizeof(m), "6%07d", (int)getpid());
	return m;
}

static int sleepers(pid_t *pids, int max)
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
static const char *container_id(const char *tag)
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

struct bundle {
	char *dir;           /* the bundle directory: config.json, and the test's own files */
	char root[4200];     /* dcrun --root DIR/state: the state directories */
	char shared[4200];   /* DIR/shared, bound on /mnt inside by share_mnt() */
	json_object *config; /* config.json, edited, then written by save() */
};

enum { MAX_BUNDLES = 8 };
static struct bundle bundles[MAX_BUNDLES];

/* A JSON value from text the test wrote; a mistake there is the test's own. */
static json_object *json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_object *json(const char *fmt, ...)
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
static void set(struct bundle *b, const char *path, json_object *value)
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
static void append(struct bundle *b, const char *path, json_object *value)
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
static struct bundle *make_bundle(const char *tag, const char *const args[])
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

static void save(const struct bundle *b)
{
	const char *path = text("%s/config.json", b->dir);

	if (json_object_to_file_ext(path, b->config, JSON_C_TO_STRING_PRETTY) == -1)
		dc_fail("write %s: %s", path, json_util_get_last_err());
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

static void dcrun(struct run *r, const struct bundle *b, const char *const args[])
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

/* CPU time the group has used, in ns: v1's cpuacct.usage, or v2's cpu.stat usage_usec. */
static long long cpu_used(const struct groups *gs)
{
	const char *v1 = cgroup_v2() ? NULL : group_file(gs, "cpuacct", "cpuacct.usage");

	if (v1 != NULL)
		return atoll(v1);
	const char *dir = group_with(gs, "");
	const char *stat = dir ? contents(text("%s/cpu.stat", dir)) : "";
	const char *usage = strstr(stat, "usage_usec ");
	return usage ? atoll(usage + 11) * 1000 : -1;
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
	char *procs = read_file_if_there(text("%s/cgroup.procs", dir));

	for (const char *line = procs; line && *line; line = next_line(line))
		kill((pid_t)atoi(line), SIGKILL);
	free(procs);
	if (exists(text("%s/freezer.state", dir)))
		write_file(text("%s/freezer.state", dir), "THAWED");
	if (exists(text("%s/cgroup.freeze", dir)))
		write_file(text("%s/cgroup.freeze", dir), "0");
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

int runtime_teardown_test(void **state)
{
	pid_t left[16];

	if (background_running) {
		run_signal(&background, SIGKILL);
		finish_background();
	}
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
 * pause freezes every process of the container: a busy loop uses no CPU
 * time at all while it is paused (the group's usage does not grow in a
 * second), state says paused, and resume lets it run again.
 */
void test_paused_container_uses_no_cpu_until_resumed(void **state)
{
	const char *id = container_id("pause");
	struct groups gs;
	struct run r;

	(void)state;
	require_root();
	struct bundle *b = make_bundle(
		"pause", (const char *[]){"/bin/sh", "-c", "while :; do :; done", NULL});
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
		busy = cpu_used(&gs) > before;
		if (!busy)
			pause_ms(POLL_MS);
	}
	if (!busy)
		dc_fail("the busy loop uses no CPU even before pause");

	dcrun(&r, b, (const char *[]){"pause", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	expect_status(b, id, "paused", "pause freezes the container, and state says so, as runc's");
	long long frozen = cpu_used(&gs);
	pause_ms(1000);
	long long later = cpu_used(&gs);
	/* A second of a busy loop is a thousand million ns: allow 1 ms of accounting's rounding. */
	if (later - frozen > 1000000)
		dc_fail("the paused container used %lld ns of CPU in a second: pause must freeze "
			"every process in its cgroup (freezer.state on v1, cgroup.freeze on v2)",
			later - frozen);

	dcrun(&r, b, (const char *[]){"resume", id, NULL});
	assert_exit(&r, 0);
	run_free(&r);
	expect_status(b, id, "running", "resume thaws the container");
	busy = false;
	for (int i = 0; i < POLL_TRIES && !busy; i++) {
		busy = cpu_used(&gs) > later;
		if (!busy)
			pause_ms(POLL_MS);
	}
	if (!busy)
		dc_fail("after resume, the busy loop still uses no CPU");
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
static const char *mounts_naming(const char *a, const char *b)
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
static int groups_named(const char *name)
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
 * create of B (id ID) is refused: exit 1, one line naming NAMES, and
 * nothing is left: no state directory, no cgroup /GROUP in any
 * hierarchy, no mount naming the bundle or the rootfs, no process.
 */
static void expect_create_refused(const struct bundle *b, const char *id, const char *group,
				  const char *names, const char *what)
{
	const char *before = mounts_naming(b->dir, test_rootfs());
	pid_t left[4];
	struct run r;

	dcrun_aside(&r, b, "bad", (const char *[]){"create", "--bundle", b->dir, id, NULL});
	if (r.exit_code != 1)
		dc_fail("create of %s exited %d; it must be refused (exit 1)", what, r.exit_code);
	expect_one_clear_line(r.err, names, what);
	run_free(&r);
	if (exists(text("%s/%s", b->root, id)))
		dc_fail("create of %s left its state directory %s/%s", what, b->root, id);
	if (groups_named(group) != 0)
		dc_fail("create of %s left its cgroup /%s", what, group);
	if (strcmp(before, mounts_naming(b->dir, test_rootfs())) != 0)
		dc_fail("create of %s left a mount on the host:\n%s", what,
			mounts_naming(b->dir, test_rootfs()));
	if (sleepers(left, 4) != 0 || child_of(getpid()) != 0)
		dc_fail("create of %s left a process behind (pid %d)", what,
			sleepers(left, 4) ? (int)left[0] : (int)child_of(getpid()));
}

enum bad_kind {
	NO_CONFIG,
	NOT_JSON,
	WRONG_TYPE,
	UNKNOWN_NAMESPACE,
	RELATIVE_DESTINATION,
	UNKNOWN_CAPABILITY,
	HOOK,
	NO_ROOTFS,
	NO_BIND_SOURCE,
};

/*
 * A bad bundle is refused by create with exit 1 and one line that names
 * what is wrong (the JSON path of a bad value, or of a hook, which dcrun
 * does not run yet), and nothing is left: no
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
		{UNKNOWN_NAMESPACE, "an unknown namespace type", "netwrok"},
		{RELATIVE_DESTINATION, "a relative mount destination", "destination"},
		{UNKNOWN_CAPABILITY, "an unknown capability", "CAP_NO_SUCH_THING"},
		/* runc would run it; until dcrun runs hooks, it must not drop one silently. */
		{HOOK, "a createRuntime hook (dcrun runs none yet)", "hooks.createRuntime"},
		{NO_ROOTFS, "a missing rootfs", "no-such-rootfs"},
		{NO_BIND_SOURCE, "a bind mount of a missing source", "no-such-source"},
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
		case HOOK:
			/* An empty list asks for nothing: the refusal names the other one. */
			set(b, "hooks.prestart", json_object_new_array());
			set(b, "hooks.createRuntime",
			    json("[{\"path\": \"/bin/touch\", \"args\": [\"touch\", %s]}]",
				 quoted(text("%s/hook-ran", b->dir))));
			break;
		default:
			break;
		}
		save(b);
		if (cases[i].kind == NO_CONFIG)
			unlink(config);
		if (cases[i].kind == NOT_JSON)
			write_file(config, "{\"ociVersion\": \"1.0.2\", \"process\": {");
		expect_create_refused(b, id, group, cases[i].names, cases[i].what);
		if (cases[i].kind == HOOK && exists(text("%s/hook-ran", b->dir)))
			dc_fail("create of %s refused it, yet ran the hook", cases[i].what);
		/* The next case gets a bundle of its own. */
		json_object_put(b->config);
		b->config = NULL;
		remove_tree(b->dir);
		b->dir = NULL;
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
		json_object_put(b->config);
		b->config = NULL;
		remove_tree(b->dir);
		b->dir = NULL;
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

/* ---- Creating, and a create killed half way -------------------------------------------------- */

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

/*
 * dcrun killed (SIGKILL) in the middle of create leaves a container that
 * delete --force removes whole: its state directory, its groups, its
 * process. Two points: its process frozen in its group before it has
 * reported ready (create saved the state as soon as the process
 * existed); and its process waiting on exec.fifo, create blocked writing
 * --pid-file (written last, whole: to PATH.tmp, renamed -- a FIFO there
 * holds create until a reader comes, and none does).
 */
void test_create_killed_half_way_is_removed_by_delete_force(void **state)
{
	static const char *const points[] = {
		"its process frozen in its group, not yet ready",
		"its process waiting on exec.fifo, --pid-file unwritten"};

	(void)state;
	require_root();
	for (int p = 0; p < 2; p++) {
		const char *id = container_id(text("halfway%d", p));
		const char *group = text("dc-runtime-%d-halfway%d", (int)getpid(), p);
		const char *pid_file = NULL;
		pid_t left[4], pid;
		struct run r;

		struct bundle *b =
			make_bundle("halfway", (const char *[]){"/bin/sleep", mark(), NULL});
		set(b, "linux.cgroupsPath", json_object_new_string(text("/%s", group)));
		save(b);
		if (p == 0) {
			const char *frozen = frozen_group(group);
			start_in_background(
				b, id, (const char *[]){"create", "--bundle", b->dir, id, NULL});
			pid = wait_for_member(frozen);
		} else {
			pid_file = text("%s/pid", b->dir);
			if (mkfifo(text("%s.tmp", pid_file), 0600) == -1)
				dc_fail("mkfifo %s.tmp: %s", pid_file, strerror(errno));
			start_in_background(b, id,
					    (const char *[]){"create", "--bundle", b->dir,
							     "--pid-file", pid_file, id, NULL});
			pid = wait_for_status(b, id, "created") ? pid_of(b, id) : 0;
		}
		if (pid == 0 || !alive(background.pid))
			dc_fail("create did not stop half way (%s): %s", points[p],
				contents(text("%s/%s.err", b->dir, id)));
		if (groups_named(group) == 0)
			dc_fail("half way through create (%s), there is no group /%s", points[p],
				group);

		run_signal(&background, SIGKILL);
		finish_background();
		if (p == 0)
			expect_status(b, id, "creating",
				      "its create was killed before the container was created");
		dcrun(&r, b, (const char *[]){"delete", "--force", id, NULL});
		if (r.exit_code != 0) {
			run_dump(&r, "delete --force");
			dc_fail("delete --force of a container whose create was killed (%s) "
				"exited %d",
				points[p], r.exit_code);
		}
		run_free(&r);
		if (exists(text("%s/%s", b->root, id)))
			dc_fail("delete --force left the state directory %s/%s (%s)", b->root, id,
				points[p]);
		if (groups_named(group) != 0)
			dc_fail("delete --force left the group /%s (%s): create must save where its "
				"groups are as soon as its process exists",
				group, points[p]);
		if (alive(pid))
			dc_fail("delete --force left the container's process %d (%s)", (int)pid,
				points[p]);
		if (sleepers(left, 4) != 0)
			dc_fail("the container's command ran (host pid %d), though it never started",
				(int)left[0]);
	}
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

	/* Remapped: the rootfs must be reachable by 100000, which it is or a copy is. */
	set(b, "root.path", json_object_new_string(test_rootfs_for_others()));
	append(b, "linux.namespaces", json("{\"type\": \"user\"}"));
	set(b, "linux.uidMappings",
	    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
	set(b, "linux.gidMappings",
	    json("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"));
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
 * that linux.cgroupsPath names, in the container's own hierarchy.
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
	set(b, "linux.resources.memory", json("{\"limit\": 67108864}"));
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
 * an attacker there does at that instant: a real attack races for it; the
 * test instead stops the process there, as a debugger would (ptrace(2)'s
 * PTRACE_EVENT_EXEC stop: the new program is loaded and has not run an
 * instruction yet), and lets the attacker try while it waits.
 */
struct first_exec {
	unsigned long pidns; /* the PID namespace the exec counts in */
	struct run *shell;   /* the attacker: a shell_loop there */
	const char *attack;  /* its command; %d is the process's pid there */
	pid_t pid;           /* the host pid that exec'd there, 0 until one did */
	char argv[512];      /* its command line, its words joined by spaces */
	char exe[4096];      /* where its /proc/PID/exe led, seen from the host */
	char answer[4096];   /* what the attacker got */
};

static void at_first_exec(struct first_exec *x, pid_t pid)
{
	char command[256];
	size_t len = 0;
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

/* Stopped (T) or traced-stopped (t): polled, so nothing kept. */
static bool stopped(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *stat = read_file_if_there(path);
	const char *end = stat ? strrchr(stat, ')') : NULL;
	bool yes = end && end[1] == ' ' && (end[2] == 'T' || end[2] == 't');
	free(stat);
	return yes;
}

/*
 * Run ARGS (dcrun's: argv[0] is the program) stopped from the start,
 * trace it and every process it forks until they have all exited, and
 * attack at the first exec in x->pidns. The run is left for run_finish,
 * which reaps it. Under a DC_WRAP of "env NAME=VALUE..." (the
 * sanitizers' options) it runs under that env; never under valgrind,
 * which would be the process traced.
 */
static void trace_to_first_exec(struct run *r, const char *const args[], struct first_exec *x)
{
	const long options = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			     PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	const char *argv[48] = {"/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "sh"};
	const char *wrap = getenv("DC_WRAP");
	char words[1024];
	pid_t all[16];
	size_t k = 4;
	int n = 0;

	snprintf(words, sizeof(words), "%s", wrap ? wrap : "");
	if (strncmp(words, "env ", 4) == 0) {
		for (char *rest = NULL, *word = strtok_r(words, " ", &rest); word && k < 16;
		     word = strtok_r(NULL, " ", &rest))
			argv[k++] = word;
	}
	for (size_t i = 0; args[i] != NULL && k + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	run_start_argv(r, argv);
	for (int tries = 0; tries < POLL_TRIES && !stopped(r->pid); tries++)
		pause_ms(POLL_MS);
	if (ptrace(PTRACE_SEIZE, r->pid, NULL, (void *)options) == -1) {
		print_error("ptrace PTRACE_SEIZE %d: %s\n", (int)r->pid, strerror(errno));
		kill(r->pid, SIGKILL);
		return;
	}
	all[n++] = r->pid;
	kill(r->pid, SIGCONT);
	for (time_t deadline = time(NULL) + 20; n > 0 && time(NULL) < deadline;) {
		bool any = false;

		for (int i = 0; i < n; i++) {
			siginfo_t info = {0};
			int status;

			/* Our own child is run_finish's to reap: look at its end, never reap it. */
			if (all[i] == r->pid) {
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
			pid_t got = waitpid(all[i], &status, WNOHANG | __WALL);
			if (got == 0)
				continue;
			any = true;
			if (got == -1 || WIFEXITED(status) || WIFSIGNALED(status)) {
				all[i--] = all[--n];
				continue;
			}
			int sig = WSTOPSIG(status), event = status >> 16, inject = 0;
			unsigned long child = 0;
			if (sig == SIGTRAP &&
			    (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			     event == PTRACE_EVENT_CLONE)) {
				if (ptrace(PTRACE_GETEVENTMSG, all[i], NULL, &child) == 0 && n < 16)
					all[n++] = (pid_t)child;
			} else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
				if (x->pid == 0 && namespace_of(all[i], "pid") == x->pidns)
					at_first_exec(x, all[i]);
			} else if (event != PTRACE_EVENT_STOP) {
				inject = sig; /* a signal on its way: deliver it */
			}
			if (ptrace(PTRACE_CONT, all[i], NULL, (void *)(long)inject) == -1)
				all[i--] = all[--n];
		}
		if (!any)
			pause_ms(1);
	}
	/* Past the deadline: whatever is still traced goes (PTRACE_O_EXITKILL would, at exit). */
	for (int i = 0; i < n; i++)
		kill(all[i], SIGKILL);
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
	x.pidns = namespace_of(pod_pid, "pid");
	x.shell = &pod;
	namespace_path(b, "pid", text("/proc/%d/ns/pid", (int)pod_pid));
	save(b);
	trace_to_first_exec(
		&evil,
		(const char *[]){copy, "--root", b->root, "run", "--bundle", b->dir, evil_id, NULL},
		&x);
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

static bool on_path(const char *name)
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
