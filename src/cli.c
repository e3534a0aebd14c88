#include "config.h"

#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "err.h"

const char cli_usage[] =
    "usage: mailout [-itv] [-C file] [-f sender] [-F name] [-o option]\n"
    "               [--] [recipient ...] < message\n"
    "       mailout --check-config | --server-info [-a account] [-C file]\n"
    "       mailout --help | --version\n";

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_JSON,
	OPT_CHECK_CONFIG,
	OPT_SERVER_INFO
};

/*
 * Sendmail's option letters, as Postfix's sendmail(1) knows them.  A
 * letter with ':' takes a value, attached ("-B8BITMIME") or separate
 * ("-B 8BITMIME").  The leading '+' stops at the first recipient, so an
 * address that begins with '-' after it is never taken for a flag.
 */
static const char optstring[] =
    "+:A:B:C:F:GIL:N:O:R:UV:X:a:b:ce:f:h:imno:p:q::r:tvx";

static const struct option longopts[] = {
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
    {"server-info", no_argument, NULL, OPT_SERVER_INFO},
    {NULL, 0, NULL, 0},
};

/* -bX: the operation mode. */
static int
cli_mode(struct options *o, const char *arg, struct err *e)
{
	if (strcmp(arg, "m") == 0) {
		o->mode = MODE_SUBMIT;
		return 0;
	}
	if (strcmp(arg, "p") == 0) {
		o->mode = MODE_LIST;
		return 0;
	}
	return err_set(e, ERR_USAGE, "-b%s: unsupported operation mode", arg);
}

/* -oX: sendmail's long-form options; "i" and "dq" change anything. */
static void
cli_option(struct options *o, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		o->iflag = 1;
	else if (strcmp(arg, "dq") == 0)
		o->queue_only = 1;
}

/* -q, -qIid, -qRsite, -qSsender; an interval (-q30m) is ignored. */
static void
cli_queue(struct options *o, const char *arg)
{
	o->mode = MODE_RUNQ;
	if (arg == NULL)
		return;
	if (arg[0] == 'I' && arg[1] != '\0')
		o->runq_id = arg + 1;
	else if (arg[0] == 'R' || arg[0] == 'S')
		o->runq_all = 1;
}

static int
cli_flag(struct options *o, int c, const char *arg, struct err *e)
{
	switch (c) {
	case 'a':
		o->account = arg;
		break;
	case 'b':
		return cli_mode(o, arg, e);
	case 'C':
		o->config_path = arg;
		break;
	case 'f':
	case 'r':
		o->sender = arg;
		break;
	case 'i':
		o->iflag = 1;
		break;
	case 'o':
		cli_option(o, arg);
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
	case OPT_CHECK_CONFIG:
		o->mode = MODE_CHECK_CONFIG;
		break;
	case OPT_SERVER_INFO:
		o->mode = MODE_SERVER_INFO;
		break;
	default:
		/* Legacy flags that change nothing here. */
		break;
	}
	return 0;
}

int
cli_parse(int argc, char **argv, struct options *o, struct err *e)
{
	const char *name = strrchr(argv[0], '/');
	int c;

	memset(o, 0, sizeof(*o));
	/* Invoked as "mailq", list the queue (sendmail's convention). */
	name = name != NULL ? name + 1 : argv[0];
	o->mode = strcmp(name, "mailq") == 0 ? MODE_LIST : MODE_SUBMIT;
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
	}
	o->rcpts = argv + optind;
	o->nrcpts = (size_t)(argc - optind);
	return 0;
}
