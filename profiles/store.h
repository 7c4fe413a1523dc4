/* store.h - the profile store: a folder of NAME.ini files to list, create from a template, clone, rename and delete (to .trash). */
#ifndef HYVE_STORE_H
#define HYVE_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "profiles/profile.h"
#include "vmm/vmm.h"

#define STORE_TRASH	".trash"

/* Where the store's folder came from. */
enum store_source {
	STORE_FROM_OPTION,	/* -d DIR */
	STORE_FROM_ENV,		/* $HYVE_PROFILES */
	STORE_FROM_XDG,		/* $XDG_CONFIG_HOME/hyve/profiles */
	STORE_FROM_HOME,	/* ~/.config/hyve/profiles */
};

/*
 * The store's folder: dir_option (the -d option) when given, else
 * $HYVE_PROFILES, else $XDG_CONFIG_HOME/hyve/profiles, else
 * $HOME/.config/hyve/profiles. Empty variables count as unset, and so does
 * a relative XDG_CONFIG_HOME (the XDG spec). out holds PATH_MAX bytes.
 * Returns 0 or -errno with a message in err (VM_ERR_MAX bytes).
 */
int store_dir(const char *dir_option, char *out, enum store_source *source,
	      char *err);
/* "the -d option", "$HYVE_PROFILES", ... for messages. */
const char *store_source_name(enum store_source source);

struct store_entry {
	char name[NAME_MAX + 1];	/* the file name without .ini */
	char path[PATH_MAX];
	bool valid;
	struct profile_errors errs;	/* every problem when not valid */
	struct vm_config *cfg;		/* the loaded profile when valid */
};

struct store_list {
	struct store_entry *entry;	/* sorted by name */
	size_t count;
};

/*
 * Loads every DIR/NAME.ini (not hidden files, not .trash). A broken profile
 * is an entry with its errors; it never stops the others. A missing folder
 * is an empty store. Returns 0 or -errno (with err).
 */
int store_list(const char *dir, struct store_list *out, char *err);
void store_list_free(struct store_list *list);

/* Profile names are [A-Za-z0-9._-]+ (not starting with '.'). 0 or -EINVAL. */
int store_check_name(const char *name, char *err);
/* DIR/NAME.ini into path (PATH_MAX bytes). */
int store_path(const char *dir, const char *name, char *path, char *err);

/*
 * The operations make the folder (0700) when needed, refuse bad names and
 * never overwrite a profile; each returns 0 or -errno with a message in err.
 */
/* A commented profile from the template; its kernel is a placeholder. */
int store_create(const char *dir, const char *name, char *err);
/* A copy of from named to, with a new uuid; everything else is kept. */
int store_clone(const char *dir, const char *from, const char *to,
		char *err);
/* Renames the file and sets the [vm] name key. */
int store_rename(const char *dir, const char *from, const char *to,
		 char *err);
/* Moves the file to DIR/.trash/ (NAME.ini, else NAME.1.ini, NAME.2.ini...);
 * the new path goes to trashed (PATH_MAX bytes) when it is not NULL. */
int store_delete(const char *dir, const char *name, char *trashed, char *err);

/* The template text of store_create (malloc'd). */
char *store_template(const char *name);

#endif
