#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "buf.h"
#include "err.h"
#include "io.h"
#include "msgsrc.h"
#include "queue.h"
#include "xalloc.h"

#define COPY_BUF (64 * 1024)
#define STATE_SUFFIX ".state"
#define WAKE_FILE "wake"

/* dir/area, dir/area/id, or dir/area/id + suffix. */
static char *
qpath(const char *dir, const char *area, const char *id, const char *suffix)
{
	if (id == NULL)
		return xasprintf("%s/%s", dir, area);
	return xasprintf("%s/%s/%s%s", dir, area, id, suffix ? suffix : "");
}

static int
fsync_area(const char *dir, const char *area)
{
	char *p = qpath(dir, area, NULL, NULL);
	int rc = io_fsync_dir(p);

	free(p);
	return rc;
}

int
queue_init(const char *dir, struct err *e)
{
	static const char *const areas[] = {"tmp", "q", "failed"};
	size_t i;
	char *p;

	if (mkdir(dir, 0770) < 0 && errno != EEXIST)
		return err_sys(e, ERR_CANTCREAT, "cannot create %s", dir);
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		p = qpath(dir, areas[i], NULL, NULL);
		if (mkdir(p, 0770) < 0 && errno != EEXIST) {
			err_sys(e, ERR_CANTCREAT, "cannot create %s", p);
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* Ids sort by age: the creation time, then randomness against clashes. */
void
queue_new_id(char id[QUEUE_ID_MAX])
{
	size_t len = QUEUE_ID_MAX;
	static const char alnum[] = "0123456789abcdefghijklmnopqrstuv";
	unsigned char rnd[8];
	struct tm tm;
	time_t now = time(NULL);
	size_t i, n;

#ifdef HAVE_GETRANDOM
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
#endif
	{
		unsigned long x = (unsigned long)getpid() ^ (unsigned long)now ^
		    (unsigned long)clock();
		for (i = 0; i < sizeof(rnd);
		     i++, x = x * 6364136223846793005UL + 1)
			rnd[i] = (unsigned char)(x >> 33);
	}
	gmtime_r(&now, &tm);
	n = strftime(id, len, "%Y%m%d%H%M%S.", &tm);
	for (i = 0; i < sizeof(rnd) && n + 1 < len; i++)
		id[n++] = alnum[rnd[i] & 31];
	id[n] = '\0';
}

int
queue_id_ok(const char *id)
{
	static const char digits[] = "0123456789";
	size_t n = strspn(id, digits);

	/* What new_id() makes: 14 digits of time, a dot, 8 of randomness. */
	return n == 14 && id[n] == '.' &&
	    strspn(id + n + 1, "0123456789abcdefghijklmnopqrstuv") == 8 &&
	    id[n + 9] == '\0';
}

static int
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Is name an entry's id (not a state file, not a leftover)? */
static int
is_id(const char *name)
{
	return name[0] >= '0' && name[0] <= '9' &&
	    strlen(name) < QUEUE_ID_MAX && !has_suffix(name, STATE_SUFFIX) &&
	    !has_suffix(name, ".new");
}

/* Write a whole file and sync it: the bytes are on disk on success. */
static int
write_file(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
	int saved;

	if (fd < 0)
		return -1;
	if (io_write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* Copy the message to fd; a short or failed read is an error. */
static int
copy_source(int fd, struct msgsrc *src, struct err *e)
{
	char *buf = xmalloc(COPY_BUF);
	off_t total = 0;
	ssize_t n = 0;
	int rc = -1;

	if (src->rewind(src->ctx) == 0)
		while ((n = src->read(src->ctx, buf, COPY_BUF)) > 0 &&
		    io_write_all(fd, buf, (size_t)n) == 0)
			total += n;
	if (n < 0)
		err_set(e, ERR_CANTCREAT,
		    "cannot read the message to queue it");
	else if (n > 0)
		err_sys(e, ERR_CANTCREAT, "cannot write the queue entry");
	else if (total != src->size)
		err_set(e, ERR_CANTCREAT, "the message changed while queued");
	else
		rc = 0;
	free(buf);
	return rc;
}

/*
 * An entry is one file: its state (qentry_format(): lines, no empty
 * one), an empty line, then the message exactly as it goes out.  One
 * file means one inode to sync now and one to free later.
 */
static int
write_entry(const char *path, struct qentry *q, struct msgsrc *src,
    struct err *e)
{
	char *text;
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd < 0)
		return err_sys(e, ERR_CANTCREAT, "cannot create %s", path);
	q->size = src->size;
	text = qentry_format(q);
	rc = io_write_all(fd, text, strlen(text)) == 0 &&
	        io_write_all(fd, "\n", 1) == 0
	    ? copy_source(fd, src, e)
	    : err_sys(e, ERR_CANTCREAT, "cannot write %s", path);
	free(text);
	if (rc == 0 && fsync(fd) < 0)
		rc = err_sys(e, ERR_CANTCREAT, "cannot write %s", path);
	if (close(fd) < 0 && rc == 0)
		rc = err_sys(e, ERR_CANTCREAT, "cannot write %s", path);
	return rc;
}

static int
make_area(const char *dir, const char *area, struct err *e)
{
	char *p = qpath(dir, area, NULL, NULL);
	int rc = 0;

	if (mkdir(p, 0770) < 0 && errno != EEXIST)
		rc = err_sys(e, ERR_CANTCREAT, "cannot create %s", p);
	free(p);
	return rc;
}

int
queue_put(const char *dir, struct qentry *q, struct msgsrc *src, struct err *e)
{
	return queue_put_in(dir, "q", q, src, e);
}

int
queue_put_in(const char *dir, const char *area, struct qentry *q,
    struct msgsrc *src, struct err *e)
{
	char *tmp = NULL, *dst = NULL;
	int tries, rc = -1;

	/* queue_init() made q/; another area is made when first used. */
	if (strcmp(area, "q") != 0 && make_area(dir, area, e) < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		/* An id given (the submission's, logged already) is kept. */
		if (tries > 0 || q->id[0] == '\0')
			queue_new_id(q->id);
		free(tmp);
		free(dst);
		tmp = qpath(dir, "tmp", q->id, NULL);
		dst = qpath(dir, area, q->id, NULL);
		/* An id taken in q/ would be replaced by rename(): avoid it. */
		if (access(dst, F_OK) != 0 && access(tmp, F_OK) != 0)
			break;
	}
	if (write_entry(tmp, q, src, e) < 0) {
		unlink(tmp);
	} else if (rename(tmp, dst) < 0) {
		err_sys(e, ERR_CANTCREAT, "cannot queue %s", q->id);
		unlink(tmp);
	} else if (fsync_area(dir, area) < 0) {
		/* Not durable: take it back rather than half-accept it. */
		err_sys(e, ERR_CANTCREAT, "cannot queue %s", q->id);
		unlink(dst);
	} else {
		rc = 0;
	}
	free(tmp);
	free(dst);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
queue_list(const char *dir, int failed, char ***ids, size_t *n, struct err *e)
{
	return queue_list_in(dir, failed ? "failed" : "q", ids, n, e);
}

int
queue_list_in(const char *dir, const char *area, char ***ids, size_t *n,
    struct err *e)
{
	char *path = qpath(dir, area, NULL, NULL);
	DIR *d = opendir(path);
	struct dirent *de;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL) {
		int rc = errno == ENOENT
		    ? 0
		    : err_sys(e, ERR_IO, "cannot read %s", path);
		free(path);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_id(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xreallocarray(*ids, cap, sizeof(**ids));
		}
		(*ids)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(path);
	if (*n > 0)
		qsort(*ids, *n, sizeof(**ids), cmp_str);
	return 0;
}

/*
 * Append the file open on fd to b from off, up to off + lim (lim < 0: to
 * its end), until sep is among the octets appended.  Each chunk is
 * searched with the few octets before it (sep may straddle two), never
 * from the start again: a head of 10,000 recipients (some 350 KB) costs
 * linear time.  memmem, as a NUL in a message must not end the
 * search.  Returns 1 with *at the offset of sep in b, 0 when the end
 * comes first, -1 on a read error (errno set).
 */
static int
read_until(int fd, off_t off, off_t lim, const char *sep, struct buf *b,
    size_t *at)
{
	char chunk[8192];
	size_t want, seplen = strlen(sep), start = b->len, from = b->len;
	const char *hit;
	ssize_t r;

	for (;;) {
		want = lim >= 0 && lim < (off_t)sizeof(chunk) ? (size_t)lim
		                                              : sizeof(chunk);
		do
			r = want > 0 ? pread(fd, chunk, want, off) : 0;
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		buf_append(b, chunk, (size_t)r);
		off += r;
		lim -= lim >= 0 ? r : 0;
		hit = memmem(b->data + from, b->len - from, sep, seplen);
		if (hit != NULL) {
			*at = (size_t)(hit - b->data);
			return 1;
		}
		from = b->len - start >= seplen ? b->len - (seplen - 1) : start;
	}
}

/*
 * The state at the head of the entry open on fd: its lines (no empty
 * one: see qentry_format()), then an empty line, so the first "\n\n"
 * ends it.  Sets q->msg_off.
 */
static int
read_head(int fd, struct qentry *q, struct buf *text, struct err *e)
{
	size_t at;
	int rc = read_until(fd, 0, -1, "\n\n", text, &at);

	if (rc < 0)
		return err_sys(e, ERR_IO, "cannot read the queue entry");
	if (rc == 0)
		return err_set(e, ERR_DATA, "no message after the state");
	text->len = at + 1; /* the state's last line keeps its newline */
	text->data[text->len] = '\0';
	q->msg_off = (off_t)text->len + 1;
	return 0;
}

/*
 * The later state beside an entry (see queue_save()) into b: 1, or 0 when
 * there is none, or -1 on error.  Only a missing file means none: taking
 * the head's older state after a failed read would send again to the
 * recipients done since.  No size cap: the state grows with the
 * recipients, which have no limit, like the head it replaces.
 */
static int
read_later(const char *path, struct buf *b, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 1;

	if (fd < 0)
		return errno == ENOENT
		    ? 0
		    : err_sys(e, ERR_IO, "cannot read %s", path);
	if (io_read_all(fd, b, SIZE_MAX) < 0)
		rc = err_sys(e, ERR_IO, "cannot read %s", path);
	close(fd);
	return rc;
}

/*
 * The state of the entry open on fd: its head, or the state file beside
 * it when there is one (written by queue_save()).
 */
static int
load_state(int fd, const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e)
{
	struct buf head = BUF_INIT, later = BUF_INIT;
	char *path = qpath(dir, area, id, STATE_SUFFIX);
	struct stat st;
	int rc;

	rc = read_later(path, &later, e);
	if (rc >= 0 && read_head(fd, q, &head, e) < 0)
		rc = -1;
	if (rc > 0)
		rc = qentry_parse(buf_cstr(&later), later.len, q, e);
	else if (rc == 0)
		rc = qentry_parse(head.data, head.len, q, e);
	/* Without its size the message would look empty: never send that. */
	if (rc == 0 && fstat(fd, &st) < 0)
		rc = err_sys(e, ERR_IO, "cannot read the queue entry");
	else if (rc == 0)
		q->size = st.st_size - q->msg_off;
	if (rc < 0)
		err_prefix(e, "queue entry %s", id);
	snprintf(q->id, sizeof(q->id), "%s", id);
	q->failed = strcmp(area, "failed") == 0;
	free(path);
	buf_free(&head);
	buf_free(&later);
	return rc;
}

/*
 * Opens the entry id in area for reading, q cleared: the descriptor, or
 * -1 with *rc 0 (the entry is gone) or -1 (an error, in e).
 */
static int
open_entry(const char *dir, const char *area, const char *id, struct qentry *q,
    int *rc, struct err *e)
{
	char *path = qpath(dir, area, id, NULL);
	int fd;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		*rc = errno == ENOENT ? 0 : err_sys(e, ERR_IO, "entry %s", id);
	free(path);
	return fd;
}

/*
 * Is the locked fd still the entry q/id?  A run that held the lock before
 * us may have removed it or moved it to failed/: either way it is not
 * ours to deliver.  A move leaves it a link, so st_nlink cannot tell;
 * only the file now at q/id, compared with ours, can.  Returns 1, 0 when
 * it is gone, -1 on error.
 */
static int
still_queued(int fd, const char *dir, const char *area, const char *id,
    struct err *e)
{
	char *path = qpath(dir, area, id, NULL);
	struct stat held, named;
	int rc;

	if (fstat(fd, &held) < 0)
		rc = err_sys(e, ERR_IO, "entry %s", id);
	else if (stat(path, &named) < 0)
		rc = errno == ENOENT ? 0 : err_sys(e, ERR_IO, "entry %s", id);
	else
		rc = held.st_dev == named.st_dev && held.st_ino == named.st_ino;
	free(path);
	return rc;
}

int
queue_lock(const char *dir, const char *id, struct qentry *q, struct err *e)
{
	return queue_lock_in(dir, "q", id, q, e);
}

int
queue_lock_in(const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e)
{
	int rc = queue_claim(dir, area, id, q, e);

	return rc == QUEUE_BUSY ? QUEUE_GONE : rc;
}

int
queue_claim(const char *dir, const char *area, const char *id, struct qentry *q,
    struct err *e)
{
	int fd, rc, busy = 0;

	if ((fd = open_entry(dir, area, id, q, &rc, e)) < 0)
		return rc;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		busy = errno == EWOULDBLOCK;
		rc = busy ? 0 : err_sys(e, ERR_IO, "lock %s", id);
	} else {
		rc = still_queued(fd, dir, area, id, e);
	}
	/* Read after the lock: a run that held it may have saved a state. */
	if (rc > 0 && load_state(fd, dir, area, id, q, e) < 0) {
		qentry_free(q);
		rc = -1;
	}
	if (rc <= 0) {
		close(fd);
		return busy ? QUEUE_BUSY : rc;
	}
	q->fd = fd;
	return QUEUE_LOCKED;
}

int
queue_peek(const char *dir, const char *id, int failed, struct qentry *q,
    struct err *e)
{
	return queue_peek_in(dir, failed ? "failed" : "q", id, q, e);
}

int
queue_peek_in(const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e)
{
	int fd, rc;

	if ((fd = open_entry(dir, area, id, q, &rc, e)) < 0)
		return rc;
	rc = load_state(fd, dir, area, id, q, e);
	close(fd);
	return rc < 0 ? -1 : 1;
}

void
queue_release(struct qentry *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	qentry_free(q);
}

static int save_in(const char *dir, const char *area, const struct qentry *q,
    struct err *e);

/*
 * The new state beside the entry, replacing any earlier one.  The file is
 * synced before the rename, so the name never holds part of a state.  The
 * rename is made durable by queue_sync() at the end of the run, with the
 * run's removals: a crash before then brings the earlier state back, and
 * the recipients done since are tried again (sent twice, or refused and
 * bounced twice: at least once, never lost).  Syncing q/ here would only
 * narrow that window, not close it: a run can die between the relay's
 * reply and this save, or between a bounce and this save, all the same.
 */
int
queue_save(const char *dir, const struct qentry *q, struct err *e)
{
	return save_in(dir, "q", q, e);
}

static int
save_in(const char *dir, const char *area, const struct qentry *q,
    struct err *e)
{
	char *tmp = qpath(dir, area, q->id, STATE_SUFFIX ".new");
	char *state = qpath(dir, area, q->id, STATE_SUFFIX);
	char *text = qentry_format(q);
	int rc = 0;

	if (write_file(tmp, text, strlen(text)) < 0 || rename(tmp, state) < 0) {
		rc = err_sys(e, ERR_IO, "cannot update queue entry %s", q->id);
		unlink(tmp); /* a partial one, say on a full disk */
	}
	free(text);
	free(tmp);
	free(state);
	return rc;
}

int
queue_remove(const char *dir, struct qentry *q, struct err *e)
{
	return queue_remove_in(dir, "q", q, e);
}

int
queue_remove_in(const char *dir, const char *area, struct qentry *q,
    struct err *e)
{
	char *entry = qpath(dir, area, q->id, NULL);
	char *state = qpath(dir, area, q->id, STATE_SUFFIX);
	int rc = 0;

	/*
	 * Once the entry has no name it is gone for every other run.  The
	 * removal is not synced here: should a crash undo it, the message
	 * is sent again (at least once, never lost); queue_sync() after a
	 * run makes all of the run's removals durable with one fsync.
	 */
	if (unlink(entry) < 0)
		rc = err_sys(e, ERR_IO, "cannot remove queue entry %s", q->id);
	unlink(state);
	free(entry);
	free(state);
	return rc;
}

void
queue_sync(const char *dir)
{
	fsync_area(dir, "q");
	fsync_area(dir, "failed");
}

void
queue_sync_area(const char *dir, const char *area)
{
	fsync_area(dir, area);
}

/*
 * Move the entry, then its state file (a crash between: see
 * clean_state()).  Synced by queue_sync(), not here, for the reason
 * queue_save() gives: a move lost in a crash leaves the entry in q/ with
 * an earlier state, to be tried again.  Should a file system lose it from
 * both places, only the record is gone: each recipient of a failed entry
 * was sent to, or refused and bounced.
 */
int
queue_fail(const char *dir, struct qentry *q, struct err *e)
{
	char *from = qpath(dir, "q", q->id, NULL);
	char *to = qpath(dir, "failed", q->id, NULL);
	char *sfrom = qpath(dir, "q", q->id, STATE_SUFFIX);
	char *sto = qpath(dir, "failed", q->id, STATE_SUFFIX);
	int rc = 0;

	q->failed = 1;
	if (queue_save(dir, q, e) < 0)
		rc = -1;
	else if (rename(from, to) < 0 || rename(sfrom, sto) < 0)
		rc = err_sys(e, ERR_IO, "cannot move %s to failed/", q->id);
	free(from);
	free(to);
	free(sfrom);
	free(sto);
	return rc;
}

/*
 * The state first, then the entry: the reverse of queue_fail(), so that
 * a crash between the two leaves a state in q/ without its entry, which
 * clean_state() returns to failed/.  The entry in failed/ then still has
 * its state of a failed entry: nothing is sent twice.  Synced at once:
 * whoever asked for it is told it is done.
 */
int
queue_unfail(const char *dir, struct qentry *q, struct err *e)
{
	char *from = qpath(dir, "failed", q->id, NULL);
	char *to = qpath(dir, "q", q->id, NULL);
	char *sfrom = qpath(dir, "failed", q->id, STATE_SUFFIX);
	char *sto = qpath(dir, "q", q->id, STATE_SUFFIX);
	int rc = 0;

	q->failed = 0;
	if (save_in(dir, "failed", q, e) < 0)
		rc = -1;
	else if (rename(sfrom, sto) < 0 || rename(from, to) < 0)
		rc = err_sys(e, ERR_IO, "cannot move %s to q/", q->id);
	queue_sync(dir);
	free(from);
	free(to);
	free(sfrom);
	free(sto);
	return rc;
}

int
queue_changed_in(const char *dir, const char *area, const char *id, time_t *t)
{
	char *state = qpath(dir, area, id, STATE_SUFFIX);
	char *entry = qpath(dir, area, id, NULL);
	struct stat st;
	int rc = stat(state, &st) == 0 || stat(entry, &st) == 0 ? 0 : -1;

	if (rc == 0)
		*t = st.st_mtime;
	free(state);
	free(entry);
	return rc;
}

int
queue_msg_head(const struct qentry *q, struct buf *head, struct err *e)
{
	size_t at;
	int rc = read_until(q->fd, q->msg_off, q->size, "\r\n\r\n", head, &at);

	if (rc < 0) {
		err_sys(e, ERR_IO, "cannot read queue entry %s", q->id);
		buf_reset(head);
		return -1;
	}
	if (rc > 0) {
		head->len = at + 2; /* the last field keeps its CRLF */
		head->data[head->len] = '\0';
	}
	return 0;
}

static ssize_t
entry_read(void *ctx, char *buf, size_t len)
{
	struct qentry *q = ctx;
	ssize_t n;

	if ((off_t)len > q->size - q->pos)
		len = (size_t)(q->size - q->pos);
	if (len == 0)
		return 0;
	do
		n = pread(q->fd, buf, len, q->msg_off + q->pos);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -1; /* shorter than its state says: never send it */
	if (n > 0)
		q->pos += n;
	return n;
}

static int
entry_rewind(void *ctx)
{
	((struct qentry *)ctx)->pos = 0;
	return 0;
}

void
queue_source(struct qentry *q, struct msgsrc *src)
{
	q->pos = 0;
	src->read = entry_read;
	src->rewind = entry_rewind;
	src->ctx = q;
	src->size = q->size;
	src->octets = OCTETS_UNKNOWN;
}

/*
 * How old a leftover in q/ must be before it is cleaned: a run between
 * the two steps that leave one (an entry removed or moved, then its state;
 * a state written, then renamed) is far younger, and must not lose it.
 */
#define ORPHAN_AGE 60

/*
 * A state file whose entry is gone: a run was killed between removing
 * the entry and its state, or between moving the two to failed/.
 */
static void
clean_state(const char *dir, const char *name)
{
	size_t n = strlen(name) - strlen(STATE_SUFFIX);
	char *id = xstrndup(name, n);
	char *entry = qpath(dir, "q", id, NULL);
	char *state = qpath(dir, "q", id, STATE_SUFFIX);
	char *failed = qpath(dir, "failed", id, NULL);
	char *fstate = qpath(dir, "failed", id, STATE_SUFFIX);

	if (access(entry, F_OK) != 0) {
		if (access(failed, F_OK) == 0)
			rename(state, fstate);
		else
			unlink(state);
	}
	free(id);
	free(entry);
	free(state);
	free(failed);
	free(fstate);
}

/*
 * Files in area older than max_age seconds: in tmp/ all of them, in q/
 * the state files (see clean_state()) and the new states never renamed
 * into place (a run killed, or a write that failed).
 */
static void
clean_area(const char *dir, const char *area, time_t max_age)
{
	char *path = qpath(dir, area, NULL, NULL), *p;
	int in_q = strcmp(area, "q") == 0;
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(path)) == NULL) {
		free(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (in_q && !has_suffix(de->d_name, STATE_SUFFIX) &&
		        !has_suffix(de->d_name, STATE_SUFFIX ".new")))
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > max_age) {
			if (in_q && has_suffix(de->d_name, STATE_SUFFIX))
				clean_state(dir, de->d_name);
			else
				unlink(p);
		}
		free(p);
	}
	closedir(d);
	free(path);
}

void
queue_clean_tmp(const char *dir, time_t max_age)
{
	clean_area(dir, "tmp", max_age);
	clean_area(dir, "q", ORPHAN_AGE);
}

int
queue_nonempty(const char *dir)
{
	char *area = qpath(dir, "q", NULL, NULL);
	DIR *d = opendir(area);
	struct dirent *de;
	int found = 0;

	free(area);
	if (d == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL)
		found = is_id(de->d_name);
	closedir(d);
	return found;
}

int
queue_wake(const char *dir, struct err *e)
{
	char *path = qpath(dir, WAKE_FILE, NULL, NULL);
	int fd, rc = 0;

	/* Made 0660 whatever the caller's umask: the next user's send opens
	 * it with the group's rights. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0660);
	if (fd >= 0)
		(void)fchmod(fd, 0660);
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	/* The close of a file open for writing is what a systemd path unit
	 * sees (PathExists=, PathChanged=); the new time is for people. */
	if (fd < 0 || futimens(fd, NULL) < 0)
		rc = err_sys(e, ERR_IO, "%s", path);
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int
queue_take_wake(const char *dir)
{
	char *path = qpath(dir, WAKE_FILE, NULL, NULL);
	int woken = unlink(path) == 0;

	free(path);
	return woken;
}
