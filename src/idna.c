#include "config.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "idna.h"
#include "utf8.h"
#include "xalloc.h"

int
idna_needs_utf8(const char *spec)
{
	return utf8_has8bit(spec, strlen(spec));
}

char *
idna_spec(const char *spec, struct err *e)
{
	const char *at = strrchr(spec, '@');
	char *alabel = NULL, *out;
	int rc;

	if (at == NULL || at[1] == '[' || !idna_needs_utf8(at + 1))
		return xstrdup(spec);
	/* RFC 5891 5.3-5.5 through UTS #46 mapping, NFC first. */
	rc = idn2_to_ascii_8z(at + 1, &alabel,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		err_set(e, ERR_DATA,
		    "not a valid international domain name: %s",
		    idn2_strerror(rc));
		return NULL;
	}
	out = xasprintf("%.*s@%s", (int)(at - spec), spec, alabel);
	idn2_free(alabel);
	return out;
}
