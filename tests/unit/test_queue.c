/*
 * The queue on disk: entries in a scratch queue_dir, locked and changed
 * the way queue runs do.  Another run's step at a precise moment (between
 * our open and our flock) is played by the flock() below, which runs a
 * hook before the real system call.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "msgsrc.h"
#include "queue.h"
#include "tap.h"
#include "xalloc.h"

static char *dir;
static char held_id[QUEUE_ID_MAX];
static void (*before_flock)(void);

/* Ours wins over the C library's: the queue code calls this one. */
int
flock(int fd, int op)
{
	void (*hook)(void) = before_flock;

	before_flock = NULL;
	if (hook != NULL)
		hook();
	return (int)syscall(SYS_flock, fd, op);
}

static char *
path(const char *area, const char *id, const char *suffix)
{
	return xasprintf("%s/%s/%s%s", dir, area, id, suffix);
}

static int
exists(const char *area, const char *id, const char *suffix)
{
	char *p = path(area, id, suffix);
	int rc = access(p, F_OK) == 0;

	free(p);
	return rc;
}

/* Create area/id+suffix, as a file aged age seconds, or a directory. */
static void
make(const char *area, const char *id, const char *suffix, time_t age,
    int is_dir)
{
	char *p = path(area, id, suffix);
	struct timeval tv[2];
	int fd;

	if (is_dir) {
		mkdir(p, 0770);
	} else if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0660)) >= 0) {
		close(fd);
		gettimeofday(&tv[0], NULL);
		tv[0].tv_sec -= age;
		tv[1] = tv[0];
		utimes(p, tv);
	}
	free(p);
}

/*
 * Queue a message to n recipients; its id goes to id.  When state_len is
 * not 0, an account name pads the state to that many octets.
 */
static void
put_sized(const char *msg, size_t len, size_t n, size_t state_len, char *id)
{
	struct qentry q;
	struct memsrc m;
	struct msgsrc src;
	struct err e = {0};
	char addr[64], *text;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.env.sender = xstrdup("bob@example.org");
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "rcpt%zu@example.com", i);
		envelope_add_rcpt(&q.env, addr);
	}
	q.created = time(NULL);
	if (state_len > 0) {
		q.account = xstrdup("a");
		text = qentry_format(&q);
		free(q.account);
		q.account = xcalloc(state_len - strlen(text) + 2, 1);
		memset(q.account, 'a', state_len - strlen(text) + 1);
		free(text);
	}
	memsrc_init(&m, msg, len, &src);
	if (queue_put(dir, &q, &src, &e) < 0)
		printf("# queue_put: %s\n", e.msg);
	snprintf(id, QUEUE_ID_MAX, "%s", q.id);
	qentry_free(&q);
	err_clear(&e);
}

static void
put(const char *msg, size_t len, size_t n, char *id)
{
	put_sized(msg, len, n, 0, id);
}

/* Another run moves the entry to failed/ (queue_fail()). */
static void
fail_it(void)
{
	char *from = path("q", held_id, ""), *to = path("failed", held_id, "");

	if (rename(from, to) < 0)
		printf("# rename: %s\n", strerror(errno));
	free(from);
	free(to);
}

/* Another run removes the entry (queue_remove()). */
static void
remove_it(void)
{
	char *p = path("q", held_id, "");

	unlink(p);
	free(p);
}

static const char msg[] = "Subject: test\r\n\r\nbody\r\n";

static void
test_lock(void)
{
	struct qentry q;
	struct err e = {0};

	put(msg, sizeof(msg) - 1, 2, held_id);
	is_int(queue_lock(dir, held_id, &q, &e), 1, "lock: a queued entry");
	is_int((long long)q.size, sizeof(msg) - 1, "lock: the message size");
	queue_release(&q);

	before_flock = remove_it;
	is_int(queue_lock(dir, held_id, &q, &e), 0,
	    "lock: removed between open and flock: gone");
	put(msg, sizeof(msg) - 1, 2, held_id);
	before_flock = fail_it;
	is_int(queue_lock(dir, held_id, &q, &e), 0,
	    "lock: moved to failed/ between open and flock: gone");
	ok(exists("failed", held_id, ""), "lock: it is in failed/");
	err_clear(&e);
}

static void
test_save(void)
{
	struct qentry q;
	struct err e = {0};
	char id[QUEUE_ID_MAX], *p;

	put(msg, sizeof(msg) - 1, 2, id);
	is_int(queue_lock(dir, id, &q, &e), 1, "save: locked");
	q.env.rcpts[0].state = RCPT_SENT;
	is_int(queue_save(dir, &q, &e), 0, "save: saved");
	ok(exists("q", id, ".state") && !exists("q", id, ".state.new"),
	    "save: the state is in place, nothing left beside it");
	p = path("q", id, ".state");
	unlink(p);
	/* A directory in its place makes the rename fail. */
	make("q", id, ".state", 0, 1);
	is_int(queue_save(dir, &q, &e), -1, "save: a failed rename fails");
	ok(!exists("q", id, ".state.new"),
	    "save: a failed save leaves no new state behind");
	rmdir(p);
	free(p);
	queue_release(&q);
	err_clear(&e);
}

static void
test_clean(void)
{
	char id[QUEUE_ID_MAX], gone[] = "20261128000000.gone0000";
	char failed[] = "20261128000000.failed00";

	put(msg, sizeof(msg) - 1, 1, id);
	make("q", id, ".state.new", 120, 0);
	make("q", gone, ".state.new", 120, 0);
	make("q", gone, ".state", 120, 0);
	make("failed", failed, "", 120, 0);
	make("q", failed, ".state", 120, 0);
	make("tmp", "old", "", 100000, 0);
	make("tmp", "young", "", 0, 0);
	queue_clean_tmp(dir, 86400);
	ok(!exists("q", id, ".state.new"),
	    "clean: an old new state beside its entry is removed");
	ok(!exists("q", gone, ".state.new"),
	    "clean: an old new state without entry is removed");
	ok(!exists("q", gone, ".state"),
	    "clean: an old state without entry is removed");
	ok(exists("failed", failed, ".state") && !exists("q", failed, ".state"),
	    "clean: an old state whose entry failed joins it in failed/");
	ok(!exists("tmp", "old", "") && exists("tmp", "young", ""),
	    "clean: tmp/ loses what is older than max_age, only that");
	ok(exists("q", id, ""), "clean: the entry stays");

	make("q", id, ".state.new", 0, 0);
	make("q", gone, ".state", 0, 0);
	queue_clean_tmp(dir, 86400);
	ok(exists("q", id, ".state.new") && exists("q", gone, ".state"),
	    "clean: leftovers a run may still be making stay");
}

/* The whole message through queue_source(), equal to want? */
static int
reads_back(struct qentry *q, const char *want, size_t len)
{
	struct msgsrc src;
	struct buf b = BUF_INIT;
	char chunk[1000];
	ssize_t n;
	int same;

	queue_source(q, &src);
	while ((n = src.read(src.ctx, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	same = n == 0 && b.len == len && memcmp(buf_cstr(&b), want, len) == 0;
	buf_free(&b);
	return same;
}

/* States around the 8 KiB chunks the head is read in, and a long one. */
static void
test_head(void)
{
	static const size_t lens[] = {8190, 8191, 8192, 8193, 16384};
	struct qentry q;
	struct err e = {0};
	char id[QUEUE_ID_MAX], name[80];
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		put_sized(msg, sizeof(msg) - 1, 1, lens[i], id);
		snprintf(name, sizeof(name), "head: a state of %zu octets",
		    lens[i]);
		is_int(queue_lock(dir, id, &q, &e), 1, name);
		is_int((long long)q.msg_off, (long long)lens[i] + 1, name);
		ok(reads_back(&q, msg, sizeof(msg) - 1), name);
		queue_release(&q);
	}
	put(msg, sizeof(msg) - 1, 10000, id);
	is_int(queue_lock(dir, id, &q, &e), 1, "head: 10,000 recipients");
	is_int((long long)q.env.nrcpts, 10000, "head: all of them read");
	is_str(q.env.rcpts[9999].addr, "rcpt9999@example.com",
	    "head: the last one too");
	ok(reads_back(&q, msg, sizeof(msg) - 1),
	    "head: the message after it, whole");
	queue_release(&q);
	err_clear(&e);
}

/* queue_msg_head() of a message, compared with want (wlen octets). */
static void
msg_head(const char *m, size_t len, const char *want, size_t wlen,
    const char *name)
{
	struct qentry q;
	struct err e = {0};
	struct buf head = BUF_INIT;
	char id[QUEUE_ID_MAX];

	put(m, len, 1, id);
	if (queue_lock(dir, id, &q, &e) != 1)
		printf("# queue_lock: %s\n", e.msg);
	is_int(queue_msg_head(&q, &head, &e), 0, name);
	ok(head.len == wlen && memcmp(buf_cstr(&head), want, wlen) == 0, name);
	if (head.len != wlen)
		printf("#   got %zu octets, want %zu\n", head.len, wlen);
	buf_free(&head);
	queue_release(&q);
	err_clear(&e);
}

static void
test_msg_head(void)
{
	static const char nul[] = "X-A: a\0b\r\n\r\nbody\0\r\n";
	struct buf m = BUF_INIT;
	char name[80];
	size_t at;

	msg_head(msg, sizeof(msg) - 1, "Subject: test\r\n", 15,
	    "message head: up to the last field's CRLF");
	msg_head("Subject: test\r\n", 15, "Subject: test\r\n", 15,
	    "message head: no body, all of it");
	msg_head(nul, sizeof(nul) - 1, nul, 10,
	    "message head: a NUL does not end the search");
	/* The empty line's CRLF CRLF straddling two chunks, at each split. */
	for (at = 8188; at <= 8192; at++) {
		buf_reset(&m);
		buf_puts(&m, "X-Long: ");
		while (m.len < at)
			buf_putc(&m, 'x');
		buf_puts(&m, "\r\n\r\nbody\r\n");
		snprintf(name, sizeof(name),
		    "message head: the empty line at octet %zu", at);
		msg_head(m.data, m.len, m.data, at + 2, name);
	}
	buf_free(&m);
}

/* Only what queue_put() names an entry may become part of a path. */
static void
test_id_ok(void)
{
	ok(queue_id_ok("20261203202915.n0v8sj0t"), "id: as new_id() makes it");
	ok(!queue_id_ok("20261203202915.n0v8sj0t.state"), "id: a state file");
	ok(!queue_id_ok("20261203202915.n0v8sj0w"), "id: a letter past v");
	ok(!queue_id_ok("../q/20261203202915.n0v8sj0t"), "id: a path");
	ok(!queue_id_ok("2026120320291.n0v8sj0ta"), "id: 13 digits");
	ok(!queue_id_ok(""), "id: empty");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct err e = {0};
	char *cmd;

	dir = xasprintf("%s/mailout-test.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || queue_init(dir, &e) < 0) {
		printf("1..0 # SKIP no scratch queue: %s\n", strerror(errno));
		return 0;
	}
	test_lock();
	test_save();
	test_clean();
	test_head();
	test_msg_head();
	test_id_ok();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	free(dir);
	return tap_done();
}
