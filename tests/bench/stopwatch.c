/* stopwatch.c - times a VMM to a marker in its output and to exit (POSIX). */

/*
 * usage: stopwatch [-t SECONDS] [-o FILE] MARKER CMD [ARG...]
 *
 * Starts CMD with stdin from /dev/null and stdout+stderr into a pipe, reads
 * that pipe (copying it to FILE with -o) and prints one line on stdout:
 *
 *	marker_ms=M exit_ms=E status=S
 *
 * M: milliseconds from just before fork() to when MARKER was first read
 * (-1 if never), E: to when CMD was reaped, S: its exit status (128+N for
 * signal N; "timeout" when it was killed after SECONDS, default 300;
 * "unkillable" when it did not die within 30 s of SIGKILL).
 * Exits 0 if the timing was taken, 1 on a timeout or error.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem, pipe2 */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOPWATCH_BUF 65536

static double
stopwatch_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 +
	    (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
stopwatch_usage(void)
{
	fprintf(stderr,
	    "usage: stopwatch [-t SECONDS] [-o FILE] MARKER CMD [ARG...]\n");
	exit(2);
}

/* Looks for marker in carry+data; keeps the tail that may start it. */
static int
stopwatch_scan(const char *marker, char *carry, size_t *carry_len,
    const char *data, size_t len)
{
	size_t mlen = strlen(marker), keep;
	char *buf;
	int found;

	buf = malloc(*carry_len + len + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, carry, *carry_len);
	memcpy(buf + *carry_len, data, len);
	buf[*carry_len + len] = '\0';
	found = memmem(buf, *carry_len + len, marker, mlen) != NULL;
	keep = *carry_len + len < mlen - 1 ? *carry_len + len : mlen - 1;
	memcpy(carry, buf + *carry_len + len - keep, keep);
	*carry_len = keep;
	free(buf);
	return found;
}

/*
 * Waits for pid. After a SIGKILL it gives up after 30 s (a process stuck
 * in the kernel cannot be reaped), so the benchmark goes on. -1 then.
 */
static int
stopwatch_reap(pid_t pid, int killed, int *status)
{
	int tries = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, killed ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			perror("waitpid");
			return -1;
		}
		if (r == 0) {
			if (++tries > 300)
				return -1;
			usleep(100000);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *marker, *outfile = NULL;
	struct timespec t0;
	double marker_ms = -1, exit_ms;
	long limit_s = 300;
	int opt, pfd[2], out = -1, status, timed_out = 0;
	char buf[STOPWATCH_BUF], *carry;
	size_t carry_len = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:o:")) != -1) {
		switch (opt) {
		case 't':
			limit_s = strtol(optarg, NULL, 10);
			if (limit_s <= 0)
				stopwatch_usage();
			break;
		case 'o':
			outfile = optarg;
			break;
		default:
			stopwatch_usage();
		}
	}
	if (argc - optind < 2 || argv[optind][0] == '\0')
		stopwatch_usage();
	marker = argv[optind++];
	carry = malloc(strlen(marker));
	if (carry == NULL)
		return 1;
	if (outfile != NULL) {
		out = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (out < 0) {
			perror(outfile);
			return 1;
		}
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("pipe");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "stopwatch: %s: %s\n", argv[optind],
		    strerror(errno));
		_exit(127);
	}
	close(pfd[1]);

	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = limit_s * 1e3 - stopwatch_ms(&t0);
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left + 1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
		if (p.revents == 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (marker_ms < 0 &&
		    stopwatch_scan(marker, carry, &carry_len, buf, (size_t)n))
			marker_ms = stopwatch_ms(&t0);
		if (out >= 0 && write(out, buf, (size_t)n) != n)
			perror(outfile);
	}
	if (stopwatch_reap(pid, timed_out, &status) < 0) {
		printf("marker_ms=%.1f exit_ms=-1 status=unkillable\n",
		    marker_ms);
		return 1;
	}
	exit_ms = stopwatch_ms(&t0);
	if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	else
		status = WEXITSTATUS(status);
	if (timed_out)
		printf("marker_ms=%.1f exit_ms=%.1f status=timeout\n",
		    marker_ms, exit_ms);
	else
		printf("marker_ms=%.1f exit_ms=%.1f status=%d\n",
		    marker_ms, exit_ms, status);
	return timed_out ? 1 : 0;
}
