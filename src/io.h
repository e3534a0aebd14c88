/* Small I/O helpers shared by the modules that write files. */
#ifndef MAILOUT_IO_H
#define MAILOUT_IO_H

#include <stddef.h>

/*
 * Write all n octets to fd, across short writes and EINTR.  Returns 0,
 * or -1 with errno set.
 */
int io_write_all(int fd, const char *p, size_t n);

#endif
