/* keys.c - the one binding table for both modes, lookups, key names and help lines. */
#include <stdio.h>
#include <string.h>

#include "tui/keys.h"
#include "vmm/compat.h"

#define M KEYMODE_MANAGER
#define C KEYMODE_CONSOLE
#define FN(k) ((k) | KEYS_FN)

const struct key_binding key_bindings[] = {
	{ M, FN(KEY_UP), 0, ACTION_UP, "move up the list" },
	{ M, 'k', 0, ACTION_UP, "move up the list" },
	{ M, FN(KEY_DOWN), 0, ACTION_DOWN, "move down the list" },
	{ M, 'j', 0, ACTION_DOWN, "move down the list" },
	{ M, '\r', 0, ACTION_ATTACH, "attach the VM's console" },
	{ M, '\n', 0, ACTION_ATTACH, "attach the VM's console" },
	{ M, FN(KEY_ENTER), 0, ACTION_ATTACH, "attach the VM's console" },
	{ M, 's', 0, ACTION_START, "start the VM" },
	{ M, 'S', 0, ACTION_POWER_BUTTON, "press the VM's ACPI power button" },
	{ M, 'K', 0, ACTION_FORCE_STOP, "force-stop the VM, after a "
	  "confirmation" },
	{ M, 'r', 0, ACTION_RESET, "reset the VM" },
	{ M, 'p', 0, ACTION_PAUSE, "pause or resume the VM" },
	{ M, 'e', 0, ACTION_EDIT, "edit the VM's profile" },
	{ M, 'n', 0, ACTION_NEW, "create a new profile" },
	{ M, 'c', 0, ACTION_CLONE, "clone the VM's profile" },
	{ M, 'd', 0, ACTION_DELETE, "delete the VM's profile (moved to the "
	  "trash), after a confirmation" },
	{ M, '/', 0, ACTION_FILTER, "filter the list by name" },
	{ M, '?', 0, ACTION_HELP, "show the keys" },
	{ M, 'q', 0, ACTION_QUIT, "quit; with VMs running, offers to power "
	  "them off first" },
	{ C, 'd', 0, ACTION_DETACH, "detach: back to the VM list" },
	{ C, 'n', 0, ACTION_NEXT_CONSOLE, "the next VM's console" },
	{ C, 'p', 0, ACTION_PREV_CONSOLE, "the previous VM's console" },
	{ C, '1', '9', ACTION_JUMP_CONSOLE, "the console of the VM with that "
	  "number in the list" },
	{ C, FN(KEY_PPAGE), 0, ACTION_SCROLL_UP, "scroll back in the "
	  "console's history" },
	{ C, FN(KEY_NPAGE), 0, ACTION_SCROLL_DOWN, "scroll forward; typing "
	  "returns to the live screen" },
	{ C, '?', 0, ACTION_HELP, "show the keys" },
	{ C, KEYS_PREFIX, 0, ACTION_LITERAL_PREFIX, "send the prefix key "
	  "itself to the guest" },
};

const size_t key_bindings_count = ARRAY_SIZE(key_bindings);

static bool binding_matches(const struct key_binding *b, int key,
			    unsigned char prefix)
{
	if (b->key == KEYS_PREFIX)
		return key == prefix;
	if (b->last)
		return key >= b->key && key <= b->last;
	return key == b->key;
}

enum key_action keys_lookup(enum key_mode mode, int key, unsigned char prefix,
			    int *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_bindings); i++) {
		const struct key_binding *b = &key_bindings[i];

		if (b->mode != mode || !binding_matches(b, key, prefix))
			continue;
		if (arg)
			*arg = b->last ? key - b->key + 1 : 0;
		return b->action;
	}
	return ACTION_NONE;
}

static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ FN(KEY_UP), "Up" }, { FN(KEY_DOWN), "Down" },
	{ FN(KEY_LEFT), "Left" }, { FN(KEY_RIGHT), "Right" },
	{ FN(KEY_PPAGE), "PgUp" }, { FN(KEY_NPAGE), "PgDn" },
	{ FN(KEY_HOME), "Home" }, { FN(KEY_END), "End" },
	{ FN(KEY_ENTER), "Enter" }, { '\r', "Enter" }, { '\n', "Enter" },
	{ '\t', "Tab" }, { 0x1b, "Esc" }, { ' ', "Space" },
};

const char *keys_name(int key, unsigned char prefix, char *buf, size_t size)
{
	char spec[8];

	if (key == KEYS_PREFIX)
		key = prefix;
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key) {
			str_copy(buf, key_names[i].name, size);
			return buf;
		}
	if (key & KEYS_FN)
		snprintf(buf, size, "key %#o", key & ~KEYS_FN);
	else if (key < 0x20 || key == 0x7f)
		str_copy(buf, key_spec_name((unsigned char)key, spec), size);
	else
		snprintf(buf, size, "%lc", (wint_t)key);
	return buf;
}

/* Adds name to the comma-separated list keys unless it is there already. */
static void help_add_name(char *keys, size_t size, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = keys; (p = strstr(p, name)); p++)
		if ((p == keys || (p - keys >= 2 && p[-2] == ',')) &&
		    (p[len] == '\0' || p[len] == ','))
			return;
	if (keys[0])
		strncat(keys, ", ", size - strlen(keys) - 1);
	strncat(keys, name, size - strlen(keys) - 1);
}

size_t keys_help(enum key_mode mode, unsigned char prefix,
		 struct key_help *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(key_bindings); i++) {
		const struct key_binding *b = &key_bindings[i];
		char name[16], last[16];
		size_t j;

		if (b->mode != mode)
			continue;
		for (j = 0; j < n; j++)
			if (!strcmp(out[j].description, b->description))
				break;
		if (j == n) {
			if (n == max)
				continue;
			out[n].keys[0] = '\0';
			out[n++].description = b->description;
		}
		keys_name(b->key, prefix, name, sizeof(name));
		if (b->last) {
			keys_name(b->last, prefix, last, sizeof(last));
			strncat(name, "-", sizeof(name) - strlen(name) - 1);
			strncat(name, last, sizeof(name) - strlen(name) - 1);
		}
		help_add_name(out[j].keys, sizeof(out[j].keys), name);
	}
	return n;
}
