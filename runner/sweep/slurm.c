/*
 * sweep/slurm.c — Slurm's client commands, run and read (see slurm.h).
 *
 * `scontrol -o` prints one job per line as Key=Value words; the keys read
 * here (JobId, ArrayJobId, ArrayTaskId, JobState, ExitCode, Reason) have
 * values without spaces. sbatch --parsable prints "jobid[;cluster]".
 */
#define _GNU_SOURCE
#include "sweep/slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* A client command that has not answered in this long is not going to. */
#define EXEC_TIMEOUT_S 60

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append what fd has to buf[*used..len-1]; false at end of file. */
static bool drain(int fd, char *buf, size_t len, size_t *used)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof tmp);
	if (r <= 0)
		return r < 0 && (errno == EINTR || errno == EAGAIN);
	size_t room = len - 1 - *used, take = (size_t)r < room ? (size_t)r : room;
	memcpy(buf + *used, tmp, take);
	*used += take;
	buf[*used] = '\0';
	return true;
}

int lb_exec_capture(char *const argv[], char *out, size_t outlen, char *errline, size_t errlen)
{
	int po[2], pe[2];
	out[0] = errline[0] = '\0';
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		snprintf(errline, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(errline, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	char errbuf[4096] = "";
	size_t oused = 0, eused = 0;
	bool oopen = true, eopen = true, timed_out = false;
	double deadline = now_s() + EXEC_TIMEOUT_S;
	while (oopen || eopen) {
		struct pollfd fds[2] = { { oopen ? po[0] : -1, POLLIN, 0 }, { eopen ? pe[0] : -1, POLLIN, 0 } };
		int left = (int)((deadline - now_s()) * 1000);
		if (left <= 0 || poll(fds, 2, left) == 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (oopen && fds[0].revents)
			oopen = drain(po[0], out, outlen, &oused);
		if (eopen && fds[1].revents)
			eopen = drain(pe[0], errbuf, sizeof errbuf, &eused);
	}
	close(po[0]);
	close(pe[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* The first line that says something; Slurm's tools prefix "error: ". */
	char *line = errbuf;
	while (*line == '\n')
		line++;
	line[strcspn(line, "\n")] = '\0';
	snprintf(errline, errlen, "%s", line);
	if (timed_out) {
		snprintf(errline, errlen, "%s did not answer in %d s", argv[0], EXEC_TIMEOUT_S);
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && strstr(line, strerror(ENOENT)))
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A command's complaint, or its first line of output when it said nothing on stderr. */
static const char *why(const char *errline, const char *out)
{
	static char buf[512];
	const char *s = *errline ? errline : out;
	int n = (int)strcspn(s, "\n");
	snprintf(buf, sizeof buf, "%.*s", n < 500 ? n : 500, s);
	return buf;
}

int lb_slurm_ping(char *err, size_t errlen)
{
	char out[4096], e[512];
	/* Without a configuration, Slurm's tools retry for a minute before they give up. */
	const char *conf = getenv("SLURM_CONF");
	if (conf && *conf && access(conf, R_OK) != 0)
		return ERR("SLURM_CONF=%s: %s", conf, strerror(errno));
	if ((conf == NULL || *conf == '\0') && access("/etc/slurm/slurm.conf", R_OK) != 0 &&
	    access("/run/slurm/conf/slurm.conf", R_OK) != 0)
		return ERR("no Slurm configuration (SLURM_CONF is unset, no /etc/slurm/slurm.conf): is this a Slurm "
			   "cluster? (--local runs here)");
	char *argv[] = { "scontrol", "ping", NULL };
	int rc = lb_exec_capture(argv, out, sizeof out, e, sizeof e);
	if (rc < 0)
		return ERR("cannot run scontrol (%s): is this a Slurm cluster? (make deps installs slurm-wlm)", e);
	if (rc != 0 || strstr(out, " is UP") == NULL)
		return ERR("the Slurm controller does not answer (scontrol ping: %s)", why(e, out));
	return 0;
}

/* Is word one of the lines (or comma-separated items) of list? */
static bool listed(const char *list, const char *word, const char *seps)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, seps);
		if (n == wl && strncmp(p, word, wl) == 0)
			return true;
		p += n;
		p += strspn(p, seps);
	}
	return false;
}

/* sinfo -h -o FMT [extra args]; its output in out. */
static int sinfo(const char *fmt, const char *nflag, char *out, size_t outlen, char *err, size_t errlen)
{
	char e[512];
	char *argv[] = { "sinfo", "-h", "-o", (char *)fmt, (char *)nflag, NULL };
	int rc = lb_exec_capture(argv, out, outlen, e, sizeof e);
	if (rc != 0)
		return ERR("sinfo failed: %s", why(e, out));
	return 0;
}

int lb_slurm_check_machine(const struct lb_sweep_machine *m, char *err, size_t errlen)
{
	static char out[1 << 16];
	if (m->partition) {
		if (sinfo("%R", NULL, out, sizeof out, err, errlen) != 0)
			return -1;
		if (!listed(out, m->partition, "\n ")) {
			for (char *p = out; *p; p++)
				*p = *p == '\n' && p[1] ? ' ' : *p;
			out[strcspn(out, "\n")] = '\0';
			return ERR("machine \"%s\": partition \"%s\" does not exist (sinfo lists: %s)", m->name,
				   m->partition, out);
		}
	}
	if (m->node) {
		if (sinfo("%N", "-N", out, sizeof out, err, errlen) != 0)
			return -1;
		if (!listed(out, m->node, "\n "))
			return ERR("machine \"%s\": node \"%s\" is not in the cluster (sinfo -N)", m->name, m->node);
	}
	/* A plain feature name must be some node's; expressions (a&b, a|b, [..]) are sbatch's to judge. */
	if (m->constraint && strspn(m->constraint, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") ==
				     strlen(m->constraint)) {
		if (sinfo("%f", NULL, out, sizeof out, err, errlen) != 0)
			return -1;
		if (!listed(out, m->constraint, "\n ,"))
			return ERR("machine \"%s\": no node has the feature \"%s\" (sinfo -o %%f)", m->name,
				   m->constraint);
	}
	return 0;
}

int lb_slurm_submit(const struct lb_sweep_machine *m, const char *time_limit, const char *job_name,
		    const char *tasks, const char *log_pattern, const char *script, char ***sbatch_argv,
		    size_t *sbatch_argc, char *job_id, size_t idlen, char *err, size_t errlen)
{
	char *argv[48];
	char opt[8][4200];
	size_t n = 0, o = 0;
	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	argv[n++] = "--nodes=1";
	argv[n++] = "--exclusive";
#define OPT(...) (snprintf(opt[o], sizeof opt[o], __VA_ARGS__), argv[n++] = opt[o++])
	OPT("--job-name=%s", job_name);
	OPT("--array=%s", tasks);
	OPT("--output=%s", log_pattern);
	if (m->partition)
		OPT("--partition=%s", m->partition);
	if (m->node)
		OPT("--nodelist=%s", m->node);
	if (m->constraint)
		OPT("--constraint=%s", m->constraint);
	if (time_limit)
		OPT("--time=%s", time_limit);
#undef OPT
	for (size_t i = 0; i < m->nextra; i++)
		argv[n++] = (char *)m->extra[i];
	argv[n++] = (char *)script;
	argv[n] = NULL;
	*sbatch_argv = lb_strv_copy(argv, n);
	*sbatch_argc = n;
	char out[1024], e[512];
	int rc = lb_exec_capture(argv, out, sizeof out, e, sizeof e);
	if (rc != 0)
		return ERR("machine \"%s\": sbatch: %s", m->name, rc < 0 ? e : why(e, out));
	out[strcspn(out, ";\n")] = '\0';
	if (out[0] == '\0' || strspn(out, "0123456789") != strlen(out))
		return ERR("machine \"%s\": sbatch printed no job id (\"%s\")", m->name, out);
	snprintf(job_id, idlen, "%s", out);
	return 0;
}

/* The value of " Key=" in a `scontrol -o` line, into buf; NULL if absent. */
static const char *field(const char *line, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			const char *v = p + kl + 1;
			snprintf(buf, len, "%.*s", (int)strcspn(v, " \n"), v);
			return buf;
		}
	}
	return NULL;
}

/* Every task of an ArrayTaskId value ("3", "1-4", "0,2-5%2") gets the record: one range per item. */
static void add_tasks(struct lb_slurm_job *job, const char *ids, const struct lb_slurm_task *rec)
{
	char copy[1024], *save = NULL;
	snprintf(copy, sizeof copy, "%.*s", (int)strcspn(ids, "%"), ids);
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct lb_slurm_task *t = realloc(job->tasks, (job->ntasks + 1) * sizeof *t);
		if (t == NULL) {
			fputs("lockbench: out of memory\n", stderr);
			exit(2);
		}
		job->tasks = t;
		t = &job->tasks[job->ntasks++];
		*t = *rec;
		t->lo = t->hi = strtol(item, NULL, 10);
		char *dash = strchr(item, '-');
		if (dash)
			t->hi = strtol(dash + 1, NULL, 10);
	}
}

int lb_slurm_tasks(const char *job_id, struct lb_slurm_job *job, char *err, size_t errlen)
{
	static char out[1 << 20];
	char e[512];
	char *argv[] = { "scontrol", "-o", "show", "job", (char *)job_id, NULL };
	int rc = lb_exec_capture(argv, out, sizeof out, e, sizeof e);
	memset(job, 0, sizeof *job);
	snprintf(job->id, sizeof job->id, "%s", job_id);
	/* Forgotten (older than MinJobAge) or never known: nothing to say. */
	if (rc != 0 && (strstr(e, "Invalid job id") || strstr(out, "Invalid job id")))
		return 0;
	if (rc != 0)
		return ERR("scontrol show job %s: %s", job_id, rc < 0 ? e : why(e, out));
	for (char *line = out, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char ajid[32], atid[1024];
		struct lb_slurm_task rec = { 0 };
		if (!field(line, "ArrayJobId", ajid, sizeof ajid) || strcmp(ajid, job_id) != 0 ||
		    !field(line, "ArrayTaskId", atid, sizeof atid) || !field(line, "JobState", rec.state, sizeof rec.state))
			continue;
		field(line, "ExitCode", rec.exit_code, sizeof rec.exit_code);
		if (field(line, "Reason", rec.reason, sizeof rec.reason) && strcmp(rec.reason, "None") == 0)
			rec.reason[0] = '\0';
		add_tasks(job, atid, &rec);
	}
	return 0;
}

const struct lb_slurm_task *lb_slurm_task_find(const struct lb_slurm_job *job, unsigned task)
{
	/* The last line naming a task is its latest record, as scontrol lists them. */
	for (size_t i = job->ntasks; i-- > 0;)
		if (job->tasks[i].lo <= (long)task && (long)task <= job->tasks[i].hi)
			return &job->tasks[i];
	return NULL;
}

void lb_slurm_job_free(struct lb_slurm_job *job)
{
	free(job->tasks);
	memset(job, 0, sizeof *job);
}

int lb_slurm_cancel(char *const ids[], size_t n, char *err, size_t errlen)
{
	char **argv = calloc(n + 2, sizeof *argv);
	if (argv == NULL)
		return ERR("out of memory");
	argv[0] = "scancel";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = ids[i];
	char out[4096], e[512];
	int rc = lb_exec_capture(argv, out, sizeof out, e, sizeof e);
	free(argv);
	if (rc != 0)
		return ERR("scancel: %s", rc < 0 ? e : why(e, out));
	return 0;
}

bool lb_slurm_state_final(const char *state)
{
	static const char *const final[] = { "COMPLETED", "FAILED",	"CANCELLED", "TIMEOUT",	   "PREEMPTED",
					     "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "VANISHED",
					     "INTERRUPTED", NULL };
	for (size_t i = 0; final[i]; i++)
		if (strcmp(state, final[i]) == 0)
			return true;
	return false;
}
