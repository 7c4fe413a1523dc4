/* errors.c - struct profile_errors: "FILE:LINE: message" lines shared by profiles and hyve.ini. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile.h"

void profile_errors_vadd(struct profile_errors *errs, const char *path,
			 unsigned line, const char *fmt, va_list ap)
{
	char msg[1024], at[16] = " ";
	char *t;
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line != PROFILE_NO_LINE)
		snprintf(at, sizeof(at), "%u: ", line);
	n = asprintf(&t, "%s:%s%s\n", path, at, msg);
	errs->count++;
	if (n < 0) {
		errs->lines.oom = true;
		return;
	}
	strbuf_add(&errs->lines, t, (size_t)n);
	free(t);
}

void profile_errors_free(struct profile_errors *errs)
{
	free(errs->lines.s);
	memset(errs, 0, sizeof(*errs));
}
