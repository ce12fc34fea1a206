/*
 * nsls: list the namespaces in use, like lsns(8).
 *
 *   nsls [-r] [-t TYPE]...
 *
 * A process's namespaces are the symbolic links in /proc/PID/ns: stat(2)
 * through one gives the namespace's inode number, the number lsns calls
 * NS and `readlink /proc/self/ns/mnt` shows as mnt:[4026531841]. Two
 * processes share a namespace when their links lead to the same inode.
 * So: stat every link of every process, sort, and count.
 *
 * What is counted, as in util-linux 2.38's lsns (Debian 12):
 *  - processes, not threads: readdir of /proc lists each thread group
 *    once; its threads hide in /proc/PID/task.
 *  - each link on its own: a zombie has already left its mount, uts...
 *    namespaces (stat gives ENOENT) but is still in its pid and user ones.
 *  - only namespaces with a process in them. One kept alive by a bind
 *    mount alone (container --persist) or an open fd is not listed:
 *    `findmnt -t nsfs` shows those.
 * Unlike lsns, a kernel thread's COMMAND is its name in brackets, as ps
 * shows it ([kthreadd]), and processes we may not look at are counted
 * and reported on stderr instead of being left out in silence.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_SETUP = 125 };

/* The /proc/PID/ns links, sorted, so that sorting by index sorts by name. */
static const char *const types[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
enum { NTYPES = sizeof(types) / sizeof(types[0]) };

/* The one error idiom: name the call, the object and errno, then stop. */
static _Noreturn void die(const char *call, const char *object)
{
	fprintf(stderr, "nsls: %s %s: %s\n", call, object, strerror(errno));
	exit(EXIT_SETUP);
}

/* One process in one namespace. */
struct member {
	ino_t ino;
	int type;
	int pid;
};

static struct member *members;
static size_t nmembers, capacity;

static void add_member(ino_t ino, int type, int pid)
{
	if (nmembers == capacity) {
		capacity = capacity ? 2 * capacity : 1024;
		struct member *grown = realloc(members, capacity * sizeof(*members));
		if (grown == NULL)
			die("realloc", "members");
		members = grown;
	}
	members[nmembers++] = (struct member){ino, type, pid};
}

/*
 * Record the namespaces of one process. Returns false when we may not
 * look at them: /proc/PID/ns is guarded like ptrace(2), so only root
 * sees other users' processes.
 */
static bool scan_process(int pid, const bool wanted[NTYPES])
{
	char path[64];
	struct stat st;
	bool allowed = true;

	for (int i = 0; i < NTYPES; i++) {
		if (!wanted[i])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, types[i]);
		if (stat(path, &st) == 0)
			add_member(st.st_ino, i, pid);
		else if (errno == EACCES)
			allowed = false;
		/* Gone while we looked, or a zombie: not in that namespace now. */
		else if (errno != ENOENT && errno != ESRCH)
			die("stat", path);
	}
	return allowed;
}

/* Scan every process; returns how many we were not allowed to look at. */
static int scan_processes(const bool wanted[NTYPES])
{
	int denied = 0;
	struct dirent *d;
	DIR *proc = opendir("/proc");
	if (proc == NULL)
		die("opendir", "/proc");

	while ((errno = 0, d = readdir(proc)) != NULL) {
		if (isdigit((unsigned char)d->d_name[0]) && !scan_process(atoi(d->d_name), wanted))
			denied++;
	}
	if (errno != 0)
		die("readdir", "/proc");
	closedir(proc);
	return denied;
}

static int by_namespace_then_pid(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->type != y->type)
		return x->type - y->type;
	return x->pid - y->pid;
}

/* Read up to size bytes of /proc/PID/NAME; 0 when it is empty or gone. */
static size_t read_proc(int pid, const char *name, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	size_t len = fread(buf, 1, size, f);
	fclose(f);
	return len;
}

/*
 * The command line, as ps shows it: /proc/PID/cmdline holds the
 * arguments, each ended by a '\0'. A kernel thread (or a zombie) has
 * none: show its name from /proc/PID/comm instead, in brackets.
 */
static void command_of(int pid, char *buf, size_t size)
{
	size_t len = read_proc(pid, "cmdline", buf, size - 1);

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len == 0) {
		buf[0] = '[';
		len = read_proc(pid, "comm", buf + 1, size - 3);
		if (len == 0) {
			snprintf(buf, size, "?"); /* gone since the scan */
			return;
		}
		buf[len++] = ']'; /* over comm's '\n' */
	}
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
		else if (iscntrl((unsigned char)buf[i]))
			buf[i] = '?'; /* a newline must not start a new line */
	}
}

/* One line per namespace: the members are sorted, so each is a run. */
static void print_namespaces(bool raw)
{
	char command[4096];

	if (!raw)
		printf("%10s %-6s %6s %5s %s\n", "NS", "TYPE", "NPROCS", "PID", "COMMAND");
	for (size_t i = 0, next; i < nmembers; i = next) {
		for (next = i + 1; next < nmembers; next++) {
			if (members[next].ino != members[i].ino ||
			    members[next].type != members[i].type)
				break;
		}
		/* The run's first member has the lowest PID. */
		const struct member *m = &members[i];
		command_of(m->pid, command, sizeof(command));
		printf(raw ? "%ju %s %zu %d %s\n" : "%10ju %-6s %6zu %5d %s\n", (uintmax_t)m->ino,
		       types[m->type], next - i, m->pid, command);
	}
}

static void usage(FILE *out)
{
	fputs("usage: nsls [-r] [-t TYPE]...\n"
	      "List the namespaces in use: NS (inode), TYPE, NPROCS, lowest PID, COMMAND.\n"
	      "  -r, --raw          no header, fields separated by one space\n"
	      "  -t, --type TYPE    only cgroup, ipc, mnt, net, pid, time, user or uts\n",
	      out);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"raw", no_argument, NULL, 'r'},
		{"type", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool wanted[NTYPES] = {false}, any_type = false, raw = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "rt:h", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			raw = true;
			break;
		case 't': {
			int i = 0;
			while (i < NTYPES && strcmp(optarg, types[i]) != 0)
				i++;
			if (i == NTYPES) {
				fprintf(stderr, "nsls: unknown namespace type: %s\n", optarg);
				usage(stderr);
				return EXIT_SETUP;
			}
			wanted[i] = any_type = true;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_SETUP;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_SETUP;
	}
	for (int i = 0; i < NTYPES && !any_type; i++)
		wanted[i] = true;

	int denied = scan_processes(wanted);
	/* None found (an empty /proc) leaves members NULL, which qsort(3) must not get. */
	if (nmembers > 0)
		qsort(members, nmembers, sizeof(*members), by_namespace_then_pid);
	print_namespaces(raw);
	free(members);

	if (denied > 0) {
		fprintf(stderr, "nsls: %d process%s not shown: permission denied\n", denied,
			denied == 1 ? "" : "es");
		if (geteuid() != 0)
			fputs("  hint: only root may look at other users' namespaces: run as root\n",
			      stderr);
	}
	return 0;
}
