/* store.c - the profile store's folder (-d, $HYVE_PROFILES, XDG) and its listing; a broken profile never hides the others. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/store.h"
#include "vmm/compat.h"

static const char *env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int store_set_dir(char *out, const char *a, const char *b, char *err)
{
	if (snprintf(out, PATH_MAX, "%s%s", a, b) >= PATH_MAX)
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG, "%s%s: %s", a,
			       b, strerror(ENAMETOOLONG));
	return 0;
}

int store_dir(const char *dir_option, char *out, enum store_source *source,
	      char *err)
{
	const char *xdg = env_set("XDG_CONFIG_HOME"), *home, *env;
	struct passwd *pw;
	enum store_source dummy;

	if (!source)
		source = &dummy;
	if (dir_option && *dir_option) {
		*source = STORE_FROM_OPTION;
		return store_set_dir(out, dir_option, "", err);
	}
	env = env_set("HYVE_PROFILES");
	if (env) {
		*source = STORE_FROM_ENV;
		return store_set_dir(out, env, "", err);
	}
	if (xdg && xdg[0] == '/') {
		*source = STORE_FROM_XDG;
		return store_set_dir(out, xdg, "/hyve/profiles", err);
	}
	*source = STORE_FROM_HOME;
	home = env_set("HOME");
	if (!home) {
		pw = getpwuid(getuid());
		home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	if (!home)
		return err_set(err, VM_ERR_MAX, -ENOENT, "no home folder to "
			       "keep profiles in: set HOME, HYVE_PROFILES or "
			       "use -d DIR");
	return store_set_dir(out, home, "/.config/hyve/profiles", err);
}

const char *store_source_name(enum store_source source)
{
	switch (source) {
	case STORE_FROM_OPTION: return "the -d option";
	case STORE_FROM_ENV: return "$HYVE_PROFILES";
	case STORE_FROM_XDG: return "$XDG_CONFIG_HOME";
	case STORE_FROM_HOME: return "the default";
	}
	return "?";
}

int store_check_name(const char *name, char *err)
{
	size_t len = strlen(name);

	if (len == 0 || len >= VM_NAME_MAX || name[0] == '.' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789._-") != len)
		return err_set(err, VM_ERR_MAX, -EINVAL, "\"%s\" is not a "
			       "valid profile name (use up to %d letters, "
			       "digits, '.', '_' and '-', not starting with "
			       "'.')", name, VM_NAME_MAX - 1);
	return 0;
}

int store_path(const char *dir, const char *name, char *path, char *err)
{
	if (snprintf(path, PATH_MAX, "%s/%s.ini", dir, name) >= PATH_MAX)
		return err_set(err, VM_ERR_MAX, -ENAMETOOLONG, "%s/%s.ini: %s",
			       dir, name, strerror(ENAMETOOLONG));
	return 0;
}

/* NAME.ini, not hidden: the name without .ini into name. */
static bool store_profile_file(const char *file, char *name, size_t size)
{
	size_t len = strlen(file);

	if (file[0] == '.' || len <= 4 || len - 4 >= size ||
	    strcmp(file + len - 4, ".ini"))
		return false;
	memcpy(name, file, len - 4);
	name[len - 4] = '\0';
	return true;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct store_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int store_load_entry(const char *dir, struct store_entry *e,
			    char *err)
{
	struct stat st;
	int rc;

	rc = store_path(dir, e->name, e->path, err);
	if (rc)
		return rc;
	if (stat(e->path, &st) || !S_ISREG(st.st_mode))
		return 1;	/* gone meanwhile, or a folder: not a profile */
	e->cfg = malloc(sizeof(*e->cfg));
	if (!e->cfg)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s",
			       strerror(ENOMEM));
	e->valid = profile_load(e->path, e->cfg, &e->errs) == 0;
	if (!e->valid) {
		free(e->cfg);
		e->cfg = NULL;
	}
	return 0;
}

int store_list(const char *dir, struct store_list *out, char *err)
{
	struct store_entry *t;
	struct dirent *de;
	size_t cap = 0;
	int rc = 0;
	DIR *d;

	memset(out, 0, sizeof(*out));
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, VM_ERR_MAX, -errno, "%s: %s", dir,
			       strerror(errno));
	}
	while (!rc && (de = readdir(d))) {
		struct store_entry *e;

		if (out->count == cap) {
			cap = cap ? cap * 2 : 16;
			t = realloc(out->entry, cap * sizeof(*t));
			if (!t) {
				rc = err_set(err, VM_ERR_MAX, -ENOMEM, "%s",
					     strerror(ENOMEM));
				break;
			}
			out->entry = t;
		}
		e = &out->entry[out->count];
		memset(e, 0, sizeof(*e));
		if (!store_profile_file(de->d_name, e->name, sizeof(e->name)))
			continue;
		rc = store_load_entry(dir, e, err);
		if (rc == 0)
			out->count++;
		else if (rc > 0)
			rc = 0;
	}
	closedir(d);
	if (rc) {
		store_list_free(out);
		return rc;
	}
	if (out->count)
		qsort(out->entry, out->count, sizeof(out->entry[0]), entry_cmp);
	return 0;
}

void store_list_free(struct store_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		profile_errors_free(&list->entry[i].errs);
		free(list->entry[i].cfg);
	}
	free(list->entry);
	memset(list, 0, sizeof(*list));
}
