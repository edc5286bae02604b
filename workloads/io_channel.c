/*
 * io_channel.c — the peer thread and the two ends of a request/answer
 * channel (see io_channel.h).
 */
#define _GNU_SOURCE
#include "io_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cond.h"

static bool put_byte(int fd, bool socket)
{
	char c = 'a';
	ssize_t n;
	do
		n = socket ? send(fd, &c, 1, MSG_NOSIGNAL) : write(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

static bool get_byte(int fd)
{
	char c;
	ssize_t n;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

/* Answer each request after delay_ns, or at once once the stop word is up; end on EOF. */
static void *peer_main(void *p)
{
	struct io_channel *c = p;
	while (get_byte(c->peer_in)) {
		if (c->delay_ns != 0)
			lb_futex_wait(c->stopped, 0, c->delay_ns); /* returns at once when stopped != 0 */
		if (!put_byte(c->peer_out, c->socket))
			break;
	}
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int io_channel_open(struct io_channel *c, bool socket, uint64_t delay_ns, _Atomic uint32_t *stopped, char *err,
		    size_t errlen)
{
	int a[2], b[2];
	*c = (struct io_channel){ .fd_out = -1, .fd_in = -1, .peer_in = -1, .peer_out = -1, .socket = socket,
				  .delay_ns = delay_ns, .stopped = stopped };
	if (socket) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) != 0) {
			snprintf(err, errlen, "socketpair: %s", strerror(errno));
			return -1;
		}
		c->fd_out = c->fd_in = a[0];
		c->peer_in = c->peer_out = a[1];
	} else {
		if (pipe2(a, O_CLOEXEC) != 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			return -1;
		}
		if (pipe2(b, O_CLOEXEC) != 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			close(a[0]);
			close(a[1]);
			return -1;
		}
		c->fd_out = a[1], c->peer_in = a[0]; /* requests */
		c->peer_out = b[1], c->fd_in = b[0]; /* answers */
	}
	int rc = pthread_create(&c->peer, NULL, peer_main, c);
	if (rc != 0) {
		snprintf(err, errlen, "starting an I/O peer thread: %s", strerror(rc));
		if (socket)
			c->fd_in = c->peer_out = -1; /* the same descriptors as fd_out, peer_in */
		close_fd(&c->fd_out);
		close_fd(&c->fd_in);
		close_fd(&c->peer_in);
		close_fd(&c->peer_out);
		return -1;
	}
	c->open = true;
	return 0;
}

bool io_channel_send(struct io_channel *c)
{
	return put_byte(c->fd_out, c->socket);
}

bool io_channel_recv(struct io_channel *c)
{
	return get_byte(c->fd_in);
}

void io_channel_close(struct io_channel *c)
{
	if (!c->open)
		return;
	c->open = false;
	if (c->socket)
		shutdown(c->fd_out, SHUT_WR); /* EOF for the peer's read; the socket stays open for its answer */
	else
		close_fd(&c->fd_out);
	pthread_join(c->peer, NULL);
	if (c->socket)
		c->fd_in = c->peer_out = -1; /* the same descriptors as fd_out, peer_in */
	close_fd(&c->fd_out);
	close_fd(&c->fd_in);
	close_fd(&c->peer_in);
	close_fd(&c->peer_out);
}
