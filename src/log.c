#include "config.h"

#include <stdarg.h>
#include <syslog.h>

#include "log.h"

void
log_open(void)
{
	/* LOG_NDELAY off: no socket is opened unless something is logged. */
	openlog("mailout", LOG_PID, LOG_MAIL);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
log_close(void)
{
	closelog();
}
