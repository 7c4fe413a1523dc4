/* fuzz-console.c - libFuzzer target: hostile guest bytes into a console pane, drawn from live screen and history. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>

#include "tui/vterm-pane.h"

static WINDOW *win;
static struct term_colors *tc;

static void discard(const char *bytes, size_t len, void *user)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vterm_pane *p;
	size_t half = size / 2;

	if (!win) {
		FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");

		setlocale(LC_ALL, "C.UTF-8");
		if (!out || !in || !newterm("xterm-256color", out, in))
			abort();
		start_color();
		win = newwin(12, 30, 0, 0);
		tc = term_colors_new(1);
		if (!win || !tc)
			abort();
	}
	/* a small console, so lines reach history quickly */
	p = vterm_pane_new(6, 20, 0, discard, NULL);
	if (!p)
		abort();
	vterm_pane_feed(p, (const char *)data, half);
	vterm_pane_render(p, tc, win, 1, 1, 4, 9, NULL);
	vterm_pane_feed(p, (const char *)data + half, size - half);
	for (int back = 0; back < 40; back += 3) {
		vterm_pane_scroll(p, 3);
		vterm_pane_render(p, tc, win, 0, 0, 12, 30, NULL);
	}
	vterm_pane_key(p, size ? data[0] : 'x');
	vterm_pane_render(p, tc, win, 2, 3, 5, 7, NULL);
	vterm_pane_free(p);
	return 0;
}
