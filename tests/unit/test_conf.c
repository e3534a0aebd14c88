/* The configuration loader: values, defaults, errors with FILE:LINE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "tap.h"

static char path[] = "/tmp/mailout-test-conf.XXXXXX";

static int
load(const char *text, struct conf *c, struct err *e)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	err_clear(e);
	return conf_load(path, c, e);
}

int
main(void)
{
	struct conf c;
	struct err e = {0};
	char want[512];
	int fd = mkstemp(path);

	close(fd);
	is_int(load("host = \"relay.example.org\";\nport = 2525;\n"
	            "tls = \"none\";\nhelo = \"me.example.org\";\n"
	            "from = \"Bob <bob@example.org>\";\n"
	            "domain = \"example.org\";\n",
	           &c, &e),
	    0, "full file loads");
	is_str(c.acct.host, "relay.example.org", "host");
	is_int(c.acct.port, 2525, "port");
	is_int(c.acct.tls, TLS_NONE, "tls none");
	is_str(c.acct.helo, "me.example.org", "helo");
	is_str(c.acct.from, "bob@example.org", "from reduced to its addr-spec");
	is_str(conf_domain(&c), "example.org", "domain");
	is_str(conf_helo(&c, &c.acct), "me.example.org", "conf_helo");
	conf_free(&c);

	is_int(load("host = \"r\";\n", &c, &e), 0, "minimal file");
	is_int(c.acct.tls, TLS_STARTTLS, "tls defaults to starttls");
	is_int(c.acct.port, 587, "starttls defaults to port 587");
	conf_free(&c);
	load("host = \"r\"; tls = \"tls\";\n", &c, &e);
	is_int(c.acct.port, 465, "tls defaults to port 465");
	conf_free(&c);
	load("host = \"r\"; tls = \"none\";\n", &c, &e);
	is_int(c.acct.port, 25, "none defaults to port 25");
	conf_free(&c);

	is_int(load("host = \"r\";\n\nbogus = 1;\n", &c, &e), -1,
	    "unknown key refused");
	snprintf(want, sizeof(want), "%s:3: unknown setting 'bogus'", path);
	is_str(e.msg, want, "unknown key: FILE:LINE");
	is_int(e.kind, ERR_CONFIG, "unknown key: config error");
	conf_free(&c);

	is_int(load("port = 5000000000;\n", &c, &e), -1,
	    "wrapped integer refused");
	conf_free(&c);
	is_int(load("port = 5000000000L;\n", &c, &e), -1,
	    "int64 out of range refused");
	conf_free(&c);
	is_int(load("queue_dir = \"/var/q\";\n", &c, &e), 0, "queue_dir");
	is_str(c.queue_dir, "/var/q", "queue_dir value");
	conf_free(&c);

	unlink(path);
	err_clear(&e);
	return tap_done();
}
