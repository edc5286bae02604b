/*
 * engine/stackdump.c — stuck threads' stacks and states (see stackdump.h).
 */
#define _GNU_SOURCE
#include "engine/stackdump.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <execinfo.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/multilock.h"
#include "engine/timer.h"

/*
 * One request at a time (the mutex): the handler of the thread whose tid
 * is asked for fills `frames` and raises `done`. A late answer after a
 * timeout finds tid cleared and writes nothing.
 */
static struct {
	pthread_mutex_t mu;
	_Atomic int tid;
	_Atomic int n;
	_Atomic int done;
	int max;
	void *frames[LB_STACK_MAX];
} req = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int dump_signal(void)
{
	return SIGRTMIN + 3;
}

static void on_dump(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	int saved = errno;
	if (atomic_load(&req.tid) == (int)gettid()) {
		int n = backtrace(req.frames, req.max);
		atomic_store(&req.n, n);
		atomic_store(&req.done, 1);
	}
	errno = saved;
}

int lb_stackdump_init(void)
{
	static int done;
	if (done)
		return 0;
	/* backtrace() loads libgcc_s on its first call: do that here, not in a handler. */
	void *warm[4];
	backtrace(warm, 4);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_dump;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(dump_signal(), &sa, NULL) != 0)
		return -1;
	done = 1;
	return 0;
}

int lb_stack_capture(int tid, void **frames, int max, int64_t timeout_ns)
{
	if (tid <= 0 || lb_stackdump_init() != 0)
		return -1;
	if (max > LB_STACK_MAX)
		max = LB_STACK_MAX;
	pthread_mutex_lock(&req.mu);
	req.max = max;
	atomic_store(&req.done, 0);
	atomic_store(&req.tid, tid);
	int n = -1;
	if (syscall(SYS_tgkill, getpid(), tid, dump_signal()) == 0) {
		uint64_t deadline = lb_mono_ns() + (uint64_t)timeout_ns;
		while (!atomic_load(&req.done) && lb_mono_ns() < deadline) {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
	atomic_store(&req.tid, 0);
	if (atomic_load(&req.done)) {
		n = atomic_load(&req.n);
		memcpy(frames, req.frames, (size_t)n * sizeof *frames);
	}
	pthread_mutex_unlock(&req.mu);
	return n;
}

/* The last two components of a source path: "workloads/cs.c", "plugins/mylock.c". */
static const char *short_path(const char *f)
{
	const char *last = strrchr(f, '/');
	if (last == NULL)
		return f;
	const char *p = last;
	while (p > f && p[-1] != '/')
		p--;
	return p > f ? p : f;
}

static char *frame_text(Dwfl *dwfl, void *frame, bool exact)
{
	Dwarf_Addr pc = (Dwarf_Addr)(uintptr_t)frame;
	/* A return address points after the call: look up the call itself. */
	Dwarf_Addr a = exact || pc == 0 ? pc : pc - 1;
	Dwfl_Module *m = dwfl != NULL ? dwfl_addrmodule(dwfl, a) : NULL;
	const char *name = m ? dwfl_module_addrname(m, a) : NULL;
	Dwfl_Line *line = m ? dwfl_module_getsrc(m, a) : NULL;
	int lineno = 0;
	const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	char *text = NULL;
	int rc;
	if (name != NULL && file != NULL)
		rc = asprintf(&text, "%s (%s:%d)", name, short_path(file), lineno);
	else if (name != NULL || m != NULL) {
		Dwarf_Addr start = 0;
		const char *mod = m ? dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL) : NULL;
		rc = asprintf(&text, "%s+0x%" PRIx64 " (%s)", name ? name : "?", (uint64_t)(pc - start),
			      mod ? short_path(mod) : "?");
	} else
		rc = asprintf(&text, "0x%" PRIxPTR, (uintptr_t)frame);
	return rc < 0 ? NULL : text;
}

static bool is_trampoline(Dwfl *dwfl, void *frame)
{
	Dwarf_Addr a = (Dwarf_Addr)(uintptr_t)frame;
	Dwfl_Module *m = dwfl != NULL ? dwfl_addrmodule(dwfl, a) : NULL;
	const char *name = m ? dwfl_module_addrname(m, a) : NULL;
	return name != NULL && strcmp(name, "__restore_rt") == 0;
}

char **lb_stack_symbolise(void *const *frames, int nframes, size_t *n)
{
	*n = 0;
	if (nframes <= 0)
		return NULL;
	static char *debuginfo_path;
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	Dwfl *dwfl = dwfl_begin(&cb);
	if (dwfl != NULL && (dwfl_linux_proc_report(dwfl, getpid()) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0)) {
		dwfl_end(dwfl);
		dwfl = NULL;
	}
	/* Start below the signal trampoline: what is above it is the handler's. */
	int first = 0;
	for (int i = 0; i < nframes; i++)
		if (is_trampoline(dwfl, frames[i])) {
			first = i + 1;
			break;
		}
	char **out = calloc((size_t)(nframes - first) + 1, sizeof *out);
	for (int i = first; out != NULL && i < nframes; i++) {
		char *t = frame_text(dwfl, frames[i], i == first && first > 0);
		if (t != NULL)
			out[(*n)++] = t;
	}
	if (dwfl != NULL)
		dwfl_end(dwfl);
	return out;
}

int64_t lb_thread_cpu_ns(int tid, char *state)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which is in parentheses and may hold spaces. */
	char *p = strrchr(buf, ')');
	char st = '?';
	unsigned long long ut, sy;
	if (p == NULL || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &st, &ut, &sy) != 3)
		return -1;
	if (state != NULL)
		*state = st;
	return (int64_t)((ut + sy) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

const char *lb_thread_state_name(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'S': return "asleep";
	case 'D': return "disk";
	case 'T': case 't': return "stopped";
	case 'Z': return "zombie";
	}
	return NULL;
}

/* The first thread other than self that holds lock k (or signals condition c); -1. */
static int holder_of(const struct lb_run *r, unsigned kind, unsigned index)
{
	for (unsigned j = 0; j < r->nthreads; j++) {
		const struct lb_thread *t = &r->threads[j];
		if (kind == LB_WAIT_COND ? atomic_load(&t->signals) == index + 1
					 : index < t->nlocks && atomic_load(&t->lk[index]->held))
			return (int)j;
	}
	return -1;
}

struct lb_stuck *lb_stuck_describe(const struct lb_run *r, const unsigned *ids, size_t n)
{
	struct lb_stuck *out = calloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; out != NULL && i < n; i++) {
		const struct lb_thread *t = &r->threads[ids[i]];
		struct lb_stuck *s = &out[i];
		s->id = ids[i];
		s->tid = t->tid;
		s->pu = t->pu;
		s->cpu_ns = lb_thread_cpu_ns(t->tid, &s->state);
		s->holder = -1;
		if (t->lk != NULL) {
			s->waiting = atomic_load_explicit(&t->waiting, memory_order_acquire);
			unsigned kind = lb_wait_kind_of(s->waiting);
			if (kind != LB_WAIT_NONE)
				s->holder = holder_of(r, kind, lb_wait_index_of(s->waiting));
			s->holds = calloc(t->nlocks, sizeof *s->holds);
			for (unsigned k = 0; s->holds != NULL && k < t->nlocks; k++)
				if (atomic_load(&t->lk[k]->held))
					s->holds[s->nholds++] = k;
		}
		s->nframes = lb_stack_capture(t->tid, s->frames, LB_STACK_MAX, 1000000000);
	}
	return out;
}

void lb_stuck_symbolise(struct lb_stuck *s, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (s[i].stack == NULL)
			s[i].stack = lb_stack_symbolise(s[i].frames, s[i].nframes, &s[i].nstack);
}

void lb_stuck_free(struct lb_stuck *s, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++) {
		free(s[i].holds);
		for (size_t j = 0; j < s[i].nstack; j++)
			free(s[i].stack[j]);
		free(s[i].stack);
	}
	free(s);
}
