/* Small I/O helpers shared by the modules that read and write files. */
#ifndef MAILOUT_IO_H
#define MAILOUT_IO_H

#include <stddef.h>

struct buf;

/*
 * Write all n octets to fd, across short writes and EINTR.  Returns 0,
 * or -1 with errno set.
 */
int io_write_all(int fd, const char *p, size_t n);

/*
 * Append everything fd yields up to its end to b, across EINTR.  Returns
 * 0, or -1 with errno set: by read(2), or EFBIG (which read(2) never
 * gives) when b would hold more than max octets.
 */
int io_read_all(int fd, struct buf *b, size_t max);

/* fsync the directory path: a rename or link in it is durable after. */
int io_fsync_dir(const char *path);

#endif
