#include "config.h"

#include <ctype.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "sysinfo.h"
#include "xalloc.h"

char *
sys_username(struct err *e)
{
	struct passwd *pw;
	uid_t uid = getuid();

	pw = getpwuid(uid);
	if (pw == NULL || pw->pw_name == NULL || pw->pw_name[0] == '\0') {
		err_set(e, ERR_CONFIG,
		    "uid %lu has no user name; use -f or set \"from\"",
		    (unsigned long)uid);
		return NULL;
	}
	return xstrdup(pw->pw_name);
}

char *
sys_fullname(void)
{
	struct passwd *pw = getpwuid(getuid());
	struct buf b = BUF_INIT;
	const char *g;

	if (pw == NULL || pw->pw_gecos == NULL)
		return NULL;
	for (g = pw->pw_gecos; *g != '\0' && *g != ','; g++) {
		if (*g != '&') {
			buf_putc(&b, *g);
			continue;
		}
		if (pw->pw_name != NULL && pw->pw_name[0] != '\0') {
			buf_putc(&b, toupper((unsigned char)pw->pw_name[0]));
			buf_puts(&b, pw->pw_name + 1);
		}
	}
	if (b.len == 0)
		return NULL;
	return buf_release(&b);
}

char *
sys_mailname(void)
{
	char *line = NULL, *name = NULL;
	size_t cap = 0, n;
	FILE *fp;

	fp = fopen("/etc/mailname", "re");
	if (fp == NULL)
		return NULL;
	if (getline(&line, &cap, fp) > 0) {
		n = strcspn(line, " \t\r\n");
		if (n > 0)
			name = xstrndup(line, n);
	}
	free(line);
	fclose(fp);
	return name;
}

char *
sys_fqdn(void)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	char *fqdn = NULL;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		return NULL;
	host[sizeof(host) - 1] = '\0';
	if (strchr(host, '.') != NULL)
		return xstrdup(host);
	/* A short name: ask the resolver (normally /etc/hosts) for more. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.'))
		fqdn = xstrdup(res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
	return fqdn;
}
