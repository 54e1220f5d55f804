// SPDX-License-Identifier: GPL-2.0
/*
 * rdbd-vmlink: one guest-to-guest Ethernet link for the VM test harness.
 *
 * Why a relay: QEMU 7.2's "-netdev stream" client never reconnects, so if
 * the two guests were wired to each other directly, power-cutting and
 * rebooting the listening guest would leave the other one with a dead
 * NIC forever.  Instead both QEMUs connect as clients to this relay, which
 * outlives any guest reboot: a rebooted guest just connects again.
 *
 * It also owns the "cable": a control connection can cut the link (frames
 * are dropped silently in both directions, as when a switch dies) and
 * restore it.  Cutting here rather than with QEMU's set_link keeps the cut
 * in force across a reboot of either guest.
 *
 * Wire format (QEMU's stream netdev): each frame is a 4-byte big-endian
 * length followed by that many bytes.  Only whole frames are forwarded, so
 * a guest dying in the middle of a frame cannot desynchronise the other.
 *
 * Usage: rdbd-vmlink SIDE_A_FD SIDE_B_FD CONTROL_FD [LABEL]
 * All three are listening unix sockets created (and bound) by the caller,
 * which is why no startup handshake is needed: connects queue in the
 * backlog until the relay accepts them.  LABEL is ignored: it lets the
 * harness recognise its own relays in the process table.
 *
 * Control protocol: connect, send "down\n", "up\n" or "status\n", read
 * one reply line ("link down", "link up"), the relay closes.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_BYTES	(512 * 1024)	/* per direction; holds several frames */
#define MAX_FRAME	(256 * 1024)	/* QEMU's frames are < 70 KiB */

struct side {
	int listen_fd;
	int fd;			/* the connected QEMU, or -1 */
	unsigned char buf[BUF_BYTES];	/* bytes read from this side */
	size_t len;		/* bytes in buf */
	size_t out_end;		/* buf[0, out_end) are whole frames being sent */
	size_t sent;		/* of those, bytes already written to the peer */
};

static struct side sides[2];
static bool link_up = true;

static uint32_t frame_len(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void discard_front(struct side *s, size_t n)
{
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
	s->out_end = 0;
	s->sent = 0;
}

static void drop_connection(struct side *s, struct side *peer)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->len = 0;		/* a half-read frame dies with its sender */
	s->out_end = 0;
	s->sent = 0;
	discard_front(peer, peer->out_end); /* frames meant for the dead one */
}

/* Length of the run of whole frames at the front of @s->buf; 0 if none. */
static size_t whole_frames(const struct side *s)
{
	size_t off = 0;

	while (s->len - off >= 4 && s->len - off >= 4 + frame_len(s->buf + off))
		off += 4 + frame_len(s->buf + off);
	return off;
}

/* Returns false if @s sent a frame longer than any QEMU sends. */
static bool frames_sane(const struct side *s)
{
	size_t off = whole_frames(s);

	return s->len - off < 4 || frame_len(s->buf + off) <= MAX_FRAME;
}

/*
 * Move whole frames from @from to @to.  Partial frames wait for the rest;
 * frames are dropped while the link is cut or no QEMU is on the far side.
 */
static void forward(struct side *from, struct side *to)
{
	ssize_t n;

	if (from->out_end == 0) {
		size_t ready = whole_frames(from);

		if (!ready)
			return;
		if (!link_up || to->fd < 0) {
			discard_front(from, ready);
			return;
		}
		from->out_end = ready;
	}
	n = send(to->fd, from->buf + from->sent, from->out_end - from->sent,
		 MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop_connection(to, from);
		return;
	}
	from->sent += (size_t)n;
	if (from->sent == from->out_end)
		discard_front(from, from->out_end);
}

static void receive(struct side *s, struct side *peer)
{
	ssize_t n = recv(s->fd, s->buf + s->len, BUF_BYTES - s->len,
			 MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_connection(s, peer);
		return;
	}
	if (n > 0)
		s->len += (size_t)n;
	if (!frames_sane(s)) {
		fprintf(stderr, "rdbd-vmlink: oversized frame, dropping side\n");
		drop_connection(s, peer);
	}
}

/* A new QEMU on this side replaces the old connection (a rebooted guest). */
static void accept_side(struct side *s, struct side *peer)
{
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd < 0)
		return;
	drop_connection(s, peer);
	s->fd = fd;
}

static void serve_control(int listen_fd)
{
	char cmd[32] = "";
	const char *reply;
	ssize_t n;
	int fd = accept(listen_fd, NULL, NULL);

	if (fd < 0)
		return;
	n = recv(fd, cmd, sizeof(cmd) - 1, 0);	/* blocking: one short line */
	if (n > 0)
		cmd[n] = '\0';
	/* Anything else ("status\n") just reads the state. */
	if (!strcmp(cmd, "down\n"))
		link_up = false;
	else if (!strcmp(cmd, "up\n"))
		link_up = true;
	reply = link_up ? "link up\n" : "link down\n";
	if (send(fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
		perror("rdbd-vmlink: control reply");
	close(fd);
}

int main(int argc, char **argv)
{
	int control_fd;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: rdbd-vmlink SIDE_A_FD SIDE_B_FD CONTROL_FD [LABEL]\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		sides[i].listen_fd = atoi(argv[1 + i]);
		sides[i].fd = -1;
	}
	control_fd = atoi(argv[3]);

	for (;;) {
		struct pollfd p[5];

		for (int i = 0; i < 2; i++) {
			struct side *s = &sides[i], *peer = &sides[!i];

			p[i] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
			/* Read while there is room; write while frames wait. */
			p[2 + i] = (struct pollfd){ .fd = s->fd };
			if (s->len < BUF_BYTES)
				p[2 + i].events |= POLLIN;
			if (peer->out_end || whole_frames(peer))
				p[2 + i].events |= POLLOUT;
		}
		p[4] = (struct pollfd){ .fd = control_fd, .events = POLLIN };
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("rdbd-vmlink: poll");
			return 1;
		}
		for (int i = 0; i < 2; i++) {
			struct side *s = &sides[i], *peer = &sides[!i];

			if (p[i].revents & POLLIN)
				accept_side(s, peer);
			else if (p[2 + i].revents & (POLLIN | POLLHUP | POLLERR))
				receive(s, peer);
		}
		if (p[4].revents & POLLIN)
			serve_control(control_fd);
		forward(&sides[0], &sides[1]);
		forward(&sides[1], &sides[0]);
	}
}
