/*
 * delayproxy: a TCP proxy on 127.0.0.1 that stands for a slow link.
 * Every chunk it reads, from either side, is passed on a fixed delay
 * after it was read (order kept in each direction; the delays overlap,
 * they do not add up), and the connection to the server is opened the
 * same delay after the client's, so the server's greeting reaches the
 * client two delays after connect(), as over a real link.
 *
 * usage: delayproxy -t port [-d ms] [-P portfile] [-s statsfile] [-v]
 *
 * It counts the client's round trips on each connection: 1 for the
 * connection set-up, plus 1 each time the client sends after the proxy
 * has passed it data from the server since the client's previous send
 * (a client-to-server flight that answers something).  When the client
 * closes its side, one line is appended to the stats file:
 *
 *   rtt N up OCTETS down OCTETS
 *
 * (up: client to server, down: server to client; one write() in append
 * mode, so lines never mix).  With -v, every chunk read is shown on
 * standard error: connection, milliseconds since its accept, direction,
 * octets, the round trip it starts, and its first octets.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536 /* octets read at a time */
#define MAXQUEUED (4 * 1024 * 1024) /* per direction, then stop reading */

struct chunk {
	struct chunk *next;
	uint64_t due; /* when it goes out, ns on CLOCK_MONOTONIC */
	size_t len, off; /* len 0: the end of the stream */
	char data[];
};

/* One direction: read from "from", held, written to "to". */
struct dir {
	struct chunk *head, *tail;
	size_t queued;
	int eof_read, done; /* done: the end passed on, or the peer gone */
};

struct pconn {
	struct pconn *next;
	int cfd, sfd; /* client, server (-1 until connected) */
	uint64_t connect_due;
	struct dir up, down; /* client to server, server to client */
	int server_spoke; /* data passed to the client since its last send */
	unsigned long rtt, id;
	uint64_t accepted, up_octets, down_octets;
	int logged;
};

static struct {
	int target, statsfd, verbose;
	unsigned long nconns;
	uint64_t delay;
	struct pconn *conns;
} g;

static volatile sig_atomic_t stop;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("delayproxy: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
nodelay_nonblock(int fd)
{
	int one = 1;

	/* What the proxy passes on goes out at once: any wait is the
	 * delay's, not Nagle's. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* ------------------------------------------------------------- queues */

static void
push(struct dir *d, const char *p, size_t n, uint64_t due)
{
	struct chunk *ch = malloc(sizeof(*ch) + n);

	if (ch == NULL)
		die("out of memory");
	ch->next = NULL;
	ch->due = due;
	ch->len = n;
	ch->off = 0;
	memcpy(ch->data, p, n);
	if (d->tail != NULL)
		d->tail->next = ch;
	else
		d->head = ch;
	d->tail = ch;
	d->queued += n;
}

static void
pop(struct dir *d)
{
	struct chunk *ch = d->head;

	d->head = ch->next;
	if (d->head == NULL)
		d->tail = NULL;
	d->queued -= ch->len;
	free(ch);
}

static void
drop_all(struct dir *d)
{
	while (d->head != NULL)
		pop(d);
	d->done = 1;
}

/* ------------------------------------------------------- connections */

static void
log_conn(struct pconn *c)
{
	char line[160];
	int n;

	if (c->logged || g.statsfd < 0)
		return;
	c->logged = 1;
	n = snprintf(line, sizeof(line), "rtt %lu up %llu down %llu\n", c->rtt,
	    (unsigned long long)c->up_octets,
	    (unsigned long long)c->down_octets);
	if (write(g.statsfd, line, (size_t)n) != n)
		perror("delayproxy: stats file");
}

static void
accept_conn(int lfd)
{
	struct pconn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		die("out of memory");
	nodelay_nonblock(fd);
	c->cfd = fd;
	c->sfd = -1;
	c->rtt = 1; /* the connection set-up */
	c->id = ++g.nconns;
	c->accepted = now_ns();
	c->connect_due = c->accepted + g.delay;
	if (g.verbose)
		fprintf(stderr, "%lu accepted at %.3f ms (CLOCK_MONOTONIC)\n",
		    c->id, (double)c->accepted / 1e6);
	c->next = g.conns;
	g.conns = c;
}

/* The server side, one delay after the client's connect. */
static void
connect_server(struct pconn *c)
{
	struct sockaddr_in sa = loopback(g.target);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "delayproxy: port %d: %s\n", g.target,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		/* Nothing can go through: end the client's side. */
		drop_all(&c->up);
		c->down.eof_read = c->down.done = 1;
		shutdown(c->cfd, SHUT_RDWR);
		return;
	}
	nodelay_nonblock(fd);
	c->sfd = fd;
}

static void
trace(const struct pconn *c, int up, const char *p, ssize_t n, uint64_t now,
    int counted)
{
	char shown[41];
	size_t i;

	for (i = 0; n > 0 && i < (size_t)n && i + 1 < sizeof(shown); i++)
		shown[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.';
	shown[i] = '\0';
	fprintf(stderr, "%lu %9.3f %s %6zd%s %s\n", c->id,
	    (double)(now - c->accepted) / 1e6, up ? "up  " : "down", n,
	    counted ? " rtt" : "    ", shown);
}

/* Read what is there; the round trip count is kept here. */
static void
read_side(struct pconn *c, int up, uint64_t now)
{
	static char buf[CHUNK];
	struct dir *d = up ? &c->up : &c->down;
	ssize_t n = read(up ? c->cfd : c->sfd, buf, sizeof(buf));
	int counted = up && n > 0 && c->server_spoke;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (g.verbose)
		trace(c, up, buf, n, now, counted);
	if (n <= 0) { /* the end of the stream, or a reset: pass it on */
		d->eof_read = 1;
		push(d, buf, 0, now + g.delay);
		if (up)
			log_conn(c);
		return;
	}
	if (up) {
		c->rtt += (unsigned long)counted;
		c->server_spoke = 0;
		c->up_octets += (uint64_t)n;
	} else {
		c->down_octets += (uint64_t)n;
	}
	push(d, buf, (size_t)n, now + g.delay);
}

/* Write the chunks that are due; stops at one the socket cannot take. */
static void
write_side(struct pconn *c, int up, uint64_t now)
{
	struct dir *d = up ? &c->up : &c->down;
	int to = up ? c->sfd : c->cfd;
	struct chunk *ch;
	ssize_t n;

	while ((ch = d->head) != NULL && ch->due <= now && !d->done) {
		if (ch->len == 0) {
			shutdown(to, SHUT_WR);
			d->done = 1;
			pop(d);
			break;
		}
		n = send(to, ch->data + ch->off, ch->len - ch->off,
		    MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) { /* the peer is gone */
			drop_all(d);
			return;
		}
		if (!up)
			c->server_spoke = 1;
		ch->off += (size_t)n;
		if (ch->off < ch->len)
			return;
		pop(d);
	}
}

static int
finished(const struct pconn *c)
{
	return c->up.done && c->down.done;
}

static void
free_conn(struct pconn *c)
{
	log_conn(c);
	drop_all(&c->up);
	drop_all(&c->down);
	close(c->cfd);
	if (c->sfd >= 0)
		close(c->sfd);
	free(c);
}

/* ---------------------------------------------------------- the loop */

/* The poll events wanted for one side of a connection. */
static short
events(const struct dir *rd, const struct dir *wr, uint64_t now)
{
	short ev = 0;

	if (!rd->eof_read && rd->queued < MAXQUEUED && !rd->done)
		ev |= POLLIN;
	if (wr->head != NULL && wr->head->due <= now && !wr->done)
		ev |= POLLOUT;
	return ev;
}

/* The earliest moment something is due, or UINT64_MAX. */
static uint64_t
next_due(uint64_t now)
{
	uint64_t due = UINT64_MAX;
	struct pconn *c;

	for (c = g.conns; c != NULL; c = c->next) {
		if (c->sfd < 0 && c->connect_due < due)
			due = c->connect_due;
		if (c->up.head != NULL && c->up.head->due > now &&
		    c->up.head->due < due)
			due = c->up.head->due;
		if (c->down.head != NULL && c->down.head->due > now &&
		    c->down.head->due < due)
			due = c->down.head->due;
	}
	return due;
}

static size_t
count_conns(void)
{
	size_t n = 0;
	struct pconn *c;

	for (c = g.conns; c != NULL; c = c->next)
		n++;
	return n;
}

/*
 * now must be the moment events() was asked about: a chunk that fell due
 * after it has no POLLOUT, so it must count as still to come.
 */
static void
wait_events(struct pollfd *pfd, size_t n, uint64_t now)
{
	uint64_t due = next_due(now);
	struct timespec ts, *tp = NULL;

	if (due != UINT64_MAX) {
		now = now_ns();
		due = due > now ? due - now : 0;
		ts.tv_sec = (time_t)(due / 1000000000u);
		ts.tv_nsec = (long)(due % 1000000000u);
		tp = &ts;
	}
	if (ppoll(pfd, n, tp, NULL) < 0 && errno != EINTR)
		die("poll: %s", strerror(errno));
}

/* Reads, then the writes now due, on one connection. */
static void
service(struct pconn *c, const struct pollfd *cp, const struct pollfd *sp)
{
	uint64_t now = now_ns();

	if (c->sfd < 0 && now >= c->connect_due && !c->down.done)
		connect_server(c);
	if ((cp->events & POLLIN) &&
	    (cp->revents & (POLLIN | POLLHUP | POLLERR)))
		read_side(c, 1, now);
	if ((sp->events & POLLIN) &&
	    (sp->revents & (POLLIN | POLLHUP | POLLERR)))
		read_side(c, 0, now);
	if (c->sfd >= 0)
		write_side(c, 1, now);
	write_side(c, 0, now);
}

static void
loop_once(int lfd)
{
	size_t n = count_conns(), i = 1;
	struct pollfd *pfd = calloc(1 + 2 * n, sizeof(*pfd));
	struct pconn *c, **pp;
	uint64_t now = now_ns();

	if (pfd == NULL)
		die("out of memory");
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (c = g.conns; c != NULL; c = c->next, i += 2) {
		/* A side with nothing wanted is left out: a closed socket
		 * reports POLLHUP whatever is asked, and would spin. */
		pfd[i].events = events(&c->up, &c->down, now);
		pfd[i].fd = pfd[i].events ? c->cfd : -1;
		pfd[i + 1].events = events(&c->down, &c->up, now);
		pfd[i + 1].fd = pfd[i + 1].events ? c->sfd : -1;
	}
	wait_events(pfd, 1 + 2 * n, now);
	for (c = g.conns, i = 1; c != NULL; c = c->next, i += 2)
		service(c, &pfd[i], &pfd[i + 1]);
	for (pp = &g.conns; (c = *pp) != NULL;) {
		if (finished(c)) {
			*pp = c->next;
			free_conn(c);
		} else {
			pp = &c->next;
		}
	}
	if (pfd[0].revents & POLLIN)
		accept_conn(lfd);
	free(pfd);
}

/* ---------------------------------------------------------- set-up */

static int
listen_on(int *port)
{
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("listen: %s", strerror(errno));
	*port = ntohs(sa.sin_port);
	return fd;
}

static void
write_portfile(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		die("%s: %s", path, strerror(errno));
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fputs("usage: delayproxy -t port [-d ms] [-P portfile] "
	      "[-s statsfile] [-v]\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *portfile = NULL, *stats = NULL;
	struct sigaction sa;
	int opt, port, lfd;

	g.delay = 25;
	while ((opt = getopt(argc, argv, "t:d:P:s:v")) != -1) {
		if (opt == 't')
			g.target = atoi(optarg);
		else if (opt == 'd')
			g.delay = (uint64_t)strtoull(optarg, NULL, 10);
		else if (opt == 'P')
			portfile = optarg;
		else if (opt == 's')
			stats = optarg;
		else if (opt == 'v')
			g.verbose = 1;
		else
			usage();
	}
	if (optind != argc || g.target <= 0 || g.target > 65535)
		usage();
	g.delay *= 1000000u; /* ms to ns */
	g.statsfd = -1;
	if (stats != NULL &&
	    (g.statsfd = open(stats, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	         0644)) < 0)
		die("%s: %s", stats, strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	lfd = listen_on(&port);
	if (portfile != NULL)
		write_portfile(portfile, port);
	while (!stop)
		loop_once(lfd);
	while (g.conns != NULL) {
		struct pconn *c = g.conns;

		g.conns = c->next;
		free_conn(c);
	}
	return 0;
}
