/* ui-editor.c - the profile form: every field with help, disks and NICs added and removed (with their sections), repeatable forwards, [rng], validation as you type, saving in place. */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile-doc.h"
#include "profiles/profile.h"
#include "tui/app.h"
#include "vmm/compat.h"

#define EDIT_FIELDS_MAX	128
#define EDIT_VALUE_MAX	4096
#define EDIT_SECTIONS_MAX (VM_DISKS_MAX + VM_NICS_MAX)
#define EDIT_ERR_LINES	6

struct field_spec {
	const char *section;	/* "disk" and "net" stand for every one */
	const char *key;
	const char *help;
};

static const struct field_spec field_specs[] = {
	{ "vm", "name", "the VM's name, shown in the list" },
	{ "vm", "cpus", "virtual CPUs, 1 to 16" },
	{ "vm", "memory", "guest RAM with a unit: 512M, 2G" },
	{ "vm", "acpi", "ACPI tables and power button: yes or no" },
	{ "vm", "rtc", "the guest clock: utc or localtime" },
	{ "vm", "on_reboot", "a guest reboot: restart or exit" },
	{ "vm", "autostart", "start when the UI opens: yes or no" },
	{ "boot", "kernel", "the Linux kernel (bzImage) to boot" },
	{ "boot", "initrd", "an initrd image, or empty for none" },
	{ "boot", "cmdline", "the kernel command line" },
	{ "serial", "com1", "COM1: console or none" },
	{ "serial", "com2", "COM2: console or none" },
	{ "serial", "log", "a file that gets the console output, or empty" },
	{ "serial", "rows", "the console's rows (default 24)" },
	{ "serial", "cols", "the console's columns (default 80)" },
	{ "disk", "type", "virtio-blk, ahci-hd or ahci-cd" },
	{ "disk", "path", "the image file" },
	{ "disk", "format", "raw or xhyve-sparse" },
	{ "disk", "size", "create the image this big when missing: 8G" },
	{ "disk", "readonly", "yes or no" },
	{ "disk", "cache", "writeback, writethrough or direct" },
	{ "disk", "split", "store the image as segments this big: 1G" },
	{ "disk", "sectorsize", "512 or 4096" },
	{ "disk", "slot", "PCI slot 1 to 30, or empty for automatic" },
	{ "net", "type", "virtio-net" },
	{ "net", "mode", "user, tap or none" },
	{ "net", "tap", "the tap interface (mode = tap)" },
	{ "net", "forward", "port forwards, space-separated: "
	  "tcp:127.0.0.1:2222-:22 udp::5353-:53" },
	{ "net", "mac", "the MAC address, or empty for one from the uuid" },
	{ "net", "slot", "PCI slot 1 to 30, or empty for automatic" },
	{ "rng", "type", "random numbers for the guest: virtio-rng or none; "
	  "empty fields: no [rng]" },
	{ "rng", "slot", "PCI slot 1 to 30, or empty for automatic" },
};

#define FORWARD_SEP " "	/* between the values of a repeatable key */

/* A key that may appear many times: one key line per word of the value. */
static bool spec_repeats(const struct field_spec *sp)
{
	return !strcmp(sp->key, "forward");
}

struct field {
	char section[PROFILE_DOC_NAME_MAX + 1];
	const struct field_spec *spec;
	char value[EDIT_VALUE_MAX];
	char *orig;		/* as in the file; NULL: not there */
};

enum edit_input { INPUT_NONE, INPUT_VALUE, INPUT_DISK, INPUT_NIC };

struct editor {
	struct slot *slot;
	struct profile_doc *doc;	/* as loaded: what saving changes */
	struct field field[EDIT_FIELDS_MAX];
	size_t n, cur, top;
	char removed[EDIT_SECTIONS_MAX][PROFILE_DOC_NAME_MAX + 1];
	size_t nremoved;
	enum edit_input input;
	char buf[EDIT_VALUE_MAX];
	struct profile_errors errs;	/* of the would-be profile */
	char set_error[VM_ERR_MAX];	/* a value the file cannot hold */
	bool stale;			/* saving found the file changed */
	bool discard_asked;
};

static bool is_device(const char *section)
{
	return !strncmp(section, "disk.", 5) || !strncmp(section, "net.", 4);
}

static bool spec_fits(const struct field_spec *sp, const char *section)
{
	size_t len = strlen(sp->section);

	return !strcmp(sp->section, section) ||
	       (!strncmp(sp->section, section, len) && section[len] == '.');
}

/* Adds the fields of section (values from the document, else init). */
static void add_section_fields(struct editor *ed, const char *section,
			       const char *const *init)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_specs); i++) {
		struct field *f;

		if (!spec_fits(&field_specs[i], section) ||
		    ed->n == EDIT_FIELDS_MAX)
			continue;
		f = &ed->field[ed->n++];
		memset(f, 0, sizeof(*f));
		str_copy(f->section, section, sizeof(f->section));
		f->spec = &field_specs[i];
		f->orig = spec_repeats(f->spec) ?
			profile_doc_get_all(ed->doc, section, f->spec->key,
					    FORWARD_SEP) :
			profile_doc_get(ed->doc, section, f->spec->key);
		if (f->orig)
			str_copy(f->value, f->orig, sizeof(f->value));
		for (size_t j = 0; init && init[j]; j += 2)
			if (!strcmp(init[j], f->spec->key))
				str_copy(f->value, init[j + 1],
					 sizeof(f->value));
	}
}

/* The [disk.X] and [net.X] sections of the file, in file order. */
static void add_device_fields(struct editor *ed)
{
	char *text = profile_doc_text(ed->doc, NULL);
	char name[PROFILE_DOC_NAME_MAX + 1];

	for (char *line = text; line && *line;) {
		char *end = strchr(line, '\n');
		char *p = line + strspn(line, " \t");

		if (*p == '[' && sscanf(p + 1, "%49[^]]]", name) == 1 &&
		    is_device(name))
			add_section_fields(ed, name, NULL);
		line = end ? end + 1 : NULL;
	}
	free(text);
}

static void free_fields(struct editor *ed)
{
	for (size_t i = 0; i < ed->n; i++)
		free(ed->field[i].orig);
	ed->n = 0;
}

static bool section_removed(const struct editor *ed, const char *section)
{
	for (size_t i = 0; i < ed->nremoved; i++)
		if (!strcmp(ed->removed[i], section))
			return true;
	return false;
}

/* A repeatable key: one key line per space-separated word of v. */
static int apply_repeated(struct profile_doc *doc, const struct field *f,
			  const char *v, char *err)
{
	char word[EDIT_VALUE_MAX];

	profile_doc_remove(doc, f->section, f->spec->key);
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, FORWARD_SEP);
		int rc;

		if (len) {
			snprintf(word, sizeof(word), "%.*s", (int)len, p);
			rc = profile_doc_add(doc, f->section, f->spec->key,
					     word, 0, err);
			if (rc)
				return rc;
		}
		p += len + strspn(p + len, FORWARD_SEP);
	}
	return 0;
}

/* [rng] whose fields were all emptied in the form: no rng at all (an
 * empty [rng] would still mean one). */
static void drop_emptied_rng(const struct editor *ed, struct profile_doc *doc,
			     const char *value_of_cur)
{
	bool changed = false;

	for (size_t i = 0; i < ed->n; i++) {
		const struct field *f = &ed->field[i];
		const char *v = i == ed->cur && value_of_cur ? value_of_cur :
				f->value;

		if (strcmp(f->section, "rng"))
			continue;
		if (v[0])
			return;
		changed |= f->orig != NULL;
	}
	if (changed)
		profile_doc_remove_section(doc, "rng");
}

/*
 * Applies the form to doc: changed values set, emptied ones removed,
 * removed disks and NICs removed with their sections. value_of_cur
 * replaces the current field's value when not NULL (the line being typed).
 */
static int apply(struct editor *ed, struct profile_doc *doc,
		 const char *value_of_cur, char *err)
{
	for (size_t i = 0; i < ed->nremoved; i++)
		if (ed->removed[i][0])
			profile_doc_remove_section(doc, ed->removed[i]);
	for (size_t i = 0; i < ed->n; i++) {
		const struct field *f = &ed->field[i];
		const char *v = i == ed->cur && value_of_cur ? value_of_cur :
				f->value;
		unsigned flags = strcmp(f->spec->key, "cmdline") ? 0 :
				 PROFILE_DOC_WRAP;
		int rc;

		if (f->orig ? !strcmp(f->orig, v) : !v[0])
			continue;
		if (spec_repeats(f->spec))
			rc = apply_repeated(doc, f, v, err);
		else if (!v[0])
			rc = (profile_doc_remove(doc, f->section, f->spec->key),
			      0);
		else
			rc = profile_doc_set(doc, f->section, f->spec->key, v,
					     flags, err);
		if (rc)
			return rc;
	}
	drop_emptied_rng(ed, doc, value_of_cur);
	return 0;
}

/* Validates the would-be profile like hyve check; errors go to ed. */
static void validate(struct editor *ed)
{
	const char *typing = ed->input == INPUT_VALUE ? ed->buf : NULL;
	char *base = profile_doc_text(ed->doc, NULL), *text;
	struct profile_doc *scratch;
	struct vm_config *cfg;
	size_t len;

	profile_errors_free(&ed->errs);
	memset(&ed->errs, 0, sizeof(ed->errs));
	ed->set_error[0] = '\0';
	cfg = malloc(sizeof(*cfg));
	if (!base || !cfg ||
	    profile_doc_new(&scratch, profile_doc_path(ed->doc), base,
			    ed->set_error)) {
		if (!ed->set_error[0])
			str_copy(ed->set_error, "out of memory",
				 sizeof(ed->set_error));
		free(base);
		free(cfg);
		return;
	}
	free(base);
	if (!apply(ed, scratch, typing, ed->set_error)) {
		text = profile_doc_text(scratch, &len);
		if (text)
			profile_load_text(profile_doc_path(ed->doc), text, len,
					  0, cfg, &ed->errs);
		free(text);
	}
	profile_doc_free(scratch);
	free(cfg);
}

static int load(struct editor *ed, char *err)
{
	free_fields(ed);
	ed->nremoved = 0;
	if (ed->doc)
		profile_doc_free(ed->doc);
	ed->doc = NULL;
	if (profile_doc_load(&ed->doc, ed->slot->path, err))
		return -1;
	add_section_fields(ed, "vm", NULL);
	add_section_fields(ed, "boot", NULL);
	add_section_fields(ed, "serial", NULL);
	add_section_fields(ed, "rng", NULL);
	add_device_fields(ed);
	ed->cur = MIN(ed->cur, ed->n ? ed->n - 1 : 0);
	ed->stale = false;
	validate(ed);
	return 0;
}

void editor_open(struct app *a, struct slot *s)
{
	char err[VM_ERR_MAX];
	struct editor *ed = calloc(1, sizeof(*ed));

	if (!ed) {
		app_say(a, true, "out of memory");
		return;
	}
	ed->slot = s;
	if (load(ed, err)) {
		app_say(a, true, "%s", err);
		free(ed);
		return;
	}
	a->editor = ed;
	a->mode = UI_EDITOR;
	app_say(a, false, "%s", s->running ? "the VM is running: changes "
		"apply at its next start" : "Enter edits a field, w saves");
}

void editor_close(struct app *a)
{
	struct editor *ed = a->editor;

	if (!ed)
		return;
	free_fields(ed);
	profile_errors_free(&ed->errs);
	profile_doc_free(ed->doc);
	free(ed);
	a->editor = NULL;
	a->mode = UI_MANAGER;
}

static bool unsaved(const struct editor *ed)
{
	if (ed->nremoved)
		return true;
	for (size_t i = 0; i < ed->n; i++) {
		const struct field *f = &ed->field[i];

		if (f->orig ? strcmp(f->orig, f->value) : f->value[0] != 0)
			return true;
	}
	return false;
}

static void save(struct app *a, struct editor *ed)
{
	char err[VM_ERR_MAX];
	int rc;

	validate(ed);
	if (ed->set_error[0] || ed->errs.count) {
		app_say(a, true, "not saved: %u problem(s); fix them first",
			ed->errs.count + (ed->set_error[0] != 0));
		return;
	}
	if (!unsaved(ed)) {
		app_say(a, false, "nothing changed");
		return;
	}
	rc = apply(ed, ed->doc, NULL, err);
	if (!rc)
		rc = profile_doc_save(ed->doc, err);
	if (rc == -ESTALE) {
		ed->stale = true;
		app_say(a, true, "not saved: %s; R reloads it (your changes "
			"are lost)", err);
		return;
	}
	if (rc) {
		app_say(a, true, "not saved: %s", err);
		return;
	}
	load(ed, err);
	app_reload(a);
	app_say(a, false, "saved %s%s", ed->slot->path, ed->slot->running ?
		"; applies at the VM's next start" : "");
}

static void add_device(struct app *a, struct editor *ed, bool disk)
{
	static const char *const disk_init[] = {
		"type", "virtio-blk", "format", "raw", "size", "1G", NULL };
	static const char *const nic_init[] = { "mode", "user", NULL };
	char section[PROFILE_DOC_NAME_MAX + 1], path[PATH_MAX + 8];
	const char *disk_path[] = { "path", path, NULL };
	size_t first = ed->n;

	snprintf(section, sizeof(section), "%s.%.40s", disk ? "disk" : "net",
		 ed->buf);
	if (!ed->buf[0])
		return;
	for (size_t i = 0; i < ed->n; i++)
		if (!strcmp(ed->field[i].section, section)) {
			app_say(a, true, "[%s] is there already", section);
			return;
		}
	add_section_fields(ed, section, disk ? disk_init : nic_init);
	if (disk) {
		snprintf(path, sizeof(path), "%s-%.40s.img", ed->slot->name,
			 ed->buf);
		for (size_t i = first; i < ed->n; i++)
			if (!strcmp(ed->field[i].spec->key, "path"))
				str_copy(ed->field[i].value, disk_path[1],
					 sizeof(ed->field[i].value));
	}
	for (size_t i = 0; i < ed->nremoved; i++)
		if (!strcmp(ed->removed[i], section))
			ed->removed[i][0] = '\0';
	ed->cur = first < ed->n ? first : ed->cur;
	app_say(a, false, "[%s] added; w saves", section);
}

static void remove_device(struct app *a, struct editor *ed)
{
	char section[PROFILE_DOC_NAME_MAX + 1];
	size_t o = 0;

	if (!ed->n || !is_device(ed->field[ed->cur].section)) {
		app_say(a, true, "x removes a disk or NIC: move onto one");
		return;
	}
	str_copy(section, ed->field[ed->cur].section, sizeof(section));
	for (size_t i = 0; i < ed->n; i++) {
		if (!strcmp(ed->field[i].section, section)) {
			free(ed->field[i].orig);
			continue;
		}
		ed->field[o++] = ed->field[i];
	}
	ed->n = o;
	ed->cur = MIN(ed->cur, o ? o - 1 : 0);
	if (!section_removed(ed, section) &&
	    ed->nremoved < EDIT_SECTIONS_MAX)
		str_copy(ed->removed[ed->nremoved++], section,
			 sizeof(ed->removed[0]));
	app_say(a, false, "[%s] removed; w saves", section);
}

/* A line being typed: the value, or a new disk or NIC name. */
static void input_key(struct app *a, struct editor *ed, int key)
{
	size_t len = strlen(ed->buf);
	enum edit_input what = ed->input;

	if (key == '\r' || key == '\n' || key == (KEY_ENTER | KEYS_FN)) {
		ed->input = INPUT_NONE;
		if (what == INPUT_VALUE)
			str_copy(ed->field[ed->cur].value, ed->buf,
				 sizeof(ed->field[0].value));
		else
			add_device(a, ed, what == INPUT_DISK);
	} else if (key == 0x1b || key == 0x07) {
		ed->input = INPUT_NONE;
	} else if (key == 0x7f || key == 0x08 ||
		   key == (KEY_BACKSPACE | KEYS_FN)) {
		if (len)
			ed->buf[len - 1] = '\0';
	} else if (key == 0x15) {	/* C-u */
		ed->buf[0] = '\0';
	} else if (key >= 0x20 && !(key & KEYS_FN) && key != 0x7f &&
		   len + 4 < sizeof(ed->buf)) {
		char mb[8];
		int n = wctomb(mb, (wchar_t)key);

		if (n > 0 && len + (size_t)n < sizeof(ed->buf)) {
			memcpy(ed->buf + len, mb, (size_t)n);
			ed->buf[len + (size_t)n] = '\0';
		}
	}
	validate(ed);
}

static void start_input(struct editor *ed, enum edit_input what)
{
	ed->input = what;
	if (what == INPUT_VALUE && ed->n)
		str_copy(ed->buf, ed->field[ed->cur].value, sizeof(ed->buf));
	else
		ed->buf[0] = '\0';
}

void editor_key(struct app *a, int key)
{
	struct editor *ed = a->editor;
	char err[VM_ERR_MAX];

	if (ed->input != INPUT_NONE) {
		input_key(a, ed, key);
		return;
	}
	if (key != 'q' && key != 0x1b)
		ed->discard_asked = false;
	if (key == (KEY_UP | KEYS_FN) || key == 'k') {
		ed->cur -= ed->cur > 0;
	} else if (key == (KEY_DOWN | KEYS_FN) || key == 'j') {
		ed->cur += ed->cur + 1 < ed->n;
	} else if (key == '\r' || key == '\n' || key == (KEY_ENTER | KEYS_FN)) {
		if (ed->n)
			start_input(ed, INPUT_VALUE);
	} else if (key == 'a' || key == 'A') {
		start_input(ed, key == 'a' ? INPUT_DISK : INPUT_NIC);
	} else if (key == 'x') {
		remove_device(a, ed);
		validate(ed);
	} else if (key == 'w' || key == 0x13) {	/* C-s */
		save(a, ed);
	} else if (key == 'R' && ed->stale) {
		if (load(ed, err))
			app_say(a, true, "%s", err);
		else
			app_say(a, false, "reloaded from disk");
	} else if (key == 'q' || key == 0x1b) {
		if (!unsaved(ed) || ed->discard_asked) {
			editor_close(a);
			return;
		}
		ed->discard_asked = true;
		app_say(a, true, "unsaved changes: w saves, q again discards "
			"them");
	} else if (key == '?') {
		app_say(a, false, "Up/Down move, Enter edits, a adds a disk, "
			"A a NIC, x removes one, w saves, q closes");
	}
}

static void draw_errors(struct editor *ed, int top, int rows, int cols)
{
	const char *p = ed->errs.lines.s;
	int y = top;

	if (ed->set_error[0]) {
		mvaddnstr(y++, 0, ed->set_error, cols);
	}
	for (; p && *p && y < top + rows; y++) {
		size_t len = strcspn(p, "\n");

		mvaddnstr(y, 0, p, (int)MIN(len, (size_t)cols));
		p += len + (p[len] == '\n');
	}
	if (y == top)
		mvaddnstr(y, 0, "valid (as hyve check sees it)", cols);
}

void editor_draw(struct app *a, int rows, int cols)
{
	struct editor *ed = a->editor;
	int list_rows = rows - 4 - EDIT_ERR_LINES;
	char line[EDIT_VALUE_MAX + 128], title[PATH_MAX + 64];
	const char *prev = "";

	curs_set(ed->input != INPUT_NONE);
	snprintf(title, sizeof(title), "edit %s%s", ed->slot->path,
		 ed->slot->running ? "  (running: applies at next start)" :
		 "");
	attron(A_BOLD);
	mvaddnstr(0, 0, title, cols);
	attroff(A_BOLD);
	if (ed->cur < ed->top)
		ed->top = ed->cur;
	if (ed->cur >= ed->top + (size_t)list_rows)
		ed->top = ed->cur - (size_t)list_rows + 1;
	for (int r = 0; r < list_rows && ed->top + (size_t)r < ed->n; r++) {
		size_t i = ed->top + (size_t)r;
		struct field *f = &ed->field[i];
		const char *v = i == ed->cur && ed->input == INPUT_VALUE ?
				ed->buf : f->value[0] ? f->value : "(default)";

		snprintf(line, sizeof(line), "%-12s %-10s %s",
			 strcmp(prev, f->section) || r == 0 ? f->section : "",
			 f->spec->key, v);
		prev = f->section;
		if (i == ed->cur)
			attron(A_REVERSE);
		mvaddnstr(1 + r, 0, line, cols);
		attroff(A_REVERSE);
	}
	attron(A_BOLD);
	if (ed->input == INPUT_DISK || ed->input == INPUT_NIC)
		snprintf(line, sizeof(line), "new %s name: %s",
			 ed->input == INPUT_DISK ? "disk" : "NIC", ed->buf);
	else if (ed->n)
		snprintf(line, sizeof(line), "%s: %s", ed->field[ed->cur].spec->key,
			 ed->field[ed->cur].spec->help);
	else
		line[0] = '\0';
	mvaddnstr(rows - 3 - EDIT_ERR_LINES, 0, line, cols);
	attroff(A_BOLD);
	draw_errors(ed, rows - 2 - EDIT_ERR_LINES, EDIT_ERR_LINES, cols);
	if (ed->input == INPUT_VALUE) {
		int y = 1 + (int)(ed->cur - ed->top);
		int x = 24 + (int)strlen(ed->buf);

		move(y, MIN(x, cols - 1));
	} else if (ed->input != INPUT_NONE) {
		move(rows - 3 - EDIT_ERR_LINES, MIN((int)strlen(line),
						    cols - 1));
	}
}
