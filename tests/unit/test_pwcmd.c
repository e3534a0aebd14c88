/* password_command: the first line of a command's output. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>

#include "err.h"
#include "pwcmd.h"
#include "tap.h"

static void
run(const char *cmd, const char *want, const char *want_err, const char *name)
{
	struct err e = {0};
	char *got = pwcmd_run(cmd, &e);

	is_str(got, want, name);
	if (want == NULL) {
		is_str(e.msg, want_err, name);
		is_int(e.kind, ERR_CONFIG, name);
	}
	free(got);
	err_clear(&e);
}

/* What the test inherited (from make, a shell) is not the commands'. */
static void
set_aside_inherited(void)
{
	int fd;

	for (fd = 3; fd < 1024; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int
main(void)
{
	set_aside_inherited();
	run("echo s3cret", "s3cret", NULL, "one line");
	run("printf 'tok\\r\\nsecond\\n'", "tok", NULL,
	    "the first line, CR LF stripped");
	run("printf 'no newline'", "no newline", NULL, "no final newline");
	run("read x; echo \"[$x]\"", "[]", NULL, "standard input is empty");
	/* fds 0 to 2 aside, nothing of ours is open in the command. */
	run("for f in /proc/$$/fd/*; do n=${f##*/}; [ $n -gt 2 ] && "
	    "[ \"$(readlink $f)\" = /dev/null ] && printf '%s ' $n; done; "
	    "echo end",
	    "end", NULL, "no /dev/null left open beyond standard input");
	run("echo pw; exit 3", NULL, "password_command: exit status 3",
	    "a failing command");
	run("true", NULL, "password_command printed no secret", "no output");
	run("printf '\\nlater\\n'", NULL, "password_command printed no secret",
	    "an empty first line");
	run("kill -9 $$", NULL, "password_command: killed by signal 9",
	    "killed");
	run("head -c 2000000 /dev/zero", NULL,
	    "password_command: more than 1048576 octets of output",
	    "too much output");
	return tap_done();
}
