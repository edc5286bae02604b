/*
 * A minimal stand-in for Criterion, used only by `make tsan`: Criterion 2.4
 * cannot start under ThreadSanitizer ("Could not initialize inheritable
 * arena"), so the lock validation tests are compiled against this header
 * instead and run as one plain process. It implements exactly the macros
 * the lock tests use (tests/lock_util.c, tests/test_locks_validate.c,
 * tests/test_locks_mechanisms.c, tests/test_rw_validate.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct shim_test { const char *suite, *name; void (*fn)(void); };
extern struct shim_test shim_tests[]; extern int shim_ntests; extern int shim_failures;
#define SHIM_MSG(...) do { fprintf(stderr, "  " __VA_ARGS__); fprintf(stderr, "\n"); } while (0)
#define SHIM_CHECK(fatal, cond, ...) do { if (!(cond)) { shim_failures++; fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); __VA_OPT__(SHIM_MSG(__VA_ARGS__);) if (fatal) abort(); } } while (0)
#define cr_assert(c, ...) SHIM_CHECK(1, (c) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect(c, ...) SHIM_CHECK(0, (c) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_not(c, ...) cr_expect(!(c) __VA_OPT__(,) __VA_ARGS__)
#define cr_assert_fail(...) SHIM_CHECK(1, 0, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_assert_not_null(a, ...) cr_assert((a) != NULL __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_eq(a, b, ...) cr_expect((a) == (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_neq(a, b, ...) cr_expect((a) != (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_gt(a, b, ...) cr_expect((a) > (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_geq(a, b, ...) cr_expect((a) >= (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_leq(a, b, ...) cr_expect((a) <= (b) __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_null(a, ...) cr_expect((a) == NULL __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_not_null(a, ...) cr_expect((a) != NULL __VA_OPT__(,) __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) cr_expect(strcmp((a), (b)) == 0 __VA_OPT__(,) __VA_ARGS__)
#define Test(s, n, ...) static void s##_##n(void); \
	__attribute__((constructor)) static void s##_##n##_reg(void) { shim_tests[shim_ntests++] = (struct shim_test){ #s, #n, s##_##n }; } \
	static void s##_##n(void)
