/*
 * Text as it goes into SMTP commands: the parameters' xtext and the
 * addresses between "<" and ">".  Pure: no I/O, for the transport and
 * its tests.
 */
#ifndef MAILOUT_SMTPWIRE_H
#define MAILOUT_SMTPWIRE_H

/*
 * RFC 3461 4: s as xtext.  Each octet outside "!" to "~", and "+" and
 * "=", becomes "+" and two upper-case hex digits.  Malloc'd.
 */
char *smtp_xtext(const char *s);

/*
 * RFC 5321 4.1.2: the addr-spec as it goes between "<" and ">": a local
 * part that is a dot-atom unquoted ("john.doe"@x becomes john.doe@x),
 * any other quoted, escaping only '"' and '\'; the domain as it is.  ""
 * (the null path) stays "".  Malloc'd.
 */
char *smtp_path_addr(const char *addrspec);

#endif
