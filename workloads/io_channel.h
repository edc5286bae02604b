/*
 * io_channel.h — a blocking request/answer channel to a peer thread: the
 * socket and pipe I/O of the interp workload.
 *
 * The I/O thread sends one byte and then blocks reading the answer. The
 * peer (a plain thread, never touching the lock under test) reads the
 * request, sleeps delay_ns — a futex wait on the workload's stop word, so
 * that a raised stop word ends the sleep — and writes the answer. With
 * delay_ns 0 it answers at once: an I/O call completed by another task
 * however quickly, which a timed sleep cannot model.
 *
 * Lifetime: whoever opens a channel closes it. The interp workload opens
 * one per I/O thread in setup and that thread closes it as it leaves (a
 * failing setup closes the ones it opened), because the harness frees
 * only memory. Closing sends EOF down the request direction (shutdown or
 * close), which ends the peer's read; the peer is joined before the answer
 * direction is closed, so no answer is ever written into a closed pipe
 * (no SIGPIPE), and socket writes use MSG_NOSIGNAL besides.
 *
 * Why a stop needs nothing written into the channel: the I/O thread blocks
 * reading only while the peer holds its request, i.e. while the peer
 * sleeps (ended by the stop word) or is about to answer.
 */
#ifndef LB_WORKLOADS_IO_CHANNEL_H
#define LB_WORKLOADS_IO_CHANNEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_channel {
	int fd_out, fd_in;     /* the I/O thread's ends: requests out, answers in */
	int peer_in, peer_out; /* the peer's (a socket: one descriptor each side) */
	bool socket;
	bool open;             /* a peer runs and the descriptors are ours */
	uint64_t delay_ns;
	_Atomic uint32_t *stopped; /* the workload's stop word (a futex) */
	pthread_t peer;
};

/* A socketpair (socket) or two pipes, and the peer. 0, or -1 with "what: why" in err. */
int io_channel_open(struct io_channel *c, bool socket, uint64_t delay_ns, _Atomic uint32_t *stopped, char *err,
		    size_t errlen);
/* One request; false if the channel is broken. */
bool io_channel_send(struct io_channel *c);
/* Block until the answer; false if the channel is broken or ended. */
bool io_channel_recv(struct io_channel *c);
/* EOF to the peer, join it, close every descriptor. Does nothing if not open. */
void io_channel_close(struct io_channel *c);

#endif
