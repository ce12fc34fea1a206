/*
 * dcrun: chapter 11's container, grown into an OCI runtime with runc's
 * command line, so that podman, conmon and containerd can drive it.
 *
 *   dcrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND ...
 *
 * The OCI runtime spec splits a container's life in steps, each one a
 * run of the runtime (runtime.md, "Lifecycle"): `create` builds the
 * container and leaves its process waiting; `start` lets it run the
 * user's program; `state` reports; `kill` signals; `delete` removes
 * what create made. Each command is one short function here, over the
 * files that do the work (runtime.h lists them).
 *
 * Exit status, as runc: 0, or 1 on any error (one line on stderr, and a
 * record in --log); `run` exits with the container's status.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DCRUN_VERSION "0.12.0"

/* The global options, before the command. */
static struct {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
} global;

/*
 * An error: one line on stderr, and, with --log, one record in the log
 * file, which is where conmon and podman look for the reason a runtime
 * failed ({"level":"error","msg":...,"time":...} with --log-format json).
 * A warning the same, at level "warning", and "dcrun: warning: " first.
 */
static int log_record(const struct error *e, const char *level)
{
	char message[2048];
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	if (mem == NULL) {
		error_print(e, stderr);
		return 1;
	}
	error_print(e, mem);
	fclose(mem);
	if (strcmp(level, "error") == 0)
		fputs(text, stderr);
	else
		fprintf(stderr, "dcrun: %s: %s", level, text + 7);
	/* The first line, without "dcrun: ", is the message. */
	snprintf(message, sizeof(message), "%.*s", (int)strcspn(text + 7, "\n"), text + 7);
	free(text);
	if (global.log == NULL)
		return 1;
	FILE *log = fopen(global.log, "ae");
	if (log == NULL)
		return 1;
	char now[64];
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (global.log_json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(message));
		json_object_object_add(o, "time", json_object_new_string(now));
		fprintf(log, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		fprintf(log, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, message);
	}
	fclose(log);
	return 1;
}

static int report(const struct error *e)
{
	return log_record(e, "error");
}

/* What fails without failing the command (a poststop hook): the spec's "log a warning". */
static void report_warning(const struct error *e)
{
	log_record(e, "warning");
}

/* "RFC 3339 with nanoseconds", as runc's state shows when a container was created. */
static void now_rfc3339(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char seconds[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%09ldZ", seconds, ts.tv_nsec);
}

/* The pid, into --pid-file, whole or not at all (conmon reads it as soon as create exits). */
static int write_pid_file(const char *path, pid_t pid, struct error *e)
{
	char tmp[PATH_MAX + 8], text[32];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(text, sizeof(text), "%d", (int)pid);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		int err = errno;
		if (fd != -1)
			close(fd);
		return fail(e, err, "write", "--pid-file %s", path);
	}
	close(fd);
	if (rename(tmp, path) == -1)
		return fail(e, errno, "rename", "--pid-file %s", path);
	return 0;
}

struct create_args {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool detach;
	int *terminal; /* run in the foreground with process.terminal: the pty's master */
};

/* Is a proc, or a bind mount (of one), at /proc ("/proc/" and "//proc" are /proc too)? */
static bool has_proc(const struct spec *spec)
{
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		const char *d = m->destination;
		while (*d == '/')
			d++;
		if (strncmp(d, "proc", 4) == 0 && strspn(d + 4, "/") == strlen(d + 4) &&
		    ((m->type && strcmp(m->type, "proc") == 0) || (m->flags & MS_BIND)))
			return true;
	}
	return false;
}

/*
 * poststart and poststop: each hook in turn, with ST's state. The
 * container runs, or is gone, whatever they do, so runtime.md has a
 * failure "log a warning", and the remaining hooks and the lifecycle go
 * on "as if the hook had succeeded". (runc 1.1 stops at the first: a
 * failing poststart kills the container and fails start, a failing
 * poststop fails delete. The OCI validation suite holds a runtime to the
 * spec.)
 */
static void run_hooks_warning(const struct spec_hook *hooks, size_t n, const char *kind,
			      const struct state *st)
{
	struct error e = {0};
	char *text = n > 0 ? state_json(st) : NULL;

	if (n > 0 && text == NULL) {
		fail(&e, ENOMEM, "state_json", "%s's state", kind);
		report_warning(&e);
	}
	for (size_t i = 0; text && i < n; i++) {
		if (hook_run(&hooks[i], kind, i, text, &e) == -1)
			report_warning(&e);
	}
	free(text);
}

/* poststop, once the container is gone (runtime.md, "Lifecycle" step 13): the state "stopped". */
static void run_poststop(const struct state *st)
{
	struct state stopped = *st;

	stopped.status = STATUS_STOPPED;
	run_hooks_warning(st->poststop, st->npoststop, "poststop", &stopped);
}

/* What `create` made: its process, its cgroup, its state directory; then poststop. Goes on past failures. */
static int destroy(const struct state *st, struct error *e)
{
	struct cgroup cg = {0};
	struct error again = {0};
	int status = 0;

	if (st->pid > 0 && process_start_time(st->pid) == st->start_time)
		kill(st->pid, SIGKILL);
	if (st->cgroup[0] != '\0') {
		snprintf(cg.path, sizeof(cg.path), "%.4095s", st->cgroup + 2);
		cg.version = st->cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1;
		pid_t *pids = NULL;
		size_t n = 0;
		/* Whatever else is in the group goes too. */
		if (cgroup_pids(&cg, &pids, &n, &again) == 0) {
			for (size_t i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			free(pids);
		}
		/* A frozen process cannot die: thaw it, the kill pending (as runc does). */
		if (cgroup_frozen(&cg))
			cgroup_freeze(&cg, false, &again);
	}
	if (st->pid > 0)
		process_wait_gone(st->pid, st->start_time);
	if (st->cgroup[0] != '\0' && cgroup_remove(&cg, e) == -1)
		status = -1;
	if (state_remove(global.root, st->id, status == -1 ? &again : e) == -1)
		status = -1;
	run_poststop(st);
	return status;
}

/*
 * The state, saved as soon as the process exists (process_create calls
 * it), "creating" until create has finished: a create killed from then
 * on leaves what `delete --force` needs to find its process and groups.
 */
static int save_creating(pid_t pid, void *arg, struct error *e)
{
	struct state *st = arg;

	st->pid = pid;
	st->start_time = process_start_time(pid);
	if (st->start_time == 0)
		return fail(e, ESRCH, "create", "the container's process %d is gone", (int)pid);
	return state_save(global.root, st, e);
}

/* create, and run's first half. Returns the container's pid. */
static pid_t create_container(const struct create_args *a, struct error *e)
{
	struct spec spec = {0};
	struct state st = {0};
	struct cgroup cg = {0};
	char bundle[PATH_MAX], fifo[PATH_MAX + 300];
	bool rootless = geteuid() != 0;
	pid_t pid = -1;

	if (state_check_id(a->id, e) == -1)
		return -1;
	if (realpath(a->bundle ? a->bundle : ".", bundle) == NULL)
		return fail_hint(e, HINT_NO_BUNDLE, errno, "bundle", "%s",
				 a->bundle ? a->bundle : ".");
	if (spec_load(bundle, &spec, e) == -1)
		return -1;
	/*
	 * What cannot work is refused before anything is made. As runc's
	 * checkTerminal: a terminal's master needs a taker. A detached
	 * container's is whoever listens on --console-socket; `run` in the
	 * foreground is its own, and takes no --console-socket.
	 */
	if (spec.terminal && a->console_socket == NULL && a->detach) {
		invalid(e, "process.terminal: cannot allocate a terminal for a detached container "
			   "without --console-socket");
		goto out;
	}
	if (a->console_socket != NULL && (!spec.terminal || !a->detach)) {
		invalid(e, "--console-socket: only for a container with process.terminal that "
			   "dcrun does not stay with (create, run --detach)");
		goto out;
	}
	if (a->console_socket != NULL && tty_check_console_socket(a->console_socket, e) == -1)
		goto out;
	if (security_check_labels(&spec, e) == -1)
		goto out;
	/*
	 * init waits for start by reopening exec.fifo through /proc/self/fd,
	 * as runc's does (an O_PATH descriptor is reopened only there): a
	 * container with no /proc could never start. runc's create succeeds
	 * and its init dies; here it is refused first.
	 */
	if (!has_proc(&spec)) {
		invalid(e, "mounts: no proc is mounted at /proc, which init needs to wait for "
			   "start (add {\"destination\": \"/proc\", \"type\": \"proc\", "
			   "\"source\": \"proc\"})");
		goto out;
	}
	/*
	 * root.path is entered with pivot_root, which moves the root of a
	 * mount namespace: without one of the container's own, the command
	 * would run in the host's /. (runc chroots there instead, and makes
	 * config.json's mounts in the host's namespace, where they outlive
	 * the container.)
	 */
	if (!spec_has_namespace(&spec, CLONE_NEWNS, false)) {
		invalid(e,
			"linux.namespaces: no \"mount\" namespace; dcrun enters root.path with "
			"pivot_root, in a mount namespace of the container's own (add {\"type\": "
			"\"mount\"})");
		goto out;
	}
	/* Rootless, there is no cgroup of ours to hold a limit: refuse, rather than run unlimited. */
	if (rootless &&
	    (spec.resources.memory_limit > 0 || spec.resources.memory_reservation > 0 ||
	     spec.resources.memory_swap > 0 || spec.resources.cpu_shares > 0 ||
	     spec.resources.cpu_quota > 0 || spec.resources.pids_limit > 0 ||
	     spec.resources.cpu_cpus != NULL || spec.resources.cpu_mems != NULL ||
	     spec.resources.memory_swappiness != -1 || spec.resources.disable_oom_killer)) {
		invalid(e, "linux.resources: a rootless dcrun makes no cgroup, so it cannot hold "
			   "these limits (run as root, or leave them out)");
		goto out;
	}
	if (!rootless && cgroup_resolve(&spec, a->id, &cg, e) == -1)
		goto out;

	int lock = state_create(global.root, a->id, e);
	if (lock == -1)
		goto out;
	snprintf(st.id, sizeof(st.id), "%s", a->id);
	snprintf(st.bundle, sizeof(st.bundle), "%s", bundle);
	if (spec.root_path[0] == '/')
		snprintf(st.rootfs, sizeof(st.rootfs), "%s", spec.root_path);
	else
		snprintf(st.rootfs, sizeof(st.rootfs), "%s/%s", bundle, spec.root_path);
	st.owner = geteuid();
	st.rootless = rootless;
	if (!rootless)
		snprintf(st.cgroup, sizeof(st.cgroup), "%d:%s", cg.version == CGROUP_V2 ? 2 : 1,
			 cg.path);
	now_rfc3339(st.created, sizeof(st.created));
	st.annotations = spec.annotations;
	st.nannotations = spec.nannotations;
	st.poststart = spec.hooks[HOOK_POSTSTART];
	st.npoststart = spec.nhooks[HOOK_POSTSTART];
	st.poststop = spec.hooks[HOOK_POSTSTOP];
	st.npoststop = spec.nhooks[HOOK_POSTSTOP];
	st.creating = true;
	st.status = STATUS_CREATING;
	snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", global.root, a->id);
	/* exec.fifo: init blocks opening it for writing until `start` opens it to read. */
	int fifo_fd = -1;
	/*
	 * 0622, as runc: the process opens it as whoever process.user is,
	 * and only root can reach it, ROOT being 0700.
	 */
	if (mkfifo(fifo, 0600) == -1 || chmod(fifo, 0622) == -1 ||
	    (fifo_fd = open(fifo, O_PATH | O_CLOEXEC)) == -1) {
		fail(e, errno, "mkfifo", "%s", fifo);
	} else {
		struct create_options o = {.root = global.root,
					   .id = a->id,
					   .bundle = bundle,
					   .console_socket = a->console_socket,
					   .terminal = a->terminal,
					   .preserve_fds = a->preserve_fds,
					   .detach = a->detach,
					   .fifo_fd = fifo_fd,
					   .lock_fd = lock,
					   .rootless = rootless,
					   .cloned = save_creating,
					   .cloned_arg = &st,
					   .warn = report_warning,
					   .state = &st};
		pid = process_create(&spec, &o, rootless ? NULL : &cg, e);
		close(fifo_fd);
	}
	if (pid > 0) {
		st.creating = false;
		st.status = STATUS_CREATED;
		/* The pid file last, as runc: conmon reads it once create has exited. */
		if (state_save(global.root, &st, e) == -1 ||
		    (a->pid_file && write_pid_file(a->pid_file, pid, e) == -1))
			pid = -1;
	}
	if (pid <= 0) {
		/* Roll back: nothing create made may stay (and poststop runs, as runc's destroy). */
		struct error ignored = {0};
		destroy(&st, &ignored);
		pid = -1;
	}
	st.annotations = NULL; /* spec's, freed with it */
	st.nannotations = 0;
	st.poststart = st.poststop = NULL;
	st.npoststart = st.npoststop = 0;
	close(lock);
out:
	spec_free(&spec);
	return pid;
}

/* --- the commands ------------------------------------------------------------------ */

static int usage_error(const char *command, const char *what)
{
	fprintf(stderr, "dcrun %s: %s (see dcrun --help)\n", command, what);
	return 1;
}

/* getopt_long over a command's own options; returns the index of its first operand. */
static int parse_create_options(int argc, char *argv[], struct create_args *a, bool run)
{
	static const struct option options[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, 'p'},
		{"console-socket", required_argument, NULL, 'c'},
		{"preserve-fds", required_argument, NULL, 'f'},
		{"detach", no_argument, NULL, 'd'},
		{"no-pivot", no_argument, NULL, 'P'},
		{"no-new-keyring", no_argument, NULL, 'K'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, run ? "+b:d" : "+b:", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			a->bundle = optarg;
			break;
		case 'p':
			a->pid_file = optarg;
			break;
		case 'c':
			a->console_socket = optarg;
			break;
		case 'f':
			a->preserve_fds = atoi(optarg);
			break;
		case 'd':
			if (!run)
				return -1;
			a->detach = true;
			break;
		case 'P':
		case 'K':
			/* runc's: pivot_root is always used; no session keyring is joined. */
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1)
		return -1;
	a->id = argv[optind];
	return optind;
}

static int cmd_create(int argc, char *argv[])
{
	struct create_args a = {.detach = true};
	struct error e = {0};

	if (parse_create_options(argc, argv, &a, false) == -1)
		return usage_error("create", "want [--bundle DIR] [--pid-file FILE] ID");
	return create_container(&a, &e) == -1 ? report(&e) : 0;
}

/*
 * poststart, on the host, once the program runs (process_start returns
 * after its execve), before start or run returns, with the state as it
 * is now ("running"). A failure is a warning (run_hooks_warning).
 */
static void run_poststart(struct state *st)
{
	st->status = state_status(global.root, st);
	run_hooks_warning(st->poststart, st->npoststart, "poststart", st);
}

static int cmd_start(int argc, char *argv[])
{
	struct state st;
	struct error e = {0};

	if (argc != 2)
		return usage_error("start", "want ID");
	int lock = state_open(global.root, argv[1], &st, &e);
	if (lock == -1)
		return report(&e);
	if (st.status != STATUS_CREATED) {
		invalid(&e, "cannot start a container that is %s", status_name(st.status));
	} else {
		char fifo[PATH_MAX + 300];
		snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", global.root, st.id);
		if (process_start(fifo, st.pid, st.start_time, &e) == 0)
			run_poststart(&st);
	}
	close(lock);
	state_free(&st);
	return e.call[0] || e.object[0] ? report(&e) : 0;
}

static int cmd_state(int argc, char *argv[])
{
	struct state st;
	struct error e = {0};

	if (argc != 2)
		return usage_error("state", "want ID");
	/* Unlocked: a create in progress holds the lock, and its container is "creating". */
	if (state_read(global.root, argv[1], &st, &e) == -1)
		return report(&e);
	char *text = state_json(&st);
	printf("%s\n", text);
	free(text);
	state_free(&st);
	return 0;
}

/* "TERM", "SIGTERM", "15": kill(1)'s ways of naming a signal. */
static int parse_signal(const char *text)
{
	static const struct {
		const char *name;
		int number;
	} names[] = {
		{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
		{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
		{"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
		{"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"WINCH", SIGWINCH},
		{"ABRT", SIGABRT}, {"PWR", SIGPWR},   {"SYS", SIGSYS},   {"URG", SIGURG},
	};
	char *end;
	long n = strtol(text, &end, 10);

	if (end != text && *end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0)
			return names[i].number;
	}
	return -1;
}

static int cmd_kill(int argc, char *argv[])
{
	static const struct option options[] = {{"all", no_argument, NULL, 'a'},
						{NULL, 0, NULL, 0}};
	struct state st;
	struct error e = {0};
	bool all = false;
	int opt, sig = SIGTERM;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+a", options, NULL)) != -1) {
		if (opt != 'a')
			return usage_error("kill", "want [--all] ID [SIGNAL]");
		all = true;
	}
	if (optind >= argc || argc - optind > 2)
		return usage_error("kill", "want [--all] ID [SIGNAL]");
	if (argc - optind == 2 && (sig = parse_signal(argv[optind + 1])) == -1)
		return usage_error("kill", "unknown signal");
	int lock = state_open(global.root, argv[optind], &st, &e);
	if (lock == -1)
		return report(&e);
	if (st.status == STATUS_STOPPED) {
		invalid(&e, "container %s is not running", st.id);
	} else if (all && st.cgroup[0] != '\0') {
		struct cgroup cg = {.version = st.cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1};
		pid_t *pids = NULL;
		size_t n = 0;
		snprintf(cg.path, sizeof(cg.path), "%.4095s", st.cgroup + 2);
		if (cgroup_pids(&cg, &pids, &n, &e) == 0) {
			for (size_t i = 0; i < n; i++)
				kill(pids[i], sig);
			free(pids);
		}
	} else if (kill(st.pid, sig) == -1) {
		fail(&e, errno, "kill", "container %s (pid %d)", st.id, (int)st.pid);
	}
	close(lock);
	state_free(&st);
	return e.call[0] || e.object[0] ? report(&e) : 0;
}

static int cmd_delete(int argc, char *argv[])
{
	static const struct option options[] = {{"force", no_argument, NULL, 'f'},
						{NULL, 0, NULL, 0}};
	struct state st;
	struct error e = {0};
	bool force = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f", options, NULL)) != -1) {
		if (opt != 'f')
			return usage_error("delete", "want [--force] ID");
		force = true;
	}
	if (optind != argc - 1)
		return usage_error("delete", "want [--force] ID");
	int lock = state_open(global.root, argv[optind], &st, &e);
	if (lock == -1) {
		/* A directory create left without state.json (killed half way): remove it. */
		struct error again = {0};
		if (e.hint == HINT_NOT_FOUND && state_check_id(argv[optind], &again) == 0 &&
		    state_remove(global.root, argv[optind], &again) == 0 && force)
			return 0;
		return report(&e);
	}
	/*
	 * As runc: only a container whose command runs (or is frozen) needs
	 * --force. A created one has run nothing yet, and a "creating" one
	 * (its create was killed half way: a live create holds the lock we
	 * waited for) never will: both are killed and removed.
	 */
	if ((st.status == STATUS_RUNNING || st.status == STATUS_PAUSED) && !force)
		invalid(&e, "cannot delete container %s that is %s: stop it, or use --force", st.id,
			status_name(st.status));
	else
		destroy(&st, &e);
	close(lock);
	state_free(&st);
	return e.call[0] || e.object[0] ? report(&e) : 0;
}

/*
 * In the foreground, as a runtime stays with what it started: its parent,
 * passing on the signals that would end us (blocked since before it was
 * made, with SIGCHLD, in *forward) until it has exited; its wait status.
 */
static int forward_until_exit(pid_t pid, const sigset_t *forward)
{
	int status = 0;

	for (;;) {
		siginfo_t info;

		if (sigwaitinfo(forward, &info) == -1)
			continue;
		if (info.si_signo != SIGCHLD)
			kill(pid, info.si_signo);
		else if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
	}
}

/*
 * run's and exec's foreground: stay with the child until it has gone,
 * passing on FORWARD's signals, and relay its terminal if it has one
 * (MASTER, closed here). Its wait status. After a failed relay the child
 * is killed and reaped, unless the relay reaped it already: its pid may
 * then be another process's, never to be killed (waitpid says ECHILD,
 * and the status is the relay's).
 */
static int stay_with(pid_t pid, int master, const sigset_t *forward)
{
	struct error e = {0};
	int status = 0;

	if (master == -1)
		return forward_until_exit(pid, forward);
	if (tty_relay(master, pid, forward, &status, &e) == -1) {
		report(&e);
		if (waitpid(pid, &status, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
				;
		}
	}
	close(master);
	return status;
}

/*
 * run: create, start, and, unless --detach, stay with the container as
 * its parent: pass on the signals that would end us, and exit with its
 * status once it has gone (then delete it, as runc does).
 */
static int cmd_run(int argc, char *argv[])
{
	struct create_args a = {0};
	struct error e = {0};
	struct state st = {0};
	char fifo[PATH_MAX + 300];
	sigset_t forward;
	int master = -1, status = 0;

	if (parse_create_options(argc, argv, &a, true) == -1)
		return usage_error("run", "want [--bundle DIR] [--detach] [--pid-file FILE] ID");
	sigemptyset(&forward);
	sigaddset(&forward, SIGTERM);
	sigaddset(&forward, SIGINT);
	sigaddset(&forward, SIGHUP);
	sigaddset(&forward, SIGQUIT);
	sigaddset(&forward, SIGCHLD);
	if (!a.detach) {
		sigprocmask(SIG_BLOCK, &forward, NULL);
		a.terminal = &master; /* with process.terminal, we are its terminal */
	}
	pid_t pid = create_container(&a, &e);
	if (pid == -1)
		return report(&e);
	snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", global.root, a.id);
	/* The start time create saved: read now, an init that has died would read as 0, and match. */
	int lock = state_open(global.root, a.id, &st, &e);
	if (lock == -1 || process_start(fifo, st.pid, st.start_time, &e) == -1) {
		struct error ignored = {0};
		if (master != -1)
			close(master);
		if (lock == -1)
			lock = state_open(global.root, a.id, &st, &ignored);
		if (lock != -1) {
			destroy(&st, &ignored);
			close(lock);
			state_free(&st);
		} else {
			/* No state to destroy by: at least our child goes. */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return report(&e);
	}
	run_poststart(&st);
	close(lock);
	state_free(&st);
	if (a.detach)
		return 0;
	/* With process.terminal, its terminal's other end is ours: relayed to our own. */
	status = stay_with(pid, master, &forward);
	lock = state_open(global.root, a.id, &st, &e);
	if (lock != -1) {
		destroy(&st, &e);
		close(lock);
		state_free(&st);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * exec: one more process in a created or running container (exec.c), as
 * runc's. With --detach, return once it runs its command; else stay with
 * it as run does, and exit with its status (128+N after signal N). Our
 * own failures exit 255, as runc's exec, never to be taken for the
 * command's status.
 */
static int cmd_exec(int argc, char *argv[])
{
	static const struct option options[] = {
		{"process", required_argument, NULL, 'p'},
		{"tty", no_argument, NULL, 't'},
		{"env", required_argument, NULL, 'e'},
		{"cwd", required_argument, NULL, 'w'},
		{"user", required_argument, NULL, 'u'},
		{"additional-gids", required_argument, NULL, 'g'},
		{"cap", required_argument, NULL, 'c'},
		{"no-new-privs", no_argument, NULL, 'n'},
		{"detach", no_argument, NULL, 'd'},
		{"pid-file", required_argument, NULL, 'P'},
		{"console-socket", required_argument, NULL, 'S'},
		{"preserve-fds", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	/* The lists: at most one entry an argument. */
	char **env = calloc((size_t)argc + 1, sizeof(char *));
	char **gids = calloc((size_t)argc + 1, sizeof(char *));
	char **caps = calloc((size_t)argc + 1, sizeof(char *));
	struct exec_options o = {.root = global.root,
				 .env = env,
				 .gids = gids,
				 .caps = caps,
				 .warn = report_warning};
	size_t nenv = 0, ngids = 0, ncaps = 0;
	const char *pid_file = NULL;
	struct error e = {0};
	sigset_t forward;
	int opt, master = -1, status;
	char *end;

	if (env == NULL || gids == NULL || caps == NULL) {
		free(env), free(gids), free(caps);
		return fail(&e, ENOMEM, "calloc", "exec's options"), report(&e), 255;
	}
	optind = 1;
	/* "+": the options end at ID; COMMAND's own are COMMAND's (runc's SkipArgReorder). */
	while ((opt = getopt_long(argc, argv, "+p:te:u:g:c:d", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o.process = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
			env[nenv++] = optarg;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'g':
			gids[ngids++] = optarg;
			break;
		case 'c':
			caps[ncaps++] = optarg;
			break;
		case 'n':
			o.no_new_privs = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'P':
			pid_file = optarg;
			break;
		case 'S':
			o.console_socket = optarg;
			break;
		case 'f':
			o.preserve_fds = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0')
				opt = '?';
			break;
		}
		if (opt == '?')
			break;
	}
	if (opt == '?' || optind >= argc) {
		free(env), free(gids), free(caps);
		return usage_error("exec",
				   "want [--process FILE] [-t] [-e NAME=VALUE] [--cwd DIR] "
				   "[-u UID[:GID]] [-g GID] [--cap CAP] [--no-new-privs] [-d] "
				   "[--pid-file FILE] [--console-socket SOCKET] [--preserve-fds N] "
				   "ID [COMMAND [ARG...]]");
	}
	o.id = argv[optind];
	o.args = argv + optind + 1;
	sigemptyset(&forward);
	sigaddset(&forward, SIGTERM);
	sigaddset(&forward, SIGINT);
	sigaddset(&forward, SIGHUP);
	sigaddset(&forward, SIGQUIT);
	sigaddset(&forward, SIGCHLD);
	if (!o.detach)
		sigprocmask(SIG_BLOCK, &forward, NULL);
	pid_t pid = exec_process(&o, &master, &e);
	free(env), free(gids), free(caps);
	if (pid == -1)
		return report(&e), 255;
	/* As runc: the pid file once the process runs; without it, the process goes. */
	if (pid_file != NULL && write_pid_file(pid_file, pid, &e) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return report(&e), 255;
	}
	if (o.detach)
		return 0;
	/* -t in the foreground: we are its terminal, as run is. */
	status = stay_with(pid, master, &forward);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmd_list(int argc, char *argv[])
{
	static const struct option options[] = {{"format", required_argument, NULL, 'f'},
						{"quiet", no_argument, NULL, 'q'},
						{NULL, 0, NULL, 0}};
	struct error e = {0};
	bool json = false, quiet = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:q", options, NULL)) != -1) {
		if (opt == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			json = strcmp(optarg, "json") == 0;
		else if (opt == 'q')
			quiet = true;
		else
			return usage_error("list", "want [--format table|json] [--quiet]");
	}
	char **ids = state_list(global.root, &e);
	if (ids == NULL)
		return report(&e);
	json_object *array = json_object_new_array();
	if (!json && !quiet)
		printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	for (size_t i = 0; ids[i] != NULL; i++) {
		struct state st;
		struct error ignored = {0};
		if (state_read(global.root, ids[i], &st, &ignored) == 0) {
			if (quiet)
				printf("%s\n", st.id);
			else if (json) {
				char *text = state_json(&st);
				json_object_array_add(array, json_tokener_parse(text));
				free(text);
			} else
				printf("%-20s %-8d %-10s %-40s %s\n", st.id,
				       st.status == STATUS_STOPPED ? 0 : (int)st.pid,
				       status_name(st.status), st.bundle, st.created);
			state_free(&st);
		}
		free(ids[i]);
	}
	free(ids);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN));
	json_object_put(array);
	return 0;
}

static int cmd_spec(int argc, char *argv[])
{
	static const struct option options[] = {{"rootless", no_argument, NULL, 'r'},
						{"bundle", required_argument, NULL, 'b'},
						{NULL, 0, NULL, 0}};
	struct error e = {0};
	const char *bundle = ".";
	bool rootless = false;
	char path[PATH_MAX];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:", options, NULL)) != -1) {
		if (opt == 'r')
			rootless = true;
		else if (opt == 'b')
			bundle = optarg;
		else
			return usage_error("spec", "want [--rootless] [--bundle DIR]");
	}
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	char *text = spec_default(rootless);
	/* As runc: never overwrite one. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		free(text);
		if (errno == EEXIST)
			return invalid(&e, "File %s exists. Remove it first", path), report(&e);
		return fail(&e, errno, "write", "%s", path), report(&e);
	}
	close(fd);
	free(text);
	return 0;
}

/* pause and resume: the freezer (v1 freezer.state, v2 cgroup.freeze) stops every process in the group. */
static int freeze(int argc, char *argv[], bool frozen)
{
	struct state st;
	struct error e = {0};

	if (argc != 2)
		return usage_error(frozen ? "pause" : "resume", "want ID");
	int lock = state_open(global.root, argv[1], &st, &e);
	if (lock == -1)
		return report(&e);
	if (st.cgroup[0] == '\0') {
		invalid(&e, "container %s has no cgroup (rootless): nothing can freeze it", st.id);
	} else if (st.status == STATUS_STOPPED) {
		invalid(&e, "container %s is not running", st.id);
	} else {
		struct cgroup cg = {.version = st.cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1};
		snprintf(cg.path, sizeof(cg.path), "%.4095s", st.cgroup + 2);
		cgroup_freeze(&cg, frozen, &e);
	}
	close(lock);
	state_free(&st);
	return e.call[0] || e.object[0] ? report(&e) : 0;
}

static int cmd_pause(int argc, char *argv[])
{
	return freeze(argc, argv, true);
}

static int cmd_resume(int argc, char *argv[])
{
	return freeze(argc, argv, false);
}

/* ps: the processes in its cgroup (runc runs ps(1) on them; we read /proc). */
static int cmd_ps(int argc, char *argv[])
{
	static const struct option options[] = {{"format", required_argument, NULL, 'f'},
						{NULL, 0, NULL, 0}};
	struct state st;
	struct error e = {0};
	bool json = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:", options, NULL)) != -1) {
		if (opt != 'f' || (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0))
			return usage_error("ps", "want [--format table|json] ID");
		json = strcmp(optarg, "json") == 0;
	}
	if (optind != argc - 1)
		return usage_error("ps", "want [--format table|json] ID");
	int lock = state_open(global.root, argv[optind], &st, &e);
	if (lock == -1)
		return report(&e);
	pid_t *pids = NULL;
	size_t n = 0;
	if (st.cgroup[0] == '\0') {
		/* Rootless: no group of its own; its first process is what we know. */
		pids = malloc(sizeof(*pids));
		if (pids != NULL && st.status != STATUS_STOPPED)
			pids[n++] = st.pid;
	} else {
		struct cgroup cg = {.version = st.cgroup[0] == '2' ? CGROUP_V2 : CGROUP_V1};
		snprintf(cg.path, sizeof(cg.path), "%.4095s", st.cgroup + 2);
		cgroup_pids(&cg, &pids, &n, &e);
	}
	if (json) {
		json_object *array = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(array, json_object_new_int(pids[i]));
		printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN));
		json_object_put(array);
	} else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[4096] = "";
			snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t len = fd == -1 ? 0 : read(fd, cmd, sizeof(cmd) - 1);
			if (fd != -1)
				close(fd);
			for (ssize_t k = 0; k + 1 < len; k++)
				if (cmd[k] == '\0')
					cmd[k] = ' ';
			printf("%-8d %s\n", (int)pids[i], len > 0 ? cmd : "?");
		}
	}
	free(pids);
	close(lock);
	state_free(&st);
	return e.call[0] || e.object[0] ? report(&e) : 0;
}

static json_object *strings(const char *const list[])
{
	json_object *array = json_object_new_array();

	for (size_t i = 0; list[i] != NULL; i++)
		json_object_array_add(array, json_object_new_string(list[i]));
	return array;
}

/* features: what this runtime can do (runtime-spec features.md), for engines to ask. */
static int cmd_features(int argc, char *argv[])
{
	/* All six, each where and when runtime.md says (hooks.c). */
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const mount_options[] = {
		"async",         "atime",      "bind",       "defaults", "dev",
		"diratime",      "dirsync",    "exec",       "mand",     "noatime",
		"nodev",         "nodiratime", "noexec",     "nomand",   "norelatime",
		"nostrictatime", "nosuid",     "private",    "rbind",    "relatime",
		"remount",       "ro",         "rprivate",   "rshared",  "rslave",
		"runbindable",   "rw",         "shared",     "slave",    "strictatime",
		"suid",          "sync",       "unbindable", NULL};
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
						 "time",   "user", "uts",   NULL};
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
		"SCMP_ACT_TRACE",        "SCMP_ACT_TRAP",        NULL};
	static const char *const operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
						"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
						"SCMP_CMP_NE", NULL};
	static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
					    "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
					    "SCMP_ARCH_ARM", NULL};
	(void)argv;
	if (argc != 1)
		return usage_error("features", "takes no argument");
	json_object *o = json_object_new_object(), *linux_features = json_object_new_object();
	json_object *caps = json_object_new_array(), *cgroup = json_object_new_object();
	json_object *seccomp = json_object_new_object(), *off = json_object_new_object();
	json_object *apparmor = json_object_new_object();
	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
	json_object_object_add(o, "hooks", strings(hooks));
	json_object_object_add(o, "mountOptions", strings(mount_options));
	json_object_object_add(linux_features, "namespaces", strings(namespaces));
	for (int i = 0; i < capability_count; i++)
		json_object_array_add(caps, json_object_new_string(capability_names[i]));
	json_object_object_add(linux_features, "capabilities", caps);
	json_object_object_add(cgroup, "v1", json_object_new_boolean(true));
	json_object_object_add(cgroup, "v2", json_object_new_boolean(true));
	json_object_object_add(cgroup, "systemd", json_object_new_boolean(false));
	json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(linux_features, "cgroup", cgroup);
	json_object_object_add(seccomp, "enabled", json_object_new_boolean(true));
	json_object_object_add(seccomp, "actions", strings(actions));
	json_object_object_add(seccomp, "operators", strings(operators));
	json_object_object_add(seccomp, "archs", strings(archs));
	json_object_object_add(linux_features, "seccomp", seccomp);
	/* What dcrun can apply, whatever this host has (features-linux.md). */
	json_object_object_add(off, "enabled", json_object_new_boolean(false));
	json_object_object_add(linux_features, "selinux", off);
	json_object_object_add(apparmor, "enabled", json_object_new_boolean(true));
	json_object_object_add(linux_features, "apparmor", apparmor);
	json_object_object_add(o, "linux", linux_features);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: dcrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND\n"
	      "An OCI runtime: chapter 12 of Demystifying Containers, with runc's command line.\n"
	      "\n"
	      "  spec [--rootless] [--bundle DIR]   write a default config.json\n"
	      "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET]\n"
	      "         [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID\n"
	      "                                     build a container, its process waiting\n"
	      "                                     (--no-pivot, --no-new-keyring: accepted,\n"
	      "                                     as runc's; pivot_root is always used)\n"
	      "  start ID                           let the created container run\n"
	      "  run [--bundle DIR] [--detach] [--pid-file FILE]\n"
	      "      [--console-socket SOCKET] ID   create and start; wait unless --detach\n"
	      "  exec [--process FILE] [-t|--tty] [-e|--env NAME=VALUE]... [--cwd DIR]\n"
	      "       [-u|--user UID[:GID]] [-g|--additional-gids GID]... [-c|--cap CAP]...\n"
	      "       [--no-new-privs] [-d|--detach] [--pid-file FILE]\n"
	      "       [--console-socket SOCKET] [--preserve-fds N] ID [COMMAND [ARG...]]\n"
	      "                                     run one more process in the container:\n"
	      "                                     config.json's process with COMMAND and\n"
	      "                                     the flags, or --process FILE's; wait for\n"
	      "                                     it unless --detach (failures exit 255)\n"
	      "  state ID                           the OCI state, as JSON\n"
	      "  kill [--all] ID [SIGNAL]           signal its process (default TERM)\n"
	      "  delete [--force] ID                remove a container not running (forced: any)\n"
	      "  list [--format table|json] [--quiet]\n"
	      "  pause ID, resume ID                freeze and thaw its processes\n"
	      "  ps [--format table|json] ID        its processes\n"
	      "  features                           what this runtime can do, as JSON\n"
	      "\n"
	      "  --root DIR         the state directory (default /run/dcrun; rootless:\n"
	      "                     $XDG_RUNTIME_DIR/dcrun)\n"
	      "  --log FILE         append errors to FILE\n"
	      "  --log-format text|json   their format (json: what conmon reads)\n"
	      "  --debug            accepted, as runc's callers pass it; changes nothing\n"
	      "  --systemd-cgroup   refused: dcrun has no systemd cgroup driver\n"
	      "  --version, --help\n",
	      out);
}

/*
 * As chapter 11: run from a sealed copy of this program in memory
 * (memfd_create, F_SEAL_WRITE), so that nothing inside a container can
 * ever reach the host's dcrun through /proc/PID/exe -- the init waiting
 * on exec.fifo is dcrun, and a process in a joined PID namespace, or an
 * image's "#!/proc/self/exe", could otherwise open it and write it once
 * it has ended (CVE-2019-5736, runc's). Once, first thing; the copy
 * knows itself by its seals. (Not under valgrind, which cannot follow an
 * exec from memory.)
 */
static void run_from_sealed_copy(char *argv[])
{
	const unsigned int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	const char *preload = getenv("LD_PRELOAD");
	struct error e = {0};
	struct stat st;
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (self == -1) {
		fail(&e, errno, "open", "/proc/self/exe");
		exit(report(&e));
	}
	/* (A plain tmpfs file answers F_GET_SEALS too, with F_SEAL_SEAL alone.) */
	int sealed = fcntl(self, F_GET_SEALS);
	if ((sealed != -1 && (sealed & F_SEAL_WRITE)) ||
	    (preload && strstr(preload, "/vgpreload"))) {
		close(self);
		return;
	}
	int copy = memfd_create("dcrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy == -1 || fstat(self, &st) == -1) {
		fail(&e, errno, "memfd_create", "a sealed copy of dcrun");
		exit(report(&e));
	}
	for (off_t copied = 0; copied < st.st_size;) {
		ssize_t sent = sendfile(copy, self, NULL, (size_t)(st.st_size - copied));
		if (sent <= 0) {
			fail(&e, errno, "sendfile", "a sealed copy of dcrun");
			exit(report(&e));
		}
		copied += sent;
	}
	close(self);
	if (fcntl(copy, F_ADD_SEALS, seals) == -1) {
		fail(&e, errno, "fcntl F_ADD_SEALS", "a sealed copy of dcrun");
		exit(report(&e));
	}
	fexecve(copy, argv, environ);
	fail(&e, errno, "fexecve", "a sealed copy of dcrun");
	exit(report(&e));
}

int main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*run)(int argc, char *argv[]);
	} commands[] = {
		{"create", cmd_create}, {"start", cmd_start},   {"state", cmd_state},
		{"kill", cmd_kill},     {"delete", cmd_delete}, {"run", cmd_run},
		{"list", cmd_list},     {"spec", cmd_spec},     {"pause", cmd_pause},
		{"resume", cmd_resume}, {"ps", cmd_ps},         {"features", cmd_features},
		{"exec", cmd_exec},
	};
	struct error e = {0};
	int i = 1;

	run_from_sealed_copy(argv);

	/* The global options come before the command, as runc's. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		const char *eq = strchr(arg, '=');
		char name[64];

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		if (eq)
			value = eq + 1;
		bool takes_value = strcmp(name, "--root") == 0 || strcmp(name, "--log") == 0 ||
				   strcmp(name, "--log-format") == 0;
		if (takes_value && value == NULL)
			return usage_error(name, "needs a value");
		if (strcmp(name, "--root") == 0)
			global.root = value;
		else if (strcmp(name, "--log") == 0)
			global.log = value;
		else if (strcmp(name, "--log-format") == 0)
			global.log_json = value != NULL && strcmp(value, "json") == 0;
		else if (strcmp(name, "--debug") == 0)
			global.debug = true;
		else if (strcmp(name, "--systemd-cgroup") == 0)
			return invalid(&e,
				       "--systemd-cgroup: dcrun has no systemd cgroup driver; use "
				       "cgroupfs (podman --cgroup-manager cgroupfs)"),
			       report(&e);
		else if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0) {
			printf("dcrun version %s\nspec: 1.2.0\n", DCRUN_VERSION);
			return 0;
		} else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			return usage_error(name, "unknown global option");
		}
		if (takes_value && !eq)
			i++;
	}
	global.root = state_root(global.root);
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(argc - i, argv + i);
	}
	fprintf(stderr, "dcrun: unknown command \"%s\" (see dcrun --help)\n", argv[i]);
	return 1;
}
