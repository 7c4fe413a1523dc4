/* tui-test-keys.c - the binding table: lookups in both modes, the configurable prefix, help lines, and hyve(1) documenting every binding. */
#include <locale.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "tui/keys.h"
#include "vmm/compat.h"

#define PREFIX 0x1d	/* C-] */

static void test_manager_keys(void)
{
	static const struct {
		int key;
		enum key_action action;
	} want[] = {
		{ KEYS_FN | KEY_UP, ACTION_UP }, { 'k', ACTION_UP },
		{ KEYS_FN | KEY_DOWN, ACTION_DOWN }, { 'j', ACTION_DOWN },
		{ '\r', ACTION_ATTACH }, { '\n', ACTION_ATTACH },
		{ KEYS_FN | KEY_ENTER, ACTION_ATTACH },
		{ 's', ACTION_START }, { 'S', ACTION_POWER_BUTTON },
		{ 'K', ACTION_FORCE_STOP }, { 'r', ACTION_RESET },
		{ 'p', ACTION_PAUSE }, { 'e', ACTION_EDIT }, { 'n', ACTION_NEW },
		{ 'c', ACTION_CLONE }, { 'd', ACTION_DELETE },
		{ '/', ACTION_FILTER }, { '?', ACTION_HELP },
		{ 'q', ACTION_QUIT },
		/* not bound */
		{ 'x', ACTION_NONE }, { PREFIX, ACTION_NONE },
		{ KEYS_FN | KEY_PPAGE, ACTION_NONE },
		/* U+0103 is not KEY_UP */
		{ 0x103, ACTION_NONE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		CHECK(keys_lookup(KEYMODE_MANAGER, want[i].key, PREFIX, NULL) ==
		      want[i].action, "key %#x: action %d, want %d", want[i].key,
		      keys_lookup(KEYMODE_MANAGER, want[i].key, PREFIX, NULL),
		      want[i].action);
}

static void test_console_prefix_keys(void)
{
	int arg = -1;

	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, 'd', PREFIX, NULL), ACTION_DETACH);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, 'n', PREFIX, NULL),
		 ACTION_NEXT_CONSOLE);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, 'p', PREFIX, NULL),
		 ACTION_PREV_CONSOLE);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, KEYS_FN | KEY_PPAGE, PREFIX,
			     NULL), ACTION_SCROLL_UP);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, KEYS_FN | KEY_NPAGE, PREFIX,
			     NULL), ACTION_SCROLL_DOWN);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, '?', PREFIX, NULL), ACTION_HELP);
	for (int k = '1'; k <= '9'; k++) {
		CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, k, PREFIX, &arg),
			 ACTION_JUMP_CONSOLE);
		CHECK_EQ(arg, k - '0');
	}
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, '0', PREFIX, NULL), ACTION_NONE);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, 'q', PREFIX, NULL), ACTION_NONE);
	/* the prefix again is the literal prefix, whichever it is */
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, PREFIX, PREFIX, NULL),
		 ACTION_LITERAL_PREFIX);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, 0x01, 0x01, NULL),
		 ACTION_LITERAL_PREFIX);
	CHECK_EQ(keys_lookup(KEYMODE_CONSOLE, PREFIX, 0x01, NULL), ACTION_NONE);
}

static const struct key_help *find_help(const struct key_help *h, size_t n,
					const char *keys)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].keys, keys))
			return &h[i];
	return NULL;
}

static void test_help_lines(void)
{
	struct key_help h[64];
	size_t n;

	n = keys_help(KEYMODE_MANAGER, PREFIX, h, ARRAY_SIZE(h));
	CHECK_EQ(n, 15);
	CHECK(find_help(h, n, "Up, k") && find_help(h, n, "Down, j"),
	      "arrows and vi keys not merged: \"%s\"", h[0].keys);
	CHECK(find_help(h, n, "Enter"), "Enter not merged: \"%s\"", h[2].keys);
	CHECK(find_help(h, n, "K") && strstr(find_help(h, n, "K")->description,
					     "force-stop"), "K");
	n = keys_help(KEYMODE_CONSOLE, PREFIX, h, ARRAY_SIZE(h));
	CHECK_EQ(n, 8);
	CHECK(find_help(h, n, "1-9"), "no 1-9 line");
	CHECK(find_help(h, n, "PgUp") && find_help(h, n, "PgDn"), "PgUp/PgDn");
	CHECK(find_help(h, n, "C-]"), "literal prefix not named C-]");
	n = keys_help(KEYMODE_CONSOLE, 0x01, h, ARRAY_SIZE(h));
	CHECK(find_help(h, n, "C-a"), "a C-a prefix is not shown as C-a");
	/* a short buffer is not overrun */
	CHECK_EQ(keys_help(KEYMODE_MANAGER, PREFIX, h, 3), 3);
}

static void test_key_names(void)
{
	char buf[32];

	CHECK(!strcmp(keys_name(KEYS_FN | KEY_UP, PREFIX, buf, sizeof(buf)),
		      "Up"), "%s", buf);
	CHECK(!strcmp(keys_name(KEYS_FN | KEY_NPAGE, PREFIX, buf, sizeof(buf)),
		      "PgDn"), "%s", buf);
	CHECK(!strcmp(keys_name('\r', PREFIX, buf, sizeof(buf)), "Enter"),
	      "%s", buf);
	CHECK(!strcmp(keys_name(KEYS_PREFIX, 0x02, buf, sizeof(buf)), "C-b"),
	      "%s", buf);
	CHECK(!strcmp(keys_name('K', PREFIX, buf, sizeof(buf)), "K"), "%s",
	      buf);
	CHECK(!strcmp(keys_name(0xe9, PREFIX, buf, sizeof(buf)), "\xc3\xa9"),
	      "%s", buf);
}

/* hyve(1) with roff's "\-" read as "-". */
static char *read_man_page(void)
{
	FILE *f = fopen("share/man/hyve.1", "r");
	static char text[65536];
	size_t n, j = 0;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\\' && i + 1 < n && text[i + 1] == '-')
			i++;
		text[j++] = text[i];
	}
	text[j] = 0;
	return text;
}

static void test_man_page_documents_every_binding(void)
{
	const char *man = read_man_page();
	const char *section;

	CHECK(man != NULL, "share/man/hyve.1 not found (run from the tree)");
	if (!man)
		return;
	section = strstr(man, "\n.SH TERMINAL UI\n");
	CHECK(section != NULL, "no TERMINAL UI section");
	if (!section)
		return;
	for (size_t i = 0; i < key_bindings_count; i++)
		CHECK(strstr(section, key_bindings[i].description),
		      "hyve(1) lacks \"%s\"", key_bindings[i].description);
	CHECK(strstr(section, "prefix = C-a"), "no hyve.ini example");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN_TEST(test_manager_keys);
	RUN_TEST(test_console_prefix_keys);
	RUN_TEST(test_help_lines);
	RUN_TEST(test_key_names);
	RUN_TEST(test_man_page_documents_every_binding);
	CHECK_EXIT();
}
