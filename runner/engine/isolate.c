/*
 * engine/isolate.c — one config in a forked child (see isolate.h).
 *
 * The pipe carries records: a header (type, length) and a payload. The
 * child writes SAMPLE (the sample as JSON text) or ERROR (the config could
 * not start: its one-line reason); a handler in the child writes FAULT
 * (signal, stage, raw stack, acquisitions so far) in one write() when it
 * crashes, calls exit() or is asked for its stack.
 */
#define _GNU_SOURCE
#include "engine/isolate.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/stackdump.h"
#include "model/fill.h"
#include "model/json.h"

enum { REC_SAMPLE = 1, REC_ERROR, REC_FAULT };
enum { FAULT_CRASH, FAULT_EXIT, FAULT_DUMP };

struct rec_header {
	uint32_t type, len;
};

#define FAULT_THREADS 256
struct fault {
	int32_t kind, sig, stage, nframes;
	uint32_t nthreads;
	void *frames[LB_STACK_MAX];
	uint64_t acquisitions[FAULT_THREADS];
};

/* ---- the child ---- */

static int child_fd = -1;
static struct lb_outcome *child_out; /* the run in progress, for the acquisitions so far */
static _Atomic int fault_written, fault_done;

/*
 * One record in one write: the pipe keeps it whole (it is under PIPE_BUF).
 * The first thread to get here writes it; another that crashes meanwhile
 * waits (a while) for it to be out before the process dies.
 */
static void write_fault(int kind, int sig)
{
	if (child_fd < 0)
		return;
	if (atomic_fetch_add(&fault_written, 1) != 0) {
		for (int i = 0; i < 2000 && !atomic_load(&fault_done); i++) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
		return;
	}
	static struct {
		struct rec_header h;
		struct fault f;
	} rec;
	_Static_assert(sizeof rec <= PIPE_BUF, "a fault record must fit one atomic write");
	rec.h.type = REC_FAULT;
	rec.h.len = sizeof rec.f;
	rec.f.kind = kind;
	rec.f.sig = sig;
	rec.f.stage = lb_stage;
	rec.f.nframes = backtrace(rec.f.frames, LB_STACK_MAX);
	rec.f.nthreads = 0;
	const struct lb_run *r = child_out != NULL ? &child_out->run : NULL;
	if (r != NULL && r->threads != NULL && lb_stage >= LB_STAGE_WARMUP)
		for (unsigned i = 0; i < r->nthreads && i < FAULT_THREADS; i++)
			rec.f.acquisitions[rec.f.nthreads++] = r->threads[i].total;
	ssize_t w = write(child_fd, &rec, sizeof rec);
	(void)w;
	atomic_store(&fault_done, 1);
}

static void on_crash(int sig)
{
	write_fault(FAULT_CRASH, sig);
	/* Die of it, as the parent must see. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_dump_request(int sig)
{
	write_fault(FAULT_DUMP, sig);
}

/* exit() from anywhere but the child's own end: a lock or a workload ended the process. */
static void on_exit_call(void)
{
	write_fault(FAULT_EXIT, 0);
}

static void send_record(uint32_t type, const char *payload, size_t len)
{
	struct rec_header h = { type, (uint32_t)len };
	if (write(child_fd, &h, sizeof h) != (ssize_t)sizeof h)
		return;
	while (len > 0) {
		ssize_t w = write(child_fd, payload, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		payload += w;
		len -= (size_t)w;
	}
}

static void child_run(int fd, const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		      const struct lb_wl_choice *wl, unsigned n, const int *pus, unsigned rep, double pp)
{
	child_fd = fd;
	static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		signal(crash_signals[i], on_crash);
	signal(SIGUSR2, on_dump_request);
	atexit(on_exit_call);
	lb_stackdump_init();

	static struct lb_outcome out;
	child_out = &out;
	if (lb_run_config(o, topo, lock, wl, n, pus, &out) != 0) {
		send_record(REC_ERROR, out.message, strlen(out.message));
		_exit(0);
	}
	out.pingpong_ns = pp;
	struct lb_sample s = { 0 };
	lb_sample_fill(&s, &out, rep, o->sample_every);
	s.isolated = true;
	char *text = lb_sample_to_json(&s);
	if (text == NULL) {
		static const char oom[] = "out of memory for the sample";
		send_record(REC_ERROR, oom, sizeof oom - 1);
	} else {
		send_record(REC_SAMPLE, text, strlen(text));
	}
	/* Stuck threads die with the process; nothing is freed or flushed. */
	_exit(0);
}

/* ---- the parent ---- */

static pid_t guard_pid;

static void exit_guard(void)
{
	/* Only in lockbench's own process (a child has its own handler), and only inside a config. */
	if (getpid() != guard_pid || lb_stage == LB_STAGE_IDLE)
		return;
	static const char msg[] = "lockbench: exit() was called from inside a config's run (the lock or the "
				  "workload, during ";
	const char *stage = lb_stage_name(lb_stage);
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	w = write(STDERR_FILENO, stage, strlen(stage));
	w = write(STDERR_FILENO, "); no result was written (--isolate keeps the others)\n", 54);
	(void)w;
	_exit(1);
}

void lb_exit_guard_install(void)
{
	if (guard_pid == 0 && atexit(exit_guard) == 0)
		guard_pid = getpid();
}

bool lb_isolate_wanted(int mode, const struct lb_lock_choice *lock, const struct lb_wl_choice *wl)
{
	if (mode != LB_ISOLATE_AUTO)
		return mode == LB_ISOLATE_ON;
	return lock->source != NULL || wl->wl->may_deadlock != NULL;
}

struct inbox {
	char *buf;
	size_t len, cap;
	bool eof;
};

static void inbox_read(int fd, struct inbox *in)
{
	for (;;) {
		if (in->cap - in->len < 65536) {
			size_t cap = in->cap ? in->cap * 2 : 131072;
			char *b = realloc(in->buf, cap);
			if (b == NULL)
				return;
			in->buf = b;
			in->cap = cap;
		}
		ssize_t r = read(fd, in->buf + in->len, in->cap - in->len);
		if (r > 0) {
			in->len += (size_t)r;
			continue;
		}
		if (r == 0)
			in->eof = true;
		return; /* EAGAIN, EINTR: later */
	}
}

/* The last record of a type in the inbox; NULL. */
static const char *find_record(const struct inbox *in, uint32_t type, uint32_t *len)
{
	const char *found = NULL;
	size_t at = 0;
	while (in->len - at >= sizeof(struct rec_header)) {
		struct rec_header h;
		memcpy(&h, in->buf + at, sizeof h);
		if (in->len - at - sizeof h < h.len)
			break;
		if (h.type == type) {
			found = in->buf + at + sizeof h;
			*len = h.len;
		}
		at += sizeof h + h.len;
	}
	return found;
}

static void set_message(struct lb_sample *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_message(struct lb_sample *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	free(s->message);
	s->message = m;
}

/* The child's end as the sample of a config that handed none back. */
static void describe_end(struct lb_sample *s, int status, bool killed_by_us, const struct fault *f)
{
	struct lb_crash *c = &s->crash;
	c->present = true;
	c->exit_status = -1;
	c->stage = lb_strdup(f != NULL ? lb_stage_name(f->stage) : "unknown");
	if (f != NULL) {
		c->stack = lb_stack_symbolise(f->frames, f->nframes, &c->nstack);
		c->acquisitions = calloc(f->nthreads ? f->nthreads : 1, sizeof *c->acquisitions);
		for (uint32_t i = 0; c->acquisitions != NULL && i < f->nthreads; i++)
			c->acquisitions[c->nthreads++] = f->acquisitions[i];
	}
	/* The culprit: the first frame that is neither our handler's nor the C library's way to die. */
	static const char *const plumbing[] = { "write_fault", "on_exit_call", "on_dump_request", "on_crash",
						"__run_exit_handlers", "exit ", "__GI_exit", "abort ", "__GI_abort",
						"raise ", "__GI_raise", "__pthread_kill", "pthread_kill" };
	const char *top = c->nstack ? c->stack[0] : "no stack";
	for (size_t i = 0; i < c->nstack; i++) {
		bool skip = false;
		for (size_t j = 0; j < sizeof plumbing / sizeof plumbing[0]; j++)
			skip |= strncmp(c->stack[i], plumbing[j], strlen(plumbing[j])) == 0;
		if (!skip) {
			top = c->stack[i];
			break;
		}
	}
	if (WIFSIGNALED(status) && !killed_by_us) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);
		char name[32];
		snprintf(name, sizeof name, "SIG%s", abbrev ? abbrev : "?");
		c->signal = lb_strdup(name);
		s->status = LB_RS_CRASHED;
		set_message(s, "killed by %s (%s) during %s, in %s", name, strsignal(sig), c->stage, top);
	} else if (WIFEXITED(status) && !killed_by_us) {
		c->exit_status = WEXITSTATUS(status);
		s->status = LB_RS_CRASHED;
		if (f != NULL && f->kind == FAULT_EXIT)
			set_message(s, "the process exited with status %d during %s: exit() called from %s", c->exit_status,
				    c->stage, top);
		else
			set_message(s, "the process exited with status %d during %s and handed back no sample",
				    c->exit_status, c->stage);
	}
}

int lb_run_isolated(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		    const struct lb_wl_choice *wl, unsigned nthreads, const int *pus, unsigned repetition,
		    double pingpong_ns, struct lb_sample *s, char *msg, size_t msglen)
{
	memset(s, 0, sizeof *s);
	s->repetition = repetition;
	s->duration_s = NAN;
	s->throughput_per_s = NAN;
	s->pingpong_ns = pingpong_ns;
	s->isolated = true;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(msg, msglen, "isolation: pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "isolation: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(fds[1], o, topo, lock, wl, nthreads, pus, repetition, pingpong_ns);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);

	/* The child bounds init and the stop by the grace period itself; this is the bound beyond those. */
	uint64_t budget = (uint64_t)(o->warmup_ns + o->duration_ns + 3 * o->grace_ns) + 10000000000ull;
	uint64_t start = lb_mono_ns(), deadline = start + budget, kill_at = 0;
	bool forwarded = false, killed = false, timed_out = false;
	int interrupts_seen = 0;
	struct inbox in = { 0 };
	int status = 0;
	while (!in.eof) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		poll(&p, 1, 50);
		inbox_read(fds[0], &in);
		uint64_t now = lb_mono_ns();
		if (lb_interrupted > interrupts_seen) {
			interrupts_seen = lb_interrupted;
			if (!forwarded) {
				/* The child ends its window and hands back what it has... */
				kill(pid, SIGINT);
				forwarded = true;
				kill_at = now + (uint64_t)o->grace_ns + 2000000000ull;
			} else if (!killed) {
				/* ... unless asked twice. */
				kill(pid, SIGKILL);
				killed = true;
			}
		}
		if (!killed && ((kill_at && now > kill_at) || now > deadline)) {
			timed_out = !forwarded;
			/* Where it is stuck: its main thread's stack, then the end. */
			kill(pid, SIGUSR2);
			for (int i = 0; i < 20 && !in.eof; i++) {
				poll(&p, 1, 50);
				inbox_read(fds[0], &in);
				uint32_t l;
				if (find_record(&in, REC_FAULT, &l) != NULL)
					break;
			}
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	uint32_t len = 0;
	const char *rec = find_record(&in, REC_SAMPLE, &len);
	int rc = 0;
	if (rec != NULL) {
		char err[512];
		if (lb_sample_from_json(rec, len, s, err, sizeof err) != 0) {
			s->status = LB_RS_ERROR;
			set_message(s, "isolation: the sample did not come back whole: %s", err);
		}
		s->repetition = repetition;
		s->isolated = true;
	} else if ((rec = find_record(&in, REC_ERROR, &len)) != NULL) {
		snprintf(msg, msglen, "%.*s", (int)len, rec);
		rc = -1;
	} else {
		struct fault f;
		const char *fr = find_record(&in, REC_FAULT, &len);
		bool have = fr != NULL && len == sizeof f;
		if (have)
			memcpy(&f, fr, sizeof f);
		describe_end(s, status, killed, have ? &f : NULL);
		s->duration_s = 0; /* no measured window was completed */
		if (killed && timed_out) {
			s->status = LB_RS_HUNG;
			set_message(s, "the isolated run did not finish within %.1f s (stuck during %s, in %s); killed",
				    (double)budget / 1e9, s->crash.stage, s->crash.nstack ? s->crash.stack[0] : "?");
		} else if (killed) {
			s->status = LB_RS_INTERRUPTED;
			set_message(s, "interrupted; the isolated run was killed during %s", s->crash.stage);
		}
	}
	free(in.buf);
	return rc;
}
