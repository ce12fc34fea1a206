/*
 * Chapter 12's promises about the runtime under stress (lesson 12,
 * "Hardening the runtime"): many containers made and removed at once
 * leave nothing behind, and a create killed at any step leaves nothing
 * that delete --force does not remove. They use promises-runtime.c's
 * bundles, and its teardown (dc_runtime_promise).
 */
#ifndef PROMISES_HARDENING_H
#define PROMISES_HARDENING_H

#include "promises-runtime.h"

void test_many_containers_at_once_leave_nothing_behind(void **state);
void test_create_killed_at_any_step_leaves_nothing_after_delete_force(void **state);

#endif
