/* safe-file.h - whole-file reads, atomic writes (temp file, fsync, rename, fsync folder) and no-clobber renames. */
#ifndef HYVE_SAFE_FILE_H
#define HYVE_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Profiles are small; anything bigger is refused rather than read. */
#define SAFE_FILE_MAX	(4 << 20)

/*
 * Reads all of path into a malloc'd buffer (NUL-terminated, *len bytes
 * before the NUL). Returns 0 or -errno (-EFBIG above SAFE_FILE_MAX).
 */
int safe_file_read(const char *path, char **data, size_t *len);

/* The same for what is left to read on fd, refusing more than max bytes. */
int safe_file_read_fd(int fd, size_t max, char **data, size_t *len);

/*
 * Writes data to path atomically: a temporary file (O_EXCL) in the same
 * folder gets the data, is fsynced and renamed over path, then the folder
 * is fsynced. A replaced file keeps its mode (and owner, when we may set
 * it); a new file is 0644 less the umask. With create_only, an existing
 * path is never replaced (-EEXIST). Returns 0 or -errno; on failure path
 * is untouched and the temporary file is gone.
 */
int safe_file_write(const char *path, const void *data, size_t len,
		    bool create_only);

/* rename() that fails with -EEXIST instead of replacing to. 0 or -errno. */
int safe_file_rename_noreplace(const char *from, const char *to);

/* fsyncs the folder that holds path, so a rename or unlink in it is durable. */
int safe_file_sync_dir_of(const char *path);

/* mkdir -p with mode for each folder it creates. 0 or -errno. */
int safe_file_mkdirs(const char *dir, unsigned mode);

#endif
