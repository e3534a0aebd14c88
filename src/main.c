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
#include "envelope.h"
#include "err.h"
#include "exitcode.h"
#include "log.h"
#include "outcome.h"
#include "rewrite.h"
#include "spool.h"
#include "transport.h"

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

/* Where the message is spooled: the queue's file system if possible. */
static const char *
spool_dir(const struct conf *c)
{
	struct stat st;

	if (stat(c->queue_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    access(c->queue_dir, W_OK) == 0)
		return c->queue_dir;
	return "/tmp";
}

/* Tell about each recipient the relay did not take. */
static void
report_rcpts(const struct envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].state != RCPT_SENT)
			fprintf(stderr, "mailout: <%s>: not delivered: %s\n",
			    env->rcpts[i].addr,
			    env->rcpts[i].reply ? env->rcpts[i].reply
			                        : "(no reply)");
}

static int
deliver(const struct options *o, struct conf *c, struct envelope *env,
    struct outmsg *m, struct err *e)
{
	const struct account *a;
	struct transport *t;
	struct smtp_result r;
	struct msgsrc src;
	int rc;

	a = conf_account(c, o->account, env->sender, e);
	if (a == NULL)
		return -1;
	t = transport_new(a, conf_helo(c, a), e);
	if (t == NULL)
		return -1;
	if (o->verbose)
		transport_set_trace(t, trace_stderr, (void *)o);
	outmsg_source(m, &src);
	rc = transport_send(t, env, &src, &r);
	transport_free(t);
	if (rc == 0 && outcome_judge(&r, env, e) < 0) {
		/* Delivered to some: tell about the others, not an error. */
		report_rcpts(env);
		err_clear(e);
	} else if (rc < 0) {
		outcome_judge(&r, env, e);
	}
	log_msg(rc == 0 ? LOG_INFO : LOG_WARNING,
	    "from=<%s> nrcpt=%zu relay=%s size=%lld status=%s%s%s", env->sender,
	    env->nrcpts, r.relay, (long long)src.size,
	    rc == 0 ? "sent" : "failed", rc == 0 ? "" : ": ",
	    rc == 0 ? "" : e->msg);
	smtp_result_free(&r);
	return rc;
}

static int
submit(const struct options *o, struct conf *c)
{
	struct err e = {0};
	struct spool sp;
	struct envelope env = {0};
	struct outmsg m = {0};
	int status = EX_OK;

	if (spool_open(&sp, spool_dir(c), !o->iflag, &e) < 0)
		return report(&e);
	if (spool_read_fd(&sp, STDIN_FILENO, &e) < 0 ||
	    envelope_build(&env, o, c, sp.head.data, sp.head.len, &e) < 0 ||
	    rewrite_message(&m, &sp, &env, o, c, &e) < 0 ||
	    deliver(o, c, &env, &m, &e) < 0)
		status = report(&e);
	outmsg_free(&m);
	envelope_free(&env);
	spool_close(&sp);
	err_clear(&e);
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
	if (conf_load(o.config_path, &c, &e) < 0)
		return report(&e);
	log_open();
	if (transport_global_init(&e) < 0)
		return report(&e);
	status = submit(&o, &c);
	transport_global_cleanup();
	conf_free(&c);
	log_close();
	return status;
}
