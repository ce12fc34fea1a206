/*
 * The promises of chapters 07 (net) and 08 (user), kept by every later
 * chapter: see promises.h for the idea, and tests/test_07-net.c and
 * tests/test_08-user.c for the lists.
 *
 * The only traffic these tests send goes over loopback or over the
 * container's own veth pair (10.200.N.0/24), and only after checking
 * that the pair is there, with the addresses the lesson promises.
 */
#ifndef PROMISES_NET_USER_H
#define PROMISES_NET_USER_H

#include "harness.h"

/*
 * Around every test here: note the host's dcveth* links before it, and
 * after it delete any the test's containers left behind (after giving
 * the kernel a while to tear their network namespaces down); then the
 * harness's cleanup.
 */
int net_user_setup_test(void **state);
int net_user_teardown_test(void **state);
#define dc_net_user(f)                                                                             \
	cmocka_unit_test_setup_teardown(f, net_user_setup_test, net_user_teardown_test)

/* 07 net: a network of its own, and a cable to the host on request. */
void test_only_lo_and_it_is_up(void **state);
void test_loopback_works_inside(void **state);
void test_veth_connects_container_and_host(void **state);
void test_default_route_goes_through_host_end(void **state);
void test_two_containers_get_their_own_subnets(void **state);
void test_no_veth_left_after_exit(void **state);
void test_no_veth_left_after_container_is_killed(void **state);
void test_bad_net_value_is_a_clear_error(void **state);

/* 08 user: root inside, the caller (or nobody) outside. */
void test_root_inside_is_the_caller_outside(void **state);
void test_rootless_container_has_every_namespace(void **state);
void test_file_made_inside_is_owned_by_mapped_uid(void **state);
void test_root_inside_cannot_write_host_root_file(void **state);
void test_rootfs_out_of_the_mapped_uids_reach_is_a_clear_error(void **state);
void test_overlapping_map_is_a_clear_error(void **state);
void test_rootless_cannot_map_another_uid(void **state);
void test_malformed_map_is_rejected_before_start(void **state);
void test_rootless_veth_needs_root(void **state);
void test_root_inside_cannot_make_device_nodes(void **state);
void test_remapped_container_dies_with_its_parent(void **state);
void test_rootless_container_dies_with_its_parent(void **state);
void test_bind_target_is_resolved_inside_the_rootfs(void **state);

#endif
