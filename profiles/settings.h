/* settings.h - hyve's own settings file (hyve.ini) and the key-spec syntax it uses. */
#ifndef HYVE_SETTINGS_H
#define HYVE_SETTINGS_H

#include <stddef.h>

#include "profiles/profile.h"

/* Ctrl-] is the console prefix unless hyve.ini says otherwise. */
#define SETTINGS_DEFAULT_PREFIX 0x1d

struct hyve_settings {
	unsigned char prefix;	/* the console prefix key, a control byte */
};

void settings_defaults(struct hyve_settings *s);

/*
 * Where hyve.ini lives: $XDG_CONFIG_HOME/hyve/hyve.ini, or
 * $HOME/.config/hyve/hyve.ini when XDG_CONFIG_HOME is unset, empty or
 * relative. Returns 0, or -ENOENT when neither variable gives a folder,
 * or -ENAMETOOLONG.
 */
int settings_path(char *buf, size_t size);

/*
 * Loads path into s (defaults first). A missing file means defaults and no
 * problem. Returns the number of problems, each one "path:line: message"
 * in errs (free it with profile_errors_free); s keeps the defaults for
 * every setting that was wrong.
 */
int settings_load(const char *path, struct hyve_settings *s,
		  struct profile_errors *errs);

/*
 * Parses a key spec, "C-a", "c-A", "^A", "C-]", "^\" ..., into its control
 * byte (Ctrl plus a letter or one of \ ] ^ _). Returns 0, or -EINVAL with a
 * reason in why (a phrase that fits after "prefix: ").
 */
int key_spec_parse(const char *spec, unsigned char *byte, char *why,
		   size_t why_size);

/* The spec of a control byte as key_spec_parse reads it ("C-]"). */
const char *key_spec_name(unsigned char byte, char buf[8]);

#endif
