/* Domains in A-labels for the envelope; what needs SMTPUTF8. */
#include "config.h"

#include <stdlib.h>

#include "err.h"
#include "idna.h"
#include "tap.h"

static void
check(const char *spec, const char *want, const char *name)
{
	struct err e = {0};
	char *got = idna_spec(spec, &e);

	is_str(got != NULL ? got : e.msg, want, name);
	free(got);
	err_clear(&e);
}

int
main(void)
{
	check("a@example.org", "a@example.org", "ASCII: unchanged");
	check("a@b\xc3\xbc"
	      "cher.example",
	    "a@xn--bcher-kva.example", "U-label to A-label");
	check("a@B\xc3\x9c"
	      "CHER.Example",
	    "a@xn--bcher-kva.example", "upper case mapped (UTS #46)");
	check("j\xc3\xb6rg@example.org", "j\xc3\xb6rg@example.org",
	    "UTF-8 local part: left as it is");
	check("\"a@b\"@\xc3\xa9.example", "\"a@b\"@xn--9ca.example",
	    "the domain is after the last @");
	check("a@[192.0.2.1]", "a@[192.0.2.1]", "domain literal: unchanged");
	check("root", "root", "no domain");
	check("x@\xe2\x98\x83.example",
	    "not a valid international domain name: string contains a "
	    "disallowed character",
	    "a disallowed character: refused");
	is_int(idna_needs_utf8("j\xc3\xb6rg@xn--bcher-kva.example"), 1,
	    "UTF-8 local part needs SMTPUTF8");
	is_int(idna_needs_utf8("a@xn--bcher-kva.example"), 0,
	    "A-labels need no SMTPUTF8");
	return tap_done();
}
