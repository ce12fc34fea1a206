/*
 * tty.c: process.terminal, as runc does it (libcontainer's console
 * setup, and runc's tty.go for `run` in the foreground).
 *
 * A pseudoterminal is a pair: the slave, which a program sees as its
 * terminal (/dev/pts/N, with a line discipline: echo, line editing,
 * ^C into SIGINT), and the master, where whoever plays the terminal
 * reads the program's output and writes the keys typed (pty(7)). The
 * container's process gets the slave on 0, 1 and 2, as the controlling
 * terminal of a session of its own; the master goes out of the
 * container, to the host, over a Unix socket (SCM_RIGHTS, unix(7)):
 * to conmon or containerd through --console-socket, or to dcrun itself,
 * which relays it to the terminal it was started from.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/*
 * In the container, after its mounts (runc: after prepareRootfs, before
 * finalizeRootfs). /dev/ptmx is the link to pts/ptmx that rootfs.c made,
 * and /dev/pts is config.json's devpts, mounted "newinstance": the
 * container's own set of ptys, numbered from 0, that the host's
 * /dev/pts does not list and that cannot reach the host's ones.
 */
int tty_open_in_container(const struct spec *spec, int *master, struct error *e)
{
	int unlock = 0, m, slave, rc = 0;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m == -1)
		return fail(e, errno, "open",
			    "/dev/ptmx (process.terminal needs a devpts mount at /dev/pts)");
	/*
	 * A new pty's slave is locked until the master unlocks it
	 * (unlockpt(3)). TIOCGPTPEER (Linux 4.13) then opens the slave from
	 * the master, never by its path, which another mount namespace or a
	 * process already in a shared one could make name something else
	 * (ioctl_tty(2)).
	 */
	if (ioctl(m, TIOCSPTLCK, &unlock) == -1) {
		fail(e, errno, "ioctl TIOCSPTLCK", "/dev/ptmx");
		goto failed;
	}
	slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave == -1) {
		fail(e, errno, "ioctl TIOCGPTPEER", "/dev/ptmx");
		goto failed;
	}
	/*
	 * A terminal becomes a process's controlling terminal only for a
	 * session leader without one (TIOCSCTTY, ioctl_tty(2)): setsid
	 * first. Then ^C on the terminal signals the container's foreground
	 * process group, and a hang-up reaches it.
	 */
	if (setsid() == -1) {
		rc = fail(e, errno, "setsid", "the container's process");
	} else if (ioctl(slave, TIOCSCTTY, 0) == -1) {
		rc = fail(e, errno, "ioctl TIOCSCTTY", "the container's terminal");
	} else if (dup2(slave, 0) == -1 || dup2(slave, 1) == -1 || dup2(slave, 2) == -1) {
		rc = fail(e, errno, "dup2", "the container's terminal onto 0, 1 and 2");
	} else if (fchown(slave, spec->uid, (gid_t)-1) == -1) {
		/*
		 * As runc's fixStdioPermissions: process.user owns its terminal
		 * (the group stays devpts's gid=, "tty"), or it could not, say,
		 * reopen it by name.
		 */
		rc = fail(e, errno, "fchown", "the container's terminal to uid %u", spec->uid);
	} else if (spec->console_height != 0 && spec->console_width != 0) {
		/* process.consoleSize, as runc: only when both are given. */
		struct winsize size = {.ws_row = (unsigned short)spec->console_height,
				       .ws_col = (unsigned short)spec->console_width};
		if (ioctl(m, TIOCSWINSZ, &size) == -1)
			rc = fail(e, errno, "ioctl TIOCSWINSZ", "process.consoleSize");
	}
	close(slave);
	if (rc == -1)
		goto failed;
	*master = m;
	return 0;
failed:
	close(m);
	return -1;
}

/*
 * OCI's config-linux.md: with process.terminal, /dev/console is the
 * terminal, bind-mounted there. The slave is already on fd 0: bind it
 * through /proc/self/fd/0, which names the open file, not a path. The
 * target is made an empty file if missing (mknod S_IFREG opens nothing)
 * and opened O_PATH|O_NOFOLLOW, so that a link the image put there
 * cannot point the mount elsewhere.
 */
int tty_mount_console(struct error *e)
{
	char target[64];
	struct stat st;
	int fd, rc = 0;

	if (mknod("/dev/console", S_IFREG | 0600, 0) == -1 && errno != EEXIST)
		return fail(e, errno, "mknod", "/dev/console");
	fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return fail(e, errno, "open", "/dev/console");
	if (fstat(fd, &st) == -1)
		rc = fail(e, errno, "fstat", "/dev/console");
	else if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
		rc = fail(e, ELOOP, "bind-mount", "the terminal onto /dev/console, not a file");
	else if (snprintf(target, sizeof(target), "/proc/self/fd/%d", fd) < 0 ||
		 mount("/proc/self/fd/0", target, NULL, MS_BIND, NULL) == -1)
		rc = fail(e, errno, "bind-mount", "the terminal onto /dev/console");
	close(fd);
	return rc;
}

/*
 * SCM_RIGHTS puts a descriptor in the receiver's table, pointing at the
 * same open file (unix(7)). A control message needs at least one byte
 * of real data to travel with on a stream socket: payload is that data.
 */
static int send_fd(int sock, int fd, const char *payload, size_t length, struct error *e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = (void *)payload, .iov_len = length};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof(control));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)length ? 0
				    : fail(e, n == -1 ? errno : EPIPE, "sendmsg", "a descriptor");
}

int tty_send_fd(int sock, int fd, struct error *e)
{
	return send_fd(sock, fd, "m", 1, e);
}

int tty_recv_fd(int sock, int *fd, struct error *e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char payload[256];
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return fail(e, errno, "recvmsg", "a descriptor");
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	if (n == 0 || cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return fail(e, EPIPE, "recvmsg", "a descriptor (the sender died, or sent none)");
	memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

int tty_check_console_socket(const char *path, struct error *e)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return fail(e, errno, "stat", "--console-socket %s", path);
	if (!S_ISSOCK(st.st_mode))
		return fail(e, ENOTSOCK, "connect", "--console-socket %s", path);
	return 0;
}

int tty_send_to_console_socket(const char *path, int master, struct error *e)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	int sock, rc;

	/* sun_path holds 107 bytes; runc reaches a longer path through /proc/self/fd too. */
	if (strlen(path) >= sizeof(address.sun_path))
		return fail(e, ENAMETOOLONG, "connect", "--console-socket %s", path);
	memcpy(address.sun_path, path, strlen(path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock == -1)
		return fail(e, errno, "socket", "--console-socket %s", path);
	if (connect(sock, (struct sockaddr *)&address, sizeof(address)) == -1)
		rc = fail(e, errno, "connect", "--console-socket %s", path);
	else
		/*
		 * runc's utils.SendFile: the file's name as the data, the
		 * descriptor as SCM_RIGHTS. conmon and containerd read the
		 * name into a buffer and keep only the descriptor.
		 */
		rc = send_fd(sock, master, "/dev/ptmx", strlen("/dev/ptmx"), e);
	close(sock);
	return rc;
}

/* --- run in the foreground: dcrun is the terminal ----------------------------------- */

/* Everything of buf, or -1: a blocking fd (our stdout) may take it in parts. */
static int write_all(int fd, const char *buf, size_t length)
{
	while (length > 0) {
		ssize_t n = write(fd, buf, length);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		length -= (size_t)n;
	}
	return 0;
}

/*
 * Our terminal's size onto the container's: at start (as runc, it wins
 * over consoleSize) and on every SIGWINCH. 0x0 is a terminal that does not
 * know its size (a bare pty's): then the container's is left as it is.
 */
static void pass_window_size(int master)
{
	struct winsize size;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row != 0 && size.ws_col != 0)
		ioctl(master, TIOCSWINSZ, &size);
}

struct relay {
	int master, signals;
	pid_t child;
	bool stdin_open, master_open, exited;
	int status;
	char in[4096]; /* typed, not yet written to the master */
	size_t in_length, in_written;
};

/* One round of poll: what can be read is read, what can be written is written. */
static int relay_once(struct relay *r, const sigset_t *forward, struct error *e)
{
	struct pollfd fds[3] = {
		{.fd = r->stdin_open && r->in_length == 0 ? STDIN_FILENO : -1, .events = POLLIN},
		{.fd = r->master_open ? r->master : -1,
		 .events = POLLIN | (r->in_length > 0 ? POLLOUT : 0)},
		{.fd = r->signals, .events = POLLIN},
	};

	if (poll(fds, 3, -1) == -1)
		return errno == EINTR ? 0 : fail(e, errno, "poll", "the terminal");
	/* Signals first: keys typed after a resize find the container's size already changed. */
	struct signalfd_siginfo info;
	if ((fds[2].revents & POLLIN) && read(r->signals, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGWINCH)
			pass_window_size(r->master);
		else if (info.ssi_signo != SIGCHLD && sigismember(forward, (int)info.ssi_signo))
			kill(r->child, (int)info.ssi_signo);
	}
	if (fds[0].revents != 0) {
		ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));
		if (n > 0) {
			r->in_length = (size_t)n;
			r->in_written = 0;
		} else if (n == 0 || errno != EINTR) {
			r->stdin_open = false; /* EOF: nothing more to type */
		}
	}
	if (fds[1].revents & POLLOUT) {
		ssize_t n = write(r->master, r->in + r->in_written, r->in_length - r->in_written);
		if (n > 0 && (r->in_written += (size_t)n) == r->in_length)
			r->in_length = 0;
		else if (n == -1 && errno != EAGAIN && errno != EINTR)
			r->in_length = 0;
	}
	if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
		char out[4096];
		ssize_t n = read(r->master, out, sizeof(out));
		/* EIO: every slave is closed, the container's processes are gone. */
		if (n > 0 && write_all(STDOUT_FILENO, out, (size_t)n) == -1)
			return fail(e, errno, "write", "the container's output to stdout");
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			r->master_open = false;
			r->in_length = 0;
		}
	}
	/* SIGCHLD may stand for several children: ask for ours each time. */
	if (!r->exited && waitpid(r->child, &r->status, WNOHANG) == r->child)
		r->exited = true;
	return 0;
}

int tty_relay(int master, pid_t child, const sigset_t *forward, int *status, struct error *e)
{
	struct relay r = {
		.master = master, .child = child, .stdin_open = true, .master_open = true};
	struct termios saved, raw;
	struct sigaction ignore = {.sa_handler = SIG_IGN}, pipe_was;
	sigset_t mask = *forward, mask_was;
	bool terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
	int rc = 0;

	/*
	 * Raw: our terminal passes every key as it comes (^C too, as a byte:
	 * the container's pty makes it SIGINT) and echoes nothing; the
	 * container's pty does the line editing and the echo. Restored on
	 * every way out below.
	 */
	if (terminal) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == -1)
			return fail(e, errno, "tcsetattr", "stdin (raw)");
		pass_window_size(master);
	}
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &mask_was);
	sigaction(SIGPIPE, &ignore, &pipe_was); /* a closed stdout is an error, not our death */
	r.signals = signalfd(-1, &mask, SFD_CLOEXEC);
	int flags = fcntl(master, F_GETFL);
	if (r.signals == -1)
		rc = fail(e, errno, "signalfd", "the relay's signals");
	else if (flags == -1 || fcntl(master, F_SETFL, flags | O_NONBLOCK) == -1)
		rc = fail(e, errno, "fcntl", "the terminal's master (O_NONBLOCK)");
	while (rc == 0 && !r.exited)
		rc = relay_once(&r, forward, e);
	/* What it wrote before it exited is still in the pty: drain it. */
	for (char out[4096]; rc == 0 && r.master_open;) {
		ssize_t n = read(master, out, sizeof(out));
		if (n <= 0)
			break;
		if (write_all(STDOUT_FILENO, out, (size_t)n) == -1)
			rc = fail(e, errno, "write", "the container's output to stdout");
	}
	if (r.signals != -1)
		close(r.signals);
	sigaction(SIGPIPE, &pipe_was, NULL);
	sigprocmask(SIG_SETMASK, &mask_was, NULL);
	if (terminal)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	*status = r.status;
	return rc;
}
