/*
 * The unit tier: what chapter 10 checks before it starts anything (the
 * option parsers, the ID-map and --bind syntax), the rtnetlink messages
 * it builds, the exit status it reports, and the hints it gives. No root and no container:
 * each test calls the function and reads what it returns, what it
 * printed, and the bytes it wrote.
 *
 * These functions are static in a one-file chapter, so this file includes
 * the chapter itself, with its main renamed: the tests run the very code
 * the workshop shows, not a copy. Every function is the same from the
 * chapter that adds it up to 10, so each is tested once, here. The
 * renamed main is still an external function that calls them all, so no
 * static goes unused and -Wunused-function needs no pragma.
 */
#define main container_main_program
#include "../solutions/10-time/container.c"
#undef main

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* --- what a function said on stderr ---------------------------------------- */

/*
 * The parsers explain a refusal on stderr. A test hears it through a
 * temporary file in fd 2, and gives fd 2 back before it asserts anything:
 * cmocka reports failures on stderr too.
 */
static int saved_stderr = -1;
static FILE *heard;
static char said[1024];

static void listen_to_stderr(void)
{
	fflush(stderr);
	heard = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (heard == NULL || saved_stderr == -1 || dup2(fileno(heard), STDERR_FILENO) == -1)
		fail_msg("cannot capture stderr: %s", strerror(errno));
}

static void stop_listening(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(heard);
	size_t n = fread(said, 1, sizeof(said) - 1, heard);
	said[n] = '\0';
	fclose(heard);
}

/* --- integer options: --memory, --pids, --uptime-offset --------------------- */

typedef bool integer_parser(const char *text, long long *value);

/* TEXT as OPTION's value: it must be taken, silently. */
static long long parsed(integer_parser *parse, const char *option, const char *text)
{
	long long value = 0;

	listen_to_stderr();
	bool ok = parse(text, &value);
	stop_listening();
	if (!ok)
		fail_msg("%s %s was refused: %s", option, text, said);
	if (said[0] != '\0')
		fail_msg("%s %s was taken, but with a complaint: %s", option, text, said);
	return value;
}

/*
 * TEXT as OPTION's value: it must be refused, with a complaint that names
 * the option and the text, and without touching the value.
 */
static void assert_refused(integer_parser *parse, const char *option, const char *text)
{
	long long value = 42;

	listen_to_stderr();
	bool ok = parse(text, &value);
	stop_listening();
	if (ok)
		fail_msg("%s \"%s\" was taken as %lld; it should be refused", option, text, value);
	if (value != 42)
		fail_msg("%s \"%s\" was refused, but the value was changed to %lld", option, text,
			 value);
	if (strstr(said, option) == NULL || strstr(said, text) == NULL)
		fail_msg("%s \"%s\": the complaint should name both, it says: %s", option, text,
			 said);
}

static void test_memory_takes_bytes(void **state)
{
	(void)state;
	assert_int_equal(parsed(parse_bytes, "--memory", "1"), 1);
	assert_int_equal(parsed(parse_bytes, "--memory", "4096"), 4096);
	assert_int_equal(parsed(parse_bytes, "--memory", "9223372036854775807"), LLONG_MAX);
}

static void test_memory_suffixes_are_powers_of_1024(void **state)
{
	(void)state;
	assert_int_equal(parsed(parse_bytes, "--memory", "1k"), 1024);
	assert_int_equal(parsed(parse_bytes, "--memory", "1K"), 1024);
	assert_int_equal(parsed(parse_bytes, "--memory", "64m"), 67108864);
	assert_int_equal(parsed(parse_bytes, "--memory", "512M"), 536870912);
	assert_int_equal(parsed(parse_bytes, "--memory", "2g"), 2147483648LL);
	assert_int_equal(parsed(parse_bytes, "--memory", "3G"), 3221225472LL);
}

/* 8589934591g is 2^63 - 2^30, the largest size in g that fits a long long. */
static void test_memory_largest_size_in_each_unit_is_taken(void **state)
{
	(void)state;
	assert_int_equal(parsed(parse_bytes, "--memory", "8589934591g"), 8589934591LL << 30);
	assert_int_equal(parsed(parse_bytes, "--memory", "8796093022207m"), 8796093022207LL << 20);
	assert_int_equal(parsed(parse_bytes, "--memory", "9007199254740991k"),
			 9007199254740991LL << 10);
}

static void test_memory_size_overflow_is_refused(void **state)
{
	(void)state;
	assert_refused(parse_bytes, "--memory", "8589934592g");
	assert_refused(parse_bytes, "--memory", "8796093022208m");
	assert_refused(parse_bytes, "--memory", "9007199254740992k");
	assert_refused(parse_bytes, "--memory", "9223372036854775808");
	/* strtoll(3) clamps this to LLONG_MAX and says so only in errno. */
	assert_refused(parse_bytes, "--memory", "99999999999999999999");
	assert_refused(parse_bytes, "--memory", "99999999999999999999g");
}

static void test_memory_zero_and_negative_sizes_are_refused(void **state)
{
	(void)state;
	assert_refused(parse_bytes, "--memory", "0");
	assert_refused(parse_bytes, "--memory", "0k");
	assert_refused(parse_bytes, "--memory", "-1");
	assert_refused(parse_bytes, "--memory", "-1k");
	assert_refused(parse_bytes, "--memory", "-9223372036854775808");
}

static void test_memory_empty_or_trailing_garbage_is_refused(void **state)
{
	(void)state;
	assert_refused(parse_bytes, "--memory", "");
	assert_refused(parse_bytes, "--memory", "k");
	assert_refused(parse_bytes, "--memory", "m64");
	assert_refused(parse_bytes, "--memory", "64mb");
	assert_refused(parse_bytes, "--memory", "64kk");
	assert_refused(parse_bytes, "--memory", "64 m");
	assert_refused(parse_bytes, "--memory", "64m ");
	assert_refused(parse_bytes, "--memory", "64t");
	assert_refused(parse_bytes, "--memory", "1.5g");
	assert_refused(parse_bytes, "--memory", "0x10");
}

/* pids.max: 1 up to PID_MAX_LIMIT, 2^22. */
static void test_pids_from_1_to_4194304_are_taken(void **state)
{
	(void)state;
	assert_int_equal(parsed(parse_count, "--pids", "1"), 1);
	assert_int_equal(parsed(parse_count, "--pids", "64"), 64);
	assert_int_equal(parsed(parse_count, "--pids", "4194304"), 4194304);
}

static void test_pids_outside_1_to_4194304_are_refused(void **state)
{
	(void)state;
	assert_refused(parse_count, "--pids", "0");
	assert_refused(parse_count, "--pids", "-1");
	assert_refused(parse_count, "--pids", "4194305");
	assert_refused(parse_count, "--pids", "99999999999999999999");
}

static void test_pids_take_no_suffix_and_no_garbage(void **state)
{
	(void)state;
	assert_refused(parse_count, "--pids", "1k");
	assert_refused(parse_count, "--pids", "");
	assert_refused(parse_count, "--pids", "10x");
	assert_refused(parse_count, "--pids", "1.0");
}

static void test_uptime_offset_is_whole_seconds_either_way(void **state)
{
	(void)state;
	assert_int_equal(parsed(parse_offset, "--uptime-offset", "0"), 0);
	assert_int_equal(parsed(parse_offset, "--uptime-offset", "86400"), 86400);
	assert_int_equal(parsed(parse_offset, "--uptime-offset", "-86400"), -86400);
	assert_int_equal(parsed(parse_offset, "--uptime-offset", "9223372036854775807"), LLONG_MAX);
	assert_int_equal(parsed(parse_offset, "--uptime-offset", "-9223372036854775808"),
			 LLONG_MIN);
}

static void test_uptime_offset_overflow_and_units_are_refused(void **state)
{
	(void)state;
	assert_refused(parse_offset, "--uptime-offset", "9223372036854775808");
	assert_refused(parse_offset, "--uptime-offset", "-9223372036854775809");
	assert_refused(parse_offset, "--uptime-offset", "99999999999999999999");
	assert_refused(parse_offset, "--uptime-offset", "1k");
	assert_refused(parse_offset, "--uptime-offset", "1d");
	assert_refused(parse_offset, "--uptime-offset", "1.5");
	assert_refused(parse_offset, "--uptime-offset", "");
}

/* The bounds hold for the scaled value: 4k is 4096, 5k is over 4096. */
static void test_integer_bounds_apply_after_the_suffix(void **state)
{
	long long value = 0;

	(void)state;
	assert_true(parse_integer("4k", true, 1, 4096, &value));
	assert_int_equal(value, 4096);
	assert_false(parse_integer("5k", true, 1, 4096, &value));
	assert_false(parse_integer("4097", true, 1, 4096, &value));
	assert_true(parse_integer("4096", false, 1, 4096, &value));
	assert_false(parse_integer("4k", false, 1, 4096, &value));
}

/* --- --cpus ----------------------------------------------------------------- */

static double cpus(const char *text)
{
	double value = 0;

	listen_to_stderr();
	bool ok = parse_cpus(text, &value);
	stop_listening();
	if (!ok || said[0] != '\0')
		fail_msg("--cpus %s: refused, or taken with a complaint: %s", text, said);
	return value;
}

static void assert_cpus_refused(const char *text)
{
	double value = 42;

	listen_to_stderr();
	bool ok = parse_cpus(text, &value);
	stop_listening();
	if (ok || value != 42)
		fail_msg("--cpus \"%s\" was taken as %g; it should be refused", text, value);
	if (strstr(said, "--cpus") == NULL || strstr(said, text) == NULL)
		fail_msg("--cpus \"%s\": the complaint should name both, it says: %s", text, said);
}

static void test_cpus_from_a_hundredth_to_1024_are_taken(void **state)
{
	(void)state;
	assert_true(cpus("0.5") == 0.5);
	assert_true(cpus("2") == 2.0);
	assert_true(cpus("0.01") == 0.01);
	assert_true(cpus("1024") == 1024.0);
}

static void test_cpus_outside_the_range_are_refused(void **state)
{
	(void)state;
	assert_cpus_refused("0");
	assert_cpus_refused("0.009");
	assert_cpus_refused("-1");
	assert_cpus_refused("1024.5");
	assert_cpus_refused("1e999");
	assert_cpus_refused("inf");
	assert_cpus_refused("nan");
}

static void test_cpus_empty_or_trailing_garbage_is_refused(void **state)
{
	(void)state;
	assert_cpus_refused("");
	assert_cpus_refused("half");
	assert_cpus_refused("0.5x");
	assert_cpus_refused("0.5 ");
	assert_cpus_refused("1,5");
}

/* --- --uid-map and --gid-map ------------------------------------------------ */

/* LINE added to MAP, which must refuse it with COMPLAINT and stay as it was. */
static void assert_map_line_refused(char *map, size_t size, const char *line, const char *complaint)
{
	char before[512];

	snprintf(before, sizeof(before), "%s", map);
	listen_to_stderr();
	bool ok = add_map_line(map, size, line);
	stop_listening();
	if (ok)
		fail_msg("map line \"%s\" was taken; the map is now \"%s\"", line, map);
	if (strstr(said, complaint) == NULL)
		fail_msg("map line \"%s\": the complaint should say \"%s\", it says: %s", line,
			 complaint, said);
	if (strcmp(map, before) != 0)
		fail_msg("map line \"%s\" was refused, but the map changed to \"%s\"", line, map);
}

static void test_map_lines_are_appended_one_per_line(void **state)
{
	char map[512] = "";

	(void)state;
	assert_true(add_map_line(map, sizeof(map), "0 1000 1"));
	assert_true(add_map_line(map, sizeof(map), "1 100000 65536"));
	assert_string_equal(map, "0 1000 1\n1 100000 65536\n");
}

static void test_map_numbers_up_to_uint32_max_are_taken(void **state)
{
	char map[512] = "";

	(void)state;
	assert_true(add_map_line(map, sizeof(map), "4294967295 4294967295 4294967295"));
	assert_string_equal(map, "4294967295 4294967295 4294967295\n");
}

static void test_map_line_needs_three_numbers(void **state)
{
	char map[512] = "0 1000 1\n";
	const char *bad[] = {
		"",           "0",          "0 1000",    "a b c",     "0 1000 x",
		"0x0 1000 1", "1.5 1000 1", "-1 1000 1", "0 -1000 1", "-18446744073709551615 0 1",
		"+0 1000 1"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_map_line_refused(map, sizeof(map), bad[i], "INSIDE OUTSIDE COUNT");
	/* The complaint quotes the line, so a user sees which --uid-map it was. */
	assert_map_line_refused(map, sizeof(map), "0 1000", "\"0 1000\"");
}

static void test_map_extra_tokens_are_refused(void **state)
{
	char map[512] = "";

	(void)state;
	assert_map_line_refused(map, sizeof(map), "0 1000 1 2", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 1000 1 x", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 1000 1x", "INSIDE OUTSIDE COUNT");
}

static void test_map_count_zero_is_refused(void **state)
{
	char map[512] = "";

	(void)state;
	assert_map_line_refused(map, sizeof(map), "0 1000 0", "INSIDE OUTSIDE COUNT");
}

static void test_map_numbers_above_uint32_max_are_refused(void **state)
{
	char map[512] = "";

	(void)state;
	assert_map_line_refused(map, sizeof(map), "4294967296 1000 1", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 4294967296 1", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 1000 4294967296", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 1000 99999999999999999999",
				"INSIDE OUTSIDE COUNT");
}

/* sscanf's %lu takes "-1" as ULONG_MAX: it must not wrap into a valid ID. */
static void test_map_negative_numbers_are_refused(void **state)
{
	char map[512] = "";

	(void)state;
	assert_map_line_refused(map, sizeof(map), "-1 1000 1", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 -1 1", "INSIDE OUTSIDE COUNT");
	assert_map_line_refused(map, sizeof(map), "0 1000 -1", "INSIDE OUTSIDE COUNT");
}

/* "0 1000 1\n" is 9 bytes: 28 hold three lines and the '\0'; 27 do not. */
static void test_map_buffer_overflow_is_refused(void **state)
{
	char fits[28] = "", short_by_one[27] = "";

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_true(add_map_line(fits, sizeof(fits), "0 1000 1"));
	assert_int_equal(strlen(fits), 27);
	assert_map_line_refused(fits, sizeof(fits), "0 1000 1", "too many map lines");

	for (int i = 0; i < 2; i++)
		assert_true(add_map_line(short_by_one, sizeof(short_by_one), "0 1000 1"));
	listen_to_stderr();
	bool ok = add_map_line(short_by_one, sizeof(short_by_one), "0 1000 1");
	stop_listening();
	assert_false(ok);
	assert_non_null(strstr(said, "too many map lines"));
	assert_true(strlen(short_by_one) < sizeof(short_by_one));
}

/* --- --hostname and --domainname -------------------------------------------- */

static bool hostname_taken(const char *option, const char *name)
{
	listen_to_stderr();
	bool ok = valid_hostname(option, name);
	stop_listening();
	if (ok && said[0] != '\0')
		fail_msg("%s \"%s\" was taken, but with a complaint: %s", option, name, said);
	if (!ok && (strstr(said, option) == NULL || strstr(said, name) == NULL))
		fail_msg("%s \"%s\": the complaint should name both, it says: %s", option, name,
			 said);
	return ok;
}

/* LEN bytes of 'a' in BUF, with a '.' after every LABEL of them. */
static const char *name_of_length(char *buf, size_t len, size_t label)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (i + 1) % (label + 1) == 0 ? '.' : 'a';
	buf[len] = '\0';
	return buf;
}

static void test_rfc1123_hostnames_are_taken(void **state)
{
	char buf[128];

	(void)state;
	assert_true(hostname_taken("--hostname", "a"));
	assert_true(hostname_taken("--hostname", "container"));
	assert_true(hostname_taken("--hostname", "web-1"));
	assert_true(hostname_taken("--hostname", "a--b"));
	assert_true(hostname_taken("--hostname", "0pen"));
	assert_true(hostname_taken("--hostname", "Box.Example.COM"));
	assert_true(hostname_taken("--domainname", "example.org"));
	assert_true(hostname_taken("--hostname", name_of_length(buf, 63, 63)));
	assert_true(hostname_taken("--hostname", name_of_length(buf, 64, 32)));
}

static void test_hostname_longer_than_64_is_refused(void **state)
{
	char buf[128];

	(void)state;
	assert_false(hostname_taken("--hostname", name_of_length(buf, 65, 32)));
	assert_false(hostname_taken("--hostname", name_of_length(buf, 100, 32)));
}

static void test_hostname_label_longer_than_63_is_refused(void **state)
{
	char buf[128];

	(void)state;
	assert_false(hostname_taken("--hostname", name_of_length(buf, 64, 64)));
}

static void test_hostname_label_edges_are_not_dashes(void **state)
{
	(void)state;
	assert_false(hostname_taken("--hostname", "-a"));
	assert_false(hostname_taken("--hostname", "a-"));
	assert_false(hostname_taken("--hostname", "-"));
	assert_false(hostname_taken("--hostname", "a.-b"));
	assert_false(hostname_taken("--domainname", "a-.b"));
}

static void test_hostname_empty_or_with_empty_label_is_refused(void **state)
{
	(void)state;
	assert_false(hostname_taken("--hostname", ""));
	assert_false(hostname_taken("--hostname", "."));
	assert_false(hostname_taken("--hostname", ".a"));
	assert_false(hostname_taken("--hostname", "a."));
	assert_false(hostname_taken("--domainname", "a..b"));
}

/* A '/' would end up in paths, a newline in every log line and prompt. */
static void test_hostname_with_slash_newline_or_other_bytes_is_refused(void **state)
{
	(void)state;
	assert_false(hostname_taken("--hostname", "a/b"));
	assert_false(hostname_taken("--hostname", "../etc"));
	assert_false(hostname_taken("--hostname", "a\nb"));
	assert_false(hostname_taken("--hostname", "a b"));
	assert_false(hostname_taken("--hostname", "a_b"));
	assert_false(hostname_taken("--hostname", "caf\xc3\xa9"));
	assert_false(hostname_taken("--domainname", "a;b"));
}

/* --- --bind HOST:INSIDE ------------------------------------------------------ */

/* valid_bind only answers; main prints the complaint. */
static void test_bind_to_an_absolute_path_inside_is_taken(void **state)
{
	(void)state;
	assert_true(valid_bind("/srv/data:/data"));
	assert_true(valid_bind("/srv/data:/mnt/data/"));
	assert_true(valid_bind("/srv/data://data"));
	assert_true(valid_bind("data:/data"));
}

static void test_bind_needs_host_and_inside(void **state)
{
	(void)state;
	assert_false(valid_bind(""));
	assert_false(valid_bind("/srv/data"));
	assert_false(valid_bind(":/data"));
	assert_false(valid_bind("/srv/data:"));
}

static void test_bind_inside_must_be_absolute_and_not_the_root(void **state)
{
	(void)state;
	assert_false(valid_bind("/srv/data:data"));
	assert_false(valid_bind("/srv/data:./data"));
	assert_false(valid_bind("/srv/data:/"));
	assert_false(valid_bind("/srv/data://"));
}

static void test_bind_inside_with_dotdot_is_refused(void **state)
{
	(void)state;
	assert_false(valid_bind("/srv/data:/.."));
	assert_false(valid_bind("/srv/data:/../etc"));
	assert_false(valid_bind("/srv/data:/mnt/.."));
	assert_false(valid_bind("/srv/data:/mnt/../etc"));
	assert_false(valid_bind("/srv/data:/mnt/../../etc"));
	assert_false(valid_bind("/srv/data://..//etc"));
}

/* ".." is a component only when it is all of one. */
static void test_bind_inside_may_name_a_dotdot_lookalike(void **state)
{
	(void)state;
	assert_true(valid_bind("/srv/data:/a..b"));
	assert_true(valid_bind("/srv/data:/..a"));
	assert_true(valid_bind("/srv/data:/a.."));
	assert_true(valid_bind("/srv/data:/mnt/.../x"));
}

/* --- rtnetlink messages ------------------------------------------------------ */

/*
 * rtnetlink(7) and netlink(7): a message is a 16-byte nlmsghdr, the fixed
 * struct, then attributes. Each attribute is a 4-byte rtattr header and
 * its value; rta_len counts both but not the padding, and the next one
 * starts at the next multiple of 4 (RTA_ALIGNTO). A nest's rta_len spans
 * every attribute inside it. The numbers below are worked out by hand
 * from that; the RTA_* macros then read the message back.
 */

static void test_netlink_header_counts_the_fixed_struct(void **state)
{
	struct ifinfomsg link = {
		.ifi_family = AF_UNSPEC, .ifi_index = 7, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct nl_request req;

	(void)state;
	memset(&req, 0xaa, sizeof(req));
	nl_begin(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &link, sizeof(link));
	assert_int_equal(sizeof(struct nlmsghdr), 16);
	assert_int_equal(sizeof(link), 16);
	assert_int_equal(req.header.nlmsg_len, 32);
	assert_int_equal(req.header.nlmsg_type, RTM_NEWLINK);
	assert_int_equal(req.header.nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(req.header.nlmsg_seq, 0);
	assert_int_equal(req.header.nlmsg_pid, 0);
	assert_memory_equal(NLMSG_DATA(&req.header), &link, sizeof(link));
	/* Nothing of an earlier request is left behind the message. */
	for (size_t i = 32; i < sizeof(req); i++)
		assert_int_equal(((unsigned char *)&req)[i], 0);
}

static void test_netlink_attribute_is_padded_to_four_bytes(void **state)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
	uint32_t mtu = 1500;
	struct nl_request req;
	unsigned char *bytes = (unsigned char *)&req;

	(void)state;
	nl_begin(&req, RTM_NEWLINK, 0, &link, sizeof(link));
	/* "veth0" and its '\0': 6 bytes, rta_len 10, padded to 12. */
	struct rtattr *name = nl_attr(&req, IFLA_IFNAME, "veth0", 6);
	assert_ptr_equal(name, bytes + 32);
	assert_int_equal(name->rta_type, IFLA_IFNAME);
	assert_int_equal(name->rta_len, 10);
	assert_memory_equal(bytes + 36, "veth0", 6);
	assert_int_equal(bytes[42], 0);
	assert_int_equal(bytes[43], 0);
	assert_int_equal(req.header.nlmsg_len, 44);

	struct rtattr *attr = nl_attr(&req, IFLA_MTU, &mtu, sizeof(mtu));
	assert_ptr_equal(attr, bytes + 44);
	assert_int_equal(attr->rta_len, 8);
	assert_memory_equal(bytes + 48, &mtu, 4);
	assert_int_equal(req.header.nlmsg_len, 52);
	int left = 52 - 32;
	assert_ptr_equal(RTA_NEXT(name, left), attr);
}

/* rtmsg is 12 bytes and ifaddrmsg 8; an odd fixed part must still align. */
static void test_netlink_attribute_after_an_odd_fixed_part_is_aligned(void **state)
{
	const char fixed[5] = "abcd";
	uint32_t value = 0x01020304;
	struct nl_request req;

	(void)state;
	nl_begin(&req, RTM_NEWLINK, 0, fixed, sizeof(fixed));
	assert_int_equal(req.header.nlmsg_len, 21);
	struct rtattr *attr = nl_attr(&req, IFLA_MTU, &value, sizeof(value));
	assert_ptr_equal(attr, (char *)&req + 24);
	assert_int_equal(req.header.nlmsg_len, 32);
}

/* The message create_veth sends: ip link add veth-host type veth peer name eth0 netns 4242. */
static void build_veth_request(struct nl_request *req)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
	uint32_t ns_pid = 4242;

	nl_begin(req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &link, sizeof(link));
	nl_attr(req, IFLA_IFNAME, "veth-host", 10);
	struct rtattr *info = nl_attr(req, IFLA_LINKINFO, NULL, 0);
	nl_attr(req, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = nl_attr(req, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *peer = nl_attr(req, VETH_INFO_PEER, &link, sizeof(link));
	nl_attr(req, IFLA_IFNAME, "eth0", 5);
	nl_attr(req, IFLA_NET_NS_PID, &ns_pid, sizeof(ns_pid));
	nl_nest_end(req, peer);
	nl_nest_end(req, data);
	nl_nest_end(req, info);
}

/*
 * By hand: 32 (header, ifinfomsg), IFLA_IFNAME at 32 (14, padded 16),
 * IFLA_LINKINFO at 48, IFLA_INFO_KIND at 52 (8), IFLA_INFO_DATA at 60,
 * VETH_INFO_PEER at 64 (4 + ifinfomsg), IFLA_IFNAME at 84 (9, padded 12),
 * IFLA_NET_NS_PID at 96 (8): 104 bytes. Each nest runs to the end.
 */
static void test_netlink_nests_span_the_attributes_inside(void **state)
{
	struct nl_request req;
	char *base = (char *)&req;

	(void)state;
	build_veth_request(&req);
	assert_int_equal(req.header.nlmsg_len, 104);
	struct rtattr *info = (struct rtattr *)(base + 48);
	struct rtattr *data = (struct rtattr *)(base + 60);
	struct rtattr *peer = (struct rtattr *)(base + 64);
	assert_int_equal(info->rta_type, IFLA_LINKINFO);
	assert_int_equal(info->rta_len, 104 - 48);
	assert_int_equal(data->rta_type, IFLA_INFO_DATA);
	assert_int_equal(data->rta_len, 104 - 60);
	assert_int_equal(peer->rta_type, VETH_INFO_PEER);
	assert_int_equal(peer->rta_len, 104 - 64);
}

/* The same message, read back only through the RTA_* macros, as the kernel would. */
static void test_netlink_veth_request_reads_back_through_rta_macros(void **state)
{
	struct nl_request req;
	int len, inner, innermost;

	(void)state;
	build_veth_request(&req);
	len = (int)(req.header.nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	struct rtattr *attr = IFLA_RTA(NLMSG_DATA(&req.header));

	assert_true(RTA_OK(attr, len));
	assert_int_equal(attr->rta_type, IFLA_IFNAME);
	assert_string_equal(RTA_DATA(attr), "veth-host");
	attr = RTA_NEXT(attr, len);
	assert_true(RTA_OK(attr, len));
	assert_int_equal(attr->rta_type, IFLA_LINKINFO);

	struct rtattr *in = RTA_DATA(attr);
	inner = (int)RTA_PAYLOAD(attr);
	assert_true(RTA_OK(in, inner));
	assert_int_equal(in->rta_type, IFLA_INFO_KIND);
	assert_int_equal(RTA_PAYLOAD(in), 4);
	assert_memory_equal(RTA_DATA(in), "veth", 4);
	in = RTA_NEXT(in, inner);
	assert_true(RTA_OK(in, inner));
	assert_int_equal(in->rta_type, IFLA_INFO_DATA);

	struct rtattr *peer = RTA_DATA(in);
	innermost = (int)RTA_PAYLOAD(in);
	assert_true(RTA_OK(peer, innermost));
	assert_int_equal(peer->rta_type, VETH_INFO_PEER);
	struct rtattr *after_peer = RTA_NEXT(peer, innermost);
	assert_false(RTA_OK(after_peer, innermost));
	assert_int_equal(innermost, 0);

	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's own attributes. */
	int peer_len = (int)(RTA_PAYLOAD(peer) - sizeof(struct ifinfomsg));
	struct rtattr *p = (struct rtattr *)((char *)RTA_DATA(peer) + sizeof(struct ifinfomsg));
	assert_true(RTA_OK(p, peer_len));
	assert_int_equal(p->rta_type, IFLA_IFNAME);
	assert_string_equal(RTA_DATA(p), "eth0");
	p = RTA_NEXT(p, peer_len);
	assert_true(RTA_OK(p, peer_len));
	assert_int_equal(p->rta_type, IFLA_NET_NS_PID);
	assert_int_equal(*(uint32_t *)RTA_DATA(p), 4242);
	p = RTA_NEXT(p, peer_len);
	assert_false(RTA_OK(p, peer_len));
	assert_int_equal(peer_len, 0);

	/* Nothing is left over at any level. */
	in = RTA_NEXT(in, inner);
	assert_false(RTA_OK(in, inner));
	assert_int_equal(inner, 0);
	attr = RTA_NEXT(attr, len);
	assert_false(RTA_OK(attr, len));
	assert_int_equal(len, 0);
}

/*
 * An ifinfomsg request and one attribute of LEN bytes, built in a child,
 * since a request too large ends the program (die, 125). Returns the
 * child's exit status: 0 when the request is exactly FULL bytes long.
 */
static int status_after_one_attribute(size_t len, size_t full)
{
	struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
	int status;

	fflush(stdout);
	listen_to_stderr();
	pid_t pid = fork();
	if (pid == 0) {
		static char value[2048];
		struct nl_request req;

		nl_begin(&req, RTM_NEWLINK, 0, &link, sizeof(link));
		nl_attr(&req, IFLA_IFALIAS, value, len);
		_exit(req.header.nlmsg_len == full ? 0 : 1);
	}
	pid_t waited = waitpid(pid, &status, 0);
	stop_listening();
	assert_int_equal(waited, pid);
	return status;
}

/* The request is 16 + 1024 bytes: 32 of headers and an attribute of 4 + 1004 fill it. */
static void test_netlink_request_may_fill_its_buffer_exactly(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct nl_request), 1040);
	int status = status_after_one_attribute(1004, 1040);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("a request of exactly 1040 bytes: child status %#x, said: %s", status,
			 said);
}

/* ...and one byte more is refused, as a failed setup (125), before it is written. */
static void test_netlink_request_too_large_is_refused(void **state)
{
	(void)state;
	int status = status_after_one_attribute(1005, 1044);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_SETUP)
		fail_msg("a request of 1044 bytes: child status %#x, want exit 125; said: %s",
			 status, said);
	assert_non_null(strstr(said, "netlink request too large"));
	assert_non_null(strstr(said, strerror(EMSGSIZE)));
}

/* --- the exit status ---------------------------------------------------------- */

/* A real child's status: it exits with CODE, or raises SIGNAL if CODE < 0. */
static int status_of_child(int code, int signal)
{
	int status;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* Whatever we inherited (nohup ignores SIGHUP), the signal kills.
		 * (SIGKILL's action cannot be set: that sigaction fails, and it kills anyway.) */
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, signal);
		if (code < 0) {
			sigprocmask(SIG_UNBLOCK, &one, NULL);
			sigaction(signal, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
			raise(signal);
		}
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_exit_status_is_passed_through(void **state)
{
	(void)state;
	assert_int_equal(exit_code(status_of_child(0, 0)), 0);
	assert_int_equal(exit_code(status_of_child(1, 0)), 1);
	assert_int_equal(exit_code(status_of_child(127, 0)), 127);
	assert_int_equal(exit_code(status_of_child(255, 0)), 255);
}

static void test_death_by_signal_is_128_plus_the_signal(void **state)
{
	(void)state;
	assert_int_equal(exit_code(status_of_child(-1, SIGKILL)), 137);
	assert_int_equal(exit_code(status_of_child(-1, SIGTERM)), 143);
	assert_int_equal(exit_code(status_of_child(-1, SIGHUP)), 129);
}

/* A core dump sets a flag in the status (wait(2)): the code is still 128+N. */
static void test_core_dump_is_still_128_plus_the_signal(void **state)
{
	int status = SIGSEGV | WCOREFLAG;

	(void)state;
	assert_true(WIFSIGNALED(status) && WCOREDUMP(status));
	assert_int_equal(exit_code(status), 139);
}

/* The bounds hold for the scaled value: 2k is 2048, at least 2000; 1k is not. */
static void test_bounds_apply_after_the_suffix(void **state)
{
	long long value = 0;

	(void)state;
	assert_true(parse_integer("2k", true, 2000, LLONG_MAX, &value));
	assert_int_equal(value, 2048);
	assert_false(parse_integer("1k", true, 2000, LLONG_MAX, &value));
	assert_false(parse_integer("3k", true, 1, 3000, &value));
}

/* --- the hint table --------------------------------------------------------- */

/* The hint for a failure, as root (rootless false) or not, on either side. */
static const char *hint_as(bool as_rootless, bool inside, const char *call, int err)
{
	rootless = as_rootless;
	in_container = inside;
	const char *hint = hint_for(call, err);
	rootless = in_container = false;
	return hint;
}

/* A hint there is, and it says `words`. */
static void assert_hint_says(const char *hint, const char *words)
{
	if (hint == NULL || strstr(hint, words) == NULL)
		fail_msg("expected a hint that says \"%s\", got %s%s%s", words, hint ? "\"" : "",
			 hint ? hint : "none", hint ? "\"" : "");
}

/*
 * Hints are keyed by what happened: the exact call, errno, and who. A
 * root caller whose setgroups was refused after a gid_map is told the
 * order, not that it may map only itself; the time namespace's refusal is
 * not taken for a map's.
 */
static void test_hints_are_keyed_by_what_happened(void **state)
{
	(void)state;
	assert_hint_says(hint_as(false, false, "write setgroups", EPERM), "before gid_map");
	assert_hint_says(hint_as(true, false, "write setgroups", EPERM), "before gid_map");
	assert_hint_says(hint_as(true, false, "write uid_map", EPERM), "map only yourself");
	const char *root_told = hint_as(false, false, "write uid_map", EPERM);
	assert_true(root_told == NULL || strstr(root_told, "without privilege") == NULL);
	assert_hint_says(hint_as(true, false, "write gid_map", EINVAL), "INSIDE OUTSIDE COUNT");
	assert_null(hint_as(false, false, "write timens_offsets", EINVAL));
	assert_hint_says(hint_as(false, false, "write timens_offsets", ERANGE), "CLOCK_BOOTTIME");
	/* Exact calls: "write /proc/..." once matched every write under /proc. */
	assert_null(hint_as(false, false, "write /proc/self/timens_offsets", EINVAL));
}

/* Who we are picks among hints for the same errno: the most specific first. */
static void test_hints_know_who_failed(void **state)
{
	(void)state;
	assert_hint_says(hint_as(false, false, "mount", EPERM), "run as root");
	assert_hint_says(hint_as(true, false, "mount", EPERM), "need root on the host");
	assert_hint_says(hint_as(true, true, "mount", EPERM), "unprivileged user namespaces");
	assert_hint_says(hint_as(true, false, "clone", EPERM), "user namespace to own them");
	assert_hint_says(hint_as(false, false, "--persist", EBUSY), "already holds a namespace");
	assert_hint_says(hint_as(false, false, "rootfs", EINVAL), "host's own root");
	assert_null(hint_as(false, false, "rootfs", EBUSY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_takes_bytes),
		cmocka_unit_test(test_memory_suffixes_are_powers_of_1024),
		cmocka_unit_test(test_memory_largest_size_in_each_unit_is_taken),
		cmocka_unit_test(test_memory_size_overflow_is_refused),
		cmocka_unit_test(test_memory_zero_and_negative_sizes_are_refused),
		cmocka_unit_test(test_memory_empty_or_trailing_garbage_is_refused),
		cmocka_unit_test(test_pids_from_1_to_4194304_are_taken),
		cmocka_unit_test(test_pids_outside_1_to_4194304_are_refused),
		cmocka_unit_test(test_pids_take_no_suffix_and_no_garbage),
		cmocka_unit_test(test_uptime_offset_is_whole_seconds_either_way),
		cmocka_unit_test(test_uptime_offset_overflow_and_units_are_refused),
		cmocka_unit_test(test_integer_bounds_apply_after_the_suffix),
		cmocka_unit_test(test_cpus_from_a_hundredth_to_1024_are_taken),
		cmocka_unit_test(test_cpus_outside_the_range_are_refused),
		cmocka_unit_test(test_cpus_empty_or_trailing_garbage_is_refused),
		cmocka_unit_test(test_map_lines_are_appended_one_per_line),
		cmocka_unit_test(test_map_numbers_up_to_uint32_max_are_taken),
		cmocka_unit_test(test_map_line_needs_three_numbers),
		cmocka_unit_test(test_map_extra_tokens_are_refused),
		cmocka_unit_test(test_map_count_zero_is_refused),
		cmocka_unit_test(test_map_numbers_above_uint32_max_are_refused),
		cmocka_unit_test(test_map_negative_numbers_are_refused),
		cmocka_unit_test(test_map_buffer_overflow_is_refused),
		cmocka_unit_test(test_rfc1123_hostnames_are_taken),
		cmocka_unit_test(test_hostname_longer_than_64_is_refused),
		cmocka_unit_test(test_hostname_label_longer_than_63_is_refused),
		cmocka_unit_test(test_hostname_label_edges_are_not_dashes),
		cmocka_unit_test(test_hostname_empty_or_with_empty_label_is_refused),
		cmocka_unit_test(test_hostname_with_slash_newline_or_other_bytes_is_refused),
		cmocka_unit_test(test_bind_to_an_absolute_path_inside_is_taken),
		cmocka_unit_test(test_bind_needs_host_and_inside),
		cmocka_unit_test(test_bind_inside_must_be_absolute_and_not_the_root),
		cmocka_unit_test(test_bind_inside_with_dotdot_is_refused),
		cmocka_unit_test(test_bind_inside_may_name_a_dotdot_lookalike),
		cmocka_unit_test(test_netlink_header_counts_the_fixed_struct),
		cmocka_unit_test(test_netlink_attribute_is_padded_to_four_bytes),
		cmocka_unit_test(test_netlink_attribute_after_an_odd_fixed_part_is_aligned),
		cmocka_unit_test(test_netlink_nests_span_the_attributes_inside),
		cmocka_unit_test(test_netlink_veth_request_reads_back_through_rta_macros),
		cmocka_unit_test(test_netlink_request_may_fill_its_buffer_exactly),
		cmocka_unit_test(test_netlink_request_too_large_is_refused),
		cmocka_unit_test(test_exit_status_is_passed_through),
		cmocka_unit_test(test_death_by_signal_is_128_plus_the_signal),
		cmocka_unit_test(test_core_dump_is_still_128_plus_the_signal),
		cmocka_unit_test(test_bounds_apply_after_the_suffix),
		cmocka_unit_test(test_hints_are_keyed_by_what_happened),
		cmocka_unit_test(test_hints_know_who_failed),
	};

	return cmocka_run_group_tests_name(
		"unit: chapter 10's parsers, netlink messages, exit status", tests, NULL, NULL);
}
