/*
 * The outcome of a delivery attempt, judged: what kind of failure an
 * smtp_result is (temporary, permanent, ...) and how to say it in one
 * line.  The exit status itself is main's decision (exitcode.c).
 */
#ifndef MAILOUT_OUTCOME_H
#define MAILOUT_OUTCOME_H

#include "envelope.h"
#include "err.h"

struct smtp_result;

/*
 * Judge r (transport_send() returned -1, or some recipients are not
 * done) for the recipients that were pending when the attempt began, as
 * before[] says (NULL: all of them); those done earlier do not count.
 * Sets e to the kind and a one-line message and returns -1, or returns
 * 0 when every one of them was accepted.
 *   ERR_TEMP        nothing is wrong with the message: network, TLS,
 *                   timeout, any 4xx, and any refusal before MAIL (the
 *                   relay or our account is at fault, not the message)
 *   ERR_UNAVAILABLE a 5xx to MAIL, DATA or the message, or too big
 *   ERR_NOUSER      every recipient refused with 5xx
 *   ERR_IO          the spooled message could not be read
 */
int outcome_judge(const struct smtp_result *r, const struct envelope *env,
    const enum rcpt_state *before, struct err *e);

/* Is the failure e (from outcome_judge) worth another try later? */
int outcome_is_temporary(const struct err *e);

/*
 * Is e the relay's verdict (ERR_NOUSER, ERR_UNAVAILABLE)?  Only then do
 * the recipients still pending fail at once, for a new message and a
 * queued one alike.  Any other failure (temporary, or ours: a message
 * that cannot be read, an account that is gone) leaves them pending:
 * queued, until queue_lifetime.
 */
int outcome_is_final(const struct err *e);

/*
 * Did the failed attempt r fail for recipients one by one rather than as
 * a whole?  So it did when the relay deferred them with its replies to
 * RCPT: it took the message for others (r ends in ST_DONE), or it
 * deferred each of them (ST_RCPT); that is about their mailboxes.  Any
 * other failure concerns the relay, the network or our side, and so
 * does a 421 to RCPT, which ends the session (RFC 5321 3.8).
 */
int outcome_is_per_rcpt(const struct smtp_result *r);

/*
 * The reason to record for the recipients that fail with e: the relay's
 * own reply when it gave one (a bounce takes its status code from it),
 * else the message of e.
 */
const char *outcome_reason(const struct smtp_result *r, const struct err *e);

#endif
