/*
 * The log: one line per delivery attempt and per queued message, to
 * syslog (facility mail) and, when "logfile" is set, to that file too.
 * Diagnostics that must not reach stdout or stderr (-bs mode) go here.
 */
#ifndef MAILOUT_LOG_H
#define MAILOUT_LOG_H

#include <syslog.h>

/* tag is the syslog identifier (NULL: "mailout"); logfile may be NULL. */
void log_open(const char *tag, const char *logfile);

void
log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void log_close(void);

#endif
