#include "config.h"

#include <sysexits.h>

#include "exitcode.h"

int
exit_code(enum err_kind kind)
{
	static const int codes[] = {
	    [ERR_NONE] = EX_OK,
	    [ERR_USAGE] = EX_USAGE,
	    [ERR_DATA] = EX_DATAERR,
	    [ERR_NOINPUT] = EX_NOINPUT,
	    [ERR_NOUSER] = EX_NOUSER,
	    [ERR_UNAVAILABLE] = EX_UNAVAILABLE,
	    [ERR_SOFTWARE] = EX_SOFTWARE,
	    [ERR_OSERR] = EX_OSERR,
	    [ERR_CANTCREAT] = EX_CANTCREAT,
	    [ERR_IO] = EX_IOERR,
	    [ERR_TEMP] = EX_TEMPFAIL,
	    [ERR_CONFIG] = EX_CONFIG,
	    [ERR_NOPERM] = EX_NOPERM,
	};

	if ((unsigned)kind >= sizeof(codes) / sizeof(codes[0]))
		return EX_SOFTWARE;
	return codes[kind];
}
