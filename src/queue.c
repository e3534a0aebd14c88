#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "msgsrc.h"
#include "queue.h"
#include "xalloc.h"

#define COPY_BUF (64 * 1024)

static char *
qpath(const char *dir, const char *area, const char *id, const char *file)
{
	if (id == NULL)
		return xasprintf("%s/%s", dir, area);
	if (file == NULL)
		return xasprintf("%s/%s/%s", dir, area, id);
	return xasprintf("%s/%s/%s/%s", dir, area, id, file);
}

/* A rename or a new name is durable only once its directory is synced. */
static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
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
static void
new_id(char *id, size_t len)
{
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

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write a whole file and sync it: the bytes are on disk on success. */
static int
write_file(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
	int saved;

	if (fd < 0)
		return -1;
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* Copy the message to path; a short or failed read is an error. */
static int
copy_source(const char *path, struct msgsrc *src, struct err *e)
{
	char *buf = xmalloc(COPY_BUF);
	off_t total = 0;
	ssize_t n = 0;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd < 0) {
		free(buf);
		return err_sys(e, ERR_CANTCREAT, "cannot create %s", path);
	}
	if (src->rewind(src->ctx) == 0)
		while ((n = src->read(src->ctx, buf, COPY_BUF)) > 0 &&
		    write_all(fd, buf, (size_t)n) == 0)
			total += n;
	if (n < 0)
		err_set(e, ERR_CANTCREAT,
		    "cannot read the message to queue it");
	else if (n > 0 || fsync(fd) < 0)
		err_sys(e, ERR_CANTCREAT, "cannot write %s", path);
	else if (total != src->size)
		err_set(e, ERR_CANTCREAT, "the message changed while queued");
	else
		rc = 0;
	free(buf);
	if (close(fd) < 0 && rc == 0)
		rc = err_sys(e, ERR_CANTCREAT, "cannot write %s", path);
	return rc;
}

/* Remove an entry directory and what it holds (msg, env, env.new). */
static void
remove_entry_dir(const char *path)
{
	static const char *const files[] = {"env", "env.new", "msg"};
	size_t i;
	char *f;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		f = xasprintf("%s/%s", path, files[i]);
		unlink(f);
		free(f);
	}
	rmdir(path);
}

/* Write msg and env into tmp/ID, synced, ready to be renamed. */
static int
put_files(const char *tmp, struct qentry *q, struct msgsrc *src, struct err *e)
{
	char *path, *text;
	int rc;

	path = xasprintf("%s/msg", tmp);
	rc = copy_source(path, src, e);
	free(path);
	if (rc < 0)
		return -1;
	q->size = src->size;
	text = qentry_format(q);
	path = xasprintf("%s/env", tmp);
	rc = write_file(path, text, strlen(text));
	free(text);
	free(path);
	if (rc < 0 || fsync_dir(tmp) < 0)
		return err_sys(e, ERR_CANTCREAT,
		    "cannot write the queue entry");
	return 0;
}

/* A new directory tmp/ID with a fresh id. */
static char *
make_tmp_entry(const char *dir, struct qentry *q, struct err *e)
{
	char *tmp;
	int tries;

	for (tries = 0;; tries++) {
		new_id(q->id, sizeof(q->id));
		tmp = qpath(dir, "tmp", q->id, NULL);
		if (mkdir(tmp, 0770) == 0)
			return tmp;
		if (errno != EEXIST || tries == 100) {
			err_sys(e, ERR_CANTCREAT, "cannot create %s", tmp);
			free(tmp);
			return NULL;
		}
		free(tmp);
	}
}

int
queue_put(const char *dir, struct qentry *q, struct msgsrc *src, struct err *e)
{
	char *tmp, *dst, *area;
	int rc = -1;

	if ((tmp = make_tmp_entry(dir, q, e)) == NULL)
		return -1;
	if (put_files(tmp, q, src, e) < 0) {
		remove_entry_dir(tmp);
		free(tmp);
		return -1;
	}
	dst = qpath(dir, "q", q->id, NULL);
	area = qpath(dir, "q", NULL, NULL);
	if (rename(tmp, dst) < 0) {
		err_sys(e, ERR_CANTCREAT, "cannot queue %s", q->id);
		remove_entry_dir(tmp);
	} else if (fsync_dir(area) < 0) {
		/* Not durable: take it back rather than half-accept it. */
		err_sys(e, ERR_CANTCREAT, "cannot queue %s", q->id);
		remove_entry_dir(dst);
	} else {
		rc = 0;
	}
	free(area);
	free(dst);
	free(tmp);
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
	char *path = qpath(dir, failed ? "failed" : "q", NULL, NULL);
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
		if (de->d_name[0] == '.' || strlen(de->d_name) >= QUEUE_ID_MAX)
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

static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0 ||
	    (r < 0 && errno == EINTR))
		if (r > 0)
			buf_append(&b, chunk, (size_t)r);
	close(fd);
	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_release(&b);
}

static int
load_env(const char *dir, const char *area, const char *id, struct qentry *q,
    struct err *e)
{
	char *path = qpath(dir, area, id, "env");
	size_t len = 0;
	char *text = read_file(path, &len);
	int rc;

	if (text == NULL) {
		rc = errno == ENOENT ? 0 : err_sys(e, ERR_IO, "%s", path);
		free(path);
		return rc;
	}
	free(path);
	rc = qentry_parse(text, len, q, e);
	free(text);
	if (rc < 0)
		return err_prefix(e, "queue entry %s", id);
	snprintf(q->id, sizeof(q->id), "%s", id);
	q->failed = strcmp(area, "failed") == 0;
	return 1;
}

int
queue_lock(const char *dir, const char *id, struct qentry *q, struct err *e)
{
	char *path = qpath(dir, "q", id, "msg");
	struct stat st;
	int fd, rc;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(e, ERR_IO, "entry %s", id);
	/* The state is read after the lock: a run that held it before may
	 * have changed or removed the entry. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? 0
		                          : err_sys(e, ERR_IO, "lock %s", id);
		close(fd);
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_sys(e, ERR_IO, "entry %s", id);
	}
	rc = load_env(dir, "q", id, q, e);
	if (rc == 0) {
		/* Locked and without "env": what a run killed while removing
		 * the entry left behind (the message had gone out). */
		char *entry = qpath(dir, "q", id, NULL);

		remove_entry_dir(entry);
		free(entry);
	}
	if (rc <= 0) {
		close(fd);
		qentry_free(q);
		return rc;
	}
	q->fd = fd;
	q->size = st.st_size;
	return 1;
}

int
queue_peek(const char *dir, const char *id, int failed, struct qentry *q,
    struct err *e)
{
	char *path = qpath(dir, failed ? "failed" : "q", id, "msg");
	struct stat st;
	int rc;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	rc = load_env(dir, failed ? "failed" : "q", id, q, e);
	if (rc > 0 && stat(path, &st) == 0)
		q->size = st.st_size;
	free(path);
	return rc;
}

void
queue_release(struct qentry *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	qentry_free(q);
}

int
queue_save(const char *dir, const struct qentry *q, struct err *e)
{
	char *tmp = qpath(dir, "q", q->id, "env.new");
	char *env = qpath(dir, "q", q->id, "env");
	char *entry = qpath(dir, "q", q->id, NULL);
	char *text = qentry_format(q);
	int rc = 0;

	if (write_file(tmp, text, strlen(text)) < 0 || rename(tmp, env) < 0 ||
	    fsync_dir(entry) < 0)
		rc = err_sys(e, ERR_IO, "cannot update queue entry %s", q->id);
	free(text);
	free(tmp);
	free(env);
	free(entry);
	return rc;
}

int
queue_remove(const char *dir, struct qentry *q, struct err *e)
{
	char *entry = qpath(dir, "q", q->id, NULL);
	char *area = qpath(dir, "q", NULL, NULL);
	char *env = qpath(dir, "q", q->id, "env");
	int rc = 0;

	/* Without "env" the entry is gone for every other run at once. */
	if (unlink(env) < 0)
		rc = err_sys(e, ERR_IO, "cannot remove queue entry %s", q->id);
	remove_entry_dir(entry);
	fsync_dir(area);
	free(env);
	free(area);
	free(entry);
	return rc;
}

int
queue_fail(const char *dir, struct qentry *q, struct err *e)
{
	char *from = qpath(dir, "q", q->id, NULL);
	char *to = qpath(dir, "failed", q->id, NULL);
	char *qarea = qpath(dir, "q", NULL, NULL);
	char *farea = qpath(dir, "failed", NULL, NULL);
	int rc = 0;

	q->failed = 1;
	if (queue_save(dir, q, e) < 0)
		rc = -1;
	else if (rename(from, to) < 0 || fsync_dir(farea) < 0 ||
	    fsync_dir(qarea) < 0)
		rc = err_sys(e, ERR_IO, "cannot move %s to failed/", q->id);
	free(from);
	free(to);
	free(qarea);
	free(farea);
	return rc;
}

static ssize_t
entry_read(void *ctx, char *buf, size_t len)
{
	struct qentry *q = ctx;
	ssize_t n;

	do
		n = pread(q->fd, buf, len, q->pos);
	while (n < 0 && errno == EINTR);
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
}

void
queue_clean_tmp(const char *dir, time_t max_age)
{
	char *area = qpath(dir, "tmp", NULL, NULL);
	DIR *d = opendir(area);
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	char *p;

	if (d == NULL) {
		free(area);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", area, de->d_name);
		if (lstat(p, &st) == 0 && now - st.st_mtime > max_age) {
			if (S_ISDIR(st.st_mode))
				remove_entry_dir(p);
			else
				unlink(p);
		}
		free(p);
	}
	closedir(d);
	free(area);
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
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}
