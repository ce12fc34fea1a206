/*
 * test_security.c: security.c for real, as root, each container step in a
 * forked child: limits, user and capabilities, the seccomp filter, then
 * execve of a shell that shows what the process ended up with.
 *
 *   gcc -std=gnu17 -Wall -Wextra -Werror -o build/ts solutions/12-runtime/test_security.c \
 *       solutions/12-runtime/security.c solutions/12-runtime/spec.c \
 *       solutions/12-runtime/error.c -ljson-c -lseccomp
 *   sudo build/ts [PODMAN-CONFIG.JSON]
 *
 * Without an argument it tests `dcrun spec`'s config.json (runc's) with
 * a short profile of its own: a deny-list with argument conditions. With
 * one, it also runs a config.json podman wrote (podman's profile: an
 * allow-list, defaultErrnoRet ENOSYS, no noNewPrivileges) -- whole, as
 * podman 4.3 writes it: tests/fuzz/corpus/podman.json is cut short. To
 * get one, give podman a --runtime script that copies $BUNDLE/config.json
 * and then execs crun, and run it with --ulimit nofile=1024:1024.
 */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

static int failures;

static void expect(bool ok, const char *test, const char *what, const char *output)
{
	printf("%s %s: %s\n", ok ? "PASS" : "FAIL", test, what);
	if (!ok) {
		failures++;
		printf("---- output ----\n%s---- end ----\n", output ? output : "");
	}
}

/* --- configs ----------------------------------------------------------------------- */

/* A short profile, podman's shape: names, errnoRet, args with AND and same-index OR. */
static const char profile[] =
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\","
	" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
	" \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\"],"
	" \"syscalls\": ["
	"  {\"names\": [\"unshare\", \"setns\", \"mount\", \"socketcall\", \"no_such_call_2099\"],"
	"   \"action\": \"SCMP_ACT_ERRNO\"},"
	/* two conditions on argument 0: runc's OR */
	"  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
	"   {\"index\": 0, \"value\": 262144, \"op\": \"SCMP_CMP_EQ\"},"
	"   {\"index\": 0, \"value\": 4194304, \"op\": \"SCMP_CMP_EQ\"}]},"
	/* two arguments: AND. socket(AF_INET, SOCK_RAW|flags) gets EAFNOSUPPORT */
	"  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 97, \"args\": ["
	"   {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"},"
	"   {\"index\": 1, \"value\": 15, \"valueTwo\": 3, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
	/* the default action again: skipped, as runc does */
	"  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t size = 0;

	if (f == NULL || getdelim(&text, &size, '\0', f) < 0) {
		perror(path);
		exit(2);
	}
	fclose(f);
	return text;
}

static void parse(json_object *root, struct spec *spec)
{
	const char *text = json_object_to_json_string(root);
	struct error e = {0};

	if (spec_parse(text, strlen(text), spec, &e) == -1) {
		error_print(&e, stdout);
		exit(2);
	}
}

/*
 * `dcrun spec` (runc's default: bounding, effective, permitted and
 * ambient AUDIT_WRITE, KILL, NET_BIND_SERVICE; noNewPrivileges) as uid
 * 1000 with two groups, NET_BIND_SERVICE inheritable (so ambient), and
 * the profile above.
 */
static json_object *default_config(void)
{
	char *text = spec_default(false);
	json_object *root = json_tokener_parse(text), *process, *lx, *caps;

	free(text);
	json_object_object_get_ex(root, "process", &process);
	json_object_object_get_ex(root, "linux", &lx);
	json_object_object_get_ex(process, "capabilities", &caps);
	json_object_object_add(process, "user",
			       json_tokener_parse("{\"uid\": 1000, \"gid\": 1000, \"umask\": 63,"
						  " \"additionalGids\": [10, 20]}"));
	json_object_object_add(caps, "inheritable",
			       json_tokener_parse("[\"CAP_NET_BIND_SERVICE\"]"));
	json_object_object_add(process, "rlimits",
			       json_tokener_parse("[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024,"
						  " \"hard\": 1024}, {\"type\": \"RLIMIT_NPROC\","
						  " \"soft\": 1024, \"hard\": 1024}]"));
	json_object_object_add(process, "oomScoreAdj", json_object_new_int(100));
	json_object_object_add(lx, "seccomp", json_tokener_parse(profile));
	return root;
}

/* --- children ---------------------------------------------------------------------- */

typedef void child_fn(const struct spec *spec, struct seccomp_program *program);

/* fn in a forked child, its stdout and stderr into out; its wait status. */
static int run(child_fn *fn, const struct spec *spec, struct seccomp_program *program, char *out,
	       size_t size)
{
	int pipefd[2], status = 0;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) == -1)
		exit(2);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		fn(spec, program);
		fflush(stdout);
		_exit(0);
	}
	close(pipefd[1]);
	while (used + 1 < size && (n = read(pipefd[0], out + used, size - used - 1)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static const char *say(long rc)
{
	return rc == -1 ? strerror(errno) : "allowed";
}

/* init's order: limits, [seccomp], user and capabilities, seccomp, execve. */
static void container(const struct spec *spec, struct seccomp_program *program)
{
	struct error e = {0};

	if (security_limits(spec, &e) == -1 ||
	    (!spec->no_new_privileges && security_seccomp_load(program, &e) == -1) ||
	    security_user_and_capabilities(spec, &e) == -1 ||
	    security_seccomp_load(program, &e) == -1) {
		error_print(&e, stdout);
		_exit(1);
	}
	/* Under the filter, from C: the argument conditions. */
	printf("personality(READ_IMPLIES_EXEC): %s\n", say(syscall(SYS_personality, 0x400000)));
	printf("personality(query): %s\n", say(syscall(SYS_personality, 0xffffffff)));
	printf("socket(AF_INET, SOCK_RAW): %s\n", say(socket(AF_INET, SOCK_RAW, 1)));
	printf("socket(AF_INET, SOCK_DGRAM): %s\n", say(socket(AF_INET, SOCK_DGRAM, 0)));
	fflush(stdout);
	execl("/bin/sh", "sh", "-c",
	      "grep -E 'Cap|NoNewPrivs|Seccomp' /proc/self/status; echo nofile $(ulimit -n);"
	      " echo oom $(cat /proc/self/oom_score_adj); echo umask $(umask); id;"
	      " unshare -U true; setarch x86_64 -R true; echo done",
	      (char *)NULL);
	_exit(127);
}

static void limits_only(const struct spec *spec, struct seccomp_program *program)
{
	struct error e = {0};

	(void)program;
	if (security_limits(spec, &e) == -1) {
		error_print(&e, stdout);
		printf("errno %d\n", e.err);
	}
}

/* The mistake runc's order avoids: the filter after CAP_SYS_ADMIN is gone, without no_new_privs. */
static void late_without_nnp(const struct spec *spec, struct seccomp_program *program)
{
	struct error e = {0};

	if (security_user_and_capabilities(spec, &e) == -1 ||
	    security_seccomp_load(program, &e) == -1) {
		error_print(&e, stdout);
		printf("errno %d\n", e.err);
	}
}

/* --- the cache ----------------------------------------------------------------------- */

/* The one cache file's path (there is one profile per test root), or "". */
static void cache_file(const char *root, char *path, size_t size)
{
	char dir[4096];
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/.seccomp-cache", root);
	path[0] = '\0';
	d = opendir(dir);
	for (struct dirent *entry; d != NULL && (entry = readdir(d)) != NULL;) {
		if (entry->d_name[0] != '.')
			snprintf(path, size, "%.2048s/%.255s", dir, entry->d_name);
	}
	if (d != NULL)
		closedir(d);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

enum { RUNS = 41 };

/* The median time of security_seccomp_prepare, in µs: no cache, a miss, a hit. */
static double time_prepare(const struct spec *spec, const char *root, bool remove_first)
{
	double t[RUNS];
	char path[4096];

	for (int i = 0; i < RUNS; i++) {
		struct seccomp_program *program = NULL;
		struct error e = {0};

		cache_file(root ? root : "", path, sizeof(path));
		if (remove_first && path[0] != '\0')
			unlink(path);
		t[i] = now_us();
		if (security_seccomp_prepare(spec, root, &program, &e) == -1) {
			error_print(&e, stdout);
			exit(2);
		}
		t[i] = now_us() - t[i];
		security_seccomp_free(program);
	}
	qsort(t, RUNS, sizeof(t[0]), by_value);
	return t[RUNS / 2];
}

static ino_t inode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void compare(const struct spec *spec, const char *root, const char *test)
{
	struct seccomp_program *compiled = NULL, *cached = NULL;
	static char one[16384], two[16384];
	struct error e = {0};

	security_seccomp_prepare(spec, NULL, &compiled, &e);
	security_seccomp_prepare(spec, root, &cached, &e);
	run(container, spec, compiled, one, sizeof(one));
	run(container, spec, cached, two, sizeof(two));
	expect(strcmp(one, two) == 0 && strstr(one, "Seccomp:\t2") && strstr(one, "done"), test,
	       "the same output, under the filter", two);
	security_seccomp_free(compiled);
	security_seccomp_free(cached);
}

static void test_the_cache(const char *label, const struct spec *spec)
{
	char root[] = "/tmp/dcrun-ts-XXXXXX", path[4096], test[128];
	struct seccomp_program *program = NULL;
	struct error e = {0};
	char *before;
	ino_t first;
	FILE *f;

	if (mkdtemp(root) == NULL)
		exit(2);
	double none = time_prepare(spec, NULL, false);
	double miss = time_prepare(spec, root, true);
	double hit = time_prepare(spec, root, false);
	printf("TIME %s: prepare without a cache %.0f us, compile and write %.0f us, "
	       "from the cache %.0f us (median of %d)\n",
	       label, none, miss, hit, RUNS);

	snprintf(test, sizeof(test), "test_second_prepare_uses_the_cache (%s)", label);
	cache_file(root, path, sizeof(path));
	first = inode(path);
	security_seccomp_prepare(spec, root, &program, &e);
	security_seccomp_free(program);
	expect(first != 0 && inode(path) == first, test, "the cached file is read, not rewritten",
	       path);

	/* What the kernel gets from the cache behaves as what libseccomp just compiled. */
	snprintf(test, sizeof(test), "test_a_cached_program_acts_as_a_compiled_one (%s)", label);
	compare(spec, root, test);

	/* Another profile's file under our name (a collision): its key differs by a byte. */
	snprintf(test, sizeof(test), "test_a_cache_file_for_another_key_is_not_used (%s)", label);
	before = read_file(path);
	f = fopen(path, "r+e");
	fputc('X', f);
	fclose(f);
	security_seccomp_prepare(spec, root, &program, &e);
	security_seccomp_free(program);
	char *after = read_file(path);
	expect(inode(path) != first && strcmp(after, before) == 0, test,
	       "recompiled and replaced, never loaded", path);
	free(after);

	/* Writable by others: whatever it says, it is not trusted. */
	snprintf(test, sizeof(test), "test_a_cache_file_others_may_write_is_not_used (%s)", label);
	first = inode(path);
	chmod(path, 0666);
	security_seccomp_prepare(spec, root, &program, &e);
	security_seccomp_free(program);
	expect(inode(path) != first, test, "recompiled and replaced", path);
	free(before);

	unlink(path);
	snprintf(path, sizeof(path), "%s/.seccomp-cache", root);
	rmdir(path);
	rmdir(root);
}

/* --- the promises ---------------------------------------------------------------------- */

static void test_capability_table_agrees_with_spec_c(void)
{
	json_object *root = default_config(), *process, *caps, *all = json_object_new_array();
	struct spec spec = {0};
	bool ok = capability_number("CAP_CHOWN") == 0 && capability_number("CAP_SYS_ADMIN") == 21 &&
		  capability_number("CAP_CHECKPOINT_RESTORE") == 40 &&
		  capability_number("cap_chown") == -1 && capability_count == CAP_LAST_CAP + 1;

	for (int i = 0; i < capability_count; i++)
		json_object_array_add(all, json_object_new_string(capability_names[i]));
	json_object_object_get_ex(root, "process", &process);
	json_object_object_get_ex(process, "capabilities", &caps);
	json_object_object_add(caps, "bounding", all);
	parse(root, &spec);
	ok = ok && spec.caps[CAP_BOUNDING] == (1ULL << capability_count) - 1;
	expect(ok, "test_capability_table_agrees_with_spec_c", "every name, the kernel's number",
	       NULL);
	spec_free(&spec);
	json_object_put(root);
}

static void test_runc_spec_container(void)
{
	json_object *root = default_config();
	struct seccomp_program *program = NULL;
	struct spec spec = {0};
	struct error e = {0};
	static char out[16384];
	const char *t = "test_runc_spec_container";

	parse(root, &spec);
	if (security_seccomp_prepare(&spec, NULL, &program, &e) == -1) {
		error_print(&e, stdout);
		exit(2);
	}
	run(container, &spec, program, out, sizeof(out));
	printf("%s", out);
	expect(strstr(out, "CapEff:\t0000000000000400") &&
		       strstr(out, "CapAmb:\t0000000000000400") &&
		       strstr(out, "CapBnd:\t0000000020000420"),
	       t, "uid 1000 keeps only the ambient NET_BIND_SERVICE through execve", out);
	expect(strstr(out, "NoNewPrivs:\t1") && strstr(out, "Seccomp:\t2"), t,
	       "no_new_privs, and a filter", out);
	expect(strstr(out, "nofile 1024") && strstr(out, "oom 100") && strstr(out, "umask 0077"), t,
	       "rlimits, oomScoreAdj and umask", out);
	expect(strstr(out, "uid=1000") && strstr(out, "),10(") && strstr(out, "),20("), t,
	       "uid, gid and the additionalGids", out);
	expect(strstr(out, "personality(READ_IMPLIES_EXEC): Operation not permitted") &&
		       strstr(out, "personality(query): allowed") &&
		       strstr(out, "setarch: failed to set personality") &&
		       strstr(out, "Operation not permitted"),
	       t, "two conditions on one argument: either refuses (runc's OR)", out);
	expect(strstr(out, "socket(AF_INET, SOCK_RAW): Address family not supported") &&
		       strstr(out, "socket(AF_INET, SOCK_DGRAM): allowed"),
	       t, "conditions on two arguments: both must hold (AND), errnoRet 97", out);
	expect(strstr(out, "unshare failed: Operation not permitted") && strstr(out, "done"), t,
	       "a refused call, and the unknown name was skipped", out);
	security_seccomp_free(program);
	spec_free(&spec);
	json_object_put(root);
}

static void test_raising_a_hard_limit_names_the_rlimit(void)
{
	json_object *root = default_config(), *process;
	struct spec spec = {0};
	static char out[4096];
	struct rlimit now;

	getrlimit(RLIMIT_NOFILE, &now);
	json_object_object_get_ex(root, "process", &process);
	json_object_object_add(process, "rlimits",
			       json_tokener_parse("[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024,"
						  " \"hard\": 1073741816}]"));
	parse(root, &spec);
	run(limits_only, &spec, NULL, out, sizeof(out));
	printf("%s", out);
	/* With CAP_SYS_RESOURCE (not on this host), the kernel's nr_open still says EPERM. */
	expect(strstr(out, "setrlimit RLIMIT_NOFILE 1024:1073741816 (process.rlimits[0])") &&
		       strstr(out, "errno 1"),
	       "test_raising_a_hard_limit_names_the_rlimit", "EPERM, the rlimit, our hard limit",
	       out);
	spec_free(&spec);
	json_object_put(root);
}

static void test_filter_without_nnp_loads_before_the_capabilities_go(void)
{
	json_object *root = default_config(), *process;
	struct seccomp_program *program = NULL;
	struct spec spec = {0};
	struct error e = {0};
	static char out[16384];
	const char *t = "test_filter_without_nnp_loads_before_the_capabilities_go";

	json_object_object_get_ex(root, "process", &process);
	json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(false));
	parse(root, &spec);
	security_seccomp_prepare(&spec, NULL, &program, &e);
	run(late_without_nnp, &spec, program, out, sizeof(out));
	printf("%s", out);
	expect(strstr(out, "CAP_SYS_ADMIN") && strstr(out, "errno 13"), t,
	       "loaded late, it fails with EACCES and says why", out);
	run(container, &spec, program, out, sizeof(out));
	expect(strstr(out, "NoNewPrivs:\t0") && strstr(out, "Seccomp:\t2") && strstr(out, "done"),
	       t, "loaded early, as runc does, it works", out);
	security_seccomp_free(program);
	spec_free(&spec);
	json_object_put(root);
}

/* A config.json podman wrote: its capabilities, rlimits and profile; no noNewPrivileges. */
static void test_podman_container(const char *path)
{
	char *text = read_file(path);
	json_object *root = json_tokener_parse(text);
	struct seccomp_program *program = NULL;
	struct spec spec = {0};
	struct error e = {0};
	static char out[16384];
	const char *t = "test_podman_container";

	free(text);
	parse(root, &spec);
	if (security_seccomp_prepare(&spec, NULL, &program, &e) == -1) {
		error_print(&e, stdout);
		exit(2);
	}
	run(container, &spec, program, out, sizeof(out));
	printf("%s", out);
	expect(strstr(out, "CapEff:\t00000000800405fb") && strstr(out, "NoNewPrivs:\t0") &&
		       strstr(out, "Seccomp:\t2"),
	       t, "podman's 11 capabilities, its filter loaded early", out);
	expect(strstr(out, "nofile 1024") && strstr(out, "uid=0"), t, "--ulimit and root", out);
	expect(strstr(out, "personality(READ_IMPLIES_EXEC): Function not implemented") &&
		       strstr(out, "setarch: failed to set personality") && strstr(out, "done"),
	       t, "a persona podman does not list: ENOSYS, its defaultErrnoRet", out);
	test_the_cache("podman's profile", &spec);
	security_seccomp_free(program);
	spec_free(&spec);
	json_object_put(root);
}

int main(int argc, char *argv[])
{
	json_object *root;
	struct spec spec = {0};

	if (geteuid() != 0) {
		fprintf(stderr, "test_security: run as root (it changes users and capabilities)\n");
		return 2;
	}
	test_capability_table_agrees_with_spec_c();
	test_runc_spec_container();
	test_raising_a_hard_limit_names_the_rlimit();
	test_filter_without_nnp_loads_before_the_capabilities_go();
	root = default_config();
	parse(root, &spec);
	test_the_cache("the short profile", &spec);
	spec_free(&spec);
	json_object_put(root);
	if (argc > 1)
		test_podman_container(argv[1]);
	printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
