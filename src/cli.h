/*
 * The command line: sendmail's flags turned into one struct options.
 * No I/O happens here; errors come back as ERR_USAGE.
 */
#ifndef MAILOUT_CLI_H
#define MAILOUT_CLI_H

#include <stddef.h>

struct err;

enum mode {
	MODE_SUBMIT, /* read a message on stdin and send it (-bm) */
	MODE_SMTP, /* SMTP on stdin and stdout (-bs) */
	MODE_RUNQ, /* run the queue (-q) */
	MODE_LIST, /* list the queue (-bp, mailq) */
	MODE_VERIFY, /* show what would happen to recipients (-bv) */
	MODE_ALIASES, /* check the aliases (-bi, newaliases) */
	MODE_HELP,
	MODE_VERSION,
	MODE_CHECK_CONFIG, /* --check-config: validate, show the accounts */
	MODE_SERVER_INFO, /* --server-info: what the relay offers */
	MODE_ADMIN, /* --delete, --requeue...: change the queue */
	MODE_OAUTH2_LOGIN /* --oauth2-login: the device grant (RFC 8628) */
};

/* What MODE_ADMIN does with its operands (ids, addresses, or ALL). */
enum admin_op {
	ADMIN_DELETE, /* --delete ID... | ALL */
	ADMIN_DELETE_FROM, /* --delete-from ADDRESS... */
	ADMIN_DELETE_TO, /* --delete-to ADDRESS... */
	ADMIN_DELETE_FAILED, /* --delete-failed ID... | ALL: failed/ only */
	ADMIN_REQUEUE /* --requeue ID... | ALL */
};

struct options {
	enum mode mode;
	const char *config_path; /* -C */
	const char *account; /* -a: the account to use */
	const char *sender; /* -f / -r, NULL when not given */
	const char *fullname; /* -F: the sender's name for From */
	int tflag; /* -t: recipients from the headers */
	int iflag; /* -i / -oi: a lone "." does not end input */
	int verbose; /* -v: show the SMTP conversation */
	int noalias; /* -n: no aliases */
	int queue_only; /* -odq: queue without trying */
	int body8bit; /* -B 8BITMIME */
	const char *notify; /* -N as given (checked), NULL: not given */
	const char *ret; /* -R as given (checked), NULL: not given */
	const char *envid; /* -V as given (checked), NULL: not given */
	const char *log_tag; /* -L: the syslog tag */
	const char *traffic_log; /* -X: append the conversation here */
	int runq_due; /* --due: only the entries whose retry time has come */
	const char *runq_id; /* -qIid: this entry only */
	int json; /* mailq --json */
	int server_auth; /* --server-info --auth: try the credentials */
	enum admin_op admin; /* MODE_ADMIN's operation */
	/* The flags of a submission that were given, each letter once in
	 * the order met ("o": -oi or -odq): what a queue run does not use.
	 * At most the 12 letters of CLI_SUBMIT_FLAGS. */
	char submit_flags[16];
	char **rcpts; /* recipient arguments, as given */
	size_t nrcpts;
};

/*
 * Parse argv.  argv[0]'s base name may select a mode ("mailq",
 * "newaliases").  Returns 0, or -1 with e set (ERR_USAGE) for an unknown
 * flag, a missing or bad value, an unsupported -b mode, --due
 * without -q, --auth without --server-info, or a queue operation
 * (--delete...) without operands.
 */
int cli_parse(int argc, char **argv, struct options *o, struct err *e);

/*
 * With -q: the arguments it does not use ("-f, -t, x"), to say they are
 * ignored; NULL when there are none.  Malloc'd.
 */
char *cli_runq_ignored(const struct options *o);

/* The synopsis printed by --help and after a usage error. */
extern const char cli_usage[];

#endif
