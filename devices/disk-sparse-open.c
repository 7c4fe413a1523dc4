/* disk-sparse-open.c - opening, creating and checking xhyve-sparse images (layout: disk-sparse.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/disk-sparse.h"
#include "vmm/compat.h"

/* The geometry a profile asks for, checked. */
struct sparse_geom {
	const struct vm_disk_config *cfg;
	unsigned ss;
	uint64_t size;		/* bytes; 0 until known */
	uint64_t split;		/* bytes per segment */
	unsigned nsegs;		/* segments covering the disk */
	unsigned nfiles;	/* files xhyve opens: size/split + 1 */
};

/* PATH + suffix into out; -ENAMETOOLONG when it does not fit. */
static int sparse_name(char *out, const char *path, const char *fmt,
		       unsigned n)
{
	char suffix[32];
	int len;

	snprintf(suffix, sizeof(suffix), fmt, n);
	len = snprintf(out, PATH_MAX, "%s%s", path, suffix);
	return len < 0 || len >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int sparse_seg_name(char *out, const char *path, unsigned i)
{
	return sparse_name(out, path, ".%04u", i);
}

/* Fills split and the segment counts once size is known. */
static int sparse_geom_finish(struct sparse_geom *g, char *err)
{
	const char *path = g->cfg->path;

	if (g->size % g->ss)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: size = %llu is not a multiple of sectorsize "
			       "= %u: fix size", path,
			       (unsigned long long)g->size, g->ss);
	if (g->size / g->ss > SPARSE_MAX_SECTORS)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: %llu sectors are too many for an "
			       "xhyve-sparse image (at most %llu): use "
			       "sectorsize = 4096 or format = raw", path,
			       (unsigned long long)(g->size / g->ss),
			       (unsigned long long)SPARSE_MAX_SECTORS);
	g->split = g->cfg->split ? MIN(g->cfg->split, g->size) : g->size;
	if (g->split % g->ss)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: split = %llu is not a multiple of "
			       "sectorsize = %u: fix split", path,
			       (unsigned long long)g->cfg->split, g->ss);
	if (g->size / g->split >= 10000)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: split = %llu makes more than 9999 segment "
			       "files: make split larger", path,
			       (unsigned long long)g->split);
	g->nsegs = (unsigned)((g->size + g->split - 1) / g->split);
	g->nfiles = (unsigned)(g->size / g->split) + 1;
	return 0;
}

/* Writes a LUT of all-unallocated entries to fd. */
static int sparse_write_empty_lut(int fd, uint64_t sectors)
{
	uint8_t page[SPARSE_LUT_PAGE * 4];
	uint64_t done = 0;

	memset(page, 0xff, sizeof(page));
	while (done < sectors * 4) {
		size_t n = (size_t)MIN((uint64_t)sizeof(page),
				       sectors * 4 - done);
		ssize_t w = pwrite(fd, page, n, (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		done += (uint64_t)w;
	}
	return 0;
}

/*
 * Creates a new image: empty segment files (empty leftovers of an
 * interrupted creation are fine; data in one is refused), then the LUT,
 * written under a temporary name and linked into place, so a crash never
 * leaves a partial LUT and a racing creator cannot be overwritten.
 */
static int sparse_create(const struct sparse_geom *g, char *err)
{
	const char *path = g->cfg->path;
	char name[PATH_MAX], tmp[PATH_MAX], lut[PATH_MAX];
	struct stat st;
	int fd, rc;

	for (unsigned i = 0; i < g->nfiles; i++) {
		if (sparse_seg_name(name, path, i))
			return err_set(err, VM_ERR_MAX, -ENAMETOOLONG,
				       "%s: path too long", path);
		fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
		if (fd < 0)
			return err_set(err, VM_ERR_MAX, -errno,
				       "%s: cannot create it: %s", name,
				       strerror(errno));
		rc = fstat(fd, &st) ? -errno : 0;
		close(fd);
		if (!rc && st.st_size)
			return err_set(err, VM_ERR_MAX, -EEXIST,
				       "%s holds data but %s.lut is missing: "
				       "restore %s.lut, or remove the stale "
				       "segment files", name, path, path);
	}
	if (sparse_name(lut, path, ".lut", 0) ||
	    sparse_name(tmp, path, ".lut.new-%u", (unsigned)getpid()))
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG,
			       "%s: path too long", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
	if (fd < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "%s: cannot create it: %s", tmp, strerror(errno));
	rc = sparse_write_empty_lut(fd, g->size / g->ss);
	if (!rc && (disk_fdatasync_hook ? disk_fdatasync_hook(fd) : fsync(fd)))
		rc = -errno;
	close(fd);
	if (!rc && link(tmp, lut) && errno != EEXIST)
		rc = -errno;	/* EEXIST: someone else made it; open theirs */
	unlink(tmp);
	if (!rc)
		rc = dfile_sync_dir(lut);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "%s: cannot create it: %s",
			       lut, strerror(-rc));
	return 0;
}

/* Opens PATH.lut (creating the image first when it is missing). */
static int sparse_open_lut(struct sparse_disk *s, struct sparse_geom *g,
			   char *err)
{
	const struct vm_disk_config *cfg = g->cfg;
	char lut[PATH_MAX];
	struct stat st;
	int rc;

	if (sparse_name(lut, cfg->path, ".lut", 0))
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG,
			       "%s: path too long", cfg->path);
	/* the LUT always goes through the page cache: commits sync it */
	rc = dfile_open(&s->lut_file, lut, cfg->readonly, VM_CACHE_WRITEBACK,
			false, DFILE_EXISTING, err);
	if (rc == -ENOENT) {
		if (!cfg->size || cfg->readonly)
			return err_set(err, VM_ERR_MAX, rc,
				       "%s: no such file, so there is no "
				       "xhyve-sparse image %s: fix path, or set "
				       "size = to create one", lut, cfg->path);
		g->size = cfg->size;
		rc = sparse_geom_finish(g, err);
		if (!rc)
			rc = sparse_create(g, err);
		if (!rc)
			rc = dfile_open(&s->lut_file, lut, cfg->readonly,
					VM_CACHE_WRITEBACK, false,
					DFILE_EXISTING, err);
	}
	if (!rc)
		rc = dfile_lock(&s->lut_file, lut, cfg->readonly, err);
	if (rc)
		return rc;
	if (fstat(s->lut_file.fd, &st))
		return err_set(err, VM_ERR_MAX, -errno, "%s: %s", lut,
			       strerror(errno));
	if (!st.st_size || st.st_size % 4)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s is %lld bytes, not a lookup table of 4-byte "
			       "entries: the image is damaged", lut,
			       (long long)st.st_size);
	g->size = (uint64_t)st.st_size / 4 * g->ss;
	if (cfg->size && cfg->size != g->size)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s maps %llu sectors of %u bytes (%llu bytes) "
			       "but size = %llu: fix size or sectorsize", lut,
			       (unsigned long long)(st.st_size / 4), g->ss,
			       (unsigned long long)g->size,
			       (unsigned long long)cfg->size);
	return sparse_geom_finish(g, err);
}

/* Opens the segments; refuses data where the geometry expects none. */
static int sparse_open_segments(struct sparse_disk *s,
				const struct sparse_geom *g, char *err)
{
	const struct vm_disk_config *cfg = g->cfg;
	char name[PATH_MAX];
	struct stat st;

	s->seg = calloc(g->nsegs, sizeof(*s->seg));
	if (!s->seg)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s: out of memory",
			       cfg->path);
	for (unsigned i = 0; i < g->nsegs; i++)
		s->seg[i].f.fd = -1;
	s->nsegs = g->nsegs;
	for (unsigned i = 0; i < g->nfiles + 1; i++) {
		int rc = sparse_seg_name(name, cfg->path, i);

		if (rc)
			return err_set(err, VM_ERR_MAX, rc, "%s: path too long",
				       cfg->path);
		if (i < g->nsegs) {
			/* xhyve creates missing segments, so does hyve */
			rc = dfile_open(&s->seg[i].f, name, cfg->readonly,
					cfg->cache, false,
					cfg->readonly ? DFILE_EXISTING
						      : DFILE_CREATE_OK, err);
			if (rc)
				return rc;
		} else if (!stat(name, &st) && st.st_size) {
			return err_set(err, VM_ERR_MAX, -EINVAL,
				       "%s holds data, but split = %llu gives "
				       "%s only %u segments: set split = to the "
				       "value the image was made with",
				       name, (unsigned long long)g->split,
				       cfg->path, g->nsegs);
		} else if (i < g->nfiles && !cfg->readonly) {
			/* the extra one xhyve expects: keep it openable */
			int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0660);

			if (fd >= 0)
				close(fd);
		}
	}
	return 0;
}

/* Loads the LUT, checks every entry and finds the free slots. */
static int sparse_load_lut(struct sparse_disk *s, const struct sparse_geom *g,
			   char *err)
{
	const char *path = g->cfg->path;
	uint8_t **used = calloc(s->nsegs, sizeof(*used));
	int64_t n;
	int rc = 0;

	s->lut = malloc(s->sectors * 4);
	if (!used || !s->lut) {
		free(used);
		return err_set(err, VM_ERR_MAX, -ENOMEM,
			       "%s: no memory for a %llu-entry LUT", path,
			       (unsigned long long)s->sectors);
	}
	/* what we read must be what is on disk before free slots are reused */
	if (!g->cfg->readonly && dfile_sync(&s->lut_file))
		rc = err_set(err, VM_ERR_MAX, -EIO, "%s.lut: fdatasync failed",
			     path);
	n = rc ? 0 : dfile_pread(&s->lut_file, 0, s->lut, s->sectors * 4);
	if (!rc && (n < 0 || (uint64_t)n != s->sectors * 4))
		rc = err_set(err, VM_ERR_MAX, -EIO, "%s.lut: cannot read it: %s",
			     path, n < 0 ? strerror((int)-n) : "short read");
	for (unsigned i = 0; i < s->nsegs && !rc; i++) {
		struct stat st;

		if (fstat(s->seg[i].f.fd, &st))
			rc = err_set(err, VM_ERR_MAX, -errno, "%s: %s", path,
				     strerror(errno));
		else if ((uint64_t)st.st_size / g->ss >= SPARSE_FREE - 1)
			rc = err_set(err, VM_ERR_MAX, -EINVAL,
				     "%s.%04u is too large for its LUT: the "
				     "image is damaged", path, i);
		else
			s->seg[i].next_slot = (uint32_t)(
				((uint64_t)st.st_size + g->ss - 1) / g->ss);
		used[i] = rc ? NULL : calloc(s->seg[i].next_slot / 8 + 1, 1);
		if (!rc && !used[i])
			rc = err_set(err, VM_ERR_MAX, -ENOMEM,
				     "%s: out of memory", path);
	}
	for (uint64_t sec = 0; sec < s->sectors && !rc; sec++) {
		uint32_t slot = get_le32(&s->lut[sec]);
		unsigned i = (unsigned)(sec / s->sectors_per_seg);

		s->lut[sec] = slot;
		if (slot == SPARSE_FREE)
			continue;
		if (slot >= s->seg[i].next_slot)
			rc = err_set(err, VM_ERR_MAX, -EINVAL,
				     "%s.lut maps sector %llu to slot %u of "
				     "%s.%04u, which has only %u: the image was "
				     "made with another split, or damaged by a "
				     "crash of xhyve", path,
				     (unsigned long long)sec, slot, path, i,
				     s->seg[i].next_slot);
		else if (used[i][slot / 8] & (1u << (slot % 8)))
			rc = err_set(err, VM_ERR_MAX, -EINVAL,
				     "%s.lut maps two sectors to slot %u of "
				     "%s.%04u (one is sector %llu): the image is "
				     "damaged", path, slot, path, i,
				     (unsigned long long)sec);
		used[i][slot / 8] |= (uint8_t)(1u << (slot % 8));
		s->mapped++;
	}
	for (unsigned i = 0; i < s->nsegs && !rc; i++)
		for (uint32_t slot = s->seg[i].next_slot; slot-- > 0 && !rc;)
			if (!(used[i][slot / 8] & (1u << (slot % 8))))
				rc = slot_push(&s->seg[i].free, slot);
	for (unsigned i = 0; i < s->nsegs; i++)
		free(used[i]);
	free(used);
	if (rc == -ENOMEM)
		err_set(err, VM_ERR_MAX, rc, "%s: out of memory", path);
	return rc;
}

int disk_sparse_open(const struct vm_disk_config *cfg, struct disk **out,
		     char *err)
{
	struct sparse_geom g = {
		.cfg = cfg, .ss = cfg->sectorsize ? cfg->sectorsize : 512,
	};
	struct sparse_disk *s = calloc(1, sizeof(*s));
	pthread_rwlockattr_t ra;
	int rc;

	if (!s)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s: out of memory",
			       cfg->path);
	s->lut_file.fd = -1;
	pthread_mutex_init(&s->meta, NULL);
	pthread_mutex_init(&s->partial, NULL);
	pthread_mutex_init(&s->commit, NULL);
	pthread_rwlockattr_init(&ra);
	/* writer-preferring: a commit is not starved by a stream of reads */
	pthread_rwlockattr_setkind_np(&ra,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->reuse, &ra);
	pthread_rwlockattr_destroy(&ra);
	s->d.ops = &sparse_ops;
	s->d.sector_size = g.ss;
	s->d.readonly = cfg->readonly;
	s->d.cache = cfg->cache;

	rc = sparse_open_lut(s, &g, err);
	if (!rc) {
		s->d.size = g.size;
		s->sectors = g.size / g.ss;
		s->sectors_per_seg = g.split / g.ss;
		s->lut_pages = (size_t)((s->sectors + SPARSE_LUT_PAGE - 1) /
					SPARSE_LUT_PAGE);
		s->lut_dirty = calloc(s->lut_pages, 1);
		if (!s->lut_dirty)
			rc = err_set(err, VM_ERR_MAX, -ENOMEM,
				     "%s: out of memory", cfg->path);
	}
	if (!rc)
		rc = sparse_open_segments(s, &g, err);
	if (!rc)
		rc = sparse_load_lut(s, &g, err);
	if (rc) {
		sparse_free(s);
		return rc;
	}
	*out = &s->d;
	return 0;
}
