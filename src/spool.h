/*
 * The spool: a message read to its end into a file before anything is
 * sent, so that it can be sent again, queued, and never goes out
 * truncated.  Line ends are normalised on the way in: LF, CRLF, CR CR LF
 * and a lone CR all become CRLF, and a missing final line end is added.
 * The header section is also kept in memory for parsing.
 */
#ifndef MAILOUT_SPOOL_H
#define MAILOUT_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "utf8.h"

struct err;

/*
 * Upper bound of the header section, which is held in memory (the body
 * never is): 8 MiB, some 30 times what 10,000 recipients in one To field
 * take.  A larger one refuses the message.
 */
#define SPOOL_HEAD_MAX (8u * 1024 * 1024)

struct spool {
	int fd; /* the spool file, open for reading and writing */
	int dot_ends; /* a line holding only "." ends the input */
	int ended; /* input ended (EOF or the "." line) */
	off_t size; /* octets in the file */
	struct buf head; /* the header section, blank line included */
	int in_head; /* still inside the header section */
	int headnul; /* a NUL octet in the header section */
	size_t maxline; /* longest line of the body, CRLF excluded */
	int body8bit; /* an octet above 127 in the body */
	int bodynul; /* a NUL octet in the body */
	struct utf8 bodyutf8; /* is the body valid UTF-8? (utf8_ok) */
	/* normaliser state */
	struct buf line; /* the current line while in the header */
	int linenul; /* it holds a NUL octet */
	size_t linelen; /* length of the current line */
	int cr; /* a CR is pending */
	int dotline; /* the current line is "." so far */
	char *wbuf; /* write buffer */
	size_t wlen;
};

/*
 * Create an anonymous spool file in dir (it disappears when closed unless
 * it is linked into the queue).  Returns 0, or -1 with e set.
 */
int spool_open(struct spool *sp, const char *dir, int dot_ends, struct err *e);

/*
 * Add input.  Returns 0, or -1 with e set (ERR_IO on a write error,
 * ERR_DATA when the header section exceeds SPOOL_HEAD_MAX).  Input after
 * the ending "." line is ignored.
 */
int spool_write(struct spool *sp, const char *p, size_t n, struct err *e);

/* End of input: add the missing final CRLF and flush. */
int spool_finish(struct spool *sp, struct err *e);

/*
 * Read fd to its end into the spool and finish it.  A read error is
 * ERR_IO: the message is then incomplete and must not be sent.
 */
int spool_read_fd(struct spool *sp, int fd, struct err *e);

/* Offset of the body in the file (just after the header section). */
off_t spool_body_offset(const struct spool *sp);

void spool_close(struct spool *sp);

#endif
