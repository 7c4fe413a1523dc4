/* profile-doc-save.c - profile documents and the disk: load, refuse to overwrite an external change, uuid on first save, atomic save. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "profiles/profile-doc-internal.h"
#include "profiles/safe-file.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"

static int doc_alloc(struct profile_doc **out, const char *path, char *err)
{
	struct profile_doc *doc = calloc(1, sizeof(*doc));

	*out = NULL;
	if (!doc)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s", strerror(ENOMEM));
	if (str_copy(doc->path, path, sizeof(doc->path)) >= sizeof(doc->path)) {
		free(doc);
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG, "%s: %s", path,
			       strerror(ENAMETOOLONG));
	}
	/* Saving through a symlink replaces the file it points to. */
	if (!realpath(path, doc->write_path))
		str_copy(doc->write_path, path, sizeof(doc->write_path));
	*out = doc;
	return 0;
}

/* Remembers what path holds now (text is taken over). */
static void doc_remember(struct profile_doc *doc, const struct stat *st,
			 char *text, size_t len)
{
	free(doc->disk.text);
	doc->disk = (struct doc_disk){
		.dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
		.mtime = st->st_mtim, .text = text, .len = len,
	};
	doc->on_disk = true;
}

int profile_doc_load(struct profile_doc **out, const char *path, char *err)
{
	struct profile_doc *doc;
	struct stat st;
	char *text = NULL;
	size_t len;
	int rc;

	rc = doc_alloc(&doc, path, err);
	if (rc)
		return rc;
	rc = safe_file_read(doc->write_path, &text, &len);
	if (!rc && stat(doc->write_path, &st))
		rc = -errno;
	if (rc) {
		free(text);
		profile_doc_free(doc);
		return err_set(err, VM_ERR_MAX, rc, "%s: %s", path,
			       strerror(-rc));
	}
	rc = doc_parse_text(doc, text, len, err);
	if (rc) {
		free(text);
		profile_doc_free(doc);
		return rc;
	}
	doc_remember(doc, &st, text, len);
	*out = doc;
	return 0;
}

int profile_doc_new(struct profile_doc **out, const char *path,
		    const char *text, char *err)
{
	struct profile_doc *doc;
	int rc;

	rc = doc_alloc(&doc, path, err);
	if (!rc)
		rc = doc_parse_text(doc, text, strlen(text), err);
	if (rc) {
		profile_doc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

void profile_doc_new_uuid(char *out)
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

/* Has the file changed since it was loaded or saved? Says so in err. */
static int doc_check_disk(const struct profile_doc *doc, char *err)
{
	const struct doc_disk *d = &doc->disk;
	bool same;
	struct stat st;
	size_t len;
	char *text;
	int rc;

	if (stat(doc->write_path, &st)) {
		rc = -errno;
		if (rc == -ENOENT && doc->on_disk)
			return err_set(err, VM_ERR_MAX, -ESTALE, "%s was "
				       "removed since it was loaded; not "
				       "saving (reload, or save under a new "
				       "name)", doc->path);
		if (rc == -ENOENT)
			return 0;
		return err_set(err, VM_ERR_MAX, rc, "%s: %s", doc->path,
			       strerror(-rc));
	}
	if (!doc->on_disk)
		return err_set(err, VM_ERR_MAX, -EEXIST, "%s already exists; "
			       "not overwriting it (choose another name)",
			       doc->path);
	same = st.st_dev == d->dev && st.st_ino == d->ino &&
	       st.st_size == d->size &&
	       st.st_mtim.tv_sec == d->mtime.tv_sec &&
	       st.st_mtim.tv_nsec == d->mtime.tv_nsec;
	if (same) {
		rc = safe_file_read(doc->write_path, &text, &len);
		if (rc)
			return err_set(err, VM_ERR_MAX, rc, "%s: %s",
				       doc->path, strerror(-rc));
		same = len == d->len && !memcmp(text, d->text, len);
		free(text);
	}
	if (!same)
		return err_set(err, VM_ERR_MAX, -ESTALE, "%s changed on disk "
			       "since it was loaded; not saving over that "
			       "change (reload the profile, then make your "
			       "edits again)", doc->path);
	return 0;
}

int profile_doc_save(struct profile_doc *doc, char *err)
{
	char uuid[VM_UUID_LEN + 1], *v, *text;
	struct stat st;
	size_t len;
	int rc;

	rc = doc_check_disk(doc, err);
	if (rc)
		return rc;
	v = profile_doc_get(doc, "vm", "uuid");
	if (!v || !*v) {
		profile_doc_new_uuid(uuid);
		rc = profile_doc_set(doc, "vm", "uuid", uuid, 0, err);
	}
	free(v);
	if (rc)
		return rc;
	text = profile_doc_text(doc, &len);
	if (!text)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s", strerror(ENOMEM));
	rc = safe_file_write(doc->write_path, text, len, !doc->on_disk);
	if (!rc && stat(doc->write_path, &st))
		rc = -errno;
	if (rc) {
		free(text);
		return err_set(err, VM_ERR_MAX, rc, "%s: not saved: %s",
			       doc->path, strerror(-rc));
	}
	doc_remember(doc, &st, text, len);
	return 0;
}
