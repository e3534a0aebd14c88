/*
 * sink: an SMTP server for benchmarks that accepts every message and
 * discards it.  It must never be what a benchmark measures, so it reads
 * in large blocks, finds the end of the data with memmem() and keeps
 * nothing but counters.
 *
 * usage: sink [-p port] [-P portfile] [-c countfile] [-w workers]
 *             [-C cert.pem -K key.pem [-I]] [-u user -s password] [-L] [-B]
 *
 * -I: TLS from the first byte (RFC 8314 implicit TLS) instead of STARTTLS.
 * -L: offer PIPELINING (RFC 2920).  Commands are always taken from the
 *     buffer as they come and the replies written when the buffer is
 *     empty, so a pipelined group gets its replies in one write.
 * -B: offer CHUNKING (RFC 3030): "BDAT n [LAST]" followed by n octets.
 *
 * Workers are forked in advance and each accepts connections on the
 * shared socket, so no fork() lies between a client's connect() and the
 * greeting.  The counters live in shared memory; each change is written
 * to the count file (under flock) before the reply that announces it,
 * so a client that has seen "250" has left its trace in the file.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define INBUF (1024 * 1024) /* large reads for the message data */
#define OUTBUF 65536
#define MAXLINE 4096 /* longest command line kept */
#define MAXWORKERS 64
#define SIZE_LIMIT "1073741824" /* announced in EHLO, never enforced */

static const char EOD[] = "\r\n.\r\n";

struct counters {
	uint64_t conns; /* connections accepted */
	uint64_t msgs; /* messages accepted (250 after the dot) */
	uint64_t rcpts; /* recipients of those messages */
	uint64_t bytes; /* message octets, as sent (dot-stuffed, CRLF) */
	uint64_t tls; /* successful STARTTLS handshakes */
	uint64_t auths; /* successful AUTH exchanges */
	uint64_t cpu_us; /* CPU the workers spent on sessions */
	uint64_t bdat; /* messages of those received with BDAT */
};

enum auth_step { AUTH_NONE, AUTH_PLAIN, AUTH_USER, AUTH_PASS };

struct conn {
	int fd;
	SSL *ssl;
	size_t ipos, ilen; /* unread input: inbuf[ipos..ilen) */
	size_t olen;
	int mail, authed, quit;
	uint64_t nrcpt;
	enum auth_step auth;
	char login_user[256];
	/* BDAT state (RFC 3030): octets of the chunk still to come */
	int in_bdat, bdat_last;
	uint64_t bdat_left;
	/* DATA state */
	int in_data;
	int eod_match; /* octets of EOD matched so far */
	uint64_t data_octets;
	uint64_t cpu0; /* the worker's CPU time when the session began */
	int cpu_counted;
};

static struct {
	const char *countfile;
	const char *user, *pass;
	SSL_CTX *tls;
	int implicit, pipelining, chunking;
	struct counters *cnt; /* shared by all workers */
	int countfd; /* this worker's own descriptor: flock is per open */
} g;

static char inbuf[INBUF];
static char outbuf[OUTBUF];
static volatile sig_atomic_t stop;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sink: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
format_counters(char *s, size_t n, const struct counters *c)
{
	snprintf(s, n,
	    "conns %" PRIu64 " msgs %" PRIu64 " rcpts %" PRIu64
	    " bytes %" PRIu64 " tls %" PRIu64 " auths %" PRIu64
	    " cpu_us %" PRIu64 " bdat %" PRIu64 "\n",
	    c->conns, c->msgs, c->rcpts, c->bytes, c->tls, c->auths, c->cpu_us,
	    c->bdat);
}

/*
 * Counters change between counters_lock() and counters_publish(), which
 * writes the totals.  The numbers only grow, so the text never shrinks
 * and overwriting it in place needs no truncation.
 */
static void
counters_lock(void)
{
	if (g.countfd >= 0)
		flock(g.countfd, LOCK_EX);
}

static void
counters_publish(void)
{
	char s[256];

	if (g.countfd < 0)
		return;
	format_counters(s, sizeof(s), g.cnt);
	if (pwrite(g.countfd, s, strlen(s), 0) < 0)
		perror("sink: count file");
	flock(g.countfd, LOCK_UN);
}

/* Atomic: without a count file there is no lock between workers. */
static void
add(uint64_t *field, uint64_t n)
{
	__atomic_add_fetch(field, n, __ATOMIC_SEQ_CST);
}

static void
count(uint64_t *field, uint64_t n)
{
	counters_lock();
	add(field, n);
	counters_publish();
}

/* ---------------------------------------------------------------- I/O */

static int
flush_out(struct conn *c)
{
	size_t off = 0;
	ssize_t n;

	while (off < c->olen) {
		if (c->ssl != NULL)
			n = SSL_write(c->ssl, outbuf + off,
			    (int)(c->olen - off));
		else
			n = write(c->fd, outbuf + off, c->olen - off);
		if (n <= 0) {
			if (n < 0 && c->ssl == NULL && errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	c->olen = 0;
	return 0;
}

/* Replies are collected and written before the next read. */
static void
reply(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (OUTBUF - c->olen < MAXLINE)
		flush_out(c);
	va_start(ap, fmt);
	n = vsnprintf(outbuf + c->olen, OUTBUF - c->olen - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	c->olen += (size_t)n;
	memcpy(outbuf + c->olen, "\r\n", 2);
	c->olen += 2;
}

/* Read what is available.  Returns the octets read, 0 at EOF or error. */
static size_t
fill_in(struct conn *c)
{
	ssize_t n;

	if (c->ipos == c->ilen) {
		c->ipos = c->ilen = 0;
	} else if (c->ipos > 0) {
		memmove(inbuf, inbuf + c->ipos, c->ilen - c->ipos);
		c->ilen -= c->ipos;
		c->ipos = 0;
	}
	do {
		if (c->ssl != NULL)
			n = SSL_read(c->ssl, inbuf + c->ilen,
			    (int)(INBUF - c->ilen));
		else
			n = read(c->fd, inbuf + c->ilen, INBUF - c->ilen);
	} while (n < 0 && c->ssl == NULL && errno == EINTR);
	if (n <= 0)
		return 0;
	c->ilen += (size_t)n;
	return (size_t)n;
}

/* ---------------------------------------------------------------- DATA */

/*
 * Where the end of data ("CRLF . CRLF") ends in p[0..n), or 0 when it
 * does not occur; *m carries a partial match from one block to the next.
 * A partial match is followed byte by byte (at most a few octets); the
 * rest of the block goes to memmem().
 */
static size_t
eod_find(int *m, const char *p, size_t n)
{
	size_t i = 0, k;
	const char *hit;

	while (*m > 0 && i < n) {
		if (p[i] == EOD[*m])
			(*m)++;
		else /* only EOD's first octet can start it again here */
			*m = p[i] == '\r' ? 1 : 0;
		i++;
		if (*m == 5)
			return i;
	}
	hit = memmem(p + i, n - i, EOD, 5);
	if (hit != NULL) {
		*m = 0;
		return (size_t)(hit - p) + 5;
	}
	/* A block that ends inside a possible EOD. */
	for (k = 4; k > 0; k--)
		if (n - i >= k && memcmp(p + n - k, EOD, k) == 0) {
			*m = (int)k;
			break;
		}
	return 0;
}

static uint64_t
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/*
 * The session's CPU time, counted once: at QUIT, before the reply, so
 * that it is in the count file when the client ends; else at close.
 */
static void
count_cpu(struct conn *c)
{
	if (c->cpu_counted)
		return;
	c->cpu_counted = 1;
	count(&g.cnt->cpu_us, cpu_us() - c->cpu0);
}

static void
start_data(struct conn *c)
{
	c->in_data = 1;
	/* The CRLF that ended "DATA" starts a possible EOD. */
	c->eod_match = 2;
	c->data_octets = 0;
}

/* A message accepted: counted, then announced. */
static void
accept_message(struct conn *c, uint64_t octets, int bdat)
{
	counters_lock();
	add(&g.cnt->rcpts, c->nrcpt);
	add(&g.cnt->bytes, octets);
	add(&g.cnt->msgs, 1);
	add(&g.cnt->bdat, (uint64_t)bdat);
	counters_publish();
	reply(c, "250 2.0.0 Ok: %" PRIu64 " octets", octets);
	c->mail = 0;
	c->nrcpt = 0;
}

static void
end_data(struct conn *c)
{
	c->in_data = 0;
	/* The final ".\r\n" is not message data; the CRLF before it is. */
	accept_message(c, c->data_octets - 3, 0);
}

/* The end of a BDAT chunk (RFC 3030 2): one reply per chunk. */
static void
end_chunk(struct conn *c)
{
	c->in_bdat = 0;
	if (c->nrcpt == 0) { /* the octets are read all the same */
		c->mail = 0;
		c->data_octets = 0;
		reply(c, "503 5.5.1 Need RCPT command");
	} else if (c->bdat_last) {
		accept_message(c, c->data_octets, 1);
		c->data_octets = 0;
	} else {
		reply(c, "250 2.0.0 %" PRIu64 " octets received",
		    c->data_octets);
	}
}

/* Consume buffered chunk octets, which are dropped. */
static void
bdat_step(struct conn *c)
{
	uint64_t avail = c->ilen - c->ipos;
	uint64_t take = avail < c->bdat_left ? avail : c->bdat_left;

	c->ipos += (size_t)take;
	c->bdat_left -= take;
	c->data_octets += take;
	if (c->bdat_left == 0)
		end_chunk(c);
}

/* Consume buffered message data; the body itself is dropped. */
static void
data_step(struct conn *c)
{
	size_t avail = c->ilen - c->ipos;
	size_t end = eod_find(&c->eod_match, inbuf + c->ipos, avail);

	if (end == 0) {
		c->data_octets += avail;
		c->ipos = c->ilen;
		return;
	}
	c->data_octets += end;
	c->ipos += end;
	end_data(c);
}

/* ------------------------------------------------------------ commands */

static int
b64val(int ch)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch != '\0' ? strchr(a, ch) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Decode base64 into out (NUL added); returns the length or -1. */
static int
b64decode(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0, v;

	for (; *s != '\0' && *s != '='; s++) {
		if ((v = b64val((unsigned char)*s)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= cap)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (int)n;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd */
static int
plain_ok(const char *b64)
{
	char buf[1024];
	int n = b64decode(b64, buf, sizeof(buf));
	const char *user, *pass;

	if (n < 0)
		return 0;
	user = memchr(buf, '\0', (size_t)n);
	if (user == NULL || ++user >= buf + n)
		return 0;
	pass = user + strlen(user) + 1;
	if (pass > buf + n)
		return 0;
	return strcmp(user, g.user) == 0 && strcmp(pass, g.pass) == 0;
}

static void
auth_result(struct conn *c, int ok)
{
	c->auth = AUTH_NONE;
	if (!ok) {
		reply(c, "535 5.7.8 Authentication credentials invalid");
		return;
	}
	c->authed = 1;
	count(&g.cnt->auths, 1);
	reply(c, "235 2.7.0 Authentication successful");
}

/* A line sent in answer to a 334 challenge. */
static void
auth_continue(struct conn *c, const char *line)
{
	char pass[256];

	if (strcmp(line, "*") == 0) {
		c->auth = AUTH_NONE;
		reply(c, "501 5.7.0 Authentication cancelled");
	} else if (c->auth == AUTH_PLAIN) {
		auth_result(c, plain_ok(line));
	} else if (c->auth == AUTH_USER) {
		if (b64decode(line, c->login_user, sizeof(c->login_user)) < 0) {
			auth_result(c, 0);
			return;
		}
		c->auth = AUTH_PASS;
		reply(c, "334 UGFzc3dvcmQ6");
	} else {
		auth_result(c,
		    b64decode(line, pass, sizeof(pass)) >= 0 &&
		        strcmp(c->login_user, g.user) == 0 &&
		        strcmp(pass, g.pass) == 0);
	}
}

static void
cmd_auth(struct conn *c, const char *arg)
{
	const char *initial = strchr(arg, ' ');

	if (g.user == NULL) {
		reply(c, "502 5.5.1 AUTH not available");
		return;
	}
	if (c->ssl == NULL) {
		reply(c, "538 5.7.11 Encryption required");
		return;
	}
	if (c->authed) {
		reply(c, "503 5.5.1 Already authenticated");
		return;
	}
	if (strncasecmp(arg, "PLAIN", 5) == 0 && (arg[5] == ' ' || !arg[5])) {
		c->auth = AUTH_PLAIN;
		if (initial != NULL)
			auth_continue(c, initial + 1);
		else
			reply(c, "334 ");
	} else if (strncasecmp(arg, "LOGIN", 5) == 0 &&
	    (arg[5] == ' ' || !arg[5])) {
		c->auth = AUTH_USER;
		if (initial != NULL)
			auth_continue(c, initial + 1);
		else
			reply(c, "334 VXNlcm5hbWU6");
	} else {
		reply(c, "504 5.5.4 Mechanism not supported");
	}
}

static void
cmd_ehlo(struct conn *c, const char *arg, int extended)
{
	const char *ext[8];
	size_t n = 0, i;

	c->mail = 0;
	c->nrcpt = 0;
	if (!extended) {
		reply(c, "250 sink.example Hello %s", arg);
		return;
	}
	ext[n++] = "SIZE " SIZE_LIMIT;
	ext[n++] = "8BITMIME";
	ext[n++] = "ENHANCEDSTATUSCODES";
	if (g.pipelining)
		ext[n++] = "PIPELINING";
	if (g.chunking)
		ext[n++] = "CHUNKING";
	if (g.tls != NULL && c->ssl == NULL)
		ext[n++] = "STARTTLS";
	if (g.user != NULL && c->ssl != NULL)
		ext[n++] = "AUTH PLAIN LOGIN";
	reply(c, "250-sink.example Hello %s", arg);
	for (i = 0; i < n; i++)
		reply(c, "250%c%s", i + 1 < n ? '-' : ' ', ext[i]);
}

/* The server's side of the handshake, counted when it succeeds. */
static int
start_tls(struct conn *c)
{
	c->ssl = SSL_new(g.tls);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_accept(c->ssl) != 1) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	count(&g.cnt->tls, 1);
	return 0;
}

/* RFC 3207: the handshake, then a fresh start with nothing buffered. */
static void
cmd_starttls(struct conn *c)
{
	if (g.tls == NULL || c->ssl != NULL) {
		reply(c, "502 5.5.1 STARTTLS not available");
		return;
	}
	reply(c, "220 2.0.0 Ready to start TLS");
	if (flush_out(c) < 0) {
		c->quit = 1;
		return;
	}
	c->ipos = c->ilen = 0;
	if (start_tls(c) < 0) {
		c->quit = 1;
		return;
	}
	c->mail = 0;
	c->nrcpt = 0;
}

static void
cmd_mail(struct conn *c)
{
	if (g.user != NULL && !c->authed)
		reply(c, "530 5.7.0 Authentication required");
	else if (c->mail)
		reply(c, "503 5.5.1 Nested MAIL command");
	else {
		c->mail = 1;
		c->nrcpt = 0;
		c->data_octets = 0;
		reply(c, "250 2.1.0 Ok");
	}
}

static void
cmd_rcpt(struct conn *c)
{
	if (!c->mail) {
		reply(c, "503 5.5.1 Need MAIL command");
		return;
	}
	c->nrcpt++;
	reply(c, "250 2.1.5 Ok");
}

static void
cmd_data(struct conn *c)
{
	if (c->nrcpt == 0) {
		reply(c, "503 5.5.1 Need RCPT command");
		return;
	}
	reply(c, "354 End data with <CR><LF>.<CR><LF>");
	start_data(c);
}

/* "BDAT size [LAST]": the chunk's octets follow the line at once. */
static void
cmd_bdat(struct conn *c, const char *arg)
{
	char *end;
	unsigned long long n;

	if (!g.chunking) {
		reply(c, "502 5.5.1 BDAT not available");
		return;
	}
	errno = 0;
	n = strtoull(arg, &end, 10);
	if (end == arg || *arg == '-' || errno != 0 ||
	    (*end != '\0' && strcasecmp(end, " LAST") != 0)) {
		reply(c, "501 5.5.4 Syntax: BDAT size [LAST]");
		return;
	}
	c->in_bdat = 1;
	c->bdat_left = n;
	c->bdat_last = *end != '\0';
	if (n == 0)
		end_chunk(c);
}

/* Does line start with verb, followed by a space or its end? */
static int
is_verb(const char *line, const char *verb, const char **arg)
{
	size_t n = strlen(verb);

	if (strncasecmp(line, verb, n) != 0 || (line[n] && line[n] != ' '))
		return 0;
	*arg = line[n] ? line + n + 1 : line + n;
	return 1;
}

static void
command(struct conn *c, const char *line)
{
	const char *arg;

	if (c->auth != AUTH_NONE)
		auth_continue(c, line);
	else if (is_verb(line, "EHLO", &arg))
		cmd_ehlo(c, arg, 1);
	else if (is_verb(line, "HELO", &arg))
		cmd_ehlo(c, arg, 0);
	else if (is_verb(line, "STARTTLS", &arg))
		cmd_starttls(c);
	else if (is_verb(line, "AUTH", &arg))
		cmd_auth(c, arg);
	else if (is_verb(line, "MAIL", &arg))
		cmd_mail(c);
	else if (is_verb(line, "RCPT", &arg))
		cmd_rcpt(c);
	else if (is_verb(line, "DATA", &arg))
		cmd_data(c);
	else if (is_verb(line, "BDAT", &arg))
		cmd_bdat(c, arg);
	else if (is_verb(line, "RSET", &arg)) {
		c->mail = 0;
		c->nrcpt = 0;
		reply(c, "250 2.0.0 Ok");
	} else if (is_verb(line, "NOOP", &arg))
		reply(c, "250 2.0.0 Ok");
	else if (is_verb(line, "QUIT", &arg)) {
		count_cpu(c);
		reply(c, "221 2.0.0 Bye");
		c->quit = 1;
	} else
		reply(c, "502 5.5.2 Command not recognized");
}

/*
 * Take one command line from the buffer.  Returns 0 when a whole line is
 * not buffered yet.
 */
static int
command_step(struct conn *c)
{
	char *p = inbuf + c->ipos, *nl;
	size_t avail = c->ilen - c->ipos;

	nl = memchr(p, '\n', avail);
	if (nl == NULL) {
		if (avail >= MAXLINE) { /* no line is that long: drop it */
			reply(c, "500 5.5.2 Line too long");
			c->ipos = c->ilen;
		}
		return 0;
	}
	c->ipos += (size_t)(nl - p) + 1;
	if (nl > p && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	command(c, p);
	return 1;
}

/* ---------------------------------------------------------- connection */

static void
serve(int fd)
{
	struct conn c;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.cpu0 = cpu_us();
	if (g.implicit && start_tls(&c) < 0)
		c.quit = 1;
	reply(&c, "220 sink.example ESMTP benchmark sink");
	while (!c.quit) {
		if (c.ipos < c.ilen) {
			if (c.in_bdat) {
				bdat_step(&c);
				continue;
			}
			if (c.in_data) {
				data_step(&c);
				continue;
			}
			if (command_step(&c))
				continue;
		}
		/* Everything buffered is handled: answer, then read. */
		if (flush_out(&c) < 0 || fill_in(&c) == 0)
			break;
	}
	flush_out(&c);
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	count_cpu(&c);
}

static void
worker(int lfd)
{
	int fd, one = 1;

	signal(SIGTERM, SIG_DFL);
	g.countfd = -1;
	if (g.countfile != NULL) {
		g.countfd = open(g.countfile, O_WRONLY | O_CLOEXEC);
		if (g.countfd < 0)
			die("%s: %s", g.countfile, strerror(errno));
	}
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept: %s", strerror(errno));
		}
		/* Replies and TLS flights go out at once: a reply held back
		 * by Nagle until the client's delayed ACK would be the
		 * sink's latency, not the client's. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		count(&g.cnt->conns, 1);
		serve(fd);
		close(fd);
	}
}

/* ----------------------------------------------------------- set-up */

static int
listen_on(int port, int *bound)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("127.0.0.1:%d: %s", port, strerror(errno));
	*bound = ntohs(sa.sin_port);
	return fd;
}

/* Written under another name and renamed: a reader never sees half. */
static void
write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		die("%s: %s", path, strerror(errno));
}

static SSL_CTX *
tls_context(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_print_errors_fp(stderr);
		die("cannot set up TLS with %s and %s", cert, key);
	}
	return ctx;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static pid_t
spawn_worker(int lfd)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		worker(lfd);
		_exit(0);
	}
	return pid;
}

/* Keep the workers running until SIGTERM or SIGINT. */
static void
supervise(int lfd, pid_t *pids, int n)
{
	struct sigaction sa;
	int i, st;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: wait() must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < n; i++)
		pids[i] = spawn_worker(lfd);
	while (!stop) {
		pid = wait(&st);
		for (i = 0; pid > 0 && !stop && i < n; i++)
			if (pids[i] == pid) {
				fprintf(stderr, "sink: worker %d ended (%d)\n",
				    (int)pid, st);
				pids[i] = spawn_worker(lfd);
			}
	}
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (wait(&st) > 0)
		;
}

static void
usage(void)
{
	fputs("usage: sink [-p port] [-P portfile] [-c countfile] "
	      "[-w workers]\n"
	      "            [-C cert.pem -K key.pem [-I]] [-u user -s password] "
	      "[-L] [-B]\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *portfile = NULL, *cert = NULL, *key = NULL;
	int port = 0, bound, lfd, nworkers = 4, opt;
	pid_t pids[MAXWORKERS];
	char s[256];

	while ((opt = getopt(argc, argv, "p:P:c:w:C:K:u:s:ILB")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'c':
			g.countfile = optarg;
			break;
		case 'w':
			nworkers = atoi(optarg);
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'u':
			g.user = optarg;
			break;
		case 's':
			g.pass = optarg;
			break;
		case 'I':
			g.implicit = 1;
			break;
		case 'L':
			g.pipelining = 1;
			break;
		case 'B':
			g.chunking = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || nworkers < 1 || nworkers > MAXWORKERS ||
	    (cert == NULL) != (key == NULL) ||
	    (g.user == NULL) != (g.pass == NULL) || (g.implicit && !cert))
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (cert != NULL)
		g.tls = tls_context(cert, key);
	g.cnt = mmap(NULL, sizeof(*g.cnt), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g.cnt == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	format_counters(s, sizeof(s), g.cnt);
	if (g.countfile != NULL)
		write_file(g.countfile, s);
	lfd = listen_on(port, &bound);
	if (portfile != NULL) {
		snprintf(s, sizeof(s), "%d\n", bound);
		write_file(portfile, s);
	}
	supervise(lfd, pids, nworkers);
	format_counters(s, sizeof(s), g.cnt);
	fputs(s, stdout);
	return 0;
}
