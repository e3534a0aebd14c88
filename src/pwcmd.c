#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "io.h"
#include "priv.h"
#include "pwcmd.h"
#include "xalloc.h"

/* A token is a few KiB; more than this is not a password. */
#define PWCMD_MAX (1024 * 1024)

/*
 * The child: stdout to the pipe, stdin from /dev/null (ours is the
 * message, already read), default SIGPIPE (we ignore it, and an
 * ignored signal stays ignored across exec).  Everything the command
 * runs as is decided here, in one place.
 */
static void
pwcmd_child(const char *cmd, int out)
{
	/* Close-on-exec: dup2() makes the command's stdin, and this one
	 * does not stay open in it. */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* The command runs as the caller, without mailout's group. */
	if (priv_drop() < 0)
		_exit(127);
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Read everything (so the command never dies of a closed pipe). */
static int
read_all(int fd, struct buf *b, struct err *e)
{
	if (io_read_all(fd, b, PWCMD_MAX) == 0)
		return 0;
	if (errno == EFBIG)
		return err_set(e, ERR_CONFIG,
		    "password_command: more than %d octets of output",
		    PWCMD_MAX);
	return err_sys(e, ERR_CONFIG, "password_command");
}

static int
wait_child(pid_t pid, struct err *e)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, ERR_CONFIG, "password_command");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_set(e, ERR_CONFIG,
		    "password_command: exit status %d", WEXITSTATUS(status));
	return err_set(e, ERR_CONFIG, "password_command: killed by signal %d",
	    WTERMSIG(status));
}

char *
pwcmd_run(const char *cmd, struct err *e)
{
	struct buf b = BUF_INIT;
	struct err ignored = {0};
	int fds[2], rc, fork_errno;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		err_sys(e, ERR_CONFIG, "password_command: pipe");
		return NULL;
	}
	pid = fork();
	fork_errno = errno;
	if (pid == 0)
		pwcmd_child(cmd, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		errno = fork_errno; /* why fork failed, not close */
		err_sys(e, ERR_CONFIG, "password_command: fork");
		return NULL;
	}
	rc = read_all(fds[0], &b, e);
	close(fds[0]);
	/* A read error says more than the exit status it then causes. */
	if (wait_child(pid, rc < 0 ? &ignored : e) < 0)
		rc = -1;
	err_clear(&ignored);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	b.len = strcspn(buf_cstr(&b), "\r\n");
	if (b.len == 0) {
		buf_free(&b);
		err_set(e, ERR_CONFIG, "password_command printed no secret");
		return NULL;
	}
	b.data[b.len] = '\0';
	return buf_release(&b);
}
