#include "config.h"

#include <getopt.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "rfc5322.h"

const char cli_usage[] =
    "usage: mailout [-itv] [-a account] [-B type] [-C file] [-f sender]\n"
    "               [-F name] [-N dsn] [-R ret] [-V envid] [-o option]\n"
    "               [--] [recipient ...] < message\n"
    "       mailout -bs | -bv recipient ... | -bp | -bi\n"
    "       mailout -q[Iid|Rsite] [--due] [-v]\n"
    "       mailout [-C file] --delete | --requeue | --delete-failed"
    " id ... | ALL\n"
    "       mailout [-C file] --delete-from | --delete-to address ...\n"
    "       mailout --check-config | --server-info [--auth] [-a account]\n"
    "               [-C file]\n"
    "       mailout --oauth2-login [-a account] [-C file]\n"
    "       mailout --help | --version\n";

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_JSON,
	OPT_CHECK_CONFIG,
	OPT_SERVER_INFO,
	OPT_OAUTH2_LOGIN,
	OPT_AUTH,
	OPT_DUE,
	/* In the order of enum admin_op. */
	OPT_DELETE,
	OPT_DELETE_FROM,
	OPT_DELETE_TO,
	OPT_DELETE_FAILED,
	OPT_REQUEUE
};

/*
 * Sendmail's option letters, as Postfix's sendmail(1) knows them, plus
 * -a.  A letter with ':' takes a value, attached ("-B8BITMIME") or
 * separate ("-B 8BITMIME").  The leading '+' stops at the first
 * recipient, so an address that begins with '-' after it is never taken
 * for a flag.
 */
static const char optstring[] =
    "+:A:B:C:F:GIL:N:O:R:UV:X:a:b:ce:f:h:imno:p:q::r:tvx";

static const struct option longopts[] = {
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
    {"server-info", no_argument, NULL, OPT_SERVER_INFO},
    {"auth", no_argument, NULL, OPT_AUTH},
    {"oauth2-login", no_argument, NULL, OPT_OAUTH2_LOGIN},
    {"due", no_argument, NULL, OPT_DUE},
    {"delete", no_argument, NULL, OPT_DELETE},
    {"delete-from", no_argument, NULL, OPT_DELETE_FROM},
    {"delete-to", no_argument, NULL, OPT_DELETE_TO},
    {"delete-failed", no_argument, NULL, OPT_DELETE_FAILED},
    {"requeue", no_argument, NULL, OPT_REQUEUE},
    {NULL, 0, NULL, 0},
};

/* -bX: the operation mode.  -bt, -bd and the rest make no sense here. */
static int
cli_mode(struct options *o, const char *arg, struct err *e)
{
	static const struct {
		const char *name;
		enum mode mode;
	} modes[] = {
	    {"m", MODE_SUBMIT},
	    {"s", MODE_SMTP},
	    {"p", MODE_LIST},
	    {"v", MODE_VERIFY},
	    {"i", MODE_ALIASES},
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(arg, modes[i].name) == 0) {
			o->mode = modes[i].mode;
			return 0;
		}
	return err_set(e, ERR_USAGE, "-b%s: unsupported operation mode", arg);
}

/*
 * -oX: sendmail's long-form options.  -oi is -i and -odq queues; the
 * error modes (-oem, -oep, -oee...), -odi and -odb change nothing here:
 * errors always go to the exit status and standard error, and delivery
 * is always interactive.
 */
static void
cli_option(struct options *o, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		o->iflag = 1;
	else if (strcmp(arg, "dq") == 0)
		o->queue_only = 1;
}

/*
 * -q, -qIid, -qRsite, -qSsender: run the queue once.  The site or sender
 * selects nothing (one relay per account), and an interval (-q30m) asks
 * for a daemon there is not: both run the whole queue.
 */
static void
cli_queue(struct options *o, const char *arg)
{
	o->mode = MODE_RUNQ;
	if (arg != NULL && arg[0] == 'I' && arg[1] != '\0')
		o->runq_id = arg + 1;
}

/* RFC 6152: -B 7BIT or -B 8BITMIME, as Postfix accepts them. */
static int
cli_body(struct options *o, const char *arg, struct err *e)
{
	if (strcasecmp(arg, "8BITMIME") == 0)
		o->body8bit = 1;
	else if (strcasecmp(arg, "7BIT") == 0)
		o->body8bit = 0;
	else
		return err_set(e, ERR_USAGE, "-B %s: use 7BIT or 8BITMIME",
		    arg);
	return 0;
}

static int
is_notify_word(const char *p, size_t n)
{
	return (n == 7 && strncasecmp(p, "success", 7) == 0) ||
	    (n == 7 && strncasecmp(p, "failure", 7) == 0) ||
	    (n == 5 && strncasecmp(p, "delay", 5) == 0);
}

/*
 * RFC 3461 4.1: -N never, or a list of success, failure, delay; an empty
 * word ("", "success,") is refused, as sendmail does.  The transport
 * passes them on when the relay offers DSN.
 */
static int
cli_notify(const char *arg, struct err *e)
{
	const char *p = arg;
	size_t n;

	if (strcasecmp(arg, "never") == 0)
		return 0;
	for (;; p += n + 1) {
		n = strcspn(p, ",");
		if (!is_notify_word(p, n))
			return err_set(e, ERR_USAGE,
			    "-N %s: use never, or success, failure, delay "
			    "separated by commas",
			    arg);
		if (p[n] == '\0')
			return 0;
	}
}

/* RFC 3461 4.3: -R full or hdrs; 4.4: -V envid, printable US-ASCII. */
static int
cli_dsn_check(int c, const char *arg, struct err *e)
{
	const char *p;

	if (c == 'N')
		return cli_notify(arg, e);
	if (c == 'R') {
		if (strcasecmp(arg, "full") != 0 &&
		    strcasecmp(arg, "hdrs") != 0)
			return err_set(e, ERR_USAGE, "-R %s: use full or hdrs",
			    arg);
		return 0;
	}
	for (p = arg; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return err_set(e, ERR_USAGE,
			    "-V: the envelope id must be printable US-ASCII");
	if (p == arg || p - arg > 100)
		return err_set(e, ERR_USAGE, "-V: 1 to 100 characters");
	return 0;
}

/* Checked, then kept for the envelope (envelope_build() normalises). */
static int
cli_dsn(struct options *o, int c, const char *arg, struct err *e)
{
	if (cli_dsn_check(c, arg, e) < 0)
		return -1;
	if (c == 'N')
		o->notify = arg;
	else if (c == 'R')
		o->ret = arg;
	else
		o->envid = arg;
	return 0;
}

/*
 * No value may hold a control character: each ends up in an SMTP command
 * (-f, -N, -R, -V), a header field (-F), a path or the log, where a CR or
 * LF would start something of the caller's choosing.
 */
static int
cli_value(struct options *o, int c, const char *arg, struct err *e)
{
	if (arg != NULL && rfc5322_has_ctl(arg))
		return err_set(e, ERR_USAGE,
		    "-%c: the value holds a control character", c);
	switch (c) {
	case 'a':
		o->account = arg;
		return 0;
	case 'B':
		return cli_body(o, arg, e);
	case 'b':
		return cli_mode(o, arg, e);
	case 'C':
		o->config_path = arg;
		return 0;
	case 'F':
		o->fullname = arg;
		return 0;
	case 'f':
	case 'r':
		o->sender = arg;
		return 0;
	case 'L':
		o->log_tag = arg;
		return 0;
	case 'N':
	case 'R':
	case 'V':
		return cli_dsn(o, c, arg, e);
	case 'o':
		cli_option(o, arg);
		return 0;
	case 'X':
		o->traffic_log = arg;
		return 0;
	default:
		/* -A, -e, -h, -O, -p: legacy values that change nothing. */
		return 0;
	}
}

static int
cli_flag(struct options *o, int c, const char *arg, struct err *e)
{
	switch (c) {
	case 'I':
		o->mode = MODE_ALIASES;
		break;
	case 'i':
		o->iflag = 1;
		break;
	case 'n':
		o->noalias = 1;
		break;
	case 'q':
		cli_queue(o, arg);
		break;
	case 't':
		o->tflag = 1;
		break;
	case 'v':
		o->verbose++;
		break;
	case OPT_HELP:
		o->mode = MODE_HELP;
		break;
	case OPT_VERSION:
		o->mode = MODE_VERSION;
		break;
	case OPT_JSON:
		o->json = 1;
		break;
	case 'c':
	case 'G':
	case 'm':
	case 'U':
	case 'x':
		break; /* legacy flags that change nothing here */
	case OPT_CHECK_CONFIG:
		o->mode = MODE_CHECK_CONFIG;
		break;
	case OPT_SERVER_INFO:
		o->mode = MODE_SERVER_INFO;
		break;
	case OPT_AUTH:
		o->server_auth = 1;
		break;
	case OPT_OAUTH2_LOGIN:
		o->mode = MODE_OAUTH2_LOGIN;
		break;
	case OPT_DUE:
		o->runq_due = 1;
		break;
	case OPT_DELETE:
	case OPT_DELETE_FROM:
	case OPT_DELETE_TO:
	case OPT_DELETE_FAILED:
	case OPT_REQUEUE:
		o->mode = MODE_ADMIN;
		o->admin = (enum admin_op)(c - OPT_DELETE);
		break;
	default:
		return cli_value(o, c, arg, e);
	}
	return 0;
}

/*
 * The operands of a queue operation: at least one, and none that looks
 * like an option (the options stop at the first operand: "--delete ID
 * -C file" would take "-C" for an id).
 */
static int
cli_admin(const struct options *o, struct err *e)
{
	size_t i;

	if (o->nrcpts == 0)
		return err_set(e, ERR_USAGE, "%s",
		    o->admin == ADMIN_DELETE_FROM || o->admin == ADMIN_DELETE_TO
		        ? "--delete-from and --delete-to need addresses"
		        : "--delete, --delete-failed and --requeue need ids "
		          "or ALL");
	for (i = 0; i < o->nrcpts; i++)
		if (o->rcpts[i][0] == '-')
			return err_set(e, ERR_USAGE,
			    "%s: options go before the ids and addresses",
			    o->rcpts[i]);
	return 0;
}

/* mailq lists the queue and newaliases checks the aliases (sendmail). */
static enum mode
cli_name_mode(const char *argv0)
{
	const char *name = strrchr(argv0, '/');

	name = name != NULL ? name + 1 : argv0;
	if (strcmp(name, "mailq") == 0)
		return MODE_LIST;
	if (strcmp(name, "newaliases") == 0)
		return MODE_ALIASES;
	return MODE_SUBMIT;
}

/*
 * The flags that only a submission uses, for cli_runq_ignored(): each
 * letter once ('1': -oi, '2': -odq).  submit_flags holds them all.
 */
#define CLI_SUBMIT_FLAGS "aBFfinNRrtV12"

static void
note_submit_flag(struct options *o, int c, const char *arg)
{
	size_t n = strlen(o->submit_flags);

	if (c == 'o' && arg != NULL)
		c = strcmp(arg, "i") == 0    ? '1'
		    : strcmp(arg, "dq") == 0 ? '2'
		                             : 0;
	if (c <= 0 || c > 127 || strchr(CLI_SUBMIT_FLAGS, c) == NULL ||
	    strchr(o->submit_flags, c) != NULL ||
	    n + 1 >= sizeof(o->submit_flags))
		return;
	o->submit_flags[n] = (char)c;
	o->submit_flags[n + 1] = '\0';
}

/* An operand may hold anything: controls become spaces on stderr. */
static void
put_ignored(struct buf *b, const char *what)
{
	if (b->len > 0)
		buf_puts(b, ", ");
	buf_put_oneline(b, what, strlen(what), 0);
}

/*
 * -q uses -C, -v, -X, -L and --due; the flags of a submission and the
 * operands (after one, nothing is read as a flag: "-qR x -v" makes "-v"
 * an operand) are for nothing, as in sendmail, but said.
 */
char *
cli_runq_ignored(const struct options *o)
{
	struct buf b = BUF_INIT;
	const char *p;
	char flag[3] = "-";
	size_t i;

	for (p = o->submit_flags; *p != '\0'; p++) {
		flag[1] = *p;
		put_ignored(&b, *p == '1' ? "-oi" : *p == '2' ? "-odq" : flag);
	}
	if (o->json)
		put_ignored(&b, "--json");
	for (i = 0; i < o->nrcpts; i++)
		put_ignored(&b, o->rcpts[i]);
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_release(&b);
}

int
cli_parse(int argc, char **argv, struct options *o, struct err *e)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->mode = cli_name_mode(argc > 0 ? argv[0] : "mailout");
	opterr = 0;
	optind = 0; /* GNU: full re-initialisation, for repeated calls */
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == '?' && optopt == 0)
			return err_set(e, ERR_USAGE, "unknown option %s",
			    argv[optind - 1]);
		if (c == '?')
			return err_set(e, ERR_USAGE, "unknown option -%c",
			    optopt);
		if (c == ':')
			return err_set(e, ERR_USAGE, "option -%c needs a value",
			    optopt);
		if (cli_flag(o, c, optarg, e) < 0)
			return -1;
		note_submit_flag(o, c, optarg);
	}
	/* A flag that changes nothing where it stands would hide a mistake:
	 * "mailout --due" would read a message from the terminal. */
	if (o->runq_due && o->mode != MODE_RUNQ)
		return err_set(e, ERR_USAGE,
		    "--due needs -q: mailout -q --due");
	if (o->server_auth && o->mode != MODE_SERVER_INFO)
		return err_set(e, ERR_USAGE,
		    "--auth needs --server-info: mailout --server-info --auth");
	o->rcpts = argv + optind;
	o->nrcpts = (size_t)(argc - optind);
	return o->mode == MODE_ADMIN ? cli_admin(o, e) : 0;
}
