/*
 * The log: one line per message (and per delivery attempt) to syslog,
 * facility mail.  Diagnostics that must not reach stdout or stderr (the
 * -bs mode) go here too.
 */
#ifndef MAILOUT_LOG_H
#define MAILOUT_LOG_H

#include <syslog.h>

void log_open(void);

void
log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void log_close(void);

#endif
