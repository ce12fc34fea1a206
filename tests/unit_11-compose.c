/*
 * The unit tier for chapter 11: what it checks before it starts anything
 * (capability names and docker's --cap-add/--cap-drop rule, --user, the
 * maps that must hold it, --join's files and owners), and its seccomp
 * profile, loaded for real in a child process. No root and no container.
 *
 * As in unit_10-time.c: the chapter itself is included, its main renamed,
 * so the tests run the very code the workshop shows. What chapter 10
 * added is tested there.
 */
#define main container_main_program
#include "../solutions/11-compose/container.c"
#undef main

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* The parsers explain a refusal on stderr: send it to /dev/null meanwhile. */
static int saved_stderr = -1;

static void quiet(void)
{
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved_stderr == -1 || null == -1 || dup2(null, STDERR_FILENO) == -1)
		fail_msg("cannot silence stderr: %s", strerror(errno));
	close(null);
}

static void loud(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
}

/* --- capabilities ------------------------------------------------------------ */

static void test_capability_names_take_any_case_and_the_prefix(void **state)
{
	(void)state;
	assert_int_equal(parse_capability("NET_ADMIN"), 1ULL << CAP_NET_ADMIN);
	assert_int_equal(parse_capability("cap_net_admin"), 1ULL << CAP_NET_ADMIN);
	assert_int_equal(parse_capability("Cap_Chown"), 1ULL << CAP_CHOWN);
	assert_int_equal(parse_capability("CHECKPOINT_RESTORE"), 1ULL << CAP_CHECKPOINT_RESTORE);
	assert_int_equal(parse_capability("all"), (1ULL << (CAP_LAST_CAP + 1)) - 1);
}

static void test_unknown_capabilities_are_refused(void **state)
{
	const char *bad[] = {"", "CAP_", "NET", "NET_ADMINX", "CAP_CAP_CHOWN", "41", "ALL,CHOWN"};

	(void)state;
	quiet();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t caps = parse_capability(bad[i]);
		if (caps != 0) {
			loud();
			fail_msg("capability \"%s\" was taken as %llx", bad[i],
				 (unsigned long long)caps);
		}
	}
	loud();
}

/* The table is the kernel's numbering: each name at its CAP_ number. */
static void test_capability_table_is_the_kernels_numbering(void **state)
{
	(void)state;
	assert_int_equal(NCAPS, CAP_LAST_CAP + 1);
	assert_string_equal(cap_names[CAP_SYS_ADMIN], "SYS_ADMIN");
	assert_string_equal(cap_names[CAP_MKNOD], "MKNOD");
	assert_string_equal(cap_names[CAP_AUDIT_READ], "AUDIT_READ");
	assert_string_equal(cap_names[CAP_BPF], "BPF");
}

static void test_default_set_is_dockers_fourteen(void **state)
{
	(void)state;
	assert_int_equal(default_caps, 0xa80425fbULL);
	assert_int_equal(__builtin_popcountll(default_caps), 14);
	assert_int_equal(capability_set(0, 0), default_caps);
}

static void test_cap_add_and_drop_follow_dockers_rule(void **state)
{
	const uint64_t all = parse_capability("ALL");

	(void)state;
	assert_int_equal(capability_set(1ULL << CAP_NET_ADMIN, 0),
			 default_caps | 1ULL << CAP_NET_ADMIN);
	assert_int_equal(capability_set(0, 1ULL << CAP_CHOWN), default_caps & ~(1ULL << CAP_CHOWN));
	assert_int_equal(capability_set(0, all), 0);
	/* --cap-drop ALL --cap-add NET_RAW: NET_RAW alone. */
	assert_int_equal(capability_set(1ULL << CAP_NET_RAW, all), 1ULL << CAP_NET_RAW);
	assert_int_equal(capability_set(all, 0), all);
}

/* --- --user and the maps ------------------------------------------------------- */

static void test_user_takes_uid_and_optional_gid(void **state)
{
	struct process p = {0};

	(void)state;
	assert_true(parse_user("1000", &p));
	assert_int_equal(p.uid, 1000);
	assert_false(p.gid_set);
	assert_true(parse_user("1000:100", &p));
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.gid, 100);
	assert_true(p.gid_set);
	assert_true(parse_user("0:0", &p));
	assert_true(parse_user("4294967294", &p));
}

static void test_user_that_does_not_parse_is_refused(void **state)
{
	const char *bad[] = {"",   "root", "-1",    "1000:",      ":1000",
			     "1k", "1 0",  "1:2:3", "4294967295", "99999999999999999999"};
	struct process p = {0};

	(void)state;
	quiet();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_user(bad[i], &p)) {
			loud();
			fail_msg("--user \"%s\" was taken", bad[i]);
		}
	}
	loud();
}

static void test_user_must_be_in_the_map(void **state)
{
	(void)state;
	assert_true(in_map("0 1000 1\n", 0));
	assert_false(in_map("0 1000 1\n", 1));
	assert_false(in_map("0 1000 1\n", 1000));
	assert_true(in_map("0 100000 65536\n", 65535));
	assert_false(in_map("0 100000 65536\n", 65536));
	assert_true(in_map("0 1000 1\n1 100000 65536\n", 1000));
	assert_false(in_map("", 0));
}

/* --- --join ------------------------------------------------------------------- */

static void test_join_takes_a_namespace_file_of_its_type(void **state)
{
	struct join j;

	(void)state;
	assert_true(open_join("net:/proc/self/ns/net", &j));
	assert_int_equal(j.flag, CLONE_NEWNET);
	assert_string_equal(j.path, "/proc/self/ns/net");
	close(j.fd);
	assert_true(open_join("user:/proc/self/ns/user", &j));
	assert_int_equal(j.flag, CLONE_NEWUSER);
	close(j.fd);
}

static void test_join_refuses_other_files_types_and_syntax(void **state)
{
	const char *bad[] = {"net:/etc/hostname",
			     "net:/proc/self/ns/uts",
			     "mnt:/proc/self/ns/mnt",
			     "cgroup:/proc/self/ns/cgroup",
			     "net:",
			     "net",
			     ":/proc/self/ns/net",
			     "nett:/proc/self/ns/net",
			     "net:/nonexistent"};
	struct join j;

	(void)state;
	quiet();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (open_join(bad[i], &j)) {
			loud();
			fail_msg("--join %s was taken", bad[i]);
		}
	}
	loud();
}

/* Our own net namespace is owned by our own user namespace: joining it alone is refused. */
static void test_join_needs_the_owner_user_namespace(void **state)
{
	struct join j[2];

	(void)state;
	assert_true(open_join("net:/proc/self/ns/net", &j[0]));
	quiet();
	bool alone = check_joins(j, 1, false, false);
	loud();
	assert_false(alone);
	assert_true(open_join("user:/proc/self/ns/user", &j[1]));
	assert_true(check_joins(j, 2, false, false));
	assert_true(j[1].own);
	quiet();
	bool with_veth = check_joins(j, 2, true, false);
	bool with_maps = check_joins(j, 2, false, true);
	loud();
	assert_false(with_veth);
	assert_false(with_maps);
	close(j[0].fd);
	close(j[1].fd);
}

/* --- the seccomp profile, for real -------------------------------------------- */

/*
 * In a child: no_new_privs, the profile for `caps`, then the call; the
 * child exits with the call's errno (0: it worked), or dies of SIGSYS.
 */
enum { KILLED_BY_SIGSYS = 200 };

static int errno_under_profile(uint64_t caps, long (*call)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		quiet();
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(99);
		load_seccomp_filter(caps);
		_exit(call() == -1 ? errno : 0);
	}
	assert_int_not_equal(pid, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		return KILLED_BY_SIGSYS;
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static long call_getpid(void)
{
	return syscall(SYS_getpid) > 0 ? 0 : -1;
}
static long call_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}
/* A mount namespace in a new user namespace: what anyone may make, without the filter. */
static long call_unshare_mount(void)
{
	return unshare(CLONE_NEWUSER | CLONE_NEWNS);
}
static long call_keyctl(void)
{
	return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
}
static long call_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0);
}
static long call_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	return pid == -1 ? -1 : 0;
}
static long call_i386_getpid(void)
{
	long ret;
	/* int $0x80: the i386 system call table, where 20 is getpid. */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
	return ret > 0 ? 0 : -1;
}

static void test_profile_allows_ordinary_calls(void **state)
{
	(void)state;
	assert_int_equal(errno_under_profile(default_caps, call_getpid), 0);
}

/* Each of these works for nobody without the filter: only the filter refuses them. */
static void test_profile_refuses_namespaces_and_keys(void **state)
{
	(void)state;
	assert_int_equal(errno_under_profile(default_caps, call_unshare_user), EPERM);
	assert_int_equal(errno_under_profile(default_caps, call_clone_newuser), EPERM);
	assert_int_equal(errno_under_profile(default_caps, call_unshare_mount), EPERM);
	assert_int_equal(errno_under_profile(default_caps, call_keyctl), EPERM);
}

/* clone3's flags are behind a pointer: ENOSYS sends libc back to clone. */
static void test_profile_answers_clone3_with_enosys(void **state)
{
	(void)state;
	assert_int_equal(errno_under_profile(default_caps, call_clone3), ENOSYS);
}

static void test_profile_kills_calls_of_another_architecture(void **state)
{
	(void)state;
	assert_int_equal(errno_under_profile(default_caps, call_i386_getpid), KILLED_BY_SIGSYS);
}

/* docker's rule: a kept SYS_ADMIN lets the call through, to be decided by the capability. */
static void test_kept_capability_opens_its_calls(void **state)
{
	(void)state;
	/* unshare(CLONE_NEWUSER) needs no capability: past the filter, it works. */
	assert_int_equal(
		errno_under_profile(default_caps | 1ULL << CAP_SYS_ADMIN, call_unshare_user), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capability_names_take_any_case_and_the_prefix),
		cmocka_unit_test(test_unknown_capabilities_are_refused),
		cmocka_unit_test(test_capability_table_is_the_kernels_numbering),
		cmocka_unit_test(test_default_set_is_dockers_fourteen),
		cmocka_unit_test(test_cap_add_and_drop_follow_dockers_rule),
		cmocka_unit_test(test_user_takes_uid_and_optional_gid),
		cmocka_unit_test(test_user_that_does_not_parse_is_refused),
		cmocka_unit_test(test_user_must_be_in_the_map),
		cmocka_unit_test(test_join_takes_a_namespace_file_of_its_type),
		cmocka_unit_test(test_join_refuses_other_files_types_and_syntax),
		cmocka_unit_test(test_join_needs_the_owner_user_namespace),
		cmocka_unit_test(test_profile_allows_ordinary_calls),
		cmocka_unit_test(test_profile_refuses_namespaces_and_keys),
		cmocka_unit_test(test_profile_answers_clone3_with_enosys),
		cmocka_unit_test(test_profile_kills_calls_of_another_architecture),
		cmocka_unit_test(test_kept_capability_opens_its_calls),
	};

	return cmocka_run_group_tests_name("unit_11-compose", tests, NULL, NULL);
}
