/* check.h - a minimal test harness: each check prints PASS/FAIL lines that tests/run counts. */
#ifndef HYVE_CHECK_H
#define HYVE_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static const char *check_current = "?";

/* CHECK(cond, fmt, ...) records a failure (with a reason) but goes on. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			check_failures++;				\
			printf("  %s:%d: check failed: %s: ", __FILE__,	\
			       __LINE__, #cond);			\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	CHECK((unsigned long long)(a) == (unsigned long long)(b),	\
	      "%s = %#llx, expected %#llx", #a,				\
	      (unsigned long long)(a), (unsigned long long)(b))

/* Runs one named test function and prints its verdict. */
#define RUN_TEST(fn)							\
	do {								\
		int before_ = check_failures;				\
		check_current = #fn;					\
		fn();							\
		printf("%s: %s\n",					\
		       check_failures == before_ ? "PASS" : "FAIL", #fn); \
		fflush(stdout);						\
	} while (0)

#define CHECK_EXIT() return check_failures ? 1 : 0

#endif
