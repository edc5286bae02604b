/*
 * main.c — runs the tests registered through tests/tsan/criterion/criterion.h,
 * in two worker processes (tests alternate between them), as Criterion's
 * --jobs 2 would: under TSan each test takes its whole time budget, and
 * `make test` runs this on every submission.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criterion/criterion.h"

struct shim_test shim_tests[64];
int shim_ntests;
int shim_failures;

enum { WORKERS = 2 };

/* Worker w: every WORKERS-th test from w; returns how many failed. */
static int run_share(int w)
{
	int failed = 0;
	for (int i = w; i < shim_ntests; i += WORKERS) {
		int before = shim_failures;
		shim_tests[i].fn();
		failed += shim_failures != before;
		printf("[%s] %s::%s\n", shim_failures == before ? "PASS" : "FAIL", shim_tests[i].suite,
		       shim_tests[i].name);
	}
	return failed;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid_t pid[WORKERS];
	for (int w = 0; w < WORKERS; w++) {
		fflush(stdout);
		pid[w] = fork();
		if (pid[w] == 0) {
			int failed = run_share(w);
			fflush(stdout);
			_exit(failed > 100 ? 100 : failed);
		}
		if (pid[w] < 0) {
			perror("fork");
			return 2;
		}
	}
	int failed = 0;
	for (int w = 0; w < WORKERS; w++) {
		int st;
		if (waitpid(pid[w], &st, 0) < 0 || !WIFEXITED(st)) {
			printf("worker %d did not finish (%s)\n", w, WIFSIGNALED(st) ? "killed by a signal" : "lost");
			failed++;
			continue;
		}
		failed += WEXITSTATUS(st);
	}
	printf("%d passed, %d failed\n", shim_ntests - failed, failed);
	return failed != 0;
}
