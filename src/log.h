/*
 * The log: one line per delivery attempt and per queued message, to
 * syslog (facility mail) and, when "logfile" is set, to that file too.
 * Diagnostics that must not reach stdout or stderr (-bs mode) go here.
 */
#ifndef MAILOUT_LOG_H
#define MAILOUT_LOG_H

#include <syslog.h>
#include <sys/types.h>

struct buf;

/* tag is the syslog identifier (NULL: "mailout"); logfile may be NULL. */
void log_open(const char *tag, const char *logfile);

void
log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void log_close(void);

/*
 * A line about a message starts "KEYWORD id=ID uid=UID(NAME)": the
 * event (sent, deferred, bounced, ...; mailout(8) LOG lists them), the
 * message's queue id (NULL: "-"), and whose it is (the real user at
 * submission, the entry's owner in a queue run; no NAME when the uid
 * has no passwd entry; "uid=-" for (uid_t)-1: unknown).  Appended to b.
 */
void log_head(struct buf *b, const char *kw, const char *id, uid_t uid);

/*
 * ' key="text"', the text on one line (control characters escaped as
 * buf_put_oneline() does) and with no '"' in it to end the value early.
 */
void log_quoted(struct buf *b, const char *key, const char *text);

/* Log the line in b at prio, and free b. */
void log_buf(int prio, struct buf *b);

/* log_head() then, unless NULL, reason="why": one line. */
void
log_event(int prio, const char *kw, const char *id, uid_t uid, const char *why);

#endif
