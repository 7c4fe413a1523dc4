/* safe-file.c - whole-file reads, atomic writes (temp file, fsync, rename, fsync folder) and no-clobber renames. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/safe-file.h"
#include "vmm/compat.h"

int safe_file_read_fd(int fd, size_t max, char **data, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *t;
	ssize_t got;
	int rc = 0;

	for (;;) {
		if (n + 1 >= cap) {
			/* room for max + 1 bytes: one more than max is too many */
			if (n > max) {
				rc = -EFBIG;
				break;
			}
			cap = MIN(cap ? cap * 2 : 4096, max + 2);
			t = realloc(buf, cap);
			if (!t) {
				rc = -ENOMEM;
				break;
			}
			buf = t;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int safe_file_read(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = safe_file_read_fd(fd, SAFE_FILE_MAX, data, len);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Splits path into its folder and file name (both copies). */
static int split_path(const char *path, char *dir, char *base)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (str_copy(a, path, sizeof(a)) >= sizeof(a))
		return -ENAMETOOLONG;
	str_copy(b, path, sizeof(b));
	str_copy(dir, dirname(a), PATH_MAX);
	str_copy(base, basename(b), PATH_MAX);
	return 0;
}

/* Creates DIR/.BASE.tmp-PID-N with O_EXCL; the name goes to tmp. */
static int temp_create(const char *dir, const char *base, mode_t mode,
		       char *tmp, size_t size)
{
	static unsigned counter;

	for (int tries = 0; tries < 100; tries++) {
		unsigned n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		int fd;

		if (snprintf(tmp, size, "%s/.%s.tmp-%d-%u", dir, base,
			     (int)getpid(), n) >= (int)size)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int safe_file_rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A file system without RENAME_NOREPLACE: link never clobbers. */
	if (link(from, to))
		return -errno;
	unlink(from);
	return 0;
}

int safe_file_sync_dir_of(const char *path)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int fd, rc;

	rc = split_path(path, dir, base);
	if (rc)
		return rc;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

int safe_file_write(const char *path, const void *data, size_t len,
		    bool create_only)
{
	char dir[PATH_MAX], base[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	bool replacing = false;
	int fd, rc;

	rc = split_path(path, dir, base);
	if (rc)
		return rc;
	if (!create_only && stat(path, &st) == 0)
		replacing = true;
	/* 0644 here lets the kernel apply the umask for new files. */
	fd = temp_create(dir, base, 0644, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	if (replacing) {
		/* Keep the owner when allowed (root saving a user's file). */
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
		    fchown(fd, st.st_uid, st.st_gid) && errno != EPERM)
			rc = -errno;
		if (!rc && fchmod(fd, st.st_mode & 07777))
			rc = -errno;
	}
	if (!rc)
		rc = write_all(fd, data, len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && create_only)
		rc = safe_file_rename_noreplace(tmp, path);
	else if (!rc)
		rc = rename(tmp, path) ? -errno : 0;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return safe_file_sync_dir_of(path);
}

int safe_file_mkdirs(const char *dir, unsigned mode)
{
	char buf[PATH_MAX], c;
	struct stat st;

	if (!*dir)
		return -ENOENT;
	if (str_copy(buf, dir, sizeof(buf)) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	if (stat(buf, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
