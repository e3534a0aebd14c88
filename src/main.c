/*
 * mailout: a sendmail-compatible mail submitter.  main() is a checklist;
 * it alone decides the exit status.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "deliver.h"
#include "diag.h"
#include "envelope.h"
#include "err.h"
#include "exitcode.h"
#include "kept.h"
#include "log.h"
#include "mailq.h"
#include "oauth2tok.h"
#include "paths.h" /* CONF_DEFAULT_PATH, QUEUE_DIR_DEFAULT */
#include "priv.h"
#include "qadmin.h"
#include "queue.h"
#include "rewrite.h"
#include "runq.h"
#include "senders.h"
#include "smtpd.h"
#include "spool.h"
#include "sysinfo.h"
#include "transport.h"
#include "userq.h"
#include "xalloc.h"

/*
 * fds 0-2 may arrive closed (GNU mailutils closes stderr); the first file
 * opened would then become "stderr" and collect our messages.
 */
static void
sane_fds(void)
{
	int fd;

	do
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	while (fd >= 0 && fd <= STDERR_FILENO && fcntl(fd, F_SETFD, 0) == 0);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* One line on stderr; returns the exit status for e, and clears it. */
static int
report(struct err *e)
{
	int status = exit_code(e->kind);

	fprintf(stderr, "mailout: %s\n", e->msg != NULL ? e->msg : "error");
	err_clear(e);
	return status;
}

/* The submission's id (queue_new_id()) from its first log line on. */
static char submit_id[QUEUE_ID_MAX];

/*
 * A message refused: the log says why too, as the caller (cron) may
 * ignore both the status and stderr.  Logs only where the log is open
 * (log_open(): the modes that send).
 */
static int
refuse(struct err *e)
{
	log_event(LOG_ERR, "refused", submit_id[0] ? submit_id : NULL, getuid(),
	    e->msg != NULL ? e->msg : "error");
	return report(e);
}

/* A message that delivery refused: deliver_new() logged why. */
static int
refused_sending(struct err *e)
{
	return report(e);
}

/*
 * A failure before the log is open (the command line, the configuration,
 * the group, -X): for the modes that send, the log says so too (a queue
 * run from cron has no one reading stderr).
 */
static int
refuse_early(const struct options *o, struct err *e)
{
	int status;

	if (o->mode != MODE_SUBMIT && o->mode != MODE_SMTP &&
	    o->mode != MODE_RUNQ)
		return report(e);
	log_open(o->log_tag, NULL);
	status = refuse(e);
	log_close();
	return status;
}

/* Where the conversation goes: stderr with -v, a file with -X. */
struct tracer {
	int verbose;
	FILE *file;
};

/*
 * The relay's text is shown as the log shows it: a control character
 * (CR, TAB, ESC...) becomes a space, so that a hostile reply cannot
 * drive the terminal or forge a line of its own.
 */
static void
trace_lines(void *arg, char dir, const char *line, size_t len)
{
	const struct tracer *tr = arg;
	struct buf b = BUF_INIT;

	buf_put_oneline(&b, line, len, 0);
	if (tr->verbose && (dir != '*' || tr->verbose > 1))
		fprintf(stderr, "%c %s\n", dir, buf_cstr(&b));
	if (tr->file != NULL)
		fprintf(tr->file, "%ld %c %s\n", (long)getpid(), dir,
		    buf_cstr(&b));
	buf_free(&b);
}

/* Can the process write in dir?  With its group, not the user's
 * (access() would ask about the real IDs). */
static int
writable(const char *dir)
{
	return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0;
}

/* Spool in the queue's tmp/ (queueing then copies on one file system). */
static char *
spool_dir(const struct conf *c)
{
	char *tmp = xasprintf("%s/tmp", c->queue_dir);
	struct err e = {0};

	if (writable(tmp) ||
	    (queue_init(c->queue_dir, &e) == 0 && writable(tmp)))
		return tmp;
	err_clear(&e);
	free(tmp);
	return xstrdup("/tmp");
}

/*
 * Root and the queue service's user run every user's entries; any other
 * user, only their own: no user's process holds another's mail, sends
 * it (again), traces it or makes its bounces.
 */
static int
runs_all(void)
{
	return getuid() == 0 || sys_is_queue_user();
}

/*
 * After a message went out, mail that waited for the relay leaves too: a
 * detached process runs the caller's due entries, and those that waited
 * for a relay that took a message, while the caller goes on.  The other
 * users' entries are the queue service's: it is woken for them.
 */
static void
kick_queue(struct deliverer *d)
{
	struct runq_opts o = {.which = RUNQ_RELAY_BACK,
	    .owner = getuid(),
	    .all_owners = runs_all()};
	struct err e = {0};
	int fd;

	if (!queue_nonempty(d->conf->queue_dir) || fork() != 0)
		return;
	if (setsid() < 0 || fork() != 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	/* The parent's connections are not ours to close (QUIT). */
	d->conns = NULL;
	d->nconns = 0;
	d->trace = NULL;
	d->one_message = 0; /* a queue run: QUIT only after the last */
	if (queue_run(d, &o, &e) > 0 && queue_wake(d->conf->queue_dir, &e) < 0)
		err_prefix(&e, "cannot wake the queue service");
	if (e.msg != NULL)
		log_event(LOG_ERR, "error", NULL, getuid(), e.msg);
	_exit(0);
}

/* Refused by the relay, or failed before any attempt (the aliases'). */
static int
is_refused(const struct rcpt *r, enum rcpt_state before)
{
	return before == RCPT_FAILED ||
	    (r->state != RCPT_SENT && r->code >= 400);
}

/*
 * After the line that says why (it names the last recipient only, as the
 * log does): when several recipients were not sent to, each on a line of
 * its own with why: the relay's reply, or the aliases' reason for one
 * that had failed before (before[i]).
 */
static void
tell_rcpts(const struct envelope *env, const enum rcpt_state *before)
{
	const struct rcpt *r;
	struct buf b = BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		n += is_refused(&env->rcpts[i], before[i]);
	for (i = 0; n > 1 && i < env->nrcpts; i++) {
		r = &env->rcpts[i];
		if (!is_refused(r, before[i]))
			continue;
		buf_reset(&b);
		buf_printf(&b, "<%s>: ", r->addr);
		if (r->reply != NULL)
			buf_put_oneline(&b, r->reply, strlen(r->reply), 0);
		fprintf(stderr, "mailout: %s\n", buf_cstr(&b));
	}
	buf_free(&b);
}

/* The exit status of the submission; what went wrong is on stderr. */
static int
send_message(const struct options *o, struct deliverer *d, struct envelope *env,
    struct outmsg *m)
{
	struct submission s;
	struct msgsrc src;
	struct err e = {0};
	char qid[QUEUE_ID_MAX], *note = NULL;
	enum rcpt_state *before = envelope_states(env);
	int status = EX_OK;

	memset(&s, 0, sizeof(s));
	memcpy(s.id, submit_id, QUEUE_ID_MAX);
	outmsg_source(m, &src);
	s.account = senders_account(d->conf, o->account, env->sender);
	s.env = env;
	s.src = &src;
	s.head = outmsg_head(m, &s.headlen);
	s.queue_only = o->queue_only;
	s.owner = getuid();
	if (deliver_new(d, &s, qid, &note, &e) < 0)
		status = refused_sending(&e);
	else if (qid[0] != '\0')
		fprintf(stderr, "mailout: queued as %s: %s\n", qid, note);
	else if (note != NULL)
		fprintf(stderr, "mailout: %s\n", note);
	else
		kick_queue(d);
	if (status != EX_OK || note != NULL)
		tell_rcpts(env, before);
	free(before);
	free(note);
	err_clear(&e);
	return status;
}

static int
submit(const struct options *o, struct deliverer *d)
{
	struct conf *c = d->conf;
	struct err e = {0};
	struct spool sp;
	struct envelope env = {0};
	struct outmsg m = {0};
	char *dir = spool_dir(c);
	int status = EX_OK;

	queue_new_id(submit_id);
	if (spool_open(&sp, dir, !o->iflag, &e) < 0) {
		free(dir);
		return refuse(&e);
	}
	free(dir);
	if (spool_read_fd(&sp, STDIN_FILENO, &e) < 0 ||
	    envelope_build(&env, o, c, sp.head.data, sp.head.len, &e) < 0 ||
	    senders_check(c, o->account, env.sender, &e) < 0 ||
	    rewrite_message(&m, &sp, &env, o, c, &e) < 0)
		status = refuse(&e);
	else
		status = send_message(o, d, &env, &m);
	outmsg_free(&m);
	envelope_free(&env);
	spool_close(&sp);
	err_clear(&e);
	return status;
}

/* -q -v: what the queue run tries, and its fate, among the conversation. */
static void
note_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "mailout: %s\n", line);
}

/*
 * A run of every user's entries takes the wake a user's send left
 * (queue_wake()): with --due, the entries that wait for their relay go
 * too, since a relay took a message.
 */
static int
run_queue(const struct options *o, struct deliverer *d)
{
	struct runq_opts ro = {.which = o->runq_due ? RUNQ_DUE : RUNQ_ALL,
	    .only_id = o->runq_id,
	    .note = o->verbose ? note_line : NULL,
	    .owner = getuid(),
	    .all_owners = runs_all()};
	struct err e = {0};

	if (ro.all_owners && ro.only_id == NULL &&
	    queue_take_wake(d->conf->queue_dir) && o->runq_due)
		ro.which = RUNQ_WOKEN;
	if (queue_run(d, &ro, &e) < 0)
		return report(&e);
	return EX_OK;
}

/* " via host:port, [v6]:port", or " via (no relay)". */
static void
print_relays(const struct account *a)
{
	char *list = conf_relay_list(a);

	printf(" via %s", list);
	free(list);
}

/* " <a> <b> (not sent: why)" */
static void
print_rcpts(const struct envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		printf(" <%s>", env->rcpts[i].addr);
		if (env->rcpts[i].state == RCPT_FAILED)
			printf(" (not sent: %s)", env->rcpts[i].reply);
	}
}

/*
 * -bv: what would happen to each recipient argument (qualification,
 * aliases) and which relay would take it; nothing is sent.  An argument
 * that mail cannot be sent to at all makes the status EX_NOUSER.
 */
static int
verify(const struct options *o, struct conf *c)
{
	const struct account *a;
	struct envelope env;
	struct options one = *o;
	struct err e = {0};
	size_t i, j;
	int status = EX_OK;

	one.tflag = 0;
	one.nrcpts = 1;
	for (i = 0; i < o->nrcpts; i++) {
		one.rcpts = &o->rcpts[i];
		if (envelope_build(&env, &one, c, NULL, 0, &e) < 0 ||
		    (a = conf_account(c,
		         senders_account(c, o->account, env.sender), env.sender,
		         &e)) == NULL) {
			printf("%s: %s\n", o->rcpts[i], e.msg);
			status = exit_code(e.kind);
			err_clear(&e);
			envelope_free(&env);
			continue;
		}
		printf("%s:", o->rcpts[i]);
		print_rcpts(&env);
		print_relays(a);
		printf(" (account %s), from <%s>\n",
		    a->name != NULL ? a->name : "default", env.sender);
		for (j = 0; j < env.nnotes; j++)
			printf("%s: %s\n", o->rcpts[i], env.notes[j]);
		if (envelope_count(&env, RCPT_PENDING) == 0)
			status = EX_NOUSER;
		envelope_free(&env);
	}
	if (o->nrcpts == 0) {
		fputs("mailout: -bv needs recipients\n", stderr);
		status = EX_USAGE;
	}
	return status;
}

/*
 * -bi, newaliases: the aliases were read and checked with the
 * configuration; there is no database to rebuild, only a count to show
 * (--check-config says more).
 */
static int
check_aliases(const struct conf *c)
{
	printf("%s: %zu aliases%s%s\n",
	    c->path != NULL ? c->path : CONF_DEFAULT_PATH, c->aliases.n,
	    c->aliases_file != NULL ? ", with " : "",
	    c->aliases_file != NULL ? c->aliases_file : "");
	return EX_OK;
}

static int
list_queue(const struct options *o, struct conf *c)
{
	struct err e = {0};

	if (mailq_print(stdout, c, o->json, getuid() == 0, getuid(), &e) < 0)
		return report(&e);
	return EX_OK;
}

/* --delete, --requeue...: each entry's fate, and the first failure's status. */
struct admin_run {
	enum admin_op op;
	int status;
};

static void
admin_tell(void *arg, const char *id, enum qadmin_fate f, const char *why)
{
	struct admin_run *run = arg;
	int status = f == QFATE_NONE ? EX_NOINPUT
	    : f == QFATE_BUSY        ? EX_TEMPFAIL
	                             : EX_IOERR;

	if (f == QFATE_DONE) {
		printf("%s: %s\n", id,
		    run->op == ADMIN_REQUEUE ? "requeued" : "deleted");
		return;
	}
	if (f == QFATE_NONE)
		fprintf(stderr, "mailout: %s: no such message\n", id);
	else if (f == QFATE_BUSY)
		fprintf(stderr,
		    "mailout: %s: busy (being delivered), left "
		    "as it is\n",
		    id);
	else
		fprintf(stderr, "mailout: %s: %s\n", id, why);
	if (run->status == EX_OK)
		run->status = status;
}

/* An address that chose no message: said as an id that does not exist. */
static void
admin_none(struct admin_run *run, const char *addr)
{
	fprintf(stderr, "mailout: no message %s %s\n",
	    run->op == ADMIN_DELETE_FROM ? "from" : "to", addr);
	if (run->status == EX_OK)
		run->status = EX_NOINPUT;
}

/* Which entries an operand of the operation chooses. */
static enum qadmin_sel
admin_sel(enum admin_op op, const char *operand)
{
	if (op == ADMIN_DELETE_FROM)
		return QSEL_FROM;
	if (op == ADMIN_DELETE_TO)
		return QSEL_TO;
	return strcmp(operand, "ALL") == 0 ? QSEL_ALL : QSEL_ID;
}

static int
admin_queue(const struct options *o, const struct conf *c)
{
	struct admin_run run = {o->admin, EX_OK};
	struct err e = {0};
	struct qadmin a = {.dir = c->queue_dir,
	    .kept_dir = conf_is_system(c) ? QUEUE_DIR_DEFAULT : NULL,
	    .op = o->admin == ADMIN_REQUEUE ? QADMIN_REQUEUE : QADMIN_DELETE,
	    .failed_only = o->admin == ADMIN_DELETE_FAILED,
	    .caller = getuid(),
	    .all_owners = runs_all(),
	    .tell = admin_tell,
	    .tell_arg = &run};
	char *name = sys_username(&e);
	enum qadmin_sel sel;
	size_t i;
	long n = 0;

	err_clear(&e);
	a.caller_name = name;
	log_open(o->log_tag, c->logfile);
	for (i = 0; i < o->nrcpts && n >= 0; i++) {
		sel = admin_sel(o->admin, o->rcpts[i]);
		if ((n = qadmin_run(&a, sel, o->rcpts[i], &e)) < 0)
			run.status = report(&e);
		else if (n == 0 && (sel == QSEL_FROM || sel == QSEL_TO))
			admin_none(&run, o->rcpts[i]);
	}
	log_close();
	free(name);
	return run.status;
}

/*
 * -bs: nothing but SMTP replies may reach stdout or stderr (alpine reads
 * both from one pipe), so stderr goes to /dev/null and -v is not shown.
 */
static void
quiet_stderr(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

static int
serve_smtp(const struct options *o, struct deliverer *d)
{
	struct smtpd sd;
	char *dir = spool_dir(d->conf);

	quiet_stderr();
	memset(&sd, 0, sizeof(sd));
	sd.deliverer = d;
	sd.conf = d->conf;
	sd.opts = o;
	sd.spool_dir = dir;
	smtpd_run(&sd, STDIN_FILENO, STDOUT_FILENO);
	if (sd.delivered > 0)
		kick_queue(d);
	free(dir);
	return EX_OK;
}

/* -X file: the conversation is appended there, as with -v. */
static FILE *
open_traffic_log(const char *path, struct err *e)
{
	int fd = priv_open_as_user(path,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *fp = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (fp == NULL) {
		err_sys(e, ERR_CANTCREAT, "-X %s", path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	return fp;
}

/*
 * password_command's arguments may hold a secret that the group's file
 * keeps from the users: root sees them, and so does a user whose file
 * was read with the user's own rights only (-C, MAILOUT_CONF, or no
 * set-group-ID install), being able to read it anyway.
 */
static int
show_secrets(void)
{
	return getuid() == 0 || !priv_held();
}

static int own_queue(const struct options *o, struct conf *c, struct err *e);

/*
 * --check-config: every file, every setting, then the accounts; the
 * queue directory as a send would use it (a user's own, perhaps).
 */
static int
check_config(const struct options *o)
{
	struct conf c;
	struct err e = {0};
	int status = EX_OK;

	if (conf_check(o->config_path, &c, &e) < 0 ||
	    own_queue(o, &c, &e) < 0 ||
	    diag_check_config(stdout, &c, show_secrets(), &e) < 0)
		status = report(&e);
	conf_free(&c);
	err_clear(&e);
	return status;
}

static int
server_info(const struct options *o, struct conf *c, struct tracer *tr)
{
	struct diag_probe p = {tr->verbose || tr->file != NULL ? trace_lines
	                                                       : NULL,
	    tr, o->server_auth};
	struct err e = {0};
	int status = EX_OK;

	if (diag_server_info(stdout, c, o->account, o->sender, &p, &e) < 0)
		status = report(&e);
	err_clear(&e);
	return status;
}

/*
 * --oauth2-login: sign in on another device (RFC 8628); the refresh token
 * goes to the account's state file.  Works over ssh: nothing is opened
 * here, the user opens the URL anywhere.
 */
static int
oauth2_login_mode(const struct options *o, struct conf *c)
{
	struct err e = {0};
	const struct account *a = conf_account(c, o->account, o->sender, &e);
	struct oauth2_call call = {a, NULL, NULL, NULL};

	if (a == NULL)
		return report(&e);
	if (a->oauth2 == NULL) {
		err_set(&e, ERR_CONFIG, "account %s has no 'oauth2' group",
		    a->name != NULL ? a->name : "default");
		return report(&e);
	}
	if (oauth2_login(&call, stdout, &e) < 0)
		return report(&e);
	return EX_OK;
}

/* Sending, queue runs and -bs: the modes that log what they do. */
static int
deliver_mode(const struct options *o, struct conf *c, struct tracer *tr)
{
	struct deliverer d;
	int status;

	log_open(o->log_tag, c->logfile);
	deliverer_init(&d, c);
	if (tr->verbose || tr->file != NULL) {
		d.trace = trace_lines;
		d.trace_arg = tr;
	}
	if (o->mode == MODE_RUNQ)
		status = run_queue(o, &d);
	else if (o->mode == MODE_SMTP)
		status = serve_smtp(o, &d);
	else {
		d.one_message = 1;
		status = submit(o, &d);
	}
	deliverer_free(&d);
	log_close();
	return status;
}

static int
run_mode(const struct options *o, struct conf *c)
{
	struct tracer tr = {o->mode == MODE_SMTP ? 0 : o->verbose, NULL};
	struct err e = {0};
	int status;

	if (o->mode == MODE_LIST)
		return list_queue(o, c);
	if (o->mode == MODE_VERIFY)
		return verify(o, c);
	if (o->mode == MODE_ALIASES)
		return check_aliases(c);
	if (o->mode == MODE_ADMIN)
		return admin_queue(o, c);
	if (o->traffic_log != NULL &&
	    (tr.file = open_traffic_log(o->traffic_log, &e)) == NULL)
		return refuse_early(o, &e);
	if (o->mode == MODE_SERVER_INFO)
		status = server_info(o, c, &tr);
	else if (o->mode == MODE_OAUTH2_LOGIN)
		status = oauth2_login_mode(o, c);
	else
		status = deliver_mode(o, c, &tr);
	transport_global_cleanup();
	if (tr.file != NULL)
		fclose(tr.file);
	return status;
}

/*
 * The message on stdin into the compiled-in queue's kept/ area, with the
 * command line: the system's configuration could not be used (why).
 */
static int
keep_message(const struct options *o, int argc, char **argv, const char *why,
    char id[QUEUE_ID_MAX], struct err *e)
{
	char *tmp = xasprintf("%s/tmp", QUEUE_DIR_DEFAULT);
	struct spool sp;
	int rc = -1;

	if (queue_init(QUEUE_DIR_DEFAULT, e) == 0 &&
	    spool_open(&sp, tmp, !o->iflag, e) == 0) {
		if (spool_read_fd(&sp, STDIN_FILENO, e) == 0)
			rc = kept_store(QUEUE_DIR_DEFAULT, argv + 1,
			    (size_t)(argc - 1), why, sp.fd, sp.size, id, e);
		spool_close(&sp);
	}
	free(tmp);
	return rc;
}

/*
 * -bs while the system's configuration cannot be used: the session goes
 * on, and each message is kept (its DATA gets 451 when even that fails).
 */
static int
keep_session(const struct options *o, int argc, char **argv,
    struct err *conf_err)
{
	struct smtpd_keep k = {QUEUE_DIR_DEFAULT, conf_err->msg, argv + 1,
	    (size_t)(argc - 1)};
	char *tmp = xasprintf("%s/tmp", QUEUE_DIR_DEFAULT);
	struct smtpd sd;
	struct err e = {0};

	if (queue_init(QUEUE_DIR_DEFAULT, &e) < 0)
		err_clear(&e);
	quiet_stderr();
	memset(&sd, 0, sizeof(sd));
	sd.opts = o;
	sd.spool_dir = tmp;
	sd.keep = &k;
	log_open(o->log_tag, NULL);
	smtpd_run(&sd, STDIN_FILENO, STDOUT_FILENO);
	log_close();
	free(tmp);
	err_clear(conf_err);
	return EX_OK;
}

/*
 * The system's configuration cannot be used (conf_err says why).  A
 * submission is kept rather than refused: cron ignores the status, and
 * the message would be lost.  A queue run with a working configuration
 * sends it (kept.h).  mailq shows what is kept.
 */
static int
unconfigured(const struct options *o, int argc, char **argv,
    struct err *conf_err)
{
	char id[QUEUE_ID_MAX], *why;
	struct err e = {0};
	int status;

	/* --json's readers expect its one line or nothing. */
	if (o->mode == MODE_LIST && !o->json &&
	    mailq_print_kept(stdout, getuid() == 0, getuid(), &e) < 0)
		report(&e);
	if (o->mode == MODE_SMTP)
		return keep_session(o, argc, argv, conf_err);
	if (o->mode != MODE_SUBMIT || (!o->tflag && o->nrcpts == 0))
		return refuse_early(o, conf_err);
	if (keep_message(o, argc, argv, conf_err->msg, id, &e) < 0) {
		status = exit_code(conf_err->kind);
		err_prefix(&e, "%s; cannot keep the message", conf_err->msg);
		err_clear(conf_err);
		refuse_early(o, &e);
		return status;
	}
	log_open(o->log_tag, NULL);
	why = xasprintf("configuration error: %s", conf_err->msg);
	log_event(LOG_ERR, "kept", id, getuid(), why);
	free(why);
	log_close();
	fprintf(stderr,
	    "mailout: configuration error: %s; message kept as %s\n",
	    conf_err->msg, id);
	err_clear(conf_err);
	return EX_OK;
}

/*
 * A user's own file (-C, MAILOUT_CONF) without queue_dir queues in a
 * directory of the user's (userq.h), made when a message may need it.
 * Should it not be made, a message that must be queued says why then.
 */
static int
own_queue(const struct options *o, struct conf *c, struct err *e)
{
	char *dir;

	if (o->config_path == NULL || c->queue_dir_set)
		return 0;
	if ((dir = userq_dir(e)) == NULL)
		return -1;
	free(c->queue_dir);
	c->queue_dir = dir;
	if ((o->mode == MODE_SUBMIT || o->mode == MODE_SMTP) &&
	    userq_make(dir, e) < 0)
		err_clear(e);
	return 0;
}

/* After the command line: the configuration, then the work. */
static int
configured(struct options *o, const char *env_conf, int argc, char **argv)
{
	struct conf c;
	struct err e = {0};
	int status;

	/* MAILOUT_CONF names the file like -C, for callers whose command line
	 * is fixed (cron, PHP); it is a user's file like any -C file. */
	if (o->config_path == NULL)
		o->config_path = env_conf;
	/* A file the user names may say anything (@include the system's):
	 * it is read without the group, which never comes back. */
	if (o->config_path != NULL && priv_drop() < 0) {
		err_sys(&e, ERR_OSERR, "cannot give up the group");
		return refuse_early(o, &e);
	}
	if (o->mode == MODE_CHECK_CONFIG)
		return check_config(o);
	if (conf_load(o->config_path, &c, &e) < 0 && o->config_path == NULL)
		return unconfigured(o, argc, argv, &e);
	if (e.msg != NULL)
		return refuse_early(o, &e);
	if (own_queue(o, &c, &e) < 0) {
		conf_free(&c);
		return refuse_early(o, &e);
	}
	status = run_mode(o, &c);
	conf_free(&c);
	return status;
}

/* -q with what only a submission uses: sendmail ignores it; said. */
static void
warn_runq_ignored(const struct options *o)
{
	char *ign;

	if (o->mode != MODE_RUNQ || (ign = cli_runq_ignored(o)) == NULL)
		return;
	fprintf(stderr, "mailout: -q does not use %s; ignored\n", ign);
	free(ign);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct err e = {0};
	char *env_conf;
	int status;

	sane_fds();
	env_conf = priv_sanitize();
	signal(SIGPIPE, SIG_IGN);
	if (cli_parse(argc, argv, &o, &e) < 0) {
		status = refuse_early(&o, &e);
		fputs(cli_usage, stderr);
	} else if (o.mode == MODE_HELP) {
		status = fputs(cli_usage, stdout) < 0 ? EX_IOERR : EX_OK;
	} else if (o.mode == MODE_VERSION) {
		status = printf("mailout %s\n", PACKAGE_VERSION) < 0 ? EX_IOERR
		                                                     : EX_OK;
	} else {
		warn_runq_ignored(&o);
		status = configured(&o, env_conf, argc, argv);
	}
	free(env_conf);
	return status;
}
