/*
 * rootfs.c: the container's filesystem -- mounts, devices, pivot_root,
 * masked and read-only paths -- made by the container's init in its new
 * mount namespace, in runc's order (libcontainer/rootfs_linux.go's
 * prepareRootfs, then what standard_init_linux.go does after it):
 *   1. rootfsPropagation on "/", and root.path bound onto itself;
 *   2. config.json's mounts, in their order;
 *   3. the device nodes and the /dev links;
 *   4. pivot_root, and the old root let go;
 *   5. process.cwd made, readonlyPaths, maskedPaths, and the read-only
 *      flags that had to wait (a tmpfs asked "ro", root.readonly).
 *
 * One rule runs through steps 1-3: a path inside the rootfs is resolved
 * by the kernel as if the rootfs were "/" (openat2(2)'s RESOLVE_IN_ROOT),
 * and the mount goes onto the open file, /proc/self/fd/N -- never onto
 * ROOTFS and the path joined as a string. The rootfs is the image's, and
 * an image may hold a symlink mnt -> /etc: joined, "ROOTFS/mnt/x" is the
 * host's /etc/x. After step 4, "/" is the rootfs, and a plain path can no
 * longer leave it.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

enum { FD_PATH_SIZE = 32 };  /* "/proc/self/fd/2147483647" */
enum { MAX_LINK_DEPTH = 8 }; /* dangling symlinks followed while making a path */
static const char cgroup_root[] = "/sys/fs/cgroup";

/* /proc/self/fd/N: the name mount(2) takes for an open file. */
static char *fd_path(char *buf, int fd)
{
	snprintf(buf, FD_PATH_SIZE, "/proc/self/fd/%d", fd);
	return buf;
}

/* close(2), keeping errno for the fail() that follows. */
static void close_keep_errno(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

/* --- paths inside the rootfs ------------------------------------------------------ */

/*
 * INSIDE, opened (O_PATH) as the rootfs -- our working directory -- sees
 * it: ".." stops at its top, and a symlink, even /etc -> /, resolves
 * within it (RESOLVE_IN_ROOT, Linux 5.6: the job runc's securejoin did in
 * user space). RESOLVE_NO_MAGICLINKS refuses /proc/self/root and its
 * kind, whose targets the kernel does not resolve as paths. RESOLVE adds
 * more (RESOLVE_NO_SYMLINKS). Without openat2 -- Linux before 5.6, or a
 * tool that does not know the call yet (valgrind 3.19) -- walk it one
 * name at a time, and refuse a symlink and "..".
 */
static int open_in_rootfs(const char *inside, unsigned long long resolve)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve};
	char path[PATH_MAX];
	struct stat st;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, inside, &how, sizeof(how));

	if (fd != -1 || errno != ENOSYS)
		return fd;
	if (snprintf(path, sizeof(path), "%s", inside) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (char *save = NULL, *name = strtok_r(path, "/", &save); fd != -1 && name != NULL;
	     name = strtok_r(NULL, "/", &save)) {
		int next = -1;

		if (strcmp(name, "..") == 0)
			errno = EXDEV;
		else
			next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close_keep_errno(fd);
		fd = next;
		if (fd != -1 && (fstat(fd, &st) == -1 || S_ISLNK(st.st_mode))) {
			close(fd);
			fd = -1;
			errno = ELOOP;
		}
	}
	return fd;
}

/*
 * INSIDE opened as open_in_rootfs does, made first if missing, with its
 * parents, as runc's MkdirAll does: a directory, or (DIR false) an empty
 * file, as a bind mount of a file needs a file to cover. DEPTH counts
 * the dangling symlinks followed on the way (make_name).
 */
static int make_in_rootfs_at(const char *inside, bool dir, unsigned long long resolve, int depth,
			     struct error *e);

/*
 * One name of a path being made: PATH's last, in its parent (made
 * already). If it exists, yet opening PATH said ENOENT, it is a symlink
 * to something missing: make that instead, still inside the rootfs (an
 * image's mnt -> /tmp/victim makes ROOTFS/tmp/victim, never the host's).
 */
static int make_name(char *path, bool dir, unsigned long long resolve, int depth, struct error *e)
{
	char *slash = strrchr(path, '/'), target[PATH_MAX], joined[PATH_MAX];
	const char *name;
	int parent, rc, fd;
	ssize_t n;

	if (slash == NULL)
		return fail(e, EINVAL, "open", "%s (not an absolute path)", path);
	name = slash + 1;
	*slash = '\0';
	parent = open_in_rootfs(path[0] ? path : "/", resolve);
	*slash = '/';
	if (parent == -1)
		return fail(e, errno, "open", "%s", path);
	if (dir)
		rc = mkdirat(parent, name, 0755);
	else if ((fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0644)) != -1)
		rc = close(fd);
	else
		rc = -1;
	if (rc == 0 || errno != EEXIST || depth >= MAX_LINK_DEPTH) {
		if (rc == -1)
			rc = fail(e, depth >= MAX_LINK_DEPTH ? ELOOP : errno,
				  dir ? "mkdir" : "create", "%s", path);
		close(parent);
		return rc;
	}
	n = readlinkat(parent, name, target, sizeof(target) - 1);
	close_keep_errno(parent);
	if (n == -1)
		return fail(e, errno == EINVAL ? EEXIST : errno, "readlink", "%s", path);
	target[n] = '\0';
	/* A relative target is relative to the link's directory: the kernel resolves the "..". */
	*slash = '\0';
	if (target[0] == '/')
		rc = snprintf(joined, sizeof(joined), "%s", target);
	else
		rc = snprintf(joined, sizeof(joined), "%s/%s", path, target);
	*slash = '/';
	if (rc >= (int)sizeof(joined))
		return fail(e, ENAMETOOLONG, "readlink", "%s", path);
	fd = make_in_rootfs_at(joined, dir, resolve, depth + 1, e);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int make_in_rootfs_at(const char *inside, bool dir, unsigned long long resolve, int depth,
			     struct error *e)
{
	char path[PATH_MAX];
	int fd = open_in_rootfs(inside, resolve);

	if (fd != -1)
		return fd;
	if (errno != ENOENT)
		return fail(e, errno, "open", "%s", inside);
	if (snprintf(path, sizeof(path), "%s", inside) >= (int)sizeof(path))
		return fail(e, ENAMETOOLONG, "open", "%s", inside);
	/* Each name in turn, from the top: "/a", "/a/b", "/a/b/c". */
	for (char *end = path; end != NULL;) {
		end = strchr(end + 1, '/');
		if (end)
			*end = '\0';
		fd = open_in_rootfs(path, resolve);
		if (fd == -1 && errno == ENOENT &&
		    make_name(path, end ? true : dir, resolve, depth, e) == -1)
			return -1;
		if (fd != -1)
			close(fd);
		if (end)
			*end = '/';
	}
	fd = open_in_rootfs(inside, resolve);
	if (fd == -1)
		return fail(e, errno, "open", "%s", inside);
	return fd;
}

static int make_in_rootfs(const char *inside, bool dir, unsigned long long resolve, struct error *e)
{
	return make_in_rootfs_at(inside, dir, resolve, 0, e);
}

/* --- flags ------------------------------------------------------------------------- */

/* The flags statvfs(3) shows, and that the kernel locks in a user namespace. */
static const struct {
	unsigned long st, ms;
} lockable[] = {
	{ST_RDONLY, MS_RDONLY},         {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},
	{ST_NOEXEC, MS_NOEXEC},         {ST_NOATIME, MS_NOATIME}, {ST_RELATIME, MS_RELATIME},
	{ST_NODIRATIME, MS_NODIRATIME},
};

/*
 * A bind mount keeps its source's flags: only MS_BIND|MS_REMOUNT changes
 * them. In a user namespace the flags of a mount made outside it (nosuid,
 * nodev, noexec, ro, the atime ones) are locked, and a remount that would
 * clear one fails with EPERM. So, as runc, ask for FLAGS as they are, and
 * if the kernel refuses, again with the mount's own lockable flags kept
 * (so config.json's "rw" cannot undo a locked "ro"). KEEP: keep them from
 * the start, adding FLAGS. TARGET is /proc/self/fd/N, or after pivot_root
 * a path; WHAT names it in an error.
 */
static int remount(const char *target, const char *what, unsigned long flags, bool keep,
		   struct error *e)
{
	const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
	unsigned long kept = 0;
	struct statvfs fs;

	flags = (flags & ~MS_REC) | MS_BIND | MS_REMOUNT;
	if (!keep && mount(NULL, target, NULL, flags, NULL) == 0)
		return 0;
	if (!keep && errno != EPERM)
		return fail(e, errno, "remount", "%s", what);
	if (statvfs(target, &fs) == -1)
		return fail(e, errno, "statvfs", "%s", what);
	for (size_t i = 0; i < sizeof(lockable) / sizeof(lockable[0]); i++) {
		if (fs.f_flag & lockable[i].st)
			kept |= lockable[i].ms;
	}
	/*
	 * Neither noatime nor relatime shown means strictatime, which statvfs
	 * cannot show, and a remount that names none of the three gets
	 * relatime: name it. An atime flag asked for wins over the mount's.
	 */
	if (!(kept & atime))
		kept |= MS_STRICTATIME;
	if (flags & atime)
		kept &= ~atime;
	if (mount(NULL, target, NULL, flags | kept, NULL) == -1)
		return fail(e, errno, "remount", "%s", what);
	return 0;
}

/* Propagation takes a mount(2) call of its own, on the mount just made (runc's mountPropagate). */
static int propagate(const struct spec_mount *m, struct error *e)
{
	char target[FD_PATH_SIZE];
	int fd, rc = 0;

	if (m->propagation == 0)
		return 0;
	fd = open_in_rootfs(m->destination, 0);
	if (fd == -1)
		return fail(e, errno, "open", "%s", m->destination);
	if (mount(NULL, fd_path(target, fd), NULL, m->propagation, NULL) == -1)
		rc = fail(e, errno, "mount (propagation)", "%s", m->destination);
	close(fd);
	return rc;
}

/* Remount INSIDE (a mount made before pivot_root) through a file descriptor. */
static int remount_in_rootfs(const char *inside, unsigned long flags, bool keep, struct error *e)
{
	char target[FD_PATH_SIZE];
	int fd = open_in_rootfs(inside, 0), rc;

	if (fd == -1)
		return fail(e, errno, "open", "%s", inside);
	rc = remount(fd_path(target, fd), inside, flags, keep, e);
	close(fd);
	return rc;
}

/* --- step 1: the new root ------------------------------------------------------------ */

/* Refuse a bad root.path up front, with a clearer message than mount's. */
static int check_rootfs(const char *rootfs, struct error *e)
{
	struct stat st, host_root;

	if (stat(rootfs, &st) == -1)
		return fail_hint(e,
				 errno == ENOENT   ? HINT_NO_ROOTFS
				 : errno == EACCES ? HINT_ROOTFS_REACH
						   : HINT_NONE,
				 errno, "stat", "%s", rootfs);
	if (!S_ISDIR(st.st_mode))
		return fail_hint(e, HINT_NO_ROOTFS, ENOTDIR, "root.path", "%s", rootfs);
	/* "/" itself: there is no other root to pivot to, and nothing is isolated. */
	if (stat("/", &host_root) == -1)
		return fail(e, errno, "stat", "/");
	if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino)
		return fail(e, EINVAL, "root.path", "%s (the host's /)", rootfs);
	return 0;
}

/*
 * pivot_root(2) refuses a new root whose parent mount is shared, and a
 * bind mount under a shared mount shows on the host too. rslave and
 * rprivate leave nothing shared; a rootfsPropagation of "shared", or one
 * that is not recursive, may. Then find the mount that holds ROOTFS --
 * walking up from it to the first directory that is a mount's root
 * (STATX_ATTR_MOUNT_ROOT, Linux 5.8) -- and make it private, as runc's
 * rootfsParentMountPrivate does (runc reads mountinfo, and only touches
 * a shared one). On an older kernel, pivot_root's EINVAL says it.
 */
static int make_parent_private(const char *rootfs, struct error *e)
{
	char target[FD_PATH_SIZE];
	struct statx stx;
	int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), rc = 0;

	for (;;) {
		if (fd == -1)
			return fail(e, errno, "open", "%s (up to its mount)", rootfs);
		if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == -1) {
			rc = fail(e, errno, "statx", "%s (up to its mount)", rootfs);
			break;
		}
		if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
			break;
		if (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) {
			if (mount(NULL, fd_path(target, fd), NULL, MS_PRIVATE, NULL) == -1)
				rc = fail(e, errno, "mount (MS_PRIVATE)", "the mount holding %s",
					  rootfs);
			break;
		}
		int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		close_keep_errno(fd);
		fd = up;
	}
	close(fd);
	return rc;
}

/*
 * Why "/" first, and why rslave. pivot_root(2) and our mounts need a
 * mount namespace of our own (clone made it), or we would rearrange the
 * host's. A new mount namespace copies the host's mounts with their
 * propagation, and systemd makes "/" shared: our mounts would then
 * propagate back to the host, and pivot_root refuses with EINVAL. So
 * every mount is made a slave first, recursively: our mounts stay ours,
 * while the host's unmounts still reach us, so a container never pins a
 * disk the host let go ("device or resource busy"). That is runc's
 * default (MS_REC|MS_SLAVE); linux.rootfsPropagation chooses another.
 * Many tutorials skip this and only work on machines without systemd.
 *
 * pivot_root also wants the new root to be a mount point: a bind mount
 * of ROOTFS onto itself makes it one. The chdir must come after the bind,
 * by path: a descriptor opened before would name the directory under
 * the new mount, not its root.
 */
static int enter_rootfs(const struct spec *spec, const char *rootfs, struct error *e)
{
	unsigned long propagation = spec->rootfs_propagation;

	if (propagation == 0)
		propagation = MS_REC | MS_SLAVE;
	if (mount(NULL, "/", NULL, propagation, NULL) == -1)
		return fail(e, errno, "mount", "/ (linux.rootfsPropagation)");
	if (propagation != (MS_REC | MS_SLAVE) && propagation != (MS_REC | MS_PRIVATE) &&
	    make_parent_private(rootfs, e) == -1)
		return -1;
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) == -1)
		return fail(e, errno, "bind-mount", "%s onto itself", rootfs);
	if (chdir(rootfs) == -1)
		return fail(e, errno, "chdir", "%s", rootfs);
	return 0;
}

/* --- step 2: config.json's mounts ------------------------------------------------------ */

/* Files in /proc that lxcfs emulates, the only ones a mount may cover (runc's checkProcMount). */
static const char *const lxcfs_files[] = {
	"/proc/cpuinfo", "/proc/diskstats",
	"/proc/meminfo", "/proc/stat",
	"/proc/swaps",   "/proc/uptime",
	"/proc/loadavg", "/proc/slabinfo",
	"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

/*
 * Nothing but another proc may be mounted onto something in a procfs:
 * covering /proc/sys/kernel/core_pattern, or a process's attr files,
 * would undo what maskedPaths and the LSMs rely on. Asked of the
 * resolved file (fstatfs), not of the path's text.
 */
static int check_not_in_proc(const struct spec_mount *m, int fd, struct error *e)
{
	struct statfs fs;

	if (m->type && strcmp(m->type, "proc") == 0)
		return 0;
	if (fstatfs(fd, &fs) == -1)
		return fail(e, errno, "statfs", "%s", m->destination);
	if (fs.f_type != PROC_SUPER_MAGIC)
		return 0;
	for (size_t i = 0; i < sizeof(lxcfs_files) / sizeof(lxcfs_files[0]); i++) {
		if (strcmp(m->destination, lxcfs_files[i]) == 0)
			return 0;
	}
	return invalid(e,
		       "mounts: %s: inside /proc, where only proc and lxcfs's files may be mounted",
		       m->destination);
}

static bool is_dev(const char *destination)
{
	return strcmp(destination, "/dev") == 0 || strcmp(destination, "/dev/") == 0;
}

/*
 * A bind mount: a host file or directory shared into the container. Its
 * source is the host's (relative to the bundle), opened before pivot_root
 * while the host is reachable; its destination is made to match, a
 * directory or a file. The flags ("ro", "nosuid"...) take a remount: a
 * bind mount takes its source's flags and ignores the ones given.
 */
static int bind_source(const struct spec_mount *m, int source, struct error *e)
{
	char source_path[FD_PATH_SIZE], target_path[FD_PATH_SIZE];
	struct stat st;
	int target, rc = 0;

	if (fstat(source, &st) == -1)
		return fail(e, errno, "stat", "%s", m->source);
	target = make_in_rootfs(m->destination, S_ISDIR(st.st_mode), 0, e);
	if (target == -1)
		return -1;
	if (check_not_in_proc(m, target, e) == -1)
		rc = -1;
	else if (mount(fd_path(source_path, source), fd_path(target_path, target), NULL,
		       MS_BIND | (m->flags & MS_REC), NULL) == -1)
		rc = fail(e, errno, "bind-mount", "%s onto %s", m->source, m->destination);
	close(target);
	return rc;
}

static bool has_flags(unsigned long flags)
{
	return (flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0;
}

static int mount_bind(const struct spec_mount *m, int bundle, struct error *e)
{
	int source = openat(bundle, m->source, O_PATH | O_CLOEXEC), rc;

	if (source == -1)
		return fail(e, errno, "open", "%s (the source of %s)", m->source, m->destination);
	rc = bind_source(m, source, e);
	close(source);
	if (rc == 0 && has_flags(m->flags))
		rc = remount_in_rootfs(m->destination, m->flags, false, e);
	return rc == 0 ? propagate(m, e) : -1;
}

/*
 * sysfs shows the network devices of the mounter's network namespace,
 * so the kernel lets a user namespace mount one only with a network
 * namespace of its own ("sysfs: Restrict mounting sysfs", Linux 3.11);
 * cgroup2 likewise wants a cgroup namespace. Without one, mount(2) says
 * EPERM, and we bind the host's instead, with the flags asked -- the
 * mount `runc spec --rootless` writes into config.json for /sys, made
 * here when the config did not.
 */
static const char *host_fallback(const char *type)
{
	if (strcmp(type, "sysfs") == 0)
		return "/sys";
	if (strcmp(type, "cgroup2") == 0)
		return cgroup_root;
	return NULL;
}

/*
 * A remount changes one mount, and the host's /sys brings its submounts
 * along, writable. mount_setattr(2) (Linux 5.12, the new mount API) sets
 * a flag on a whole tree at once, AT_RECURSIVE: runc's "rro" option.
 * Before 5.12 (ENOSYS), only the top is read-only.
 */
static int make_tree_readonly(const char *inside, struct error *e)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	int fd = open_in_rootfs(inside, 0), rc = 0;

	if (fd == -1)
		return fail(e, errno, "open", "%s", inside);
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == -1 &&
	    errno != ENOSYS)
		rc = fail(e, errno, "mount_setattr", "%s (read-only, recursively)", inside);
	close(fd);
	return rc;
}

/*
 * tmpcopyup (runc's and crun's extension, which podman asks for with
 * --read-only): the new tmpfs starts with a copy of what the image had
 * in that directory -- files, directories and symlinks, with their
 * owners and modes -- instead of hiding it.
 */
static int copy_tree(int from, int to, const char *where, struct error *e)
{
	DIR *d = fdopendir(dup(from));
	int rc = 0;

	if (d == NULL)
		return fail(e, errno, "opendir", "%s (tmpcopyup)", where);
	for (struct dirent *entry; rc == 0 && (entry = readdir(d)) != NULL;) {
		const char *name = entry->d_name;
		struct stat st;
		char link[4096];

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = fail(e, errno, "stat", "%s/%s (tmpcopyup)", where, name);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int a = -1, b = -1;
			if (mkdirat(to, name, st.st_mode & 07777) == -1 ||
			    (a = openat(from, name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
			    (b = openat(to, name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
				rc = fail(e, errno, "copy", "%s/%s (tmpcopyup)", where, name);
			else
				rc = copy_tree(a, b, where, e);
			if (a != -1)
				close(a);
			if (b != -1)
				close(b);
		} else if (S_ISREG(st.st_mode)) {
			int a = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int b = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				       st.st_mode & 07777);
			for (off_t left = st.st_size; a != -1 && b != -1 && left > 0;) {
				ssize_t n = copy_file_range(a, NULL, b, NULL, (size_t)left, 0);
				if (n <= 0)
					break;
				left -= n;
			}
			if (a == -1 || b == -1 || fstat(b, &st) == -1)
				rc = fail(e, errno, "copy", "%s/%s (tmpcopyup)", where, name);
			if (a != -1)
				close(a);
			if (b != -1)
				close(b);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(from, name, link, sizeof(link) - 1);
			if (n == -1 || (link[n] = '\0', symlinkat(link, to, name)) == -1)
				rc = fail(e, errno, "copy", "%s/%s (tmpcopyup)", where, name);
		} else {
			continue; /* no device, fifo or socket: a tmpfs is for files */
		}
		if (rc == 0 &&
		    fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno != EINVAL)
			rc = fail(e, errno, "chown", "%s/%s (tmpcopyup)", where, name);
	}
	closedir(d);
	return rc;
}

/* "tmpcopyup" out of a tmpfs's data, which the kernel would refuse: was it there? */
static bool take_tmpcopyup(char *data)
{
	bool found = false;
	char *out = data;

	for (char *save = NULL, *opt = strtok_r(data, ",", &save); opt != NULL;
	     opt = strtok_r(NULL, ",", &save)) {
		if (strcmp(opt, "tmpcopyup") == 0) {
			found = true;
			continue;
		}
		if (out != data)
			*out++ = ',';
		memmove(out, opt, strlen(opt));
		out += strlen(opt);
	}
	*out = '\0';
	return found;
}

/*
 * Any other filesystem: proc, sysfs, tmpfs, devpts, mqueue... made new,
 * with its data ("size=64k,mode=755"). A tmpfs (and /dev) is left
 * writable until the end, as runc does, since we fill it first.
 */
static int mount_filesystem(const struct spec_mount *m, struct error *e)
{
	/* A /proc that is a symlink put procfs where rules by path did not look: runc refuses it. */
	bool special = strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0;
	unsigned long long resolve = special ? RESOLVE_NO_SYMLINKS : 0;
	bool tmpfs = strcmp(m->type, "tmpfs") == 0;
	unsigned long flags = m->flags;
	char target[FD_PATH_SIZE], data[4096 + 16];
	const char *fallback = host_fallback(m->type);
	int fd = open_in_rootfs(m->destination, resolve), rc;
	bool bound = false;
	struct stat st;

	/* A tmpfs over a directory of the image keeps the directory's mode, as runc does. */
	if (tmpfs && fd != -1 && fstat(fd, &st) == 0)
		snprintf(data, sizeof(data), "mode=%04o%s%s", st.st_mode & 07777,
			 m->data ? "," : "", m->data ? m->data : "");
	else
		snprintf(data, sizeof(data), "%s", m->data ? m->data : "");
	if (fd == -1 && (fd = make_in_rootfs(m->destination, true, resolve, e)) == -1)
		return -1;
	/* The image's directory, held open: the tmpfs is about to hide it. */
	int copy_from = -1;
	if (tmpfs && take_tmpcopyup(data) &&
	    (copy_from = open(fd_path(target, fd), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		close(fd);
		return fail(e, errno, "open", "%s (tmpcopyup)", m->destination);
	}
	if (tmpfs || is_dev(m->destination))
		flags &= ~MS_RDONLY;
	if (check_not_in_proc(m, fd, e) == -1)
		rc = -1;
	else if (mount(m->source ? m->source : m->type, fd_path(target, fd), m->type, flags,
		       data[0] ? data : NULL) == 0)
		rc = 0;
	else if (!fallback || (errno != EPERM && errno != EBUSY))
		rc = fail(e, errno, "mount", "%s (%s)", m->destination, m->type);
	else if ((rc = mount(fallback, target, NULL, MS_BIND | MS_REC, NULL)) == -1)
		fail(e, errno, "bind-mount", "%s onto %s (no %s of our own)", fallback,
		     m->destination, m->type);
	else
		bound = true;
	close(fd);
	if (copy_from != -1) {
		int to = rc == 0 ? open_in_rootfs(m->destination, resolve) : -1;
		int dir = to == -1 ? -1
				   : open(fd_path(target, to), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rc == 0 && dir == -1)
			rc = fail(e, errno, "open", "%s (tmpcopyup)", m->destination);
		else if (rc == 0)
			rc = copy_tree(copy_from, dir, m->destination, e);
		if (to != -1)
			close(to);
		if (dir != -1)
			close(dir);
		close(copy_from);
	}
	/* A bind takes FLAGS by a remount, through a new descriptor: FD names what is under it. */
	if (bound)
		rc = remount_in_rootfs(m->destination, flags, false, e);
	if (bound && rc == 0 && (flags & MS_RDONLY))
		rc = make_tree_readonly(m->destination, e);
	return rc == 0 ? propagate(m, e) : -1;
}

/*
 * One v1 hierarchy (or hybrid's v2 one, "unified") at DEST/NAME, showing
 * the container's own group: in a cgroup namespace of its own a new mount
 * of the hierarchy, whose root the kernel makes the namespace's; without
 * one, the host's directory of its group, bound (runc does both so).
 */
static int mount_hierarchy(const struct spec_mount *m, const char *name, const char *controllers,
			   const char *group, bool cgroupns, struct error *e)
{
	char host[PATH_MAX], inside[PATH_MAX], source_path[FD_PATH_SIZE], target_path[FD_PATH_SIZE];
	int source = -1, target, rc = 0;

	snprintf(host, sizeof(host), "%s/%s", cgroup_root, name);
	/* A hierarchy the host does not mount under /sys/fs/cgroup (some tool's named one) is left out. */
	if (access(host, F_OK) == -1)
		return errno == ENOENT ? 0 : fail(e, errno, "access", "%s", host);
	snprintf(host, sizeof(host), "%s/%s%s", cgroup_root, name, group);
	snprintf(inside, sizeof(inside), "%s/%s", m->destination, name);
	target = make_in_rootfs(inside, true, 0, e);
	if (target == -1)
		return -1;
	if (cgroupns) {
		if (mount("cgroup", fd_path(target_path, target),
			  controllers[0] ? "cgroup" : "cgroup2", m->flags & ~(MS_BIND | MS_REC),
			  controllers[0] ? controllers : NULL) == -1)
			rc = fail(e, errno, "mount", "%s (cgroup %s)", inside, name);
	} else if ((source = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = fail(e, errno, "open", "%s", host);
	} else if (mount(fd_path(source_path, source), fd_path(target_path, target), NULL,
			 MS_BIND | MS_REC, NULL) == -1) {
		rc = fail(e, errno, "bind-mount", "%s onto %s", host, inside);
	} else if (has_flags(m->flags)) {
		rc = remount_in_rootfs(inside, m->flags, false, e);
	}
	if (source != -1)
		close(source);
	close(target);
	return rc;
}

/* "cpu,cpuacct" is reached as "cpu" and "cpuacct" too, as on the host. */
static int link_merged(const char *destination, const char *name, struct error *e)
{
	char parts[256];
	int dir = open_in_rootfs(destination, 0), rc = 0;

	if (dir == -1)
		return fail(e, errno, "open", "%s", destination);
	snprintf(parts, sizeof(parts), "%s", name);
	for (char *save = NULL, *part = strtok_r(parts, ",", &save); part && rc == 0;
	     part = strtok_r(NULL, ",", &save)) {
		if (symlinkat(name, dir, part) == -1 && errno != EEXIST)
			rc = fail(e, errno, "symlink", "%s/%s", destination, part);
	}
	close(dir);
	return rc;
}

/*
 * A "cgroup" mount. On v2, one cgroup2 filesystem (the host's, bound, if
 * the kernel refuses us one: see host_fallback). On v1 and hybrid, each
 * controller has a hierarchy of its own, so the mount is a tmpfs holding
 * one per line of /proc/self/cgroup, named as the host names them under
 * /sys/fs/cgroup ("memory", "systemd" for name=systemd, "unified" for v2),
 * then made read-only if asked. We are in our groups already: process.c
 * moved us before letting us go on.
 */
static int mount_cgroup(const struct spec *spec, const struct spec_mount *m, struct error *e)
{
	struct spec_mount as = *m;
	struct statfs fs;
	char line[PATH_MAX + 256];
	int rc = 0;
	FILE *f;

	if (statfs(cgroup_root, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
		as.type = "cgroup2";
		return mount_filesystem(&as, e);
	}
	as.type = "tmpfs";
	as.source = "tmpfs";
	as.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	as.data = "mode=755";
	if (mount_filesystem(&as, e) == -1)
		return -1;
	f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return fail(e, errno, "open", "/proc/self/cgroup");
	/* "4:memory:/dcrun/ID", "1:name=systemd:/user.slice", "0::/" */
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':'), *group = NULL;
		const char *name;

		if (controllers)
			group = strchr(++controllers, ':');
		if (group == NULL)
			continue;
		*group++ = '\0';
		group[strcspn(group, "\n")] = '\0';
		name = controllers[0] == '\0'                  ? "unified"
		       : strncmp(controllers, "name=", 5) == 0 ? controllers + 5
							       : controllers;
		rc = mount_hierarchy(m, name, controllers, group,
				     spec_has_namespace(spec, CLONE_NEWCGROUP, false), e);
		if (rc == 0 && strchr(name, ','))
			rc = link_merged(m->destination, name, e);
	}
	fclose(f);
	if (rc == 0 && (m->flags & MS_RDONLY))
		rc = remount_in_rootfs(m->destination, MS_RDONLY, true, e);
	return rc;
}

static int mount_entry(const struct spec *spec, const struct spec_mount *m, int bundle,
		       struct error *e)
{
	if (m->flags & MS_BIND)
		return mount_bind(m, bundle, e);
	if (strcmp(m->type, "cgroup") == 0)
		return mount_cgroup(spec, m, e);
	return mount_filesystem(m, e);
}

/* --- step 3: devices ---------------------------------------------------------------- */

/* The nodes every container gets, whatever config.json lists (runc's AllowedDevices). */
static const struct spec_device default_devices[] = {
	{.path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .mode = 0666},
	{.path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .mode = 0666},
	{.path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .mode = 0666},
	{.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .mode = 0666},
	{.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .mode = 0666},
	{.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .mode = 0666},
};

/*
 * mknod(2) needs CAP_MKNOD in the *initial* user namespace: root inside a
 * user namespace cannot make device nodes (and a node on a mount made in
 * one would not open anyway: such mounts are nodev). So, as runc does,
 * bind-mount the host's node onto an empty file instead: always when
 * rootless, and when mknod says EPERM. The host's node is opened O_PATH
 * and mounted through /proc/self/fd/N, which names the open file, not a
 * path (crun's way). A bind mount keeps its source's flags, and the
 * host's /dev may allow set-uid programs and executables: add nosuid and
 * noexec.
 */
static int bind_host_device(int dir, const char *name, const struct spec_device *d, struct error *e)
{
	char source_path[FD_PATH_SIZE], target_path[FD_PATH_SIZE];
	int source = open(d->path, O_PATH | O_CLOEXEC), target, rc;

	if (source == -1)
		return fail(e, errno, "open", "%s (the host's, to bind-mount)", d->path);
	target = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (target != -1) {
		close(target);
		target = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (target == -1)
		rc = fail(e, errno, "create", "%s", d->path);
	else if (mount(fd_path(source_path, source), fd_path(target_path, target), NULL, MS_BIND,
		       NULL) == -1)
		rc = fail(e, errno, "bind-mount", "%s", d->path);
	else
		rc = 0;
	close(source);
	if (target != -1)
		close(target);
	return rc == 0 ? remount_in_rootfs(d->path, MS_NOSUID | MS_NOEXEC, true, e) : -1;
}

static int make_device(const struct spec_device *d, bool rootless, struct error *e)
{
	char parent[PATH_MAX];
	const char *name = strrchr(d->path, '/');
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	int dir, rc = 0;

	/* /dev/ptmx is the link to pts/ptmx that make_dev_links makes. */
	if (name == NULL || strcmp(d->path, "/dev/ptmx") == 0)
		return 0;
	name++;
	snprintf(parent, sizeof(parent), "%.*s", (int)(name - d->path), d->path);
	dir = make_in_rootfs(parent, true, 0, e);
	if (dir == -1)
		return -1;
	if (rootless)
		rc = bind_host_device(dir, name, d, e);
	else if (mknodat(dir, name, type | d->mode, makedev(d->major, d->minor)) == 0) {
		if (fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) == -1)
			rc = fail(e, errno, "chown", "%s", d->path);
	} else if (errno == EPERM) {
		rc = bind_host_device(dir, name, d, e);
	} else if (errno != EEXIST) {
		rc = fail(e, errno, "mknod", "%s", d->path);
	}
	close(dir);
	return rc;
}

/* The conventional links: a pty master through devpts, fds through /proc. */
static int make_dev_links(struct error *e)
{
	static const char *const links[][2] = {
		{"pts/ptmx", "ptmx"},          {"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},  {"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"},
	};
	int dir = make_in_rootfs("/dev", true, 0, e), rc = 0;

	if (dir == -1)
		return -1;
	/* The image's /dev/ptmx, if any, would open the host's pty master: replace it. */
	if (unlinkat(dir, "ptmx", 0) == -1 && errno != ENOENT)
		rc = fail(e, errno, "unlink", "/dev/ptmx");
	for (size_t i = 0; rc == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		/* /dev/core only where the kernel has a /proc/kcore (CONFIG_PROC_KCORE). */
		if (strcmp(links[i][1], "core") == 0 && access("/proc/kcore", F_OK) == -1)
			continue;
		if (symlinkat(links[i][0], dir, links[i][1]) == -1 && errno != EEXIST)
			rc = fail(e, errno, "symlink", "/dev/%s", links[i][1]);
	}
	close(dir);
	return rc;
}

/* Devices are made unless config.json binds a /dev of its own (runc's needsSetupDev). */
static int make_devices(const struct spec *spec, bool rootless, struct error *e)
{
	mode_t umask_was;
	int rc = 0;

	for (size_t i = 0; i < spec->nmounts; i++) {
		if ((spec->mounts[i].flags & MS_BIND) && is_dev(spec->mounts[i].destination))
			return 0;
	}
	umask_was = umask(0); /* fileMode exactly, as config.json says */
	for (size_t i = 0; rc == 0 && i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
		rc = make_device(&default_devices[i], rootless, e);
	for (size_t i = 0; rc == 0 && i < spec->ndevices; i++)
		rc = make_device(&spec->devices[i], rootless, e);
	umask(umask_was);
	return rc == 0 ? make_dev_links(e) : -1;
}

/* --- step 4: pivot_root ----------------------------------------------------------------- */

/*
 * pivot_root(2) makes new_root the root mount of this mount namespace
 * and moves the old root mount to put_old. pivot_root(".", ".") stacks
 * the old root on top of the new one, so one umount2(".", MNT_DETACH)
 * drops it and ROOTFS needs no put_old directory (see the NOTES of
 * pivot_root(2)). The old root is made a slave first, recursively, so
 * that unmounting it cannot reach the host's mounts, whatever
 * rootfsPropagation said. glibc has no wrapper for pivot_root, so we
 * call it through syscall(2).
 *
 * The old root stays attached until every mount is made: in a user
 * namespace the kernel lets us mount a new proc or sysfs only while a
 * fully visible one is already in our mount namespace -- the host's (see
 * "mount_too_revealing" in the kernel, and user_namespaces(7)).
 */
static int pivot(const char *rootfs, struct error *e)
{
	int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (old_root == -1)
		return fail(e, errno, "open", "/ (the old root)");
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		rc = fail_hint(e, errno == EINVAL ? HINT_PIVOT_ROOT : HINT_NONE, errno,
			       "pivot_root", "%s", rootfs);
	/* "." is our working directory, still the new root: step into the old one, as runc does. */
	else if (fchdir(old_root) == -1)
		rc = fail(e, errno, "fchdir", "the old root");
	else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) == -1)
		rc = fail(e, errno, "mount (MS_SLAVE)", "the old root");
	else if (umount2(".", MNT_DETACH) == -1)
		rc = fail(e, errno, "umount2", "the old root");
	else if (chdir("/") == -1)
		rc = fail(e, errno, "chdir", "/");
	close(old_root);
	return rc;
}

/* --- step 5: inside the new root ------------------------------------------------------------ */

/* process.cwd, made if missing (runc does it here), while "/" may still be written. */
static int make_cwd(const char *cwd, struct error *e)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", cwd) >= (int)sizeof(path))
		return fail(e, ENAMETOOLONG, "mkdir", "%s", cwd);
	for (char *end = path + 1;; end++) {
		char c = *end;

		if (c != '/' && c != '\0')
			continue;
		*end = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return fail(e, errno, "mkdir", "%s (process.cwd)", path);
		*end = c;
		if (c == '\0')
			return 0;
	}
}

/*
 * maskedPaths and readonlyPaths: paths in /proc and /sys that tell about
 * the host, or let root change it, and that no container needs (runc's
 * defaults: the kernel's memory image, its keys and timers, the
 * firmware's tables, the sysctls, the magic SysRq key). A read-only path
 * is bound onto itself, then remounted read-only keeping its flags; a
 * masked file gets /dev/null bound over it, a masked directory an empty
 * read-only tmpfs. A path this kernel lacks is skipped. runc makes the
 * read-only ones first.
 */
static int make_readonly(const char *path, struct error *e)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) == -1)
		return errno == ENOENT ? 0
				       : fail(e, errno, "bind-mount", "%s (readonlyPaths)", path);
	return remount(path, path, MS_RDONLY, true, e);
}

static int mask(const char *path, struct error *e)
{
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) == 0 || errno == ENOENT)
		return 0;
	if (errno == ENOTDIR && mount("tmpfs", path, "tmpfs",
				      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") == 0)
		return 0;
	return fail(e, errno, "mask", "%s (maskedPaths)", path);
}

/*
 * After the sysctls (init.c writes them into /proc/sys, which this makes
 * read-only): readonlyPaths, maskedPaths, the delayed read-only
 * remounts, root.readonly -- runc's order.
 */
int rootfs_finish(const struct spec *spec, struct error *e)
{
	for (size_t i = 0; i < spec->nreadonly_paths; i++) {
		if (make_readonly(spec->readonly_paths[i], e) == -1)
			return -1;
	}
	for (size_t i = 0; i < spec->nmasked_paths; i++) {
		if (mask(spec->masked_paths[i], e) == -1)
			return -1;
	}
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		bool waited = (m->type && strcmp(m->type, "tmpfs") == 0) || is_dev(m->destination);

		if (waited && (m->flags & MS_RDONLY) &&
		    remount(m->destination, m->destination, m->flags, false, e) == -1)
			return -1;
	}
	if (spec->root_readonly && remount("/", "/ (root.readonly)", MS_RDONLY, false, e) == -1)
		return -1;
	return 0;
}

/* --- the whole ------------------------------------------------------------------------ */

int rootfs_prepare(const struct spec *spec, const char *bundle, bool rootless, struct error *e)
{
	char rootfs[PATH_MAX];
	int bundle_fd, rc = 0;

	if (snprintf(rootfs, sizeof(rootfs), "%s%s%s", spec->root_path[0] == '/' ? "" : bundle,
		     spec->root_path[0] == '/' ? "" : "/", spec->root_path) >= (int)sizeof(rootfs))
		return fail(e, ENAMETOOLONG, "root.path", "%s", spec->root_path);
	/* Bind sources are relative to the bundle: keep it, as we leave for the rootfs. */
	bundle_fd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle_fd == -1)
		return fail_hint(e, HINT_NO_BUNDLE, errno, "open", "%s", bundle);
	if (check_rootfs(rootfs, e) == -1 || enter_rootfs(spec, rootfs, e) == -1)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < spec->nmounts; i++)
		rc = mount_entry(spec, &spec->mounts[i], bundle_fd, e);
	close(bundle_fd);
	return rc == -1 ? -1 : make_devices(spec, rootless, e);
}

/* Apart from rootfs_prepare: the create hooks run between the two (init.c). */
int rootfs_pivot(const struct spec *spec, struct error *e)
{
	if (pivot(spec->root_path, e) == -1)
		return -1;
	/*
	 * linux.rootfsPropagation is about the container's "/", and that is
	 * now the bind mount of ROOTFS, made under a parent that pivot_root
	 * wanted private: set it once more, on the new root (crun does; runc
	 * 1.1 does not, and its "shared" root stays private).
	 */
	if (spec->rootfs_propagation != 0 &&
	    mount(NULL, "/", NULL, spec->rootfs_propagation, NULL) == -1)
		return fail(e, errno, "mount", "/ (linux.rootfsPropagation, after pivot_root)");
	if (spec->cwd && spec->cwd[0] == '/' && make_cwd(spec->cwd, e) == -1)
		return -1;
	return 0;
}
