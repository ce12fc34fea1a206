/*
 * test_rootfs.c: rootfs_prepare, for real, on a bundle like runc's.
 *
 *   gcc -std=gnu17 -Wall -Wextra -Werror -o build/tr solutions/12-runtime/test_rootfs.c \
 *       solutions/12-runtime/rootfs.c solutions/12-runtime/spec.c \
 *       solutions/12-runtime/error.c -ljson-c
 *   sudo build/tr [ROOTFS]      (ROOTFS: /work/main/build/test-rootfs, busybox)
 *
 * As root, it makes a bundle in a scratch directory: `runc spec`'s
 * config.json, a copy of ROOTFS, and, added to the config, a bind mount of
 * a host directory (read-only) and of a host file, a tmpfs with size=, a
 * device (/dev/fuse), a process.cwd that does not exist yet, and an
 * attack: the image's /mnt is a symlink to a host directory, and a mount
 * goes to /mnt/x. Then, twice, a child calls rootfs_prepare and execs
 * /bin/sh -c 'cat /proc/self/mountinfo; ls -l /dev; ...' to show it:
 *   1. as root, in a new mount namespace;
 *   2. in a new user namespace too (0-65535 mapped onto themselves), with
 *      pid and ipc namespaces of its own but the host's network, so that
 *      mknod and sysfs are refused and their fallbacks run.
 * Each run checks the container's view, that the host's mount table is
 * as it was (the scratch directory is a shared mount, as systemd makes
 * "/", so a mount that propagates would show), and that nothing reached
 * the attack's host directory.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

static const char script[] = "cat /proc/self/mountinfo; ls -l /dev; cat /etc/motd; pwd";
static int failures;

static void check(bool ok, const char *promise, const char *expected)
{
	printf("%s - %s\n", ok ? "ok  " : "FAIL", promise);
	if (!ok) {
		printf("       expected: %s\n", expected);
		failures++;
	}
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* Run ARGV in DIR and wait: `runc spec`, `cp -a`. */
static void run(char *const argv[], const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid == -1)
		die("fork");
	if (pid == 0) {
		if (chdir(dir) == -1)
			die(dir);
		execvp(argv[0], argv);
		die(argv[0]);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s failed\n", argv[0]);
		exit(2);
	}
}

/* All of FD, NUL-terminated (malloc'd). */
static char *read_all(int fd)
{
	size_t used = 0, size = 4096;
	char *text = malloc(size);
	ssize_t n;

	if (text == NULL)
		die("malloc");
	while ((n = read(fd, text + used, size - used - 1)) > 0) {
		used += (size_t)n;
		if (size - used < 2) {
			char *more = realloc(text, size *= 2);
			if (more == NULL)
				die("realloc");
			text = more;
		}
	}
	text[used] = '\0';
	return text;
}

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text;

	if (fd == -1)
		die(path);
	text = read_all(fd);
	close(fd);
	return text;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

static struct json_object *mount_entry(const char *destination, const char *type,
				       const char *source, const char *options)
{
	struct json_object *m = json_object_new_object(), *list = json_object_new_array();
	char buf[256];

	json_object_object_add(m, "destination", json_object_new_string(destination));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	snprintf(buf, sizeof(buf), "%s", options);
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save))
		json_object_array_add(list, json_object_new_string(o));
	json_object_object_add(m, "options", list);
	return m;
}

/* SCRATCH/bundle: runc's default config.json, ROOTFS copied, and our additions. */
static void make_bundle(const char *scratch, const char *rootfs)
{
	/* SCRATCH is /tmp/test_rootfs.XXXXXX: these sizes are ample, and gcc can tell. */
	char bundle[64], path[128], victim[64], shared[64];
	struct json_object *config, *mounts, *linux_, *devices, *fuse, *process;

	snprintf(bundle, sizeof(bundle), "%s/bundle", scratch);
	snprintf(victim, sizeof(victim), "%s/victim", scratch);
	snprintf(shared, sizeof(shared), "%s/shared", scratch);
	if (mkdir(bundle, 0755) == -1 || mkdir(victim, 0755) == -1 || mkdir(shared, 0755) == -1)
		die("mkdir");
	run((char *[]){"runc", "spec", NULL}, bundle);
	run((char *[]){"cp", "-a", (char *)rootfs, "rootfs", NULL}, bundle);
	snprintf(path, sizeof(path), "%s/hello", shared);
	write_file(path, "hello from the host\n");
	snprintf(path, sizeof(path), "%s/motd", scratch);
	write_file(path, "motd bound from the host\n");

	/* The attack: the image's /mnt points at a host directory. */
	snprintf(path, sizeof(path), "%s/rootfs/mnt", bundle);
	if ((rmdir(path) == -1 && errno != ENOENT) || symlink(victim, path) == -1)
		die(path);

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	config = json_object_from_file(path);
	if (config == NULL || !json_object_object_get_ex(config, "mounts", &mounts) ||
	    !json_object_object_get_ex(config, "linux", &linux_) ||
	    !json_object_object_get_ex(config, "process", &process)) {
		fprintf(stderr, "%s: not runc's config.json\n", path);
		exit(2);
	}
	json_object_array_add(mounts, mount_entry("/data", "bind", shared, "rbind,ro,nosuid"));
	snprintf(path, sizeof(path), "%s/motd", scratch);
	json_object_array_add(mounts, mount_entry("/etc/motd", "none", path, "bind"));
	json_object_array_add(mounts,
			      mount_entry("/run", "tmpfs", "tmpfs", "nosuid,nodev,size=1m"));
	json_object_array_add(mounts, mount_entry("/mnt/x", "tmpfs", "tmpfs", "size=64k"));
	fuse = json_object_new_object();
	json_object_object_add(fuse, "path", json_object_new_string("/dev/fuse"));
	json_object_object_add(fuse, "type", json_object_new_string("c"));
	json_object_object_add(fuse, "major", json_object_new_int(10));
	json_object_object_add(fuse, "minor", json_object_new_int(229));
	devices = json_object_new_array();
	json_object_array_add(devices, fuse);
	json_object_object_add(linux_, "devices", devices);
	json_object_object_add(process, "cwd", json_object_new_string("/srv/app"));
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (json_object_to_file_ext(path, config, JSON_C_TO_STRING_PRETTY) == -1)
		die(path);
	json_object_put(config);
}

/* The container: rootfs_prepare, then the shell that shows what it made. */
static void container(const char *bundle)
{
	struct spec spec;
	struct error e = {0};

	if (spec_load(bundle, &spec, &e) == -1 || rootfs_prepare(&spec, bundle, false, &e) == -1) {
		error_print(&e, stderr);
		_exit(125);
	}
	if (spec.cwd && chdir(spec.cwd) == -1)
		perror(spec.cwd);
	execl("/bin/sh", "sh", "-c", script, (char *)NULL);
	perror("/bin/sh");
	_exit(127);
}

/*
 * The child of a user-namespace run: it makes the namespace, and waits
 * (EOF on GO) until we have written its maps (Kerrisk's handshake); then
 * the other namespaces, and a child that is pid 1 in the new pid one.
 */
static void userns_child(const char *bundle, int ready, int go)
{
	int status;
	char c;
	pid_t pid;

	if (unshare(CLONE_NEWUSER) == -1)
		die("unshare(CLONE_NEWUSER)");
	if (write(ready, "u", 1) != 1)
		die("write");
	close(ready);
	if (read(go, &c, 1) != 0)
		die("read");
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) == -1)
		die("unshare");
	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0)
		container(bundle);
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static void write_map(pid_t pid, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, map);
	write_file(path, "0 0 65536\n");
}

/* One run: the container's output in *output, its exit status returned. */
static int run_container(const char *bundle, bool userns, char **output)
{
	int out[2], ready[2], go[2], status;
	char c;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(ready, O_CLOEXEC) == -1 ||
	    pipe2(go, O_CLOEXEC) == -1)
		die("pipe2");
	fflush(stdout);
	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		if (dup2(out[1], STDOUT_FILENO) == -1)
			die("dup2");
		close(ready[0]);
		close(go[1]);
		if (userns)
			userns_child(bundle, ready[1], go[0]);
		if (unshare(CLONE_NEWNS) == -1)
			die("unshare(CLONE_NEWNS)");
		container(bundle);
	}
	close(out[1]);
	close(ready[1]);
	close(go[0]);
	if (userns) {
		if (read(ready[0], &c, 1) != 1)
			die("read (the child's user namespace)");
		write_map(pid, "uid_map");
		write_map(pid, "gid_map");
	}
	close(ready[0]);
	close(go[1]);
	*output = read_all(out[0]);
	close(out[0]);
	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *next_line(const char *p)
{
	p += strcspn(p, "\n");
	return *p ? p + 1 : p;
}

/* The line of ls -l for NAME ("null", "ptmx -> pts/ptmx"), or NULL. */
static const char *ls_line(const char *ls, const char *name, char *line, size_t size)
{
	for (const char *p = ls; *p; p = next_line(p)) {
		size_t n = strcspn(p, "\n"), k = strlen(name);

		if (n > k && n < size && p[n - k - 1] == ' ' && strncmp(p + n - k, name, k) == 0) {
			snprintf(line, size, "%.*s", (int)n, p);
			return line;
		}
	}
	return NULL;
}

static bool empty_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *d;
	int n = 0;

	if (dir == NULL)
		return false;
	while ((d = readdir(dir)) != NULL)
		n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	closedir(dir);
	return n == 0;
}

/* A mountinfo line's mount point is its fifth field, its options the sixth. */
static bool mounted(const char *mountinfo, const char *point, const char *options)
{
	char needle[PATH_MAX + 8];

	snprintf(needle, sizeof(needle), " %s %s", point, options);
	return strstr(mountinfo, needle) != NULL;
}

/* Every mount at /sys or under it is read-only: the sysfs, its cgroups, the host's submounts. */
static bool sys_read_only(const char *mountinfo)
{
	char point[256], options[256];
	int seen = 0;

	for (const char *line = mountinfo; *line; line = next_line(line)) {
		/* ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS ... */
		if (sscanf(line, "%*s %*s %*s %*s %255s %255s", point, options) != 2 ||
		    (strcmp(point, "/sys") != 0 && strncmp(point, "/sys/", 5) != 0))
			continue;
		seen++;
		if (strncmp(options, "ro,", 3) != 0)
			return false;
	}
	return seen > 0;
}

/* maskedPaths: each of these this kernel has is covered. */
static bool masked(const char *mountinfo)
{
	static const char *const paths[] = {"/proc/kcore", "/proc/keys", "/proc/acpi",
					    "/sys/firmware"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (access(paths[i], F_OK) == 0 && !mounted(mountinfo, paths[i], "r"))
			return false;
	}
	return true;
}

static void test_run(const char *scratch, bool userns)
{
	char bundle[64], victim[64], line[512];
	char *before = read_file("/proc/self/mountinfo"), *after, *out;
	int status;

	snprintf(bundle, sizeof(bundle), "%s/bundle", scratch);
	snprintf(victim, sizeof(victim), "%s/victim", scratch);
	printf("=> %s\n", userns ? "in a new user namespace (0-65535 mapped), host network"
				 : "as root, in a new mount namespace");
	status = run_container(bundle, userns, &out);
	printf("%s", out);
	after = read_file("/proc/self/mountinfo");

	check(status == 0, "rootfs_prepare succeeded, and the shell ran", "exit status 0");
	check(strcmp(before, after) == 0, "test_host_mount_table_is_unchanged",
	      "the host's /proc/self/mountinfo as it was before");
	check(empty_dir(victim), "test_symlinked_destination_stays_out_of_the_host",
	      "nothing in the host's directory the image's /mnt points at");
	snprintf(line, sizeof(line), "%s/x", victim);
	check(mounted(out, line, "rw,"), "test_symlinked_destination_lands_inside_the_rootfs",
	      "a tmpfs at the symlink's target inside the rootfs");
	check(mounted(out, "/", "ro,"), "test_root_readonly", "/ mounted ro (root.readonly)");
	check(mounted(out, "/data", "ro,nosuid"), "test_bind_mount_flags_applied",
	      "/data bound ro,nosuid");
	check(strstr(out, "motd bound from the host") != NULL, "test_bind_mount_of_a_file",
	      "/etc/motd shows the host file");
	check(mounted(out, "/proc/sys", "ro,"), "test_readonly_paths", "/proc/sys read-only");
	check(masked(out), "test_masked_paths",
	      "a mount over each of /proc/kcore, /proc/keys, /proc/acpi and /sys/firmware the host has");
	check(sys_read_only(out), "test_sys_read_only_throughout",
	      "/sys, and every mount under it, read-only");
	check(strstr(out, "size=1024k") != NULL, "test_tmpfs_size", "/run a tmpfs of size=1m");
	check(ls_line(out, "null", line, sizeof(line)) && line[0] == 'c' && strstr(line, "1,   3"),
	      "test_dev_null_is_the_device", "/dev/null a character device 1, 3");
	check(ls_line(out, "fuse", line, sizeof(line)) && line[0] == 'c', "test_linux_devices_made",
	      "/dev/fuse a character device");
	check(ls_line(out, "ptmx -> pts/ptmx", line, sizeof(line)) != NULL, "test_ptmx_link",
	      "/dev/ptmx -> pts/ptmx");
	check(strstr(out, "\n/srv/app\n") != NULL, "test_cwd_made", "pwd says /srv/app");
	free(before);
	free(after);
	free(out);
}

int main(int argc, char *argv[])
{
	const char *rootfs = argc > 1 ? argv[1] : "/work/main/build/test-rootfs";
	char scratch[] = "/tmp/test_rootfs.XXXXXX", bin_sh[PATH_MAX];

	if (geteuid() != 0) {
		fprintf(stderr, "test_rootfs: run it as root\n");
		return 2;
	}
	snprintf(bin_sh, sizeof(bin_sh), "%s/bin/sh", rootfs);
	if (access(bin_sh, X_OK) == -1) {
		fprintf(stderr,
			"%s: no rootfs there (make -C /work/main build/test-rootfs/.rootfs-fetch)\n",
			rootfs);
		return 2;
	}
	if (mkdtemp(scratch) == NULL)
		die("mkdtemp");
	/*
	 * As systemd does for "/", make the bundle's mount shared: a runtime
	 * that forgets to stop propagation now changes the host's mount table.
	 */
	if (mount(scratch, scratch, NULL, MS_BIND, NULL) == -1 ||
	    mount(NULL, scratch, NULL, MS_SHARED, NULL) == -1)
		die("mount --make-shared (the scratch directory)");
	make_bundle(scratch, rootfs);
	test_run(scratch, false);
	test_run(scratch, true);
	if (umount2(scratch, MNT_DETACH) == -1)
		die("umount2 (the scratch directory)");
	run((char *[]){"rm", "-rf", scratch, NULL}, "/");
	printf("%s\n", failures ? "FAILED" : "all promises kept");
	return failures ? 1 : 0;
}
