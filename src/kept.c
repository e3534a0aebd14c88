#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "deliver.h"
#include "envelope.h"
#include "err.h"
#include "kept.h"
#include "log.h"
#include "msgsrc.h"
#include "paths.h" /* QUEUE_DIR_DEFAULT */
#include "queue.h"
#include "rewrite.h"
#include "senders.h"
#include "spool.h"
#include "sysinfo.h"
#include "xalloc.h"

#define COPY_BUF (64 * 1024)

/* A source over a file's first size octets (the spool). */
struct fdsrc {
	int fd;
	off_t pos, size;
};

static ssize_t
fd_read(void *ctx, char *buf, size_t len)
{
	struct fdsrc *s = ctx;
	ssize_t n;

	if ((off_t)len > s->size - s->pos)
		len = (size_t)(s->size - s->pos);
	if (len == 0)
		return 0;
	do
		n = pread(s->fd, buf, len, s->pos);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -1; /* shorter than it was: never keep part of it */
	if (n > 0)
		s->pos += n;
	return n;
}

static int
fd_rewind(void *ctx)
{
	((struct fdsrc *)ctx)->pos = 0;
	return 0;
}

int
kept_store(const char *dir, char *const *args, size_t nargs, const char *why,
    int fd, off_t size, char id[QUEUE_ID_MAX], struct err *e)
{
	struct fdsrc fs = {fd, 0, size};
	struct msgsrc src = {fd_read, fd_rewind, &fs, size, OCTETS_UNKNOWN};
	struct qentry q;

	memset(&q, 0, sizeof(q));
	q.kept = 1;
	q.args = (char **)args; /* borrowed, not freed here */
	q.nargs = nargs;
	q.last_error = (char *)why;
	q.created = q.next = time(NULL);
	q.uid = getuid();
	q.env.sender = (char *)"";
	if (queue_init(dir, e) < 0 ||
	    queue_put_in(dir, KEPT_AREA, &q, &src, e) < 0)
		return -1;
	memcpy(id, q.id, QUEUE_ID_MAX);
	return 0;
}

char **
kept_bs_args(char *const *args, size_t nargs, char *sender, char *const *rcpts,
    size_t nrcpts, size_t *n)
{
	char **v = xreallocarray(NULL, nargs + nrcpts + 3, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < nargs && strcmp(args[i], "--") != 0; i++)
		v[(*n)++] =
		    strcmp(args[i], "-bs") == 0 ? (char *)"-bm" : args[i];
	v[(*n)++] = (char *)"-f";
	v[(*n)++] = sender;
	v[(*n)++] = (char *)"--";
	for (i = 0; i < nrcpts; i++)
		v[(*n)++] = rcpts[i];
	return v;
}

/* The kept message into the spool, as stdin went in at first. */
static int
spool_kept(struct spool *sp, struct qentry *k, struct err *e)
{
	struct msgsrc src;
	char *buf = xmalloc(COPY_BUF);
	ssize_t n;
	int rc = 0;

	queue_source(k, &src);
	while (rc == 0 && (n = src.read(src.ctx, buf, COPY_BUF)) != 0)
		rc = n < 0 ? err_set(e, ERR_IO, "cannot read the kept message")
		           : spool_write(sp, buf, (size_t)n, e);
	free(buf);
	return rc == 0 ? spool_finish(sp, e) : -1;
}

/* The new entry: the envelope and message built now, the kept times. */
static int
enqueue(struct conf *c, const struct options *o, const struct qentry *k,
    struct envelope *env, struct outmsg *m, char qid[QUEUE_ID_MAX],
    struct err *e)
{
	struct msgsrc src;
	struct qentry q;

	memset(&q, 0, sizeof(q));
	/* The kept id, logged already, stays the message's. */
	memcpy(q.id, k->id, QUEUE_ID_MAX);
	q.env = *env; /* borrowed, not freed here */
	q.account = (char *)senders_account(c, o->account, env->sender);
	q.created = k->created;
	q.next = time(NULL);
	q.uid = k->uid;
	outmsg_source(m, &src);
	if (queue_put(c->queue_dir, &q, &src, e) < 0)
		return -1;
	memcpy(qid, q.id, QUEUE_ID_MAX);
	return 0;
}

/* Submit the kept message again, as main's submit() would, into q/. */
static int
resubmit(struct conf *c, const struct options *o, struct qentry *k,
    char qid[QUEUE_ID_MAX], struct err *e)
{
	char *tmp = xasprintf("%s/tmp", c->queue_dir);
	struct envelope env = {0};
	struct outmsg m = {0};
	struct spool sp;
	int rc = -1;

	/* The "." line, without -i, already ended the message as it came. */
	if (queue_init(c->queue_dir, e) < 0 || spool_open(&sp, tmp, 0, e) < 0) {
		free(tmp);
		return -1;
	}
	free(tmp);
	if (spool_kept(&sp, k, e) == 0 &&
	    envelope_build(&env, o, c, sp.head.data, sp.head.len, e) == 0 &&
	    senders_check(c, o->account, env.sender, e) == 0 &&
	    rewrite_message(&m, &sp, &env, o, c, e) == 0)
		rc = enqueue(c, o, k, &env, &m, qid, e);
	outmsg_free(&m);
	envelope_free(&env);
	spool_close(&sp);
	return rc;
}

/* The command line again, then the message, as the entry's user. */
static int
resolve(struct conf *c, struct qentry *k, char qid[QUEUE_ID_MAX], struct err *e)
{
	char **argv = xreallocarray(NULL, k->nargs + 2, sizeof(*argv));
	struct options o;
	int rc;

	argv[0] = (char *)"sendmail";
	memcpy(argv + 1, k->args, k->nargs * sizeof(*argv));
	argv[k->nargs + 1] = NULL;
	rc = cli_parse((int)k->nargs + 1, argv, &o, e);
	if (rc == 0 && o.mode != MODE_SUBMIT)
		rc = err_set(e, ERR_USAGE, "not a submission");
	if (rc == 0) {
		sys_assume_user(k->uid);
		rc = resubmit(c, &o, k, qid, e);
		sys_assume_user(getuid());
	}
	free(argv);
	return rc;
}

/* "queued id=... reason=\"kept message resolved\"" (kept as another id: said).
 */
static void
log_requeued(const struct qentry *k, const char *qid)
{
	char *why = strcmp(k->id, qid) == 0
	    ? xstrdup("kept message resolved")
	    : xasprintf("kept message resolved (kept as %s)", k->id);

	log_event(LOG_INFO, "queued", qid, k->uid, why);
	free(why);
}

/* "kept id=... reason="kept message still kept: why"" */
static void
log_kept(const char *id, const struct qentry *k, const char *what,
    const struct err *e)
{
	char *why = xasprintf("kept message %s: %s", what, e->msg);

	log_event(LOG_ERR, "kept", id, k != NULL ? k->uid : (uid_t)-1, why);
	free(why);
}

static void
resolve_one(struct deliverer *d, const char *dir, const char *id,
    const uid_t *owner)
{
	char qid[QUEUE_ID_MAX];
	struct qentry k;
	struct err e = {0};
	int rc = queue_lock_in(dir, KEPT_AREA, id, &k, &e);

	if (rc == 0)
		return; /* another run has it, or had it */
	/* Another user's message is not for this process (runq.h). */
	if (rc > 0 && owner != NULL && k.uid != *owner) {
		queue_release(&k);
		return;
	}
	if (rc > 0 && resolve(d->conf, &k, qid, &e) == 0) {
		log_requeued(&k, qid);
		/* Left behind, it would be queued again: sent twice, not lost.
		 */
		if (queue_remove_in(dir, KEPT_AREA, &k, &e) < 0)
			log_kept(id, &k, "not removed", &e);
	} else if (e.msg != NULL) {
		log_kept(id, rc > 0 ? &k : NULL, "still kept", &e);
	}
	err_clear(&e);
	if (rc > 0)
		queue_release(&k);
}

void
kept_resolve(struct deliverer *d, const char *only_id, const uid_t *owner)
{
	const char *dir = QUEUE_DIR_DEFAULT;
	struct err e = {0};
	char **ids;
	size_t i, n;

	/* Only the system's configuration may say what they become. */
	if (!conf_is_system(d->conf))
		return;
	if (queue_list_in(dir, KEPT_AREA, &ids, &n, &e) < 0) {
		log_event(LOG_ERR, "error", NULL, (uid_t)-1, e.msg);
		err_clear(&e);
		return;
	}
	for (i = 0; i < n; i++) {
		if (only_id == NULL || strcmp(only_id, ids[i]) == 0)
			resolve_one(d, dir, ids[i], owner);
		free(ids[i]);
	}
	free(ids);
}
