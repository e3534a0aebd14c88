#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "header.h"
#include "io.h"
#include "spool.h"
#include "xalloc.h"

#define WBUF_SIZE (64 * 1024)

static int
write_all(int fd, const char *p, size_t n, struct err *e)
{
	if (io_write_all(fd, p, n) < 0)
		return err_sys(e, ERR_IO, "cannot write the spool file");
	return 0;
}

static int
spool_flush(struct spool *sp, struct err *e)
{
	if (write_all(sp->fd, sp->wbuf, sp->wlen, e) < 0)
		return -1;
	sp->wlen = 0;
	return 0;
}

static int
spool_put(struct spool *sp, const char *p, size_t n, struct err *e)
{
	sp->size += (off_t)n;
	if (sp->wlen + n > WBUF_SIZE && spool_flush(sp, e) < 0)
		return -1;
	if (n >= WBUF_SIZE)
		return write_all(sp->fd, p, n, e);
	memcpy(sp->wbuf + sp->wlen, p, n);
	sp->wlen += n;
	return 0;
}

/* Anonymous when the file system allows it: nothing is left behind. */
static int
spool_create(const char *dir, struct err *e)
{
	char *path;
	int fd;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	path = xasprintf("%s/spool.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	if (fd < 0)
		return err_sys(e, ERR_CANTCREAT,
		    "cannot create a spool file "
		    "in %s",
		    dir);
	return fd;
}

int
spool_open(struct spool *sp, const char *dir, int dot_ends, struct err *e)
{
	memset(sp, 0, sizeof(*sp));
	sp->fd = spool_create(dir, e);
	if (sp->fd < 0)
		return -1;
	sp->dot_ends = dot_ends;
	sp->in_head = 1;
	sp->wbuf = xmalloc(WBUF_SIZE);
	utf8_init(&sp->bodyutf8);
	return 0;
}

#define OCTET_8BIT 1 /* an octet above 127 */
#define OCTET_NUL 2 /* a NUL octet */

/*
 * Which of OCTET_8BIT and OCTET_NUL occur in p.  Eight octets at a time:
 * this runs over every octet of the body, so it is the spooler's
 * hottest loop.
 */
static int
scan_octets(const char *p, size_t n)
{
	const uint64_t hi = 0x8080808080808080ULL;
	const uint64_t lo = 0x0101010101010101ULL;
	uint64_t w, bits = 0, zero = 0;
	size_t i = 0;
	int found = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		bits |= w;
		zero |= (w - lo) & ~w & hi; /* non-zero iff a NUL octet */
	}
	for (; i < n; i++) {
		bits |= (unsigned char)p[i];
		zero |= p[i] == '\0';
	}
	if (bits & hi)
		found |= OCTET_8BIT;
	if (zero)
		found |= OCTET_NUL;
	return found;
}

/* Text of the body: what decides its MIME labels and its encoding. */
static void
body_text(struct spool *sp, const char *p, size_t n)
{
	int found;

	if (!sp->body8bit || !sp->bodynul) {
		found = scan_octets(p, n);
		sp->body8bit |= (found & OCTET_8BIT) != 0;
		sp->bodynul |= (found & OCTET_NUL) != 0;
	}
	if (sp->body8bit)
		utf8_feed(&sp->bodyutf8, p, n);
}

/* The header line held in sp->line is done with. */
static void
line_reset(struct spool *sp)
{
	buf_reset(&sp->line);
	sp->linenul = 0;
}

static int
head_too_big(struct err *e)
{
	return err_set(e, ERR_DATA, "the header section is larger than %u MiB",
	    SPOOL_HEAD_MAX >> 20);
}

/*
 * A complete line of the header section (its CRLF not yet added).  The
 * first line may be an mbox "From " line, which is not part of the
 * message (sendmail and Postfix drop it too).
 */
static int
head_line(struct spool *sp, struct err *e)
{
	const char *l = sp->line.data ? sp->line.data : "";
	size_t n = sp->line.len;
	enum hdr_line kind = hdr_line_kind(l, n);

	if (sp->size == 0 && sp->head.len == 0 && n >= 5 &&
	    memcmp(l, "From ", 5) == 0) {
		line_reset(sp);
		return 0;
	}
	if (kind == HDR_LINE_OTHER) {
		sp->in_head = 0;
		body_text(sp, l, n);
	} else {
		if (sp->head.len + n + 2 > SPOOL_HEAD_MAX)
			return head_too_big(e);
		buf_append(&sp->head, l, n);
		buf_append(&sp->head, "\r\n", 2);
		sp->headnul |= sp->linenul;
		if (kind == HDR_LINE_BLANK)
			sp->in_head = 0;
	}
	if (spool_put(sp, l, n, e) < 0 || spool_put(sp, "\r\n", 2, e) < 0)
		return -1;
	line_reset(sp);
	return 0;
}

/* Text within a line (no CR, no LF). */
static int
line_text(struct spool *sp, const char *p, size_t n, struct err *e)
{
	if (n == 0)
		return 0;
	sp->linelen += n;
	if (!sp->in_head) {
		body_text(sp, p, n);
		return spool_put(sp, p, n, e);
	}
	/* Whether the line ends in the header or the body is not known yet. */
	sp->linenul |= memchr(p, '\0', n) != NULL;
	buf_append(&sp->line, p, n);
	/* A long line that cannot be a field is the body's first line. */
	if (sp->line.len > HDR_LINE_MAX + 2 &&
	    hdr_line_kind(sp->line.data, sp->line.len) == HDR_LINE_OTHER) {
		sp->in_head = 0;
		body_text(sp, sp->line.data, sp->line.len);
		if (spool_put(sp, sp->line.data, sp->line.len, e) < 0)
			return -1;
		line_reset(sp);
	}
	/* One endless field line is held no longer than the section. */
	if (sp->in_head && sp->head.len + sp->line.len + 2 > SPOOL_HEAD_MAX)
		return head_too_big(e);
	return 0;
}

/* The end of a line; returns 1 when it was the "." that ends input. */
static int
line_end(struct spool *sp, struct err *e)
{
	if (sp->dotline) {
		sp->dotline = 0;
		sp->ended = 1;
		return 1;
	}
	if (sp->in_head) {
		if (head_line(sp, e) < 0)
			return -1;
	} else if (spool_put(sp, "\r\n", 2, e) < 0) {
		return -1;
	}
	if (!sp->in_head && sp->linelen > sp->maxline)
		sp->maxline = sp->linelen;
	/* A character cut by a line end is no character (RFC 3629 3); the
	 * line end itself tells nothing else about the body. */
	if (!sp->in_head && sp->body8bit)
		utf8_feed(&sp->bodyutf8, "\n", 1);
	sp->linelen = 0;
	return 0;
}

/* A "." at the start of a line is held back until the line is known. */
static int
dot_resolve(struct spool *sp, struct err *e)
{
	sp->dotline = 0;
	return line_text(sp, ".", 1, e);
}

/* Length of the run of ordinary octets at p (no CR, no LF). */
static size_t
run_length(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	const char *cr;

	if (nl != NULL)
		n = (size_t)(nl - p);
	cr = memchr(p, '\r', n);
	return cr != NULL ? (size_t)(cr - p) : n;
}

/*
 * Normalise line ends: LF, CRLF, CR CR LF (a CRLF converted twice) and a
 * lone CR each end one line (RFC 5321 2.3.8: CR and LF only as CRLF).
 */
static int
spool_octet(struct spool *sp, char c, struct err *e)
{
	int rc;

	if (sp->cr > 0 && c != '\r') {
		int lines = c == '\n' ? 1 : sp->cr;

		sp->cr = 0;
		while (lines-- > 0)
			if ((rc = line_end(sp, e)) != 0)
				return rc;
		return c == '\n' ? 0 : spool_octet(sp, c, e);
	}
	if (c == '\r') {
		sp->cr++;
		return 0;
	}
	if (c == '\n')
		return line_end(sp, e);
	if (sp->dotline && dot_resolve(sp, e) < 0)
		return -1;
	if (c == '.' && sp->dot_ends && sp->linelen == 0 && !sp->dotline) {
		sp->dotline = 1;
		return 0;
	}
	return line_text(sp, &c, 1, e);
}

int
spool_write(struct spool *sp, const char *p, size_t n, struct err *e)
{
	size_t i = 0, run;
	int rc;

	while (i < n && !sp->ended) {
		if (sp->cr > 0 || sp->dotline || p[i] == '\r' || p[i] == '\n' ||
		    (p[i] == '.' && sp->linelen == 0)) {
			if ((rc = spool_octet(sp, p[i++], e)) < 0)
				return -1;
			continue;
		}
		run = run_length(p + i, n - i);
		if (line_text(sp, p + i, run, e) < 0)
			return -1;
		i += run;
	}
	return 0;
}

int
spool_finish(struct spool *sp, struct err *e)
{
	if (!sp->ended) {
		if (sp->cr > 0 && spool_octet(sp, '\n', e) < 0)
			return -1;
		/* A missing final line end is added; a final "." ends. */
		if ((sp->linelen > 0 || sp->dotline) && line_end(sp, e) < 0)
			return -1;
	}
	sp->ended = 1;
	if (spool_flush(sp, e) < 0)
		return -1;
	buf_free(&sp->line);
	return 0;
}

int
spool_read_fd(struct spool *sp, int fd, struct err *e)
{
	char *buf = xmalloc(WBUF_SIZE);
	ssize_t n;
	int rc = 0;

	while (!sp->ended && rc == 0) {
		n = read(fd, buf, WBUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_sys(e, ERR_IO, "cannot read the message");
			break;
		}
		if (n == 0)
			break;
		rc = spool_write(sp, buf, (size_t)n, e);
	}
	free(buf);
	if (rc == 0)
		rc = spool_finish(sp, e);
	return rc;
}

off_t
spool_body_offset(const struct spool *sp)
{
	return (off_t)sp->head.len;
}

void
spool_close(struct spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	buf_free(&sp->head);
	buf_free(&sp->line);
	free(sp->wbuf);
	sp->wbuf = NULL;
}
