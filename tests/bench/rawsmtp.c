/*
 * rawsmtp: the floor of the benchmarks.  The least a client must do to
 * submit a message: one TCP connection, the SMTP dialogue, the message
 * converted to CRLF and dot-stuffed in large writes.  No TLS, no
 * configuration, no spooling.
 *
 * usage: rawsmtp [-b] host port from rcpt file...
 *
 * rcpt is an address, or @path for a file of addresses, one a line.  Each
 * file is one transaction; all of them share one connection.
 *
 * -b: send each file as it is (it must be in CRLF form) in BDAT chunks
 * (RFC 3030) of 1 MiB, the last one "BDAT n LAST", all written before the
 * replies are read (the relay must offer CHUNKING and PIPELINING).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1024 * 1024) /* file octets read at a time */
#define HELO "bench.example.org"

struct conn {
	int fd;
	char in[8192];
	size_t ilen; /* octets buffered in "in" */
};

static char inchunk[CHUNK];
/* Worst case: every octet a "\n" that becomes "\r\n", plus stuffing. */
static char outchunk[2 * CHUNK + 8];

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rawsmtp: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		die("%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die("cannot connect to %s port %s", host, port);
	return fd;
}

/* One line into the buffer's front; returns its length without CRLF. */
static size_t
read_line(struct conn *c, char *line, size_t cap)
{
	char *nl;
	size_t len;
	ssize_t n;

	while ((nl = memchr(c->in, '\n', c->ilen)) == NULL) {
		if (c->ilen == sizeof(c->in))
			die("reply line too long");
		n = read(c->fd, c->in + c->ilen, sizeof(c->in) - c->ilen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("connection closed by the server");
		c->ilen += (size_t)n;
	}
	len = (size_t)(nl - c->in) + 1;
	snprintf(line, cap, "%.*s", (int)(len > 1 ? len - 1 : 0), c->in);
	memmove(c->in, nl + 1, c->ilen - len);
	c->ilen -= len;
	return strcspn(line, "\r");
}

/* Read a whole (possibly multi-line) reply; die unless its code is want. */
static void
expect(struct conn *c, int want, const char *what)
{
	char line[1024];
	size_t len;

	do {
		len = read_line(c, line, sizeof(line));
		line[len] = '\0';
		if (len < 3)
			die("malformed reply to %s: %s", what, line);
	} while (len > 3 && line[3] == '-');
	if (atoi(line) != want)
		die("%s: %s", what, line);
}

static void
command(struct conn *c, int want, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 2)
		die("command too long");
	memcpy(cmd + n, "\r\n", 2);
	write_all(c->fd, cmd, (size_t)n + 2);
	strtok(cmd, " \r");
	expect(c, want, cmd);
}

/*
 * Convert one block: LF becomes CRLF (unless a CR precedes it) and a dot
 * that starts a line is doubled.  *bol and *last carry the line state
 * from one block to the next.  Returns the octets put in out.
 */
static size_t
convert(const char *p, size_t n, char *out, int *bol, char *last)
{
	const char *end = p + n, *nl;
	char *o = out;
	size_t seg;

	while (p < end) {
		if (*bol && *p == '.')
			*o++ = '.';
		nl = memchr(p, '\n', (size_t)(end - p));
		seg = (size_t)((nl != NULL ? nl : end) - p);
		memcpy(o, p, seg);
		o += seg;
		if (seg > 0)
			*last = p[seg - 1];
		p += seg;
		*bol = nl != NULL;
		if (nl == NULL)
			break;
		if (*last != '\r')
			*o++ = '\r';
		*o++ = '\n';
		*last = '\n';
		p++;
	}
	return (size_t)(o - out);
}

/*
 * The message, a block at a time.  Each block is written once the next
 * read has shown whether it is the last, so that the final dot travels
 * with the last block instead of in a small write of its own.
 */
static void
send_body(struct conn *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), bol = 1;
	char last = '\n';
	ssize_t n;
	size_t pending = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while ((n = read(fd, inchunk, sizeof(inchunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		write_all(c->fd, outchunk, pending);
		pending = convert(inchunk, (size_t)n, outchunk, &bol, &last);
	}
	close(fd);
	if (!bol) /* a last line without its line end */
		pending += (size_t)sprintf(outchunk + pending, "\r\n");
	pending += (size_t)sprintf(outchunk + pending, ".\r\n");
	write_all(c->fd, outchunk, pending);
}

/*
 * The message in BDAT chunks, pipelined (RFC 3030 4.2): each block is
 * written once the next read has shown whether it is the last.  Returns
 * the number of chunks, each of which gets one reply.
 */
static size_t
send_chunks(struct conn *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char cmd[64], *cur = inchunk, *prev = outchunk, *t;
	ssize_t n;
	size_t pending = 0, chunks = 0;
	int have = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while ((n = read(fd, cur, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		if (have) {
			write_all(c->fd, cmd,
			    (size_t)sprintf(cmd, "BDAT %zu\r\n", pending));
			write_all(c->fd, prev, pending);
			chunks++;
		}
		t = prev; /* the two buffers take turns */
		prev = cur;
		cur = t;
		pending = (size_t)n;
		have = 1;
	}
	close(fd);
	write_all(c->fd, cmd,
	    (size_t)sprintf(cmd, "BDAT %zu LAST\r\n", pending));
	write_all(c->fd, prev, pending);
	return chunks + 1;
}

/* The addresses in a file, one a line; blank lines skipped. */
static char **
read_list(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	char line[1024], **list = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			list = realloc(list, cap * sizeof(*list));
			if (list == NULL)
				die("out of memory");
		}
		if ((list[n++] = strdup(line)) == NULL)
			die("out of memory");
	}
	fclose(f);
	*count = n;
	return list;
}

static int bdat; /* -b */

static void
transaction(struct conn *c, const char *from, char **rcpts, size_t nrcpts,
    const char *path)
{
	size_t i, chunks;

	command(c, 250, "MAIL FROM:<%s>", from);
	for (i = 0; i < nrcpts; i++)
		command(c, 250, "RCPT TO:<%s>", rcpts[i]);
	if (bdat) {
		for (chunks = send_chunks(c, path); chunks > 0; chunks--)
			expect(c, 250, "BDAT");
		return;
	}
	command(c, 354, "DATA");
	send_body(c, path);
	expect(c, 250, "end of data");
}

int
main(int argc, char **argv)
{
	struct conn c = {0};
	char **rcpts, *one[1];
	size_t nrcpts = 1;
	int i;

	if (argc > 1 && strcmp(argv[1], "-b") == 0) {
		bdat = 1;
		argv++;
		argc--;
	}
	if (argc < 6) {
		fputs("usage: rawsmtp [-b] host port from rcpt|@file file...\n",
		    stderr);
		return 2;
	}
	if (argv[4][0] == '@') {
		rcpts = read_list(argv[4] + 1, &nrcpts);
	} else {
		one[0] = argv[4];
		rcpts = one;
	}
	c.fd = connect_to(argv[1], argv[2]);
	expect(&c, 220, "greeting");
	command(&c, 250, "EHLO %s", HELO);
	for (i = 5; i < argc; i++)
		transaction(&c, argv[3], rcpts, nrcpts, argv[i]);
	command(&c, 221, "QUIT");
	close(c.fd);
	return 0;
}
