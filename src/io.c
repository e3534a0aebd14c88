#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"

int
io_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
io_read_all(int fd, struct buf *b, size_t max)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > max || b->len > max - (size_t)n) {
			errno = EFBIG;
			return -1;
		}
		buf_append(b, chunk, (size_t)n);
	}
	return 0;
}

int
io_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
