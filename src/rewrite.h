/*
 * Message rewriting: the header section that goes out is built in memory
 * from the spooled one (Bcc and Resent-Bcc removed, local addresses
 * aliased and qualified, Date, From and Message-ID added when missing,
 * MIME labels for an 8-bit body, lines over 998 octets folded), and the
 * body is streamed from the spool file behind it, re-encoded where it
 * has lines over 998 octets or NUL octets (bodyconv.h).
 */
#ifndef MAILOUT_REWRITE_H
#define MAILOUT_REWRITE_H

#include <sys/types.h>

#include "bodyconv.h"
#include "buf.h"
#include "msgsrc.h"

struct conf;
struct envelope;
struct err;
struct options;
struct spool;

struct outmsg {
	struct buf head; /* the header section, ending with a blank line */
	int fd; /* spool file holding the body */
	off_t body_off; /* where the body starts in fd */
	off_t body_len;
	int body8bit; /* the spooled body has an octet above 127 */
	off_t pos; /* read position in the whole message */
	/*
	 * When some of the body cannot go as spooled (bodyconv.h), it is
	 * converted while it is read: the same conversion every time, so
	 * its size, counted once in advance, holds.
	 */
	int converting;
	off_t body_out; /* octets of the converted body */
	char *ctype; /* the message's Content-Type value, NULL: none */
	size_t ctypelen;
	char *cte; /* its Content-Transfer-Encoding value, NULL: none */
	size_t ctelen;
	size_t *aff; /* the leaves to re-encode */
	size_t naff;
	enum conv_act top_act; /* what happens to a single-part body */
	struct conv conv;
	off_t in; /* body octets fed to conv */
	int fed_all;
	char *inbuf;
	struct buf out; /* converted octets not yet read */
	size_t outpos;
};

/*
 * Build the outgoing message from the spool.  Returns 0, or -1 with e set
 * (ERR_DATA when the message cannot be sent as it is: a NUL octet in the
 * header section, a header line that cannot be folded, a body line over
 * 998 octets or a NUL where it cannot be re-encoded; ERR_IO when the
 * spool cannot be read; ERR_CONFIG when the aliases nest too deeply).
 * On error m holds nothing that needs freeing (outmsg_free is harmless).
 */
int rewrite_message(struct outmsg *m, const struct spool *sp,
    const struct envelope *env, const struct options *o, struct conf *c,
    struct err *e);

/* A message source reading m (head, then body). */
void outmsg_source(struct outmsg *m, struct msgsrc *src);

/*
 * The header section of m as it goes out, without the blank line that
 * ends it: what a bounce quotes, as a queued entry's would be.
 */
const char *outmsg_head(const struct outmsg *m, size_t *len);

void outmsg_free(struct outmsg *m);

#endif
