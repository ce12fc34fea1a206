/*
 * hooks.c: config.json's hooks, the engine's own programs, run by the
 * runtime at fixed points of a container's life (config.md,
 * "POSIX-platform Hooks"; runtime.md, "Lifecycle"). Each one gets the
 * container's state on its stdin, as `dcrun state` prints it, so that it
 * knows which container, which pid, and which moment it is.
 *
 *   prestart, createRuntime   create, on the host (process.c), before pivot_root
 *   createContainer           create, in the container (init.c), before pivot_root
 *   startContainer            start, in the container (init.c), before execve
 *   poststart                 start, on the host (dcrun.c), after execve
 *   poststop                  delete, on the host (dcrun.c), after it is gone
 *
 * Where a hook runs is where it is forked from: the namespaces of the
 * process that runs it, which is the whole reason for six kinds.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a failing hook printed, quoted in its error (runc quotes its stdout and stderr). */
enum { OUTPUT_KEPT = 200 };

/*
 * The state, on the hook's stdin through a pipe, written whole before
 * the hook starts: the write can then never wait for a hook that does not
 * read (nor raise SIGPIPE), and the hook reads to EOF. A state longer
 * than the pipe's buffer (64 KiB) asks for a larger one.
 */
static int state_pipe(const char *state_json, int *in, struct error *e)
{
	size_t len = strlen(state_json);
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return fail(e, errno, "pipe2", "a hook's stdin");
	int size = fcntl(fds[1], F_GETPIPE_SZ);
	if ((size < 0 || (size_t)size < len) &&
	    (len > INT_MAX || fcntl(fds[1], F_SETPIPE_SZ, (int)len) == -1)) {
		int err = len > INT_MAX ? EFBIG : errno;
		close(fds[0]);
		close(fds[1]);
		return fail(e, err, "F_SETPIPE_SZ", "a hook's stdin (%zu bytes of state)", len);
	}
	if (write(fds[1], state_json, len) != (ssize_t)len) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return fail(e, err, "write", "the state to a hook's stdin");
	}
	close(fds[1]);
	*in = fds[0];
	return 0;
}

/* In the child: stdin the state, stdout and stderr the pipe we read, nothing else of ours. */
static void exec_hook(const struct spec_hook *h, int in, int out)
{
	char *just_path[] = {h->path, NULL};
	char *no_env[] = {NULL};
	sigset_t none;

	/* `run` blocks the signals it forwards, and a blocked set survives execve. */
	sigemptyset(&none);
	/*
	 * Until execve we are a copy of dcrun (createContainer's: in the
	 * container's namespaces, the host's / still in reach): not for
	 * ptrace or /proc/PID/mem from a shared PID namespace. execve makes
	 * the hook dumpable again.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    sigprocmask(SIG_SETMASK, &none, NULL) == -1 || dup2(in, 0) == -1 ||
	    dup2(out, 1) == -1 || dup2(out, 2) == -1)
		_exit(127);
	/*
	 * No descriptor of ours beyond 0-2: our lock, the sync socket,
	 * exec.fifo, --preserve-fds' (not close-on-exec: they are the
	 * container's).
	 */
	struct error ignored;
	if (security_close_descriptors(3, NULL, 0, &ignored) == -1)
		_exit(127);
	/* Exactly what config.json says: args[0] as given, and its env, not ours. */
	execve(h->path, h->args ? h->args : just_path, h->env ? h->env : no_env);
	dprintf(2, "execve %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* Read what the hook has written so far; keep the first OUTPUT_KEPT bytes. false at EOF. */
static bool drain(int fd, char *kept, size_t *nkept)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t take = (size_t)n < OUTPUT_KEPT - *nkept ? (size_t)n : OUTPUT_KEPT - *nkept;
		memcpy(kept + *nkept, buf, take);
		*nkept += take;
	}
	return n != 0;
}

/* The output, as one line for an error message: '; it printed "..."', or "". */
static const char *printed(char *kept, size_t nkept, char *line, size_t size)
{
	while (nkept > 0 && (kept[nkept - 1] == '\n' || kept[nkept - 1] == ' '))
		nkept--;
	for (size_t i = 0; i < nkept; i++)
		kept[i] = kept[i] == '\n' ? ' ' : (kept[i] < ' ' || kept[i] == 127) ? '?' : kept[i];
	kept[nkept] = '\0';
	line[0] = '\0';
	if (nkept > 0)
		snprintf(line, size, "; it printed \"%s\"", kept);
	return line;
}

/* Milliseconds left until deadline, for poll(2): 0 once past it. */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
		       (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

/*
 * Wait for the hook to end -- its pidfd (pidfd_open(2), Linux 5.3) turns
 * readable -- reading its output meanwhile, so that it never blocks on a
 * full pipe. Its end, not its output's EOF: a daemon it left behind may
 * hold the pipe for ever. Without a pidfd (valgrind 3.19 has none, a
 * seccomp profile may refuse it), waitpid(2) every 10 ms. Past the
 * timeout, SIGKILL. Returns 1 if it timed out, with *status its end.
 */
static int await_hook(pid_t pid, int pidfd, int out, int timeout, char *kept, size_t *nkept,
		      int *status, struct error *e)
{
	struct pollfd fds[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = out, .events = POLLIN}};
	struct timespec deadline;
	bool reaped = false;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	for (;;) {
		int ms = timeout > 0 ? ms_left(&deadline) : -1;
		if (pidfd == -1 && (ms < 0 || ms > 10))
			ms = 10;
		fds[0].revents = fds[1].revents = 0;
		int n = poll(fds, 2, ms);
		if (n == -1 && errno != EINTR) {
			rc = fail(e, errno, "poll", "a hook's end");
			break;
		}
		/* At EOF, poll no more on it (a negative fd is skipped). */
		if (fds[1].revents && !drain(out, kept, nkept))
			fds[1].fd = -1;
		if (pidfd == -1)
			reaped = waitpid(pid, status, WNOHANG) == pid;
		if (pidfd != -1 ? (fds[0].revents & POLLIN) != 0 : reaped)
			break;
		if (timeout > 0 && ms_left(&deadline) == 0) {
			rc = 1;
			break;
		}
	}
	if (rc != 0)
		kill(pid, SIGKILL);
	while (!reaped && waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	drain(out, kept, nkept);
	return rc;
}

int hook_run(const struct spec_hook *h, const char *kind, size_t index, const char *state_json,
	     struct error *e)
{
	char kept[OUTPUT_KEPT + 1], line[OUTPUT_KEPT + 32];
	size_t nkept = 0;
	int in = -1, out[2], status = 0;

	/* A missing or unrunnable path said plainly (runc's exec fails the same way). */
	if (access(h->path, X_OK) == -1)
		return fail(e, errno, "hook", "%s[%zu] %s", kind, index, h->path);
	if (state_pipe(state_json, &in, e) == -1)
		return -1;
	if (pipe2(out, O_CLOEXEC) == -1) {
		close(in);
		return fail(e, errno, "pipe2", "a hook's output");
	}
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) == -1) {
		int err = errno;
		close(in), close(out[0]), close(out[1]);
		return fail(e, err, "fcntl", "a hook's output (O_NONBLOCK)");
	}
	pid_t pid = fork();
	if (pid == 0)
		exec_hook(h, in, out[1]);
	int err = errno;
	close(in);
	close(out[1]);
	if (pid == -1) {
		close(out[0]);
		return fail(e, err, "fork", "hook %s[%zu] %s", kind, index, h->path);
	}
	int pidfd = pidfd_open(pid, 0);
	int rc = await_hook(pid, pidfd, out[0], h->timeout, kept, &nkept, &status, e);
	if (pidfd != -1)
		close(pidfd);
	close(out[0]);
	if (rc == -1)
		return -1;
	printed(kept, nkept, line, sizeof(line));
	if (rc == 1)
		return fail(e, 0, "hook", "%s[%zu] %s: ran past its timeout of %d s, killed%s",
			    kind, index, h->path, h->timeout, line);
	if (WIFSIGNALED(status))
		return fail(e, 0, "hook", "%s[%zu] %s: killed by signal %d (%s)%s", kind, index,
			    h->path, WTERMSIG(status), strsignal(WTERMSIG(status)), line);
	if (WEXITSTATUS(status) != 0)
		return fail(e, 0, "hook", "%s[%zu] %s: exited with status %d%s", kind, index,
			    h->path, WEXITSTATUS(status), line);
	return 0;
}

int hooks_run(const struct spec_hook *hooks, size_t n, const char *kind_name,
	      const char *state_json, struct error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (hook_run(&hooks[i], kind_name, i, state_json, e) == -1)
			return -1;
	}
	return 0;
}
