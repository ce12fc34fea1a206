/*
 * The promises of chapters 07 (net) and 08 (user), shared by every later
 * chapter's tests. See promises-net-user.h.
 *
 * The tests run the untouched exercises as root, so each one checks what
 * it relies on before it acts on it: a ping goes to the container's veth
 * only once the container is shown to have its own network namespace and
 * the host end exists with the promised address; a file is written under
 * /mnt only once /mnt is shown to be the test's host directory, never
 * ROOTFS's own /mnt.
 */
#define _GNU_SOURCE
#include "promises-net-user.h"
#include "promises-cgroup-time.h"
#include "promises.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- The host's side of things ---------------------------------------------- */

static const char *veth_name(int n)
{
	static char name[2][IF_NAMESIZE];
	static int slot;

	slot = !slot;
	snprintf(name[slot], sizeof(name[slot]), "dcveth%d", n);
	return name[slot];
}

/* The host ends this test's containers reported, ",dcveth0,dcveth1,": the teardown's to remove. */
static char veths_seen[4096];

/*
 * The N of the container's eth0=10.200.N.2/24 in the probe's addrs, or
 * -1; dcvethN is then this test's to clean up.
 */
static int subnet_of(const char *addrs)
{
	const char *eth0 = addrs ? strstr(addrs, "eth0=10.200.") : NULL;
	int n, end = 0;

	if (eth0 == NULL || sscanf(eth0, "eth0=10.200.%d.2/24%n", &n, &end) != 1 || end == 0 ||
	    n < 0 || n > 255 || (eth0[end] != ',' && eth0[end] != '\0'))
		return -1;
	if (strlen(veths_seen) + IF_NAMESIZE + 1 < sizeof(veths_seen)) {
		strcat(veths_seen, veth_name(n));
		strcat(veths_seen, ",");
	}
	return n;
}

static bool host_has_link(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

/* 10.200.N.HOST in network byte order. */
static in_addr_t subnet_address(int n, int host)
{
	return htonl((10u << 24) | (200u << 16) | ((unsigned)n << 8) | (unsigned)host);
}

/* Whether the host end, dcvethN, is there with the address 10.200.N.1/24. */
static bool host_end_is_there(int n)
{
	struct ifaddrs *list;
	bool found = false;

	if (n < 0 || getifaddrs(&list) == -1)
		return false;
	for (const struct ifaddrs *a = list; a != NULL; a = a->ifa_next) {
		struct sockaddr_in addr, mask;

		if (a->ifa_addr == NULL || a->ifa_netmask == NULL ||
		    a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, veth_name(n)) != 0)
			continue;
		memcpy(&addr, a->ifa_addr, sizeof(addr));
		memcpy(&mask, a->ifa_netmask, sizeof(mask));
		if (addr.sin_addr.s_addr == subnet_address(n, 1) &&
		    mask.sin_addr.s_addr == htonl(0xffffff00))
			found = true;
	}
	freeifaddrs(list);
	return found;
}

/*
 * A veth pair goes with the last reference to its network namespace,
 * which the kernel tears down in the background: wait for a link to go,
 * up to a generous bound (a timeout, not a promise about speed).
 */
static bool link_vanishes(const char *name)
{
	for (int try = 0; try < 200; try++) {
		if (!host_has_link(name))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* The host's dcveth* links, as names in one comma-joined string. */
static void list_veths(char *names, size_t size)
{
	DIR *dir = opendir("/sys/class/net");
	const struct dirent *e;

	names[0] = '\0';
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, "dcveth", 6) != 0 ||
		    strlen(names) + strlen(e->d_name) + 2 > size)
			continue;
		strcat(names, ",");
		strcat(names, e->d_name);
	}
	closedir(dir);
	strcat(names, ",");
}

/* Whether a list from list_veths holds `name`. */
static bool veth_listed(const char *names, const char *name)
{
	char item[IF_NAMESIZE + 2];

	snprintf(item, sizeof(item), ",%s,", name);
	return strstr(names, item) != NULL;
}

/* ---- Around each test ------------------------------------------------------ */

static char veths_before[4096];

int net_user_setup_test(void **state)
{
	(void)state;
	list_veths(veths_before, sizeof(veths_before));
	snprintf(veths_seen, sizeof(veths_seen), ",");
	return 0;
}

/* Whether a veth's other end is in another network namespace: a live one, as the pair is here. */
static bool peer_elsewhere(const char *name)
{
	struct run r;

	run_program(&r, (const char *[]){"ip", "-o", "link", "show", "dev", name, NULL}, NULL);
	bool elsewhere = strstr(r.out, "link-netns") != NULL;
	run_free(&r);
	return elsewhere;
}

/*
 * A dcveth that appeared during the test and is still there once its
 * containers have ended (and the kernel has had a while): delete it.
 * Unless the test's containers reported it, and its other end is in a
 * live namespace, it may be another container's (another test run, at
 * the same time): then only say so.
 */
int net_user_teardown_test(void **state)
{
	char now[4096];

	list_veths(now, sizeof(now));
	for (char *save = NULL, *name = strtok_r(now, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		struct run r;

		if (veth_listed(veths_before, name) || link_vanishes(name))
			continue;
		if (!veth_listed(veths_seen, name) && peer_elsewhere(name)) {
			fprintf(stderr,
				"promises: %s appeared during the test and is still there; "
				"not ours to delete?\n",
				name);
			continue;
		}
		fprintf(stderr, "promises: the container left %s on the host; deleting it\n", name);
		run_program(&r, (const char *[]){"ip", "link", "delete", name, NULL}, NULL);
		if (r.exit_code != 0)
			fprintf(stderr, "promises: ip link delete %s: %s", name, r.err);
		run_free(&r);
	}
	return harness_teardown_test(state);
}

/* ---- Processes ----------------------------------------------------------------- */

/* Whether the host sees `pid` with every uid and gid (real, effective, saved, fs) = id. */
static bool runs_as(pid_t pid, unsigned id)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char *status = pid > 0 ? read_file_if_there(path) : NULL;
	const char *uid = status ? strstr(status, "\nUid:") : NULL;
	const char *gid = status ? strstr(status, "\nGid:") : NULL;
	unsigned u[4], g[4];
	bool ok = uid && gid &&
		  sscanf(uid, "\nUid: %u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4 &&
		  sscanf(gid, "\nGid: %u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4;

	for (int i = 0; ok && i < 4; i++)
		ok = u[i] == id && g[i] == id;
	if (!ok)
		print_error("process %d: expected uid and gid %u on the host, status:\n%s\n",
			    (int)pid, id, status ? status : "(gone)");
	free(status);
	return ok;
}

/* A live process with `word` as one of its arguments (or, with `prefix`, one that starts so), or 0. */
static pid_t process_with(const char *word, bool prefix)
{
	DIR *proc = opendir("/proc");
	const struct dirent *e;
	pid_t found = 0;

	assert_non_null(proc);
	while (found == 0 && (e = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		/* A zombie has no cmdline (an empty one): only the living count. */
		char path[64];
		size_t length;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		char *cmdline = read_bytes_if_there(path, &length);
		if (cmdline == NULL)
			continue;
		/* "ARG\0ARG\0...": each argument ends at its NUL, or at the end. */
		for (size_t at = 0; at < length; at += strlen(cmdline + at) + 1) {
			if (prefix ? strncmp(cmdline + at, word, strlen(word)) == 0
				   : strcmp(cmdline + at, word) == 0)
				found = pid;
		}
		free(cmdline);
	}
	closedir(proc);
	return found;
}

static pid_t process_with_arg(const char *word)
{
	return process_with(word, false);
}

/*
 * Chapter 12: the container's name is in config.json, not on a command
 * line; the adapter's ids are. Every process of this test's dcrun runs
 * (dcrun itself, and its container's before the exec) has an argument
 * "dc-test-PID-N" (tests/runtime-adapter.c).
 */
static const char *dcrun_id_prefix(void)
{
	static char prefix[32];

	snprintf(prefix, sizeof(prefix), "dc-test-%d-", (int)getpid());
	return prefix;
}

/* Whether every process with `word` in its arguments (or, with dcrun, any of its runs) is gone. */
static bool processes_gone(const char *word)
{
	bool prefix = runtime_adapter_active();

	for (int try = 0; try < 200; try++) {
		if (process_with(prefix ? dcrun_id_prefix() : word, prefix) == 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* ---- Running rootless ------------------------------------------------------------ */

/* A rootless run: nobody (uid and gid 65534, no groups) starts the container. */
static void run_rootless(struct run *r, const char *const args[])
{
	run_start_rootless(r, "container", args);
	run_finish(r);
}

/* ---- 07 net ------------------------------------------------------------------ */

/*
 * A new network namespace has only lo. The container brings it up, and
 * has nothing of the host's: no interface, no address. --net none is
 * the default, said out loud.
 */
void test_only_lo_and_it_is_up(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "ns.net", "ifaces", "addrs",
					   NULL});
	assert_exit(&r, 0);
	if (!probe_in_own_namespace(&r, "net"))
		dc_fail("the container is in the host's network namespace:\n%s", r.out);
	assert_string_equal(probe_get(&r, "ifaces"), "lo:up");
	assert_string_equal(probe_get(&r, "addrs"), "lo=127.0.0.1/8");
	run_free(&r);

	run_container(&r, (const char *[]){"--net", "none", test_rootfs(), "/bin/probe", "ns.net",
					   "ifaces", NULL});
	assert_exit(&r, 0);
	if (!probe_in_own_namespace(&r, "net"))
		dc_fail("the container is in the host's network namespace:\n%s", r.out);
	assert_string_equal(probe_get(&r, "ifaces"), "lo:up");
	run_free(&r);
}

/* lo is up, so 127.0.0.1 answers inside: the container's own loopback. */
void test_loopback_works_inside(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(&r, (const char *[]){test_rootfs(), "/bin/sh", "-c",
					   "/bin/probe ns.net && ping -c 1 -W 5 127.0.0.1", NULL});
	assert_exit(&r, 0);
	/* The host's lo answers too: only a namespace of its own makes it the container's. */
	if (!probe_in_own_namespace(&r, "net"))
		dc_fail("the container is in the host's network namespace:\n%s", r.out);
	assert_contains(r.out, "1 packets received");
	run_free(&r);
}

/*
 * --net veth wires the container to the host: eth0 inside is
 * 10.200.N.2/24, the host end dcvethN is 10.200.N.1/24, and each side
 * answers the other's ping. The container waits on its stdin while the
 * host pings it, then pings the address the test sends it.
 */
void test_veth_connects_container_and_host(void **state)
{
	struct run r, ping = {0};
	char addrs[256] = "";
	bool ready = false, pinged = false, ping_inside = false;

	(void)state;
	require_root();
	run_start(&r, "container",
		  (const char *[]){"--net", "veth", test_rootfs(), "/bin/sh", "-c",
				   "/bin/probe ns.net addrs; echo ready; read target || exit 0; "
				   "ping -c 1 -W 5 -I eth0 \"$target\"; echo ping-exit=$?; "
				   "read line || true",
				   NULL});
	for (const char *line; !ready && (line = run_read_line(&r)) != NULL;) {
		if (strncmp(line, "addrs=", 6) == 0)
			snprintf(addrs, sizeof(addrs), "%s", line + 6);
		ready = strcmp(line, "ready") == 0;
	}
	int n = subnet_of(addrs);
	bool own_ns = probe_in_own_namespace(&r, "net");
	bool host_end = host_end_is_there(n);
	/* Only now is 10.200.N.0/24 known to be the container's own cable. */
	if (ready && own_ns && host_end) {
		char target[32];

		snprintf(target, sizeof(target), "10.200.%d.2", n);
		run_program(&ping,
			    (const char *[]){"/bin/busybox", "ping", "-c", "1", "-W", "5", "-I",
					     veth_name(n), target, NULL},
			    NULL);
		pinged = true;
		snprintf(target, sizeof(target), "10.200.%d.1\n", n);
		if (write(r.in_fd, target, strlen(target)) == (ssize_t)strlen(target)) {
			for (const char *line; !ping_inside && (line = run_read_line(&r)) != NULL;)
				ping_inside = strcmp(line, "ping-exit=0") == 0;
		}
	}
	run_finish(&r);

	assert_exit(&r, 0);
	assert_true(ready);
	if (!own_ns)
		dc_fail("the container is in the host's network namespace:\n%s", r.out);
	if (n < 0)
		dc_fail("no eth0=10.200.N.2/24 in the container: addrs=%s", addrs);
	if (!host_end)
		dc_fail("no %s with 10.200.%d.1/24 on the host", veth_name(n), n);
	assert_true(pinged);
	assert_exit(&ping, 0);
	assert_contains(ping.out, "1 packets received");
	if (!ping_inside)
		run_dump(&r, "the container's ping of the host end");
	assert_true(ping_inside);
	run_free(&ping);
	run_free(&r);
}

/* /proc/net/route prints an IPv4 address as the hex of its 32 bits in memory. */
void test_default_route_goes_through_host_end(void **state)
{
	struct run r;
	char gateway[16] = "", iface[16] = "";

	(void)state;
	require_root();
	run_container(&r, (const char *[]){"--net", "veth", test_rootfs(), "/bin/sh", "-c",
					   "/bin/probe addrs && cat /proc/net/route", NULL});
	assert_exit(&r, 0);
	int n = subnet_of(probe_get(&r, "addrs"));
	if (n < 0)
		dc_fail("no eth0=10.200.N.2/24 in the container: %s", r.out);
	for (const char *line = strstr(r.out, "\nIface"); line; line = strchr(line + 1, '\n')) {
		char name[16], destination[16], via[16];

		if (sscanf(line, "\n%15s %15s %15s", name, destination, via) == 3 &&
		    strcmp(destination, "00000000") == 0) {
			snprintf(iface, sizeof(iface), "%s", name);
			snprintf(gateway, sizeof(gateway), "%s", via);
		}
	}
	char expected[16];
	snprintf(expected, sizeof(expected), "%08X", (unsigned)subnet_address(n, 1));
	if (strcmp(gateway, expected) != 0 || strcmp(iface, "eth0") != 0)
		dc_fail("expected a default route via 10.200.%d.1 (%s) on eth0, in:\n%s", n,
			expected, r.out);
	run_free(&r);
}

/*
 * Two containers at once each take a subnet of their own, and a host end
 * of their own: dcvethN and dcvethM, both on the host while they run.
 */
void test_two_containers_get_their_own_subnets(void **state)
{
	const char *const args[] = {"--net",   "veth", test_rootfs(),
				    "/bin/sh", "-c",   "/bin/probe addrs; read line || true",
				    NULL};
	struct run a, b;
	char veths[4096];
	const char *line;

	(void)state;
	require_root();
	run_start(&a, "container", args);
	line = run_read_line(&a);
	int na = line ? subnet_of(strncmp(line, "addrs=", 6) == 0 ? line + 6 : NULL) : -1;
	run_start(&b, "container", args);
	line = run_read_line(&b);
	int nb = line ? subnet_of(strncmp(line, "addrs=", 6) == 0 ? line + 6 : NULL) : -1;
	list_veths(veths, sizeof(veths));
	run_finish(&a);
	run_finish(&b);

	assert_exit(&a, 0);
	assert_exit(&b, 0);
	if (na < 0 || nb < 0)
		dc_fail("a container has no eth0=10.200.N.2/24:\n%s%s", a.out, b.out);
	assert_int_not_equal(na, nb);
	if (!veth_listed(veths, veth_name(na)) || !veth_listed(veths, veth_name(nb)))
		dc_fail("expected %s and %s on the host while both ran; it had: %s", veth_name(na),
			veth_name(nb), veths);
	run_free(&a);
	run_free(&b);
}

/*
 * Start a container with --net veth; once it reports its subnet, maybe
 * SIGKILL the container program; then check its host end goes.
 */
static void check_veth_goes(bool kill_it)
{
	struct run r;
	char name[IF_NAMESIZE] = "";

	require_root();
	run_start(&r, "container",
		  (const char *[]){"--net", "veth", test_rootfs(), "/bin/sh", "-c",
				   "/bin/probe addrs; read line || true", NULL});
	const char *line = run_read_line(&r);
	int n = line && strncmp(line, "addrs=", 6) == 0 ? subnet_of(line + 6) : -1;
	bool there = n >= 0 && host_has_link(veth_name(n));
	if (n >= 0)
		snprintf(name, sizeof(name), "%s", veth_name(n));
	if (kill_it)
		run_signal(&r, SIGKILL);
	run_finish(&r);

	assert_exit(&r, kill_it ? 128 + SIGKILL : 0);
	if (n < 0)
		dc_fail("no eth0=10.200.N.2/24 in the container: %s", r.out);
	if (!there)
		dc_fail("no %s on the host while the container ran", name);
	if (!link_vanishes(name))
		dc_fail("%s is still on the host after the container %s", name,
			kill_it ? "program was killed" : "exited");
	run_free(&r);
}

/* The veth pair goes with the container. */
void test_no_veth_left_after_exit(void **state)
{
	(void)state;
	check_veth_goes(false);
}

/*
 * ...even when the container program is SIGKILLed and cannot clean up:
 * the container dies with it, and the pair with the container's network
 * namespace.
 */
void test_no_veth_left_after_container_is_killed(void **state)
{
	(void)state;
	check_veth_goes(true);
}

void test_bad_net_value_is_a_clear_error(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_container(
		&r, (const char *[]){"--net", "bridge", test_rootfs(), "/bin/probe", "uid", NULL});
	assert_exit(&r, 125);
	assert_contains(r.err, "--net");
	assert_contains(r.err, "bridge");
	assert_string_equal(r.out, "");
	run_free(&r);
}

/* ---- 08 user ----------------------------------------------------------------- */

/* By default root inside is the caller outside: uid_map "0 UID 1". */
void test_root_inside_is_the_caller_outside(void **state)
{
	struct run r;
	char uid_map[64], gid_map[64];

	(void)state;
	require_root();
	snprintf(uid_map, sizeof(uid_map), "0 %u 1", (unsigned)getuid());
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", (unsigned)getgid());
	run_container(&r, (const char *[]){test_rootfs(), "/bin/probe", "uid", "gid", "euid",
					   "egid", "uid_map", "gid_map", "ns.user", NULL});
	assert_exit(&r, 0);
	assert_true(probe_in_own_namespace(&r, "user"));
	assert_string_equal(probe_get(&r, "uid"), "0");
	assert_string_equal(probe_get(&r, "gid"), "0");
	assert_string_equal(probe_get(&r, "euid"), "0");
	assert_string_equal(probe_get(&r, "egid"), "0");
	assert_string_equal(probe_get(&r, "uid_map"), uid_map);
	assert_string_equal(probe_get(&r, "gid_map"), gid_map);
	run_free(&r);
}

/*
 * Rootless: an ordinary user (nobody, 65534) starts the whole container,
 * every namespace of it. Inside it is root; the host sees its processes
 * as what they are, nobody's.
 */
void test_rootless_container_has_every_namespace(void **state)
{
	static const char *const types[] = {"mnt", "uts", "ipc", "pid", "net", "user"};
	struct run r;
	bool ready = false;

	(void)state;
	require_root();
	run_start_rootless(
		&r, "container",
		(const char *[]){test_rootfs_for_others(), "/bin/sh", "-c",
				 "/bin/probe uid gid uid_map gid_map ns.mnt ns.uts ns.ipc "
				 "ns.pid ns.net ns.user; echo ready; read line || true",
				 NULL});
	for (const char *line; !ready && (line = run_read_line(&r)) != NULL;)
		ready = strcmp(line, "ready") == 0;
	pid_t init = ready ? child_of(r.pid) : 0;
	/* runc has no init: through dcrun, the container's first process is the command. */
	pid_t command = runtime_adapter_active() ? init : init ? child_of(init) : 0;
	bool init_is_nobody = init && runs_as(init, NOBODY);
	bool command_is_nobody = command && runs_as(command, NOBODY);
	run_finish(&r);

	assert_exit(&r, 0);
	assert_true(ready);
	assert_string_equal(probe_get(&r, "uid"), "0");
	assert_string_equal(probe_get(&r, "gid"), "0");
	assert_string_equal(probe_get(&r, "uid_map"), "0 65534 1");
	assert_string_equal(probe_get(&r, "gid_map"), "0 65534 1");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (!probe_in_own_namespace(&r, types[i]))
			dc_fail("the rootless container shares the host's %s namespace:\n%s",
				types[i], r.out);
	}
	assert_true(init_is_nobody);
	assert_true(command_is_nobody);
	run_free(&r);
}

/*
 * A host directory, bind-mounted at /mnt, owned by `owner`, with a file
 * from the host in it, by which the container tells it from ROOTFS's /mnt.
 */
static char *shared_dir(uid_t owner, char *bind, size_t size)
{
	char *dir = make_temp_dir("bind");
	char path[4096];

	snprintf(path, sizeof(path), "%s/host-file", dir);
	write_file(path, "written on the host\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, owner, owner), 0);
	snprintf(bind, size, "%s:/mnt", dir);
	return dir;
}

/* Fails (exit 3) unless /mnt is the test's host directory, so nothing lands in ROOTFS. */
#define ONLY_IF_SHARED                                                                             \
	"[ -e /mnt/host-file ] || { echo '/mnt is not the host directory' >&2; exit 3; }; "

/*
 * A file made inside by root on a bind-mounted host directory belongs,
 * on the host, to the outside uid that root inside is mapped to: 100000
 * with --uid-map "0 100000 65536", and 65534 when nobody started it.
 */
static void check_owner_of_file_made_inside(bool rootless)
{
	enum { BASE = 100000 };
	const char *script =
		ONLY_IF_SHARED "touch /mnt/made-inside && stat -c '%u %g' /mnt/made-inside";
	unsigned outside = rootless ? NOBODY : BASE;
	char bind[4200], path[4200];
	struct run r;
	struct stat st;

	char *dir = shared_dir(outside, bind, sizeof(bind));
	const char *rootfs = test_rootfs_for_others(); /* root inside is not root outside */
	if (rootless)
		run_rootless(&r, (const char *[]){"--bind", bind, rootfs, "/bin/sh", "-c", script,
						  NULL});
	else
		run_container(&r, (const char *[]){"--uid-map", "0 100000 65536", "--gid-map",
						   "0 100000 65536", "--bind", bind, rootfs,
						   "/bin/sh", "-c", script, NULL});
	assert_exit(&r, 0);
	/* Root's inside... */
	assert_string_equal(r.out, "0 0\n");
	run_free(&r);
	/* ...and the mapped user's outside. */
	snprintf(path, sizeof(path), "%s/made-inside", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, outside);
	assert_int_equal(st.st_gid, outside);
}

void test_file_made_inside_is_owned_by_mapped_uid(void **state)
{
	(void)state;
	require_root();
	check_owner_of_file_made_inside(false);
	check_owner_of_file_made_inside(true);
}

/*
 * Root inside has root's powers only over what its user namespace owns.
 * A host file of the host's root, mode 0644, shared into the container,
 * stays read-only to it: root inside is 100000, or nobody, outside.
 */
static void check_host_file_stays_unwritten(bool rootless)
{
	const char *script = ONLY_IF_SHARED "id -u; echo changed > /mnt/host-file";
	char bind[4200], path[4200];
	struct run r;

	char *dir = shared_dir(0, bind, sizeof(bind));
	const char *rootfs = test_rootfs_for_others(); /* root inside is not root outside */
	if (rootless)
		run_rootless(&r, (const char *[]){"--bind", bind, rootfs, "/bin/sh", "-c", script,
						  NULL});
	else
		run_container(&r, (const char *[]){"--uid-map", "0 100000 65536", "--gid-map",
						   "0 100000 65536", "--bind", bind, rootfs,
						   "/bin/sh", "-c", script, NULL});
	assert_exit(&r, 1);
	assert_string_equal(r.out, "0\n");
	assert_contains(r.err, "Permission denied");
	run_free(&r);
	snprintf(path, sizeof(path), "%s/host-file", dir);
	char *text = read_file(path);
	bool unchanged = strcmp(text, "written on the host\n") == 0;
	free(text);
	assert_true(unchanged);
}

void test_root_inside_cannot_write_host_root_file(void **state)
{
	(void)state;
	require_root();
	check_host_file_stays_unwritten(false);
	check_host_file_stays_unwritten(true);
}

/*
 * A map the kernel refuses ends the start: the message names the map
 * (`map`: the file, or config.json's key) and the reason, the exit
 * status is 125 (1 through dcrun), and nothing is left behind -- no process (the child
 * waiting for its go-ahead dies with its parent) and no mount. `name`
 * marks the run's processes.
 */
static void check_refused_map(struct run *r, const char *name, const char *map, const char *reason,
			      const char *before)
{
	char *after = host_mount_table();
	bool mounts_unchanged = strcmp(before, after) == 0;

	free(after);
	/* runc exits 1 for any failed start; dcrun leaves no state or cgroup either. */
	if (runtime_adapter_active()) {
		assert_exit(r, 1);
		if (runtime_adapter_leftover())
			dc_fail("the refused container left %s", runtime_adapter_leftover());
	} else {
		assert_exit(r, 125);
	}
	/* One line says it all: "container: write /proc/PID/uid_map 0 0 1: Operation not permitted". */
	bool said = false;
	for (const char *line = r->err; line && *line && !said; line = strchr(line, '\n')) {
		line += *line == '\n';
		size_t len = strcspn(line, "\n");
		char *copy = strndup(line, len);
		assert_non_null(copy);
		said = strstr(copy, map) && strstr(copy, reason);
		free(copy);
	}
	if (!said)
		dc_fail("expected one line naming %s and \"%s\" in:\n%s", map, reason, r->err);
	assert_string_equal(r->out, "");
	if (!processes_gone(name))
		dc_fail("process %d of the refused container is still running",
			(int)(runtime_adapter_active() ? process_with(dcrun_id_prefix(), true)
						       : process_with_arg(name)));
	assert_true(mounts_unchanged);
}

/*
 * Root inside is uid 100000 outside, and the kernel checks paths as that
 * uid: a rootfs behind a directory closed to others (a 0700 home, /root)
 * is out of its reach. The start fails, names the rootfs and says why,
 * and leaves no mount.
 */
void test_rootfs_out_of_the_mapped_uids_reach_is_a_clear_error(void **state)
{
	struct run r;
	char rootfs[4096];

	(void)state;
	require_root();
	char *closed = make_temp_dir("closed"); /* mkdtemp(3) makes it 0700 */
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", closed);
	assert_int_equal(mkdir(rootfs, 0755), 0);
	char *before = host_mount_table();
	run_container(&r, (const char *[]){"--uid-map", "0 100000 65536", "--gid-map",
					   "0 100000 65536", rootfs, "/bin/true", NULL});
	char *after = host_mount_table();
	bool mounts_unchanged = strcmp(before, after) == 0;
	free(before);
	free(after);

	/* runc exits 1 for any failed start. */
	assert_exit(&r, runtime_adapter_active() ? 1 : 125);
	assert_contains(r.err, rootfs);
	assert_contains(r.err, "Permission denied");
	assert_contains(r.err, "chmod o+x");
	assert_string_equal(r.out, "");
	assert_true(mounts_unchanged);
	run_free(&r);
}

/* Two ranges that overlap: 5..9 inside would be two users at once. */
void test_overlapping_map_is_a_clear_error(void **state)
{
	struct run r;
	char name[64];

	(void)state;
	require_root();
	snprintf(name, sizeof(name), "dc-overlap-%d", (int)getpid());
	char *before = host_mount_table();
	run_container(&r, (const char *[]){"--hostname", name, "--uid-map", "0 100000 10",
					   "--uid-map", "5 200000 10", test_rootfs_for_others(),
					   "/bin/probe", "uid", NULL});
	/* dcrun checks config.json's maps before it makes anything, as the kernel would. */
	if (runtime_adapter_active())
		check_refused_map(&r, name, "linux.uidMappings[1]", "overlaps", before);
	else
		check_refused_map(&r, name, "uid_map", "Invalid argument", before);
	free(before);
	run_free(&r);
}

/* Without privilege on the host, a user may map only itself: not root. */
void test_rootless_cannot_map_another_uid(void **state)
{
	struct run r;
	char name[64];

	(void)state;
	require_root();
	snprintf(name, sizeof(name), "dc-maproot-%d", (int)getpid());
	char *before = host_mount_table();
	run_rootless(&r, (const char *[]){"--hostname", name, "--uid-map", "0 0 1",
					  test_rootfs_for_others(), "/bin/probe", "uid", NULL});
	check_refused_map(&r, name, "uid_map", "Operation not permitted", before);
	free(before);
	run_free(&r);
}

/* A map that is not "INSIDE OUTSIDE COUNT" is refused up front: nothing starts (no narration). */
void test_malformed_map_is_rejected_before_start(void **state)
{
	static const char *const options[] = {"--uid-map", "--gid-map"};
	struct run r;

	(void)state;
	require_root();
	for (size_t i = 0; i < 2; i++) {
		run_container(&r, (const char *[]){"-v", options[i], "0 1000", test_rootfs(),
						   "/bin/probe", "uid", NULL});
		assert_exit(&r, 125);
		assert_contains(r.err, "0 1000");
		assert_contains(r.err, "INSIDE OUTSIDE COUNT");
		assert_not_contains(r.err, "=>");
		assert_string_equal(r.out, "");
		run_free(&r);
	}
}

/*
 * The host's network is the host root's: a rootless user cannot plug a
 * veth into it, and is told so.
 */
void test_rootless_veth_needs_root(void **state)
{
	struct run r;

	(void)state;
	require_root();
	run_rootless(&r, (const char *[]){"--net", "veth", test_rootfs_for_others(), "/bin/probe",
					  "addrs", NULL});
	assert_exit(&r, 125);
	assert_contains(r.err, "Operation not permitted");
	assert_contains(r.err, "need root on the host");
	assert_string_equal(r.out, "");
	run_free(&r);
}

/*
 * Chapter 03 leaves one door open: root inside may mknod any device, and
 * /dev/kmsg (1:11) reads the host's kernel log. In a user namespace mknod
 * needs CAP_MKNOD in the *initial* one, which root inside never has --
 * with the default map or a remapped one.
 */
void test_root_inside_cannot_make_device_nodes(void **state)
{
	const char *script = "mknod /dev/dc-kmsg c 1 11; echo mknod=$?; "
			     "head -c 200 /dev/dc-kmsg 2>/dev/null";
	struct run r;

	(void)state;
	require_root();
	for (int remapped = 0; remapped < 2; remapped++) {
		if (remapped)
			run_container(&r,
				      (const char *[]){"--uid-map", "0 100000 65536", "--gid-map",
						       "0 100000 65536", test_rootfs_for_others(),
						       "/bin/sh", "-c", script, NULL});
		else
			run_container(
				&r, (const char *[]){test_rootfs(), "/bin/sh", "-c", script, NULL});
		if (strstr(r.out, "mknod=0"))
			dc_fail("root inside (%s) made /dev/kmsg's node:\n%s",
				remapped ? "remapped" : "the default map", r.out);
		assert_contains(r.err, "Operation not permitted");
		assert_not_contains(r.out, "Linux version");
		run_free(&r);
	}
}

/*
 * Chapter 12: a runc container outlives a killed `runc run`, by design:
 * whoever ran it ends it with `delete --force`. That must hold for a
 * remapped or rootless container too, whose credentials changed: after a
 * SIGKILL of dcrun, delete --force, by the same user, ends its command
 * and removes its state. No container runs on unseen.
 */
static void assert_deleted_after_its_runtime_is_killed(const char *const options[], bool rootless)
{
	char mark[32], root[4096] = "", id[256] = "", path[4400];
	const char *args[16];
	pid_t pids[4];
	struct run r;
	size_t n = 0;
	int found = 0, left = 0, deleted = -1;

	snprintf(mark, sizeof(mark), "5%07d", (int)getpid());
	for (size_t i = 0; options[i] != NULL && n < 10; i++)
		args[n++] = options[i];
	args[n++] = test_rootfs_for_others();
	args[n++] = "/bin/sleep";
	args[n++] = mark;
	args[n] = NULL;
	if (rootless)
		run_start_rootless(&r, "container", args);
	else
		run_start(&r, "container", args);
	for (int tries = 0; tries < (under_valgrind() ? 3000 : 500) && found == 0; tries++) {
		found = find_sleeping(mark, pids, 4);
		if (found == 0)
			usleep(10000);
	}
	/* Its --root and id, from its command line while it lives. */
	bool known = found > 0 && dcrun_container_of(&r, root, sizeof(root), id, sizeof(id));
	run_signal(&r, SIGKILL);
	if (known)
		deleted = dcrun_delete_force(root, id, rootless);
	for (int tries = 0; found > 0 && tries < 500; tries++) {
		if ((left = find_sleeping(mark, pids, 4)) == 0)
			break;
		usleep(10000);
	}
	for (int i = 0; i < left; i++)
		kill(pids[i], SIGKILL);
	run_finish(&r);
	if (found == 0)
		run_dump(&r, "the container's sleep never started");
	assert_true(found > 0);
	assert_true(known);
	assert_exit(&r, 128 + SIGKILL);
	run_free(&r);
	assert_int_equal(deleted, 0);
	if (left > 0)
		dc_fail("the container's command (host pid %d) outlived dcrun delete --force, after "
			"dcrun run was killed with SIGKILL",
			(int)pids[0]);
	snprintf(path, sizeof(path), "%s/%s", root, id);
	if (access(path, F_OK) == 0)
		dc_fail("dcrun delete --force left the container's state, %s", path);
}

/*
 * Lessons 03 and 09 promise that the container dies with the program
 * that started it. Root remapped by --uid-map, and a rootless user, are
 * the cases where the container's credentials change (setresuid to the
 * namespace's root), and a change of credentials clears the parent-death
 * signal.
 */
void test_remapped_container_dies_with_its_parent(void **state)
{
	const char *const remapped[] = {"--uid-map", "0 100000 65536", "--gid-map",
					"0 100000 65536", NULL};

	(void)state;
	require_root();
	if (runtime_adapter_active())
		assert_deleted_after_its_runtime_is_killed(remapped, false);
	else
		assert_container_dies_with_its_parent(remapped, test_rootfs_for_others(), false);
}

void test_rootless_container_dies_with_its_parent(void **state)
{
	(void)state;
	require_root();
	if (runtime_adapter_active())
		assert_deleted_after_its_runtime_is_killed((const char *[]){NULL}, true);
	else
		assert_container_dies_with_its_parent((const char *[]){NULL},
						      test_rootfs_for_others(), true);
}

/*
 * --bind HOST:INSIDE, where the image has made INSIDE a symlink
 * (/dc-link-PID -> /mnt). INSIDE is resolved within the rootfs, as the
 * container will see it, so HOST appears at /mnt inside -- not over the
 * host's own /mnt in the container's mount namespace, where no one would
 * ever see it. An INSIDE with ".." is refused, and a missing one is
 * named in the error. (runc resolves ".." inside the rootfs too, and
 * makes a missing INSIDE there: see below.)
 */
void test_bind_target_is_resolved_inside_the_rootfs(void **state)
{
	struct run r;
	char *host = make_temp_dir("bind");
	char marker[4096 + 16], link[4096], name[64], bind[4096 + 64];

	(void)state;
	require_root();
	snprintf(marker, sizeof(marker), "%s/marker", host);
	write_file(marker, "shared from the host\n");
	snprintf(name, sizeof(name), "dc-link-%d", (int)getpid());
	snprintf(link, sizeof(link), "%s/%s", test_rootfs(), name);
	assert_int_equal(symlink("/mnt", link), 0);
	snprintf(bind, sizeof(bind), "%s:/%s", host, name);
	run_container(&r, (const char *[]){"--bind", bind, test_rootfs(), "/bin/cat", "/mnt/marker",
					   NULL});
	unlink(link);
	/* Without openat2(2) (valgrind 3.19 lacks it) refusing the symlink is safe too. */
	if (!(r.exit_code == 125 && strstr(r.err, "openat2"))) {
		if (r.exit_code != 0)
			print_error(
				"--bind %s: the host directory is not at /mnt, where /%s points "
				"inside the rootfs\n",
				bind, name);
		assert_exit(&r, 0);
		assert_string_equal(r.out, "shared from the host\n");
	}
	run_free(&r);

	snprintf(bind, sizeof(bind), "%s:/../mnt", host);
	if (runtime_adapter_active()) {
		/* runc (securejoin) stops ".." at the rootfs's /: the host directory is at /mnt. */
		run_container(&r, (const char *[]){"--bind", bind, test_rootfs(), "/bin/cat",
						   "/mnt/marker", NULL});
		assert_exit(&r, 0);
		assert_string_equal(r.out, "shared from the host\n");
	} else {
		run_container(&r,
			      (const char *[]){"--bind", bind, test_rootfs(), "/bin/true", NULL});
		assert_exit(&r, 125);
		assert_contains(r.err, "without \"..\"");
	}
	run_free(&r);

	snprintf(name, sizeof(name), "/no-such-dir-%d", (int)getpid());
	snprintf(bind, sizeof(bind), "%s:%s", host, name);
	if (runtime_adapter_active()) {
		/* runc makes a missing destination, inside the rootfs: never on the host. */
		char inside[4096 + 64], marker_inside[128];

		snprintf(marker_inside, sizeof(marker_inside), "%s/marker", name);
		run_container(&r, (const char *[]){"--bind", bind, test_rootfs(), "/bin/cat",
						   marker_inside, NULL});
		snprintf(inside, sizeof(inside), "%s%s", test_rootfs(), name);
		/* The directory made in the shared rootfs goes at once: only an empty one can. */
		bool made_inside = rmdir(inside) == 0;
		if (access(name, F_OK) == 0)
			dc_fail("--bind %s made %s on the host, not in the rootfs", bind, name);
		assert_exit(&r, 0);
		assert_string_equal(r.out, "shared from the host\n");
		assert_true(made_inside);
	} else {
		run_container(&r,
			      (const char *[]){"--bind", bind, test_rootfs(), "/bin/true", NULL});
		assert_exit(&r, 125);
		assert_contains(r.err, name);
		assert_contains(r.err, "INSIDE must exist in ROOTFS");
	}
	run_free(&r);
}
