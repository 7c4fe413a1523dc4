/* kernel-cache.c - keeps kernels hyve unpacked, so the next boot of the same bzImage only reads them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/kernel-cache.h"
#include "vmm/layout.h"

#define KC_MAGIC	"HYVEKC01"
#define KC_SUFFIX	".kernel"
#define KC_ALIGN	4096ULL

/* The file: this header, then each segment's bytes at its offset. */
struct kc_header {
	char magic[8];
	uint64_t key[7];	/* the bzImage: dev, ino, size, mtime, ctime */
	uint64_t entry, end;
	uint32_t segments, pad;
	struct kc_segment {
		uint64_t paddr, filesz, memsz, offset;
	} seg[UNPACK_MAX_SEGMENTS];
};

static void kc_key(const struct stat *st, uint64_t key[7])
{
	key[0] = st->st_dev;
	key[1] = st->st_ino;
	key[2] = (uint64_t)st->st_size;
	key[3] = (uint64_t)st->st_mtim.tv_sec;
	key[4] = (uint64_t)st->st_mtim.tv_nsec;
	key[5] = (uint64_t)st->st_ctim.tv_sec;
	key[6] = (uint64_t)st->st_ctim.tv_nsec;
}

/* DIR/KEYHASH.kernel (FNV-1a of the key). */
static int kc_path(const char *dir, const struct stat *st, char *out,
		   size_t len)
{
	uint64_t key[7], h = 0xcbf29ce484222325ULL;
	const uint8_t *p = (const uint8_t *)key;

	kc_key(st, key);
	for (size_t i = 0; i < sizeof(key); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return snprintf(out, len, "%s/%016llx%s", dir, (unsigned long long)h,
			KC_SUFFIX) < (int)len ? 0 : -ENAMETOOLONG;
}

bool kernel_cache_dir(char *out, size_t len)
{
	const char *env = getenv("HYVE_KERNEL_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env)
		n = snprintf(out, len, "%s", env);
	else if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/hyve/kernels", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.cache/hyve/kernels", home);
	else
		return false;
	return n > 0 && (size_t)n < len;
}

/* Checks a header read from a file of file_size bytes against RAM. */
static bool kc_valid(const struct kc_header *h, const struct stat *st,
		     uint64_t file_size, const struct guest_memory *mem)
{
	uint64_t key[7];
	bool entry_ok = false;

	kc_key(st, key);
	if (memcmp(h->magic, KC_MAGIC, 8) || memcmp(h->key, key, sizeof(key)) ||
	    h->segments == 0 || h->segments > UNPACK_MAX_SEGMENTS)
		return false;
	for (unsigned i = 0; i < h->segments; i++) {
		const struct kc_segment *s = &h->seg[i];

		if (s->paddr < LAYOUT_HIGH_MEM || s->filesz > s->memsz ||
		    !memory_gpa(mem, s->paddr, s->memsz) ||
		    s->offset > file_size || s->filesz > file_size - s->offset)
			return false;
		if (h->entry >= s->paddr && h->entry - s->paddr < s->filesz)
			entry_ok = true;
	}
	return entry_ok;
}

int kernel_cache_load(const char *dir, const struct stat *st,
		      const struct guest_memory *mem,
		      struct unpacked_kernel *out)
{
	struct kc_header h;
	struct stat cst;
	char path[PATH_MAX];
	int fd, rc = -ENOENT;

	if (kc_path(dir, st, path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &cst) || pread_full(fd, &h, sizeof(h), 0) ||
	    !kc_valid(&h, st, (uint64_t)cst.st_size, mem))
		goto out;
	for (unsigned i = 0; i < h.segments; i++) {
		const struct kc_segment *s = &h.seg[i];

		if (pread_full(fd, memory_gpa(mem, s->paddr, s->filesz),
			      s->filesz, (off_t)s->offset))
			goto out;
		if (s->memsz > s->filesz)
			memory_zero(mem, s->paddr + s->filesz,
				    s->memsz - s->filesz);
		out->seg[i] = (struct unpacked_segment){
			s->paddr, s->filesz, s->memsz
		};
	}
	out->segments = h.segments;
	out->entry = h.entry;
	out->end = h.end;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* mkdir -p for the cache folder (0700: it is one user's cache). */
static int kc_mkdirs(const char *dir)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0700) && errno != EEXIST ? -errno : 0;
}

/* Deletes all but the KERNEL_CACHE_KEEP newest unpacked kernels. */
static void kc_trim(const char *dir)
{
	struct { char name[NAME_MAX + 1]; struct timespec t; } keep[KERNEL_CACHE_KEEP + 1];
	unsigned n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		unsigned i;

		if (len <= strlen(KC_SUFFIX) ||
		    strcmp(e->d_name + len - strlen(KC_SUFFIX), KC_SUFFIX) ||
		    fstatat(dirfd(d), e->d_name, &st, 0))
			continue;
		/* insert by age, newest first; what falls off the end goes */
		for (i = n; i > 0 && (keep[i - 1].t.tv_sec < st.st_mtim.tv_sec ||
			(keep[i - 1].t.tv_sec == st.st_mtim.tv_sec &&
			 keep[i - 1].t.tv_nsec < st.st_mtim.tv_nsec)); i--)
			keep[i] = keep[i - 1];
		str_copy(keep[i].name, e->d_name, sizeof(keep[i].name));
		keep[i].t = st.st_mtim;
		if (++n > KERNEL_CACHE_KEEP) {
			unlinkat(dirfd(d), keep[KERNEL_CACHE_KEEP].name, 0);
			n = KERNEL_CACHE_KEEP;
		}
	}
	closedir(d);
}

int kernel_cache_store(const char *dir, const struct stat *st,
		       const struct guest_memory *mem,
		       const struct unpacked_kernel *uk)
{
	struct kc_header h = { .magic = KC_MAGIC };
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	uint64_t off = ALIGN_UP((uint64_t)sizeof(h), KC_ALIGN);
	int fd, rc;

	if (uk->segments == 0 || uk->segments > UNPACK_MAX_SEGMENTS)
		return -EINVAL;
	rc = kc_path(dir, st, path, sizeof(path));
	if (rc || (rc = kc_mkdirs(dir)))
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	kc_key(st, h.key);
	h.entry = uk->entry;
	h.end = uk->end;
	h.segments = uk->segments;
	for (unsigned i = 0; i < uk->segments && !rc; i++) {
		const struct unpacked_segment *s = &uk->seg[i];
		const void *src = memory_gpa(mem, s->paddr, s->filesz);

		h.seg[i] = (struct kc_segment){ s->paddr, s->filesz, s->memsz,
						off };
		rc = src ? pwrite_full(fd, src, s->filesz, (off_t)off) : -EINVAL;
		off = ALIGN_UP(off + s->filesz, KC_ALIGN);
	}
	/* the header last, the data durable before the name appears */
	if (!rc)
		rc = pwrite_full(fd, &h, sizeof(h), 0);
	if (!rc && fdatasync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	else
		kc_trim(dir);
	return rc;
}
