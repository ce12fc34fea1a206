/*
 * state.c: the state directory. A runtime is a program that exits: what
 * `create` did, `start`, `state`, `kill` and `delete` must find again,
 * in another process. So each container has a directory under --root,
 * ROOT/ID, holding state.json and, until `start`, exec.fifo. Two dcrun
 * processes acting on one container take turns on flock(2) of ROOT/ID;
 * `state` and `list` only read, and take no turn (state_read).
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * An id names a directory: no "/", no "." or "..", nothing a shell or a
 * path would read twice (runc allows the same characters).
 */
int state_check_id(const char *id, struct error *e)
{
	size_t len = strlen(id);

	if (len == 0 || len > 255 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_.+-") != len ||
	    strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return invalid(e, "container id \"%s\": want 1 to 255 letters, digits and _.+-",
			       id);
	return 0;
}

const char *state_root(const char *option)
{
	static char root[4096];
	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");

	if (option != NULL)
		return option;
	if (geteuid() == 0)
		return "/run/dcrun";
	if (runtime_dir != NULL && runtime_dir[0] == '/')
		snprintf(root, sizeof(root), "%s/dcrun", runtime_dir);
	else
		snprintf(root, sizeof(root), "/tmp/dcrun-%u", (unsigned)geteuid());
	return root;
}

static int lock_dir(const char *dir, struct error *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX) == -1) {
		int err = errno;
		close(fd);
		return fail(e, err, "flock", "%s", dir);
	}
	return fd;
}

/*
 * mkdir -p ROOT, as runc's MkdirAll: containerd's shim passes
 * --root OPTIONS_ROOT/NAMESPACE and leaves its parents to the runtime.
 * The root only for its owner: pids and bundles are nobody else's business.
 */
static int make_root(const char *root, struct error *e)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s", root) >= (int)sizeof(path))
		return fail(e, ENAMETOOLONG, "mkdir", "%s", root);
	for (char *slash = strchr(path + (path[0] != '\0'), '/');; slash = strchr(slash + 1, '/')) {
		if (slash != NULL)
			*slash = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return fail(e, errno, "mkdir", "%s", path);
		if (slash == NULL)
			return 0;
		*slash = '/';
	}
}

int state_create(const char *root, const char *id, struct error *e)
{
	char dir[4096];

	if (make_root(root, e) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	if (mkdir(dir, 0700) == -1) {
		if (errno == EEXIST)
			return fail_hint(e, HINT_ID_IN_USE, EEXIST, "create", "container %s", id);
		return fail(e, errno, "mkdir", "%s", dir);
	}
	int fd = lock_dir(dir, e);
	if (fd == -1 && e->call[0] == '\0')
		return fail(e, errno, "open", "%s", dir);
	return fd;
}

static const char *string_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

static long long number_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* A list of strings from a JSON array, NULL-terminated (NULL if absent). */
static char **strings_of(json_object *o, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	size_t n = json_object_array_length(a);
	char **list = calloc(n + 1, sizeof(*list));
	for (size_t i = 0; list && i < n; i++)
		list[i] = strdup(json_object_get_string(json_object_array_get_idx(a, i)));
	return list;
}

/* "dcrun.poststart", "dcrun.poststop": the hooks start and delete run, as create saved them. */
static struct spec_hook *hooks_of(json_object *o, const char *key, size_t *n)
{
	json_object *a;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	size_t len = json_object_array_length(a);
	struct spec_hook *hooks = calloc(len + 1, sizeof(*hooks));
	for (size_t i = 0; hooks && i < len; i++) {
		json_object *h = json_object_array_get_idx(a, i);
		hooks[i].path = strdup(string_of(h, "path"));
		hooks[i].args = strings_of(h, "args");
		hooks[i].env = strings_of(h, "env");
		hooks[i].timeout = (int)number_of(h, "timeout");
		*n = i + 1;
	}
	return hooks;
}

static json_object *strings_object(char **list)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; list && list[i]; i++)
		json_object_array_add(a, json_object_new_string(list[i]));
	return a;
}

static json_object *hooks_object(const struct spec_hook *hooks, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_new_object();
		json_object_object_add(h, "path", json_object_new_string(hooks[i].path));
		if (hooks[i].args)
			json_object_object_add(h, "args", strings_object(hooks[i].args));
		if (hooks[i].env)
			json_object_object_add(h, "env", strings_object(hooks[i].env));
		json_object_object_add(h, "timeout", json_object_new_int(hooks[i].timeout));
		json_object_array_add(a, h);
	}
	return a;
}

/* ROOT/ID/state.json into *st, and the status. */
static int load(const char *root, const char *id, struct state *st, struct error *e)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s/state.json", root, id);
	json_object *o = json_object_from_file(path);
	if (o == NULL) {
		/* Made, but create never got as far as writing it: only delete may go on. */
		return fail_hint(e, HINT_NOT_FOUND, ENOENT, "read", "%s", path);
	}
	snprintf(st->id, sizeof(st->id), "%s", id);
	snprintf(st->bundle, sizeof(st->bundle), "%s", string_of(o, "bundle"));
	snprintf(st->rootfs, sizeof(st->rootfs), "%s", string_of(o, "rootfs"));
	snprintf(st->created, sizeof(st->created), "%s", string_of(o, "created"));
	snprintf(st->cgroup, sizeof(st->cgroup), "%s", string_of(o, "dcrun.cgroup"));
	st->pid = (pid_t)number_of(o, "dcrun.pid");
	st->start_time = (unsigned long long)number_of(o, "dcrun.startTime");
	st->owner = (uid_t)number_of(o, "dcrun.owner");
	st->rootless = number_of(o, "dcrun.rootless") != 0;
	st->creating = number_of(o, "dcrun.creating") != 0;
	json_object *ann;
	if (json_object_object_get_ex(o, "annotations", &ann) &&
	    json_object_is_type(ann, json_type_object)) {
		size_t n = (size_t)json_object_object_length(ann);
		struct spec_kv *list = calloc(n + 1, sizeof(*list));
		size_t i = 0;
		json_object_object_foreach(ann, key, value)
		{
			if (list == NULL || i == n)
				break;
			list[i].key = strdup(key);
			list[i].value = strdup(json_object_get_string(value));
			i++;
		}
		st->annotations = list;
		st->nannotations = list ? i : 0;
	}
	st->poststart = hooks_of(o, "dcrun.poststart", &st->npoststart);
	st->poststop = hooks_of(o, "dcrun.poststop", &st->npoststop);
	json_object_put(o);
	st->status = state_status(root, st);
	return 0;
}

int state_open(const char *root, const char *id, struct state *st, struct error *e)
{
	char dir[4096];

	memset(st, 0, sizeof(*st));
	if (state_check_id(id, e) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	int fd = lock_dir(dir, e);
	if (fd == -1) {
		if (e->call[0] != '\0')
			return -1;
		if (errno == ENOENT)
			return fail_hint(e, HINT_NOT_FOUND, ENOENT, "find", "container %s", id);
		return fail(e, errno, "open", "%s", dir);
	}
	if (load(root, id, st, e) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int state_read(const char *root, const char *id, struct state *st, struct error *e)
{
	char dir[4096];
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (state_check_id(id, e) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	if (stat(dir, &sb) == -1)
		return errno == ENOENT
			       ? fail_hint(e, HINT_NOT_FOUND, ENOENT, "find", "container %s", id)
			       : fail(e, errno, "stat", "%s", dir);
	return load(root, id, st, e);
}

/* Everything state.json holds: the OCI state, and what dcrun needs itself ("dcrun.*"). */
static json_object *state_object(const struct state *st, bool private)
{
	json_object *o = json_object_new_object(), *ann = json_object_new_object();

	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "status", json_object_new_string(status_name(st->status)));
	json_object_object_add(o, "pid",
			       json_object_new_int(st->status == STATUS_STOPPED ? 0 : st->pid));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "owner", json_object_new_string(""));
	for (size_t i = 0; i < st->nannotations; i++)
		json_object_object_add(ann, st->annotations[i].key,
				       json_object_new_string(st->annotations[i].value));
	json_object_object_add(o, "annotations", ann);
	if (private) {
		json_object_object_add(o, "dcrun.pid", json_object_new_int(st->pid));
		json_object_object_add(o, "dcrun.startTime",
				       json_object_new_int64((int64_t)st->start_time));
		json_object_object_add(o, "dcrun.owner", json_object_new_int64(st->owner));
		json_object_object_add(o, "dcrun.cgroup", json_object_new_string(st->cgroup));
		json_object_object_add(o, "dcrun.rootless", json_object_new_int(st->rootless));
		json_object_object_add(o, "dcrun.creating", json_object_new_int(st->creating));
		json_object_object_add(o, "dcrun.poststart",
				       hooks_object(st->poststart, st->npoststart));
		json_object_object_add(o, "dcrun.poststop",
				       hooks_object(st->poststop, st->npoststop));
	}
	return o;
}

char *state_json(const struct state *st)
{
	json_object *o = state_object(st, false);
	char *text = strdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* Written whole or not at all: a temporary file, then rename(2) over the old. */
int state_save(const char *root, const struct state *st, struct error *e)
{
	char path[4200], tmp[4220];
	json_object *o = state_object(st, true);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s/state.json", root, st->id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, text, len) != (ssize_t)len || fsync(fd) == -1) {
		int err = errno;
		if (fd != -1)
			close(fd);
		json_object_put(o);
		return fail(e, err, "write", "%s", tmp);
	}
	close(fd);
	json_object_put(o);
	if (rename(tmp, path) == -1)
		return fail(e, errno, "rename", "%s", tmp);
	return 0;
}

int state_remove(const char *root, const char *id, struct error *e)
{
	static const char *const files[] = {"state.json", "state.json.tmp", "exec.fifo"};
	char path[4200];
	int status = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", root, id, files[i]);
		if (unlink(path) == -1 && errno != ENOENT && status == 0)
			status = fail(e, errno, "unlink", "%s", path);
	}
	snprintf(path, sizeof(path), "%s/%s", root, id);
	if (rmdir(path) == -1 && errno != ENOENT && status == 0)
		status = fail(e, errno, "rmdir", "%s", path);
	return status;
}

/*
 * Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot. A pid is reused once its process has gone; a pid with
 * another start time is another process, never the container (crun's
 * check, and runc's).
 */
unsigned long long process_start_time(pid_t pid)
{
	char path[64], text[1024];
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* The command name, field 2, may hold spaces and ")": skip past the last ")". */
	const char *p = strrchr(text, ')');
	/* Field 3, the state: a zombie is a process that has ended. (Never
	 * search the whole line: the name is the process's to choose.) */
	if (p == NULL || p[1] != ' ' || p[2] == 'Z')
		return 0;
	/* Fields 3 to 21, then 22. */
	for (int field = 3; field < 22 && p != NULL; field++)
		p = strchr(p + 2, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

/*
 * Wait a moment (5 s at most) for a process to be gone: after delete's
 * SIGKILL, or after init wrote why its program could not run and exits.
 * A zombie counts as gone (process_start_time is 0 for it); our own
 * child (run's) is reaped, or it would stay one.
 */
void process_wait_gone(pid_t pid, unsigned long long start_time)
{
	for (int tries = 0; tries < 500; tries++) {
		waitpid(pid, NULL, WNOHANG);
		if (process_start_time(pid) != start_time)
			return;
		usleep(10000);
	}
}

enum status state_status(const char *root, const struct state *st)
{
	char fifo[4200];

	if (st->pid <= 0 || st->start_time == 0 || process_start_time(st->pid) != st->start_time)
		return STATUS_STOPPED;
	/* Saved early by create, which may still run, or have been killed half way. */
	if (st->creating)
		return STATUS_CREATING;
	/* exec.fifo lives from create to start: its reader is start. */
	snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", root, st->id);
	if (access(fifo, F_OK) == 0)
		return STATUS_CREATED;
	/* Frozen by `pause`: runc calls it paused (the OCI spec has no word for it). */
	if (st->cgroup[0] != '\0') {
		struct cgroup cg = {.version = st->cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1};
		snprintf(cg.path, sizeof(cg.path), "%.4095s", st->cgroup + 2);
		if (cgroup_frozen(&cg))
			return STATUS_PAUSED;
	}
	return STATUS_RUNNING;
}

const char *status_name(enum status status)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};

	return names[status];
}

char **state_list(const char *root, struct error *e)
{
	size_t n = 0, max = 16;
	char **ids = calloc(max + 1, sizeof(*ids));
	DIR *d = opendir(root);

	if (ids == NULL) {
		if (d != NULL)
			closedir(d);
		fail(e, ENOMEM, "calloc", "the list");
		return NULL;
	}
	if (d == NULL) {
		if (errno == ENOENT)
			return ids;
		free(ids);
		fail(e, errno, "opendir", "%s", root);
		return NULL;
	}
	for (struct dirent *entry; (entry = readdir(d)) != NULL;) {
		if (entry->d_name[0] == '.' || entry->d_type != DT_DIR)
			continue;
		if (n == max) {
			char **more = realloc(ids, (2 * max + 1) * sizeof(*ids));
			if (more == NULL)
				break;
			ids = more;
			max *= 2;
		}
		ids[n++] = strdup(entry->d_name);
		ids[n] = NULL;
	}
	closedir(d);
	return ids;
}

void state_free(struct state *st)
{
	for (size_t i = 0; i < st->nannotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	st->annotations = NULL;
	st->nannotations = 0;
	struct spec_hook *lists[] = {st->poststart, st->poststop};
	const size_t counts[] = {st->npoststart, st->npoststop};
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			free(lists[l][i].path);
			for (size_t k = 0; lists[l][i].args && lists[l][i].args[k]; k++)
				free(lists[l][i].args[k]);
			for (size_t k = 0; lists[l][i].env && lists[l][i].env[k]; k++)
				free(lists[l][i].env[k]);
			free(lists[l][i].args);
			free(lists[l][i].env);
		}
		free(lists[l]);
	}
	st->poststart = st->poststop = NULL;
	st->npoststart = st->npoststop = 0;
}
