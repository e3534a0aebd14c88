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

#include "cli.h"
#include "conf.h"
#include "deliver.h"
#include "diag.h"
#include "envelope.h"
#include "err.h"
#include "exitcode.h"
#include "log.h"
#include "mailq.h"
#include "queue.h"
#include "rewrite.h"
#include "runq.h"
#include "spool.h"
#include "transport.h"
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

/* One line on stderr; returns the exit status for e. */
static int
report(const struct err *e)
{
	fprintf(stderr, "mailout: %s\n", e->msg != NULL ? e->msg : "error");
	return exit_code(e->kind);
}

static void
trace_stderr(void *arg, char dir, const char *line, size_t len)
{
	const struct options *o = arg;

	if (dir == '*' && o->verbose < 2)
		return;
	fprintf(stderr, "%c %.*s\n", dir, (int)len, line);
}

/* Spool in the queue's tmp/ (queueing then copies on one file system). */
static char *
spool_dir(const struct conf *c)
{
	char *tmp = xasprintf("%s/tmp", c->queue_dir);
	struct err e = {0};

	if (access(tmp, W_OK) == 0 ||
	    (queue_init(c->queue_dir, &e) == 0 && access(tmp, W_OK) == 0))
		return tmp;
	err_clear(&e);
	free(tmp);
	return xstrdup("/tmp");
}

/*
 * After a message went out, mail that waited for the relay leaves too: a
 * detached process runs the due queue while the caller goes on.
 */
static void
kick_queue(struct deliverer *d)
{
	struct runq_opts o = {0, NULL};
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
	queue_run(d, &o, &e);
	_exit(0);
}

static int
send_message(const struct options *o, struct deliverer *d, struct envelope *env,
    struct outmsg *m, const struct spool *sp, struct err *e)
{
	struct submission s;
	struct msgsrc src;
	char qid[QUEUE_ID_MAX], *note = NULL;

	memset(&s, 0, sizeof(s));
	outmsg_source(m, &src);
	s.account = o->account;
	s.env = env;
	s.src = &src;
	s.head = sp->head.data;
	s.headlen = sp->head.len;
	s.queue_only = o->queue_only;
	if (deliver_new(d, &s, qid, &note, e) < 0)
		return -1;
	if (qid[0] != '\0')
		fprintf(stderr, "mailout: queued as %s: %s\n", qid, note);
	else if (note != NULL)
		fprintf(stderr, "mailout: %s\n", note);
	else
		kick_queue(d);
	free(note);
	return 0;
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

	if (spool_open(&sp, dir, !o->iflag, &e) < 0) {
		free(dir);
		return report(&e);
	}
	free(dir);
	if (spool_read_fd(&sp, STDIN_FILENO, &e) < 0 ||
	    envelope_build(&env, o, c, sp.head.data, sp.head.len, &e) < 0 ||
	    rewrite_message(&m, &sp, &env, o, c, &e) < 0 ||
	    send_message(o, d, &env, &m, &sp, &e) < 0)
		status = report(&e);
	outmsg_free(&m);
	envelope_free(&env);
	spool_close(&sp);
	err_clear(&e);
	return status;
}

static int
run_queue(const struct options *o, struct deliverer *d)
{
	struct runq_opts ro = {o->runq_all, o->runq_id};
	struct err e = {0};

	if (queue_run(d, &ro, &e) < 0)
		return report(&e);
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

/* --check-config: every file, every setting, then the accounts. */
static int
check_config(const struct options *o)
{
	struct conf c;
	struct err e = {0};
	int status = EX_OK;

	if (conf_check(o->config_path, &c, &e) < 0 ||
	    diag_check_config(stdout, &c, &e) < 0)
		status = report(&e);
	conf_free(&c);
	err_clear(&e);
	return status;
}

static int
server_info(const struct options *o, struct conf *c)
{
	struct err e = {0};
	int status = EX_OK;

	if (diag_server_info(stdout, c, o->account, o->sender,
	        o->verbose ? trace_stderr : NULL, (void *)o, &e) < 0)
		status = report(&e);
	err_clear(&e);
	return status;
}

static int
run_mode(const struct options *o, struct conf *c)
{
	struct deliverer d;
	struct err e = {0};
	int status;

	if (o->mode == MODE_LIST)
		return list_queue(o, c);
	if (transport_global_init(&e) < 0)
		return report(&e);
	if (o->mode == MODE_SERVER_INFO) {
		status = server_info(o, c);
		transport_global_cleanup();
		return status;
	}
	deliverer_init(&d, c);
	if (o->verbose) {
		d.trace = trace_stderr;
		d.trace_arg = (void *)o;
	}
	status = o->mode == MODE_RUNQ ? run_queue(o, &d) : submit(o, &d);
	deliverer_free(&d);
	transport_global_cleanup();
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct conf c;
	struct err e = {0};
	int status;

	sane_fds();
	signal(SIGPIPE, SIG_IGN);
	if (cli_parse(argc, argv, &o, &e) < 0) {
		status = report(&e);
		fputs(cli_usage, stderr);
		return status;
	}
	if (o.mode == MODE_HELP) {
		fputs(cli_usage, stdout);
		return EX_OK;
	}
	if (o.mode == MODE_VERSION) {
		printf("mailout %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	if (o.mode == MODE_CHECK_CONFIG)
		return check_config(&o);
	if (conf_load(o.config_path, &c, &e) < 0)
		return report(&e);
	log_open(c.logfile);
	status = run_mode(&o, &c);
	conf_free(&c);
	log_close();
	return status;
}
