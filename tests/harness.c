/*
 * The test harness: see harness.h. Plain fork/exec with pipes, so a test
 * runs a chapter's program exactly as a user's shell would.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * What a test made and must not leave behind, even when an assertion
 * fails halfway and cmocka jumps out of it: output buffers, temporary
 * directories, and the working directory it started in.
 */
enum { MAX_TRACKED = 1024 };
static char *tracked_buffers[MAX_TRACKED];
static char *tracked_dirs[MAX_TRACKED];
static pid_t dir_maker[MAX_TRACKED]; /* the process that made tracked_dirs[i] */
static char **made_dirs;             /* every temporary directory this run made */
static size_t n_made;
static char start_cwd[4096];
static pid_t test_process; /* the one cmocka runs the tests in: not a forked child */

/* A harness failure is a broken test machine, not a failed test: stop. */
static void harness_die(const char *call, const char *object)
{
	fprintf(stderr, "harness: %s %s: %s\n", call, object, strerror(errno));
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL)
		harness_die("realloc", "output buffer");
	return q;
}

static int track(char **list, char *p)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (list[i] == NULL) {
			list[i] = p;
			return i;
		}
	}
	fprintf(stderr, "harness: more than %d live objects; free some\n", MAX_TRACKED);
	exit(2);
}

static void untrack(char **list, const char *p)
{
	for (int i = 0; p && i < MAX_TRACKED; i++) {
		if (list[i] == p)
			list[i] = NULL;
	}
}

/* Made absolute once, at setup, so that a test may change its working directory. */
static const char *absolute_env(const char *name)
{
	static char paths[2][4096];
	int slot = strcmp(name, "DC_ROOTFS") == 0;
	const char *value = getenv(name);

	if (paths[slot][0] != '\0')
		return paths[slot];
	if (value == NULL) {
		fprintf(stderr, "harness: %s is not set (run the tests through make)\n", name);
		exit(2);
	}
	if (realpath(value, paths[slot]) == NULL)
		harness_die("realpath", value);
	return paths[slot];
}

const char *test_rootfs(void)
{
	return absolute_env("DC_ROOTFS");
}

const char *impl_path(const char *program)
{
	static char path[4096 + 256];

	snprintf(path, sizeof(path), "%s/%s", absolute_env("DC_IMPL"), program);
	return path;
}

/*
 * A tool is the implementation's own when it has one (chapter 03's enter
 * and nsls in 03-mnt), else the latest earlier chapter's, from the same
 * tree (solutions, sanitized build or exercise), as a student would use it.
 */
bool under_valgrind(void)
{
	const char *wrap = getenv("DC_WRAP");

	return wrap != NULL && strstr(wrap, "valgrind") != NULL;
}

const char *tool_path(const char *program)
{
	static char found[4096 + 256];
	char pattern[4096 + 256];
	const char *impl = impl_path(program);
	glob_t g;

	if (access(impl, X_OK) == 0)
		return impl;
	const char *dir = absolute_env("DC_IMPL");
	const char *chapter = strrchr(dir, '/') + 1;
	snprintf(pattern, sizeof(pattern), "%.*s/[0-9][0-9]-*/%s", (int)(chapter - dir - 1), dir,
		 program);
	found[0] = '\0';
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *ch = g.gl_pathv[i] + (chapter - dir);
			if (strncmp(ch, chapter, 2) < 0)
				snprintf(found, sizeof(found), "%s", g.gl_pathv[i]);
		}
	}
	globfree(&g);
	return found[0] ? found : impl;
}

void require_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "\n*** SKIPPED: this test needs root. Run: sudo make test ***\n\n");
		skip();
	}
}

int harness_setup(void **state)
{
	char probe[4096];

	(void)state;
	/*
	 * Started with a standard stream closed (by a CI runner, say), the
	 * first pipe would get its number, and a child's dup2 onto 0, 1 or 2
	 * would then clobber it. Fill any gap with /dev/null.
	 */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			harness_die("open", "/dev/null for a closed standard stream");
	}
	if (getcwd(start_cwd, sizeof(start_cwd)) == NULL)
		harness_die("getcwd", ".");
	impl_path("container");
	snprintf(probe, sizeof(probe), "%s/bin/probe", test_rootfs());
	if (access(probe, X_OK) == -1) {
		fprintf(stderr, "harness: no test rootfs at %s (run the tests through make)\n",
			test_rootfs());
		return -1;
	}
	return 0;
}

/* Append whatever is readable on fd to *buf; false at end of file. */
static bool drain(int fd, char **buf, size_t *len)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n == -1 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	*buf = xrealloc(*buf, *len + (size_t)n + 1);
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return true;
}

static void make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) == -1)
		harness_die("pipe2", "");
}

/* ---- Running as nobody ---------------------------------------------------------- */

/*
 * Can nobody read and search PATH, and every directory on the way to it?
 * Asked of the kernel by a child that becomes nobody: access(2) checks
 * the real uid and gid, which is exactly the question.
 */
static bool nobody_can_reach(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == -1)
		harness_die("fork", "a child to become nobody");
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setresgid(NOBODY, NOBODY, NOBODY) == -1 ||
		    setresuid(NOBODY, NOBODY, NOBODY) == -1)
			_exit(2);
		_exit(access(path, R_OK | X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			harness_die("waitpid", "the child that became nobody");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "harness: cannot become nobody (%d) to check %s\n", NOBODY, path);
		exit(2);
	}
	return WEXITSTATUS(status) == 0;
}

/* Copies made for nobody, under one directory, kept until the test binary exits. */
enum { MAX_COPIES = 8 };
static char *nobody_dir;
static char *copied_from[MAX_COPIES], *copied_to[MAX_COPIES];

static void remove_nobody_copies(void)
{
	for (int i = 0; i < MAX_COPIES; i++) {
		free(copied_from[i]);
		free(copied_to[i]);
		copied_from[i] = copied_to[i] = NULL;
	}
	if (nobody_dir)
		remove_tree(nobody_dir);
	nobody_dir = NULL;
}

/* PATH itself when nobody can reach it, else a copy of it (cp -a) that nobody can. */
static const char *reachable_by_nobody(const char *path)
{
	int i = 0;
	struct run cp;

	for (; i < MAX_COPIES && copied_from[i]; i++) {
		if (strcmp(copied_from[i], path) == 0)
			return copied_to[i];
	}
	if (nobody_can_reach(path))
		return path;
	if (i == MAX_COPIES) {
		fprintf(stderr, "harness: more than %d copies for nobody\n", MAX_COPIES);
		exit(2);
	}
	if (nobody_dir == NULL) {
		nobody_dir = make_temp_dir("nobody");
		keep_temp_dir(nobody_dir);
		atexit(remove_nobody_copies);
		if (chmod(nobody_dir, 0755) == -1)
			harness_die("chmod", nobody_dir);
	}
	/* NOBODY_DIR/I/NAME: the copy keeps its name, which a program may print. */
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *dir = NULL, *to = NULL;
	if (asprintf(&dir, "%s/%d", nobody_dir, i) == -1 || asprintf(&to, "%s/%s", dir, name) == -1)
		harness_die("asprintf", path);
	if (mkdir(dir, 0755) == -1)
		harness_die("mkdir", dir);
	free(dir);
	/*
	 * The test rootfs is shared by the suites running beside this one,
	 * and some of their tests make a name in it for a moment (a symlink,
	 * a bind target the runtime makes): cp -a may find one gone between
	 * listing and copying it. Then the copy is made again.
	 */
	for (int attempt = 1;; attempt++) {
		run_program(&cp, (const char *[]){"cp", "-a", "--", path, to, NULL}, NULL);
		if (cp.exit_code == 0)
			break;
		if (attempt == 5) {
			fprintf(stderr, "harness: cp -a %s %s failed:\n%s", path, to, cp.err);
			exit(2);
		}
		run_free(&cp);
		char *partial = strdup(to); /* remove_tree frees what it is given */
		if (partial == NULL)
			harness_die("strdup", to);
		if (access(partial, F_OK) == 0)
			remove_tree(partial);
		else
			free(partial);
	}
	run_free(&cp);
	copied_from[i] = strdup(path);
	copied_to[i] = to;
	if (copied_from[i] == NULL)
		harness_die("strdup", path);
	return to;
}

const char *test_rootfs_for_others(void)
{
	return reachable_by_nobody(test_rootfs());
}

/*
 * A word of DC_WRAP, for nobody: "/PATH" and "--option=/PATH" name a file
 * (valgrind's --suppressions=), which nobody must reach too.
 */
static const char *wrap_word_for_nobody(const char *word)
{
	static char words[MAX_COPIES][8192];
	static int next;
	const char *path = word[0] == '/' ? word : strstr(word, "=/");

	if (path == NULL)
		return word;
	path += path[0] == '=';
	char *w = words[next++ % MAX_COPIES];
	snprintf(w, sizeof(words[0]), "%.*s%s", (int)(path - word), word,
		 reachable_by_nobody(path));
	return w;
}

/*
 * argv for a tool of the implementation under test: the prefix (if any),
 * DC_WRAP's words (split on spaces: "valgrind -q --error-exitcode=99"),
 * the tool, its args. For nobody, the paths it cannot reach become copies.
 */
static char *wrap_copy;

static void tool_argv(const char **argv, size_t max, const char *const prefix[],
		      const char *program, const char *const args[], bool for_nobody)
{
	size_t n = 0;

	/* Chapter 12: the same request, as a bundle for dcrun; enter, as dcrun exec. */
	if (strcmp(program, "container") == 0 && runtime_adapter_active()) {
		args = runtime_adapter_args(args, for_nobody);
		program = "dcrun";
	} else if (strcmp(program, "enter") == 0 && runtime_adapter_active()) {
		args = runtime_adapter_enter_args(args);
		program = "dcrun";
	}
	for (size_t i = 0; prefix && prefix[i] != NULL && n + 2 < max; i++)
		argv[n++] = prefix[i];
	free(wrap_copy);
	wrap_copy = getenv("DC_WRAP") ? strdup(getenv("DC_WRAP")) : NULL;
	for (char *save = NULL, *w = wrap_copy ? strtok_r(wrap_copy, " ", &save) : NULL; w;
	     w = strtok_r(NULL, " ", &save))
		argv[n++] = for_nobody ? wrap_word_for_nobody(w) : w;
	argv[n++] = for_nobody ? reachable_by_nobody(tool_path(program)) : tool_path(program);
	for (size_t i = 0; args[i] != NULL; i++) {
		if (n + 2 > max) {
			fprintf(stderr, "harness: too many arguments\n");
			exit(2);
		}
		argv[n++] = args[i];
	}
	argv[n] = NULL;
}

/* Start argv with pipes on all three standard streams. */
/* ARGV started with IN, OUT and ERR as its 0, 1 and 2, in a process group of its own; -1: not started. */
static pid_t spawn(const char *const argv[], int in, int out, int err)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	pid_t pid = -1;

	if (posix_spawn_file_actions_init(&actions) != 0)
		harness_die("posix_spawn_file_actions_init", argv[0]);
	if (posix_spawnattr_init(&attr) != 0)
		harness_die("posix_spawnattr_init", argv[0]);
	if (posix_spawn_file_actions_adddup2(&actions, in, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&actions, out, 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&actions, err, 2) != 0 ||
	    posix_spawnattr_setpgroup(&attr, 0) != 0 ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) != 0)
		harness_die("posix_spawn setup", argv[0]);
	if (posix_spawnp(&pid, argv[0], &actions, &attr, (char *const *)argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	return pid;
}

static void start(struct run *r, const char *const argv[])
{
	int in[2], out[2], err[2];

	memset(r, 0, sizeof(*r));
	r->out = xrealloc(NULL, 1);
	r->err = xrealloc(NULL, 1);
	r->out[0] = r->err[0] = '\0';
	r->deadline = time(NULL) + RUN_TIMEOUT_S;
	snprintf(r->name, sizeof(r->name), "%s", argv[0]);
	make_pipe(in);
	make_pipe(out);
	make_pipe(err);

	/*
	 * posix_spawn, not fork: glibc's shares our memory until the exec
	 * (CLONE_VM | CLONE_VFORK), where fork copies our page tables -- an
	 * ASan process's are large, and the suite starts thousands of
	 * commands. Its own process group, so a timeout can kill all of it.
	 */
	pid_t pid = spawn(argv, in[0], out[1], err[1]);
	if (pid == -1)
		pid = fork(); /* it could not exec: the child says why, as below */
	if (pid == -1)
		harness_die("fork", argv[0]);
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1 || dup2(err[1], 2) == -1)
			_exit(2);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "harness: execvp %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	r->pid = pid;
	r->in_fd = in[1];
	r->out_fd = out[0];
	r->err_fd = err[0];
}

/*
 * Read what is ready on stdout and stderr, for up to the run's deadline;
 * stop early once `until` (if any) holds. False when the deadline passed.
 */
static bool pump(struct run *r, bool (*until)(const struct run *r))
{
	while (r->out_fd >= 0 || r->err_fd >= 0) {
		if (until && until(r))
			return true;
		int left = (int)(r->deadline - time(NULL));
		if (left <= 0)
			return false;

		struct pollfd fds[2] = {{.fd = r->out_fd, .events = POLLIN},
					{.fd = r->err_fd, .events = POLLIN}};
		int n = poll(fds, 2, left * 1000);
		if (n == -1 && errno != EINTR)
			harness_die("poll", r->name);
		if (n > 0 && fds[0].revents && !drain(r->out_fd, &r->out, &r->out_len)) {
			close(r->out_fd);
			r->out_fd = -1;
		}
		if (n > 0 && fds[1].revents && !drain(r->err_fd, &r->err, &r->err_len)) {
			close(r->err_fd);
			r->err_fd = -1;
		}
	}
	return true;
}

static bool has_new_line(const struct run *r)
{
	return strchr(r->out + r->line_pos, '\n') != NULL;
}

void run_start(struct run *r, const char *program, const char *const args[])
{
	const char *argv[64];

	tool_argv(argv, sizeof(argv) / sizeof(argv[0]), NULL, program, args, false);
	start(r, argv);
}

void run_start_rootless(struct run *r, const char *program, const char *const args[])
{
	static const char *const as_nobody[] = {"setpriv", "--reuid=65534", "--regid=65534",
						"--clear-groups", NULL};
	const char *argv[64];

	tool_argv(argv, sizeof(argv) / sizeof(argv[0]), as_nobody, program, args, true);
	start(r, argv);
}

void run_start_prefixed(struct run *r, const char *const prefix[], const char *program,
			const char *const args[])
{
	const char *argv[64];

	tool_argv(argv, sizeof(argv) / sizeof(argv[0]), prefix, program, args, false);
	start(r, argv);
}

void run_start_argv(struct run *r, const char *const argv[])
{
	start(r, argv);
}

const char *run_read_line(struct run *r)
{
	static char line[4096];

	if (!pump(r, has_new_line) || !has_new_line(r))
		return NULL;
	const char *begin = r->out + r->line_pos;
	size_t len = (size_t)(strchr(begin, '\n') - begin);
	snprintf(line, sizeof(line), "%.*s", (int)len, begin);
	r->line_pos += len + 1;
	return line;
}

void run_signal(struct run *r, int sig)
{
	if (kill(r->pid, sig) == -1)
		harness_die("kill", r->name);
}

void run_finish(struct run *r)
{
	if (r->in_fd >= 0)
		close(r->in_fd);
	r->in_fd = -1;
	if (!pump(r, NULL)) {
		r->timed_out = true;
		fprintf(stderr, "harness: %s timed out after %d s; killing it\n", r->name,
			RUN_TIMEOUT_S);
		kill(-r->pid, SIGKILL);
	}
	if (r->out_fd >= 0)
		close(r->out_fd);
	if (r->err_fd >= 0)
		close(r->err_fd);
	r->out_fd = r->err_fd = -1;
	while (waitpid(r->pid, &r->status, 0) == -1) {
		if (errno != EINTR)
			harness_die("waitpid", r->name);
	}
	if (WIFEXITED(r->status))
		r->exit_code = WEXITSTATUS(r->status);
	else
		r->exit_code = 128 + WTERMSIG(r->status);
	track(tracked_buffers, r->out);
	track(tracked_buffers, r->err);
}

void run_program(struct run *r, const char *const argv[], const char *input)
{
	start(r, argv);
	/* Small inputs fit in the pipe; then EOF tells a shell to finish. */
	if (input && write(r->in_fd, input, strlen(input)) != (ssize_t)strlen(input))
		harness_die("write", "stdin of the program");
	run_finish(r);
}

void run_tool(struct run *r, const char *program, const char *const args[], const char *input)
{
	const char *argv[64];

	tool_argv(argv, sizeof(argv) / sizeof(argv[0]), NULL, program, args, false);
	run_program(r, argv, input);
}

void run_container(struct run *r, const char *const args[])
{
	run_tool(r, "container", args, NULL);
}

void run_free(struct run *r)
{
	untrack(tracked_buffers, r->out);
	untrack(tracked_buffers, r->err);
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

void run_dump(const struct run *r, const char *what)
{
	print_error("%s: exit %d%s\n--- stdout ---\n%s--- stderr ---\n%s--------------\n", what,
		    r->exit_code, r->timed_out ? " (timed out)" : "", r->out ? r->out : "",
		    r->err ? r->err : "");
}

const char *probe_get(const struct run *r, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = r->out; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
			/* A copy of its own: two values can be compared (freed after the test). */
			char *value = strndup(line + klen + 1, len - klen - 1);
			if (value == NULL)
				harness_die("strndup", key);
			track(tracked_buffers, value);
			return value;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

char *read_file_if_there(const char *path)
{
	size_t length;

	return read_bytes_if_there(path, &length);
}

char *read_bytes_if_there(const char *path, size_t *length)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;

	if (fd == -1)
		return NULL;
	buf = xrealloc(buf, 1);
	buf[0] = '\0';
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) { /* a process that ended meanwhile: ESRCH */
			free(buf);
			close(fd);
			return NULL;
		}
		buf = xrealloc(buf, len + (size_t)n + 1);
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		buf[len] = '\0';
	}
	close(fd);
	*length = len;
	return buf;
}

char *read_file(const char *path)
{
	char *text = read_file_if_there(path);

	if (text == NULL)
		harness_die("read", path);
	return text;
}

pid_t child_of(pid_t parent)
{
	DIR *proc = opendir("/proc");
	const struct dirent *e;
	pid_t found = 0;

	if (proc == NULL)
		harness_die("opendir", "/proc");
	while (parent > 0 && found == 0 && (e = readdir(proc)) != NULL) {
		char path[300];
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		char *stat = read_file_if_there(path);
		/* "PID (COMM) STATE PPID ...", and COMM may hold anything. */
		const char *after_comm = stat ? strrchr(stat, ')') : NULL;
		int ppid = 0;
		if (after_comm && sscanf(after_comm, ") %*c %d", &ppid) == 1 && ppid == (int)parent)
			found = pid;
		free(stat);
	}
	closedir(proc);
	return found;
}

unsigned long namespace_of(pid_t pid, const char *type)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

bool probe_in_own_namespace(const struct run *r, const char *type)
{
	char key[32], ours[32];

	snprintf(key, sizeof(key), "ns.%s", type);
	snprintf(ours, sizeof(ours), "%lu", namespace_of(getpid(), type));
	const char *inside = probe_get(r, key);
	return inside && strcmp(inside, "?") != 0 && strcmp(inside, ours) != 0;
}

void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1)
		harness_die("open", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		harness_die("write", path);
	if (close(fd) == -1)
		harness_die("close", path);
}

char *make_temp_dir(const char *tag)
{
	char *path = NULL;

	if (asprintf(&path, "/tmp/dc-%s-XXXXXX", tag) == -1)
		harness_die("asprintf", tag);
	if (mkdtemp(path) == NULL)
		harness_die("mkdtemp", path);
	dir_maker[track(tracked_dirs, path)] = getpid();
	made_dirs = xrealloc(made_dirs, (n_made + 1) * sizeof(*made_dirs));
	made_dirs[n_made] = strdup(path);
	if (made_dirs[n_made++] == NULL)
		harness_die("strdup", path);
	return path;
}

/* Whether a mount point lies in a /tmp/dc-* directory that another test run made. */
static bool in_another_runs_dir(const char *point, size_t len)
{
	if (len < 8 || strncmp(point, "/tmp/dc-", 8) != 0)
		return false;
	for (size_t i = 0; i < n_made; i++) {
		size_t n = made_dirs[i] ? strlen(made_dirs[i]) : 0;
		if (n > 0 && len >= n && strncmp(point, made_dirs[i], n) == 0 &&
		    (len == n || point[n] == '/'))
			return false;
	}
	return true;
}

char *host_mount_table(void)
{
	char *table = read_file("/proc/self/mountinfo");
	char *out = table;

	/* Line by line, in place: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...". */
	for (char *line = table; *line != '\0';) {
		char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line) + 1 : strlen(line);
		const char *point = line;
		for (int field = 1; field < 5; field++) {
			const char *space = memchr(point, ' ', length - (size_t)(point - line));
			if (space == NULL)
				break;
			point = space + 1;
		}
		size_t point_len = strcspn(point, " \n");
		if (!in_another_runs_dir(point, point_len)) {
			memmove(out, line, length);
			out += length;
		}
		line += length;
	}
	*out = '\0';
	return table;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) == -1)
		harness_die("remove", path);
	return 0;
}

void remove_tree(char *path)
{
	/* FTW_PHYS: never follow a symlink out of the tree; FTW_MOUNT: never cross a mount. */
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == -1)
		harness_die("nftw", path);
	untrack(tracked_dirs, path);
	free(path);
}

void keep_temp_dir(const char *path)
{
	untrack(tracked_dirs, path);
}

int harness_teardown_test(void **state)
{
	(void)state;
	if (start_cwd[0] != '\0' && chdir(start_cwd) == -1)
		harness_die("chdir", start_cwd);
	/* Before the directories go: a container's state lives in one of them. */
	runtime_adapter_teardown();
	for (int i = 0; i < MAX_TRACKED; i++) {
		free(tracked_buffers[i]);
		tracked_buffers[i] = NULL;
		if (tracked_dirs[i])
			remove_tree(tracked_dirs[i]);
	}
	return 0;
}

_Noreturn void harness_exit_child(int status)
{
	runtime_adapter_teardown();
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (tracked_dirs[i] && dir_maker[i] == getpid())
			remove_tree(tracked_dirs[i]);
	}
	_exit(status);
}

_Noreturn void dc_fail_at(const char *file, int line, const char *fmt, ...)
{
	static char message[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	/* cmocka's jump, in a forked child, would run the rest of the tests there too. */
	if (test_process != 0 && getpid() != test_process) {
		fprintf(stderr, "%s:%d: %s\n", file, line, message);
		harness_exit_child(99);
	}
	_assert_true(0, message, file, line);
	abort(); /* not reached: cmocka jumps out of the test */
}

/* Whether `name` is one of the comma-separated names in `list`. */
static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p != '\0'; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	}
	return false;
}

static int chapter_under_test;

int test_chapter(void)
{
	return chapter_under_test;
}

/*
 * The tests chosen to run, and, with DC_SAVE_CONFIGS set, which one runs
 * now: each one's setup is counted first (cmocka calls it once per test,
 * in order), then its own is called.
 */
static struct CMUnitTest chosen[256];
static CMFixtureFunction chosen_setup[256];
static size_t n_chosen, running = (size_t)-1;

static int count_test(void **state)
{
	running++;
	return running < n_chosen && chosen_setup[running] ? chosen_setup[running](state) : 0;
}

void harness_save_config(const char *path)
{
	static unsigned serial;
	const char *dir = getenv("DC_SAVE_CONFIGS");
	char copy[4096];
	size_t length;
	char *bytes;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		return;
	bytes = read_bytes_if_there(path, &length);
	if (bytes == NULL)
		harness_die("read", path);
	snprintf(copy, sizeof(copy), "%s/%s.%d.%u.json", dir,
		 running < n_chosen ? chosen[running].name : "setup", (int)getpid(), serial++);
	fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		harness_die("open", copy);
	if (write(fd, bytes, length) != (ssize_t)length || close(fd) == -1)
		harness_die("write", copy);
	free(bytes);
}

int dc_run_tests(const char *name, const struct CMUnitTest *tests, size_t count,
		 const char *first_own, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	chapter_under_test = atoi(name);
	test_process = getpid();
	size_t from = 0, n = 0;
	const char *own_only = getenv("DC_OWN_ONLY"), *only = getenv("DC_ONLY");
	const char *except = getenv("DC_EXCEPT");

	if (only != NULL && only[0] == '\0')
		only = NULL; /* set, and empty: every test */

	if (own_only && strcmp(own_only, "1") == 0) {
		while (from < count && strcmp(tests[from].name, first_own) != 0)
			from++;
		if (from == count) {
			fprintf(stderr, "harness: %s: no test named %s\n", name, first_own);
			return 2;
		}
	}
	/*
	 * DC_ONLY=test_a,test_b: just those (the mutation checks in
	 * tests/run.sh); DC_EXCEPT=test_c: all but those (an exercise's tests
	 * whose result is down to timing without its step: expect/NN-name.fail).
	 */
	for (size_t i = from; i < count && n < sizeof(chosen) / sizeof(chosen[0]); i++) {
		if ((only == NULL || listed(only, tests[i].name)) &&
		    (except == NULL || !listed(except, tests[i].name)))
			chosen[n++] = tests[i];
	}
	if (n == 0) {
		fprintf(stderr, "harness: %s: no test named in DC_ONLY=%s\n", name,
			only ? only : "");
		return 2;
	}
	n_chosen = n;
	for (size_t i = 0; getenv("DC_SAVE_CONFIGS") && i < n; i++) {
		chosen_setup[i] = chosen[i].setup_func;
		chosen[i].setup_func = count_test;
	}
	return _cmocka_run_group_tests(name, chosen, n, setup, teardown);
}

int find_sleeping(const char *mark, pid_t *pids, int max)
{
	DIR *proc = opendir("/proc");
	const struct dirent *e;
	int n = 0;

	if (proc == NULL)
		return 0;
	while ((e = readdir(proc)) != NULL && n < max) {
		char path[300], cmdline[256] = "";
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue;
		ssize_t len = read(fd, cmdline, sizeof(cmdline) - 1);
		close(fd);
		if (len <= 0)
			continue;
		cmdline[len] = '\0';
		/* "sleep\0MARK\0": argv[0] ends in sleep, argv[1] is the mark. */
		const char *argv0 = strrchr(cmdline, '/') ? strrchr(cmdline, '/') + 1 : cmdline;
		size_t len0 = strlen(cmdline);
		if (strcmp(argv0, "sleep") == 0 && (ssize_t)len0 + 1 < len &&
		    strcmp(cmdline + len0 + 1, mark) == 0)
			pids[n++] = pid;
	}
	closedir(proc);
	return n;
}

bool tool_note_line(const char *line)
{
	int skip = 0;

	if (under_valgrind() && sscanf(line, "--%*d--%n", &skip) == 0 && skip > 0)
		return true;
	/*
	 * valgrind 3.19 does not know TIOCGPTPEER (Linux 4.13), which opens a
	 * pty's slave from its master: it says so in three lines and lets the
	 * call through.
	 */
	skip = 0;
	if (under_valgrind() && sscanf(line, "==%*d== %n", &skip) == 0 && skip > 0) {
		line += skip;
		line += strspn(line, " ");
		return strncmp(line, "Warning: noted but unhandled ioctl 0x5441 ", 42) == 0 ||
		       strncmp(line, "This could cause spurious value errors to appear.", 49) ==
			       0 ||
		       strncmp(line, "See README_MISSING_SYSCALL_OR_IOCTL for guidance", 48) == 0;
	}
	return strstr(line, "==WARNING: ASan is ignoring requested __asan_handle_no_return") ||
	       strncmp(line, "False positive error reports may follow\n", 40) == 0 ||
	       strncmp(line, "For details see https://github.com/google/sanitizers/issues/189",
		       63) == 0;
}
