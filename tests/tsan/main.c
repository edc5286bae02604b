/*
 * main.c — runs the tests registered through tests/tsan/criterion/criterion.h.
 */
#include "criterion/criterion.h"

struct shim_test shim_tests[64];
int shim_ntests;
int shim_failures;

int main(void)
{
	int failed = 0;
	for (int i = 0; i < shim_ntests; i++) {
		int before = shim_failures;
		shim_tests[i].fn();
		failed += shim_failures != before;
		printf("[%s] %s::%s\n", shim_failures == before ? "PASS" : "FAIL", shim_tests[i].suite,
		       shim_tests[i].name);
	}
	printf("%d passed, %d failed\n", shim_ntests - failed, failed);
	return failed != 0;
}
