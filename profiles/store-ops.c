/* store-ops.c - changing the profile store: create from a template, clone, rename, delete to .trash; never overwriting a profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile-doc.h"
#include "profiles/safe-file.h"
#include "profiles/store.h"
#include "vmm/compat.h"

#define STORE_DIR_MODE	0700

static const char store_template_text[] =
	"; %s.ini - a hyve VM profile; see hyve-profile(5) for every key.\n"
	"; Lines starting with ';' or '#' are comments, and so is the rest of\n"
	"; a line after \" ;\". Relative paths resolve against this folder.\n"
	"; Fill in the kernel below, then check it: hyve check %s.ini\n"
	"\n"
	"[vm]\n"
	"name = %s\n"
	"uuid =                   ; written on the first save, never changed\n"
	"cpus = 1                 ; 1..16\n"
	"memory = 512M            ; k/m/g/t binary suffixes, e.g. 512M or 2G\n"
	"acpi = yes\n"
	"on_reboot = restart      ; restart | exit\n"
	"autostart = no           ; start when the TUI opens\n"
	"\n"
	"[boot]\n"
	"; The Linux kernel (a bzImage) and, optionally, its initrd.\n"
	"kernel = /path/to/vmlinuz\n"
	"; initrd = /path/to/initrd.img\n"
	"cmdline = console=ttyS0\n"
	"\n"
	"[serial]\n"
	"com1 = console           ; console | none\n"
	"\n"
	"; A disk: one [disk.NAME] section each, e.g.\n"
	"; [disk.root]\n"
	"; type = virtio-blk\n"
	"; path = %s.img\n"
	"; format = raw\n"
	"; size = 8G              ; create the image when missing\n";

char *store_template(const char *name)
{
	char *text;

	if (asprintf(&text, store_template_text, name, name, name, name) < 0)
		return NULL;
	return text;
}

/* The path of profile name in dir, the name checked first. */
static int store_named(const char *dir, const char *name, char *path,
		       char *err)
{
	int rc = store_check_name(name, err);

	return rc ? rc : store_path(dir, name, path, err);
}

/* The path of an existing profile, or a message saying there is none. */
static int store_existing(const char *dir, const char *name, char *path,
			  char *err)
{
	int rc = store_named(dir, name, path, err);

	if (rc)
		return rc;
	if (access(path, F_OK))
		return err_set(err, VM_ERR_MAX, -ENOENT, "%s: no such profile "
			       "(hyve list shows the profiles in %s)", path,
			       dir);
	return 0;
}

/* The path of a profile to make: the name checked, not taken, the folder made. */
static int store_fresh(const char *dir, const char *name, char *path,
		       char *err)
{
	int rc = store_named(dir, name, path, err);

	if (rc)
		return rc;
	if (access(path, F_OK) == 0)
		return err_set(err, VM_ERR_MAX, -EEXIST, "%s already exists "
			       "(choose another name, or delete it first)",
			       path);
	rc = safe_file_mkdirs(dir, STORE_DIR_MODE);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "%s: cannot create the "
			       "folder: %s", dir, strerror(-rc));
	return 0;
}

/*
 * For clone and rename: profile from must exist and to must not; from is
 * loaded into *doc. src and dst get both paths (PATH_MAX each).
 */
static int store_from_to(const char *dir, const char *from, const char *to,
			 char *src, char *dst, struct profile_doc **doc,
			 char *err)
{
	int rc = store_existing(dir, from, src, err);

	if (!rc)
		rc = store_fresh(dir, to, dst, err);
	return rc ? rc : profile_doc_load(doc, src, err);
}

/* Saves text as a new profile named name (and a fresh uuid if asked). */
static int store_write_new(const char *path, const char *text,
			   const char *name, bool new_uuid, char *err)
{
	struct profile_doc *doc;
	char uuid[VM_UUID_LEN + 1];
	int rc;

	rc = profile_doc_new(&doc, path, text, err);
	if (rc)
		return rc;
	rc = profile_doc_set(doc, "vm", "name", name, 0, err);
	if (!rc && new_uuid) {
		profile_doc_new_uuid(uuid);
		rc = profile_doc_set(doc, "vm", "uuid", uuid, 0, err);
	}
	if (!rc)
		rc = profile_doc_save(doc, err);
	profile_doc_free(doc);
	return rc;
}

int store_create(const char *dir, const char *name, char *err)
{
	char path[PATH_MAX], *text;
	int rc;

	rc = store_fresh(dir, name, path, err);
	if (rc)
		return rc;
	text = store_template(name);
	if (!text)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s", strerror(ENOMEM));
	rc = store_write_new(path, text, name, false, err);
	free(text);
	return rc;
}

int store_clone(const char *dir, const char *from, const char *to,
		char *err)
{
	char src[PATH_MAX], dst[PATH_MAX], *text;
	struct profile_doc *doc;
	int rc;

	rc = store_from_to(dir, from, to, src, dst, &doc, err);
	if (rc)
		return rc;
	text = profile_doc_text(doc, NULL);
	profile_doc_free(doc);
	if (!text)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s", strerror(ENOMEM));
	rc = store_write_new(dst, text, to, true, err);
	free(text);
	return rc;
}

/* Sets the [vm] name key (removes it for NULL) and saves. */
static int store_set_name(struct profile_doc *doc, const char *name,
			  char *err)
{
	int rc = 0;

	if (name)
		rc = profile_doc_set(doc, "vm", "name", name, 0, err);
	else
		profile_doc_remove(doc, "vm", "name");
	return rc ? rc : profile_doc_save(doc, err);
}

int store_rename(const char *dir, const char *from, const char *to,
		 char *err)
{
	char src[PATH_MAX], dst[PATH_MAX], undo_err[VM_ERR_MAX], *old;
	struct profile_doc *doc;
	int rc;

	rc = store_from_to(dir, from, to, src, dst, &doc, err);
	if (rc)
		return rc;
	/* name key first, in place; then the file, never over another */
	old = profile_doc_get(doc, "vm", "name");
	rc = store_set_name(doc, to, err);
	if (!rc) {
		rc = safe_file_rename_noreplace(src, dst);
		if (rc) {
			err_set(err, VM_ERR_MAX, rc, "%s -> %s: %s", src, dst,
				strerror(-rc));
			store_set_name(doc, old, undo_err);
		} else {
			safe_file_sync_dir_of(dst);
		}
	}
	free(old);
	profile_doc_free(doc);
	return rc;
}

int store_delete(const char *dir, const char *name, char *trashed, char *err)
{
	char src[PATH_MAX], trash[PATH_MAX], dst[PATH_MAX];
	int rc;

	rc = store_existing(dir, name, src, err);
	if (rc)
		return rc;
	if (snprintf(trash, sizeof(trash), "%s/%s", dir, STORE_TRASH) >=
	    (int)sizeof(trash))
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG, "%s: %s", dir,
			       strerror(ENAMETOOLONG));
	rc = safe_file_mkdirs(trash, STORE_DIR_MODE);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "%s: %s", trash,
			       strerror(-rc));
	/* never over an older trashed copy: NAME.ini, NAME.1.ini, ... */
	for (unsigned n = 0; n < 10000; n++) {
		int len = n ? snprintf(dst, sizeof(dst), "%s/%s.%u.ini", trash,
				       name, n) :
			      snprintf(dst, sizeof(dst), "%s/%s.ini", trash,
				       name);

		if (len >= (int)sizeof(dst))
			return err_set(err, VM_ERR_MAX, -ENAMETOOLONG, "%s: %s",
				       trash, strerror(ENAMETOOLONG));
		rc = safe_file_rename_noreplace(src, dst);
		if (rc != -EEXIST)
			break;
	}
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "%s -> %s: %s", src, dst,
			       strerror(-rc));
	safe_file_sync_dir_of(src);
	safe_file_sync_dir_of(dst);
	if (trashed)
		str_copy(trashed, dst, PATH_MAX);
	return 0;
}
