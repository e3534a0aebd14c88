#include "config.h"

#include <errno.h>
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
		syslog(LOG_ERR,
		    "cannot open logfile %s: %s; logging to syslog only",
		    logfile, strerror(errno));
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
