/* Listing the queue (-bp, mailq) for people and for monitoring. */
#ifndef MAILOUT_MAILQ_H
#define MAILOUT_MAILQ_H

#include <stdio.h>
#include <sys/types.h>

struct conf;
struct err;

/*
 * Print the queued and failed entries: id, size, age, sender, each
 * recipient with its state, the last error and the next attempt; with
 * the system's configuration, the kept entries too.  With
 * json, one line of figures for monitoring instead.  Only entries of uid
 * are shown unless all is set.
 */
int mailq_print(FILE *out, const struct conf *c, int json, int all, uid_t uid,
    struct err *e);

/*
 * Print the entries kept while the system's configuration cannot be
 * used (kept.h), from the compiled-in queue directory, with what was
 * wrong: what mailq can show until the configuration is fixed.
 */
int mailq_print_kept(FILE *out, int all, uid_t uid, struct err *e);

#endif
