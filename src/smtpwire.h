#ifndef MAILOUT_SMTPWIRE_H
#define MAILOUT_SMTPWIRE_H
char *smtp_xtext(const char *s);
char *smtp_path_addr(const char *addrspec);
#endif
