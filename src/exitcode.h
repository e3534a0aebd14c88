/* The one place where a kind of failure becomes an exit status. */
#ifndef MAILOUT_EXITCODE_H
#define MAILOUT_EXITCODE_H

#include "err.h"

/* The <sysexits.h> code for kind (EX_OK for ERR_NONE). */
int exit_code(enum err_kind kind);

#endif
