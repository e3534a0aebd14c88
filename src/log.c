#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

static int logfd = -1;

/* "error id=- uid=... reason="cannot open logfile ..."", to syslog. */
static void
no_logfile(const char *logfile, const char *why)
{
	struct buf b = BUF_INIT;
	char *text =
	    xasprintf("cannot open logfile %s: %s; logging to syslog only",
	        logfile, why);

	log_head(&b, "error", NULL, getuid());
	log_quoted(&b, "reason", text);
	syslog(LOG_ERR, "%s", buf_cstr(&b));
	buf_free(&b);
	free(text);
}

void
log_open(const char *tag, const char *logfile)
{
	/* No LOG_NDELAY: no socket is opened unless something is logged. */
	openlog(tag != NULL ? tag : "mailout", LOG_PID, LOG_MAIL);
	if (logfile == NULL)
		return;
	/* Group-writable: whoever creates it (root's first run), the other
	 * users' processes, running with the group (the set-group-ID
	 * install), append to it too.  The umask (007) keeps that. */
	logfd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0660);
	/* Every line goes to syslog anyway: say there why the file lacks
	 * this process's lines. */
	if (logfd < 0)
		no_logfile(logfile, strerror(errno));
}

/* One write(2) per line: O_APPEND keeps concurrent lines whole. */
static void
log_file(const char *msg)
{
	struct buf b = BUF_INIT;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);
	buf_printf(&b, "%s mailout[%ld]: %s\n", stamp, (long)getpid(), msg);
	if (write(logfd, b.data, b.len) < 0) {
		/* nowhere left to report it */
	}
	buf_free(&b);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	syslog(prio, "%s", msg);
	if (logfd >= 0)
		log_file(msg);
	free(msg);
}

void
log_close(void)
{
	closelog();
	if (logfd >= 0)
		close(logfd);
	logfd = -1;
}

/* The name of uid, looked up once per uid (a queue run logs many lines). */
static const char *
user_name(uid_t uid)
{
	static uid_t cached = (uid_t)-1;
	static char *name;
	struct passwd *pw;

	if (name != NULL && uid == cached)
		return name;
	free(name);
	name = NULL;
	cached = uid;
	pw = getpwuid(uid);
	if (pw != NULL && pw->pw_name != NULL)
		name = xstrdup(pw->pw_name);
	return name;
}

void
log_head(struct buf *b, const char *kw, const char *id, uid_t uid)
{
	const char *name = user_name(uid);

	buf_printf(b, "%s id=%s", kw, id != NULL ? id : "-");
	if (uid == (uid_t)-1) {
		buf_puts(b, " uid=-");
		return;
	}
	buf_printf(b, " uid=%lu", (unsigned long)uid);
	if (name != NULL) {
		/* A name is the system's, but a control in it would still
		 * forge a line. */
		buf_putc(b, '(');
		buf_put_oneline(b, name, strlen(name), 0);
		buf_putc(b, ')');
	}
}

void
log_quoted(struct buf *b, const char *key, const char *text)
{
	size_t i;

	buf_printf(b, " %s=\"", key);
	i = b->len;
	buf_put_oneline(b, text, strlen(text), 0);
	for (; i < b->len; i++)
		if (b->data[i] == '"')
			b->data[i] = '\'';
	buf_putc(b, '"');
}

void
log_buf(int prio, struct buf *b)
{
	log_msg(prio, "%s", buf_cstr(b));
	buf_free(b);
}

void
log_event(int prio, const char *kw, const char *id, uid_t uid, const char *why)
{
	struct buf b = BUF_INIT;

	log_head(&b, kw, id, uid);
	if (why != NULL)
		log_quoted(&b, "reason", why);
	log_buf(prio, &b);
}
