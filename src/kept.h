/*
 * Mail kept while the system's configuration cannot be used.  cron and
 * most other callers ignore sendmail's exit status, so a typo in
 * mailout.conf, an unreadable file or a missing aliases file would lose
 * every message sent meanwhile.  Such a submission is kept instead in
 * the compiled-in queue directory's kept/ area: its command line, the
 * message as it came, and what was wrong.  The first queue run with a
 * working system configuration submits it again with that
 * configuration (aliases, qualification, rewriting), as a normal entry.
 */
#ifndef MAILOUT_KEPT_H
#define MAILOUT_KEPT_H

#include <stddef.h>
#include <sys/types.h>

#include "queue.h"

struct deliverer;
struct err;

/* The area of the queue directory that holds kept entries. */
#define KEPT_AREA "kept"

/*
 * Keep the message in fd (size octets from offset 0, as the spool holds
 * it) with the command line's arguments args (argv without argv[0]) and
 * why: the configuration error.  Returns 0 with id set once the entry is
 * durable in dir/kept/, or -1 with e set.
 */
int kept_store(const char *dir, char *const *args, size_t nargs,
    const char *why, int fd, off_t size, char id[QUEUE_ID_MAX], struct err *e);

/*
 * The arguments that keep a -bs session's message (kept_store()): those
 * of the command line (argv without argv[0], "-bs" made "-bm", nothing
 * from "--" on), then "-f" sender "--" and each recipient, the paths as
 * the client gave them.  The array is new; its strings are borrowed.
 */
char **kept_bs_args(char *const *args, size_t nargs, char *sender,
    char *const *rcpts, size_t nrcpts, size_t *n);

/*
 * When d's configuration is the system's: turn each kept entry of the
 * compiled-in queue directory (only_id: that one only) into a normal
 * entry of d's queue, submitted with that configuration as the entry's
 * user would have submitted it.  An entry that cannot be (its command
 * line or its message is refused by that configuration) stays kept,
 * and the log says why.  Each one resolved or not is logged.  owner:
 * only the entries of that user; NULL: every user's.
 */
void kept_resolve(struct deliverer *d, const char *only_id, const uid_t *owner);

#endif
