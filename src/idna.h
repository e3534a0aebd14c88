/*
 * Internationalised domain names in the envelope: a domain that is not
 * ASCII goes to the relay as A-labels (IDNA, RFC 5890 and 5891, UTS #46
 * non-transitional mapping through libidn2), which every relay takes and
 * which need no SMTPUTF8.  Only a local part that is not ASCII needs
 * SMTPUTF8 (RFC 6531).
 */
#ifndef MAILOUT_IDNA_H
#define MAILOUT_IDNA_H

struct err;

/*
 * The addr-spec with its domain in A-labels; an ASCII domain or a
 * domain literal is left alone.  Returns a new string, or NULL with e
 * set (ERR_DATA) when the domain is not a valid internationalised name.
 */
char *idna_spec(const char *spec, struct err *e);

/* Does the addr-spec hold a non-ASCII octet (in its local part, once
 * idna_spec() has run)? */
int idna_needs_utf8(const char *spec);

#endif
