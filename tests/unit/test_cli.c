/* The command line: argv vectors as real clients pass them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "tap.h"

/*
 * argv holds string literals: getopt() reorders the array of pointers but
 * never writes into the strings, so handing them over as char * is safe.
 */
static int
parse(struct options *o, struct err *e, const char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	err_clear(e);
	return cli_parse(argc, (char **)argv, o, e);
}

int
main(void)
{
	struct options o;
	struct err e = {0};

	{
		const char *v[] = {"sendmail", "-i", "-f", "bounce@example.org",
		    "--", "a@example.com", "-b@example.com", NULL};
		is_int(parse(&o, &e, v), 0, "-i -f addr -- rcpts");
		ok(o.iflag, "-i sets iflag");
		is_str(o.sender, "bounce@example.org", "-f separate value");
		is_int((long long)o.nrcpts, 2, "two recipients after --");
		is_str(o.rcpts[1], "-b@example.com",
		    "a dash after -- is a recipient");
	}
	{
		const char *v[] = {"sendmail", "-oi", "-fx@example.org", "-t",
		    NULL};
		is_int(parse(&o, &e, v), 0, "-oi -faddr -t");
		ok(o.iflag && o.tflag, "-oi and -t set");
		is_str(o.sender, "x@example.org", "-f attached value");
	}
	{
		const char *v[] = {"sendmail", "-f", "", "a@example.com", NULL};
		is_int(parse(&o, &e, v), 0, "-f ''");
		is_str(o.sender, "", "-f '' keeps the empty sender");
	}
	{
		const char *v[] = {"sendmail", "-i", "root", "-v", NULL};
		is_int(parse(&o, &e, v), 0,
		    "options end at the first recipient");
		is_int((long long)o.nrcpts, 2, "a later -v is a recipient");
	}
	{
		const char *v[] = {"mailout", "-C", "/x.conf", "-v", "a", NULL};
		is_int(parse(&o, &e, v), 0, "-C file -v");
		is_str(o.config_path, "/x.conf", "-C value");
		is_int(o.verbose, 1, "-v");
	}
	{
		const char *v[] = {"mailout", "-f", NULL};
		is_int(parse(&o, &e, v), -1, "-f without value fails");
		is_int(e.kind, ERR_USAGE, "-f without value: usage error");
	}
	{
		const char *v[] = {"mailout", "-bt", NULL};
		is_int(parse(&o, &e, v), -1, "-bt is refused");
		is_int(e.kind, ERR_USAGE, "-bt: usage error");
	}
	{
		const char *v[] = {"mailout", "--version", NULL};
		is_int(parse(&o, &e, v), 0, "--version");
		is_int(o.mode, MODE_VERSION, "--version mode");
	}
	{
		const char *v[] = {"sendmail", "-FCronDaemon", "-i",
		    "-B8BITMIME", "-oem", "root", NULL};
		is_int(parse(&o, &e, v), 0, "cron's argv");
		is_str(o.fullname, "CronDaemon", "-F attached");
		ok(o.body8bit && o.iflag, "-B8BITMIME and -i");
		is_str(o.rcpts[0], "root", "cron's recipient");
	}
	{
		const char *v[] = {"sendmail", "-B", "7bit", "-N",
		    "failure,delay", "-R", "hdrs", "-V", "id-1", "-h", "3",
		    "-L", "tag", NULL};
		is_int(parse(&o, &e, v), 0, "-B -N -R -V -h -L separate");
		ok(!o.body8bit, "-B 7bit");
		is_str(o.log_tag, "tag", "-L");
		is_int((long long)o.nrcpts, 0, "-h 3 took its value");
		is_str(o.notify, "failure,delay", "-N kept as given");
		is_str(o.ret, "hdrs", "-R kept as given");
		is_str(o.envid, "id-1", "-V kept as given");
	}
	{
		const char *v[] = {"sendmail", "-i", NULL};
		is_int(parse(&o, &e, v), 0, "no -N -R -V");
		ok(o.notify == NULL && o.ret == NULL && o.envid == NULL,
		    "no -N -R -V: none kept");
	}
	{
		const char *v[] = {"sendmail", "-N", "failure,dela", NULL};
		is_int(parse(&o, &e, v), -1, "-N: each word is checked");
	}
	{
		const char *v[] = {"sendmail", "-R", "hdr", NULL};
		is_int(parse(&o, &e, v), -1, "-R: the value is checked");
	}
	{
		const char *v[] = {"sendmail", "-V", "id 1", NULL};
		is_int(parse(&o, &e, v), -1, "-V: the value is checked");
	}
	{
		const char *v[] = {"sendmail", "-N", "never,success", NULL};
		is_int(parse(&o, &e, v), -1, "-N never mixed with others");
	}
	{
		const char *v[] = {"sendmail", "-N", "", NULL};
		is_int(parse(&o, &e, v), -1, "-N with no word");
		is_int(e.kind, ERR_USAGE, "-N with no word: usage error");
	}
	{
		const char *v[] = {"sendmail", "-N", "success,", NULL};
		is_int(parse(&o, &e, v), -1, "-N with an empty last word");
	}
	{
		const char *v[] = {"sendmail", "-N", "success,,delay", NULL};
		is_int(parse(&o, &e, v), -1, "-N with an empty word between");
	}
	{
		const char *v[] = {"sendmail", "-bs", "-odb", "-oem", NULL};
		is_int(parse(&o, &e, v), 0, "alpine's argv");
		is_int(o.mode, MODE_SMTP, "-bs");
	}
	{
		const char *v[] = {"sendmail", "-qIabc", NULL};
		is_int(parse(&o, &e, v), 0, "-qIid");
		is_int(o.mode, MODE_RUNQ, "-q mode");
		is_str(o.runq_id, "abc", "-qI id");
	}
	{
		const char *v[] = {"sendmail", "-q30m", NULL};
		is_int(parse(&o, &e, v), 0, "-q30m");
		ok(o.mode == MODE_RUNQ && !o.runq_due && o.runq_id == NULL,
		    "-q with an interval runs the whole queue once");
	}
	{
		const char *v[] = {"sendmail", "-qRexample.com", NULL};
		is_int(parse(&o, &e, v), 0, "-qRsite");
		ok(o.mode == MODE_RUNQ && !o.runq_due && o.runq_id == NULL,
		    "-qRsite runs the whole queue");
	}
	{
		const char *v[] = {"mailout", "-q", "--due", NULL};
		is_int(parse(&o, &e, v), 0, "-q --due");
		ok(o.mode == MODE_RUNQ && o.runq_due,
		    "-q --due: the due entries");
	}
	{
		const char *v[] = {"mailout", "--due", "-qIabc", NULL};
		is_int(parse(&o, &e, v), 0, "--due before -qIid");
		ok(o.mode == MODE_RUNQ && o.runq_due &&
		        strcmp(o.runq_id, "abc") == 0,
		    "--due -qIid: that entry, if it is due");
	}
	{
		const char *v[] = {"mailout", "--due", "a@example.com", NULL};
		is_int(parse(&o, &e, v), -1, "--due without -q");
		is_int(e.kind, ERR_USAGE, "--due without -q: a usage error");
		is_str(e.msg, "--due needs -q: mailout -q --due",
		    "--due without -q: says how to use it");
	}
	{
		const char *v[] = {"mailout", "-q", "--due", "-bp", NULL};
		is_int(parse(&o, &e, v), -1, "--due with -bp after -q");
	}
	{
		const char *v[] = {"mailout", "-C", "f", "--delete-to", "a@x",
		    "<b@y>", NULL};
		is_int(parse(&o, &e, v), 0, "--delete-to with addresses");
		ok(o.mode == MODE_ADMIN && o.admin == ADMIN_DELETE_TO &&
		        o.nrcpts == 2 && strcmp(o.rcpts[1], "<b@y>") == 0 &&
		        strcmp(o.config_path, "f") == 0,
		    "--delete-to: the addresses are its operands");
	}
	{
		const char *v[] = {"mailout", "--requeue", "ALL", NULL};
		is_int(parse(&o, &e, v), 0, "--requeue ALL");
		ok(o.mode == MODE_ADMIN && o.admin == ADMIN_REQUEUE &&
		        o.nrcpts == 1,
		    "--requeue ALL: one operand");
	}
	{
		const char *v[] = {"mailout", "--delete-failed", NULL};
		is_int(parse(&o, &e, v), -1, "--delete-failed alone");
		is_str(e.msg,
		    "--delete, --delete-failed and --requeue need ids or ALL",
		    "--delete-failed alone: says what it needs");
	}
	{
		const char *v[] = {"mailout", "--delete", "1", "-v", NULL};
		is_int(parse(&o, &e, v), -1, "--delete ID -v");
		is_str(e.msg, "-v: options go before the ids and addresses",
		    "an option after the operands: a usage error");
	}
	{
		const char *v[] = {"/usr/bin/mailq", "--json", NULL};
		is_int(parse(&o, &e, v), 0, "mailq --json");
		ok(o.mode == MODE_LIST && o.json, "invoked as mailq");
	}
	{
		const char *v[] = {"newaliases", NULL};
		is_int(parse(&o, &e, v), 0, "newaliases");
		is_int(o.mode, MODE_ALIASES, "invoked as newaliases");
	}
	{
		const char *v[] = {"sendmail", "-odq", "-bv", "x", NULL};
		is_int(parse(&o, &e, v), 0, "-odq -bv");
		ok(o.queue_only && o.mode == MODE_VERIFY, "-odq and -bv");
	}
	{
		const char *v[] = {"sendmail", "-qR", "x", "-v", "-C", "f",
		    NULL};
		char *ign;

		is_int(parse(&o, &e, v), 0, "-qR x -v -C f");
		ign = cli_runq_ignored(&o);
		is_str(ign, "x, -v, -C, f",
		    "-qR x: the operands, flags after them too, ignored");
		free(ign);
	}
	{
		const char *v[] = {"sendmail", "-t", "-oi", "-f", "a@b", "-q",
		    "-v", "-N", "never", "-t", "-odq", "-oem", "-X",
		    "/dev/null", NULL};
		char *ign;

		is_int(parse(&o, &e, v), 0, "-q with flags of a submission");
		ign = cli_runq_ignored(&o);
		is_str(ign, "-t, -oi, -f, -N, -odq",
		    "-q: a submission's flags named once each, in order");
		free(ign);
	}
	{
		const char *v[] = {"sendmail", "-q", "-v", "-C", "f", "--due",
		    "-L", "t", "-oem", NULL};
		is_int(parse(&o, &e, v), 0, "-q with what it uses");
		ok(cli_runq_ignored(&o) == NULL,
		    "-q -v -C --due -L: none ignored");
	}
	err_clear(&e);
	return tap_done();
}
