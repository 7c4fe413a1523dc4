/* cmd-run.c - `hyve run PROFILE...`: headless VMs with their consoles on the terminal (xhyve style). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "profiles/profile.h"
#include "profiles/store.h"
#include "tui/hyve.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"

#define RUN_MAX_VMS	32
#define ESCAPE_KEY	0x1d	/* Ctrl-] */
#define INPUT_MAX	4096
#define RUN_LINE_MAX	1024
#define RUN_SHUTDOWN_TIMEOUT 30	/* seconds */
#define RUN_SIGNAL_REPEAT_MS 500

enum run_exit {
	RUN_EXIT_POWEROFF = 0,
	RUN_EXIT_START = 1,
	RUN_EXIT_USAGE = 2,
	RUN_EXIT_FAILED = 3,
	RUN_EXIT_REBOOT = 4,
	RUN_EXIT_KILLED = 5,
};

struct run_vm {
	struct vm *vm;
	int port;		/* the serial port shown here (com = console) */
	int log_fd;		/* [serial] log, or -1 */
	uint64_t log_cursor;
	bool stopped;
	char line[RUN_LINE_MAX + 1];	/* partial output line (several VMs) */
	size_t line_len;
};

struct run {
	struct run_vm vms[RUN_MAX_VMS];
	unsigned n;
	bool raw;		/* stdin is a terminal in raw mode */
	bool escape;		/* Ctrl-] seen, waiting for the next key */
	bool stdin_open;
	struct termios saved;
	int shutdown_timeout;	/* seconds from power button to force-stop */
	long shutdown_deadline;	/* CLOCK_MONOTONIC ms; 0: not shutting down */
	long shutdown_start;	/* when the first signal came */
	unsigned shutdown_signal;
	uint8_t pending[INPUT_MAX];	/* input the guest has not taken yet */
	size_t pending_len;
};

static void run_usage(FILE *f)
{
	fprintf(f, "usage: hyve run [-t SECONDS] PROFILE [PROFILE...]\n"
		"Starts the VM of each profile in this process. COM1 goes to "
		"the terminal.\nKeys after Ctrl-]: q force-stop and quit, p "
		"ACPI power button, r reset,\n? help, Ctrl-] send Ctrl-].\n"
		"SIGTERM, SIGINT and SIGHUP press the power button, then "
		"force-stop after\n-t SECONDS (--shutdown-timeout, default 30; "
		"0: at once) or a second signal.\n");
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };
				poll(&pfd, 1, 100);
				continue;
			}
			return;	/* stdout is gone: keep running the VM */
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Messages of hyve itself; in raw mode lines need a carriage return. */
static void run_say(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void run_say(struct run *r, const char *fmt, ...)
{
	char msg[VM_ERR_MAX + 128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(msg) - 3)
		n = (int)sizeof(msg) - 3;
	if (r->raw)
		msg[n++] = '\r';
	msg[n++] = '\n';
	write_all(STDERR_FILENO, msg, (size_t)n);
}

/* Writes one buffered line of a VM as "[NAME] line". */
static void run_flush_line(struct run_vm *rv)
{
	char out[VM_NAME_MAX + 4 + RUN_LINE_MAX];
	int n;

	if (!rv->line_len)
		return;
	n = snprintf(out, sizeof(out), "[%s] ", vm_name(rv->vm));
	memcpy(out + n, rv->line, rv->line_len);
	write_all(STDOUT_FILENO, out, (size_t)n + rv->line_len);
	rv->line_len = 0;
}

/*
 * Copies guest output to stdout. With several VMs, whole lines are written
 * with a [NAME] prefix, so lines of different VMs never mix.
 */
static void run_output(struct run *r, struct run_vm *rv)
{
	char buf[4096];
	size_t n;

	for (unsigned port = 0; port < VM_SERIAL_PORTS; port++) {
		while ((n = vm_console_read(rv->vm, port, buf,
					    sizeof(buf))) > 0) {
			/* a port that is not a console goes nowhere */
			if ((int)port != rv->port)
				continue;
			if (rv->log_fd >= 0)
				write_all(rv->log_fd, buf, n);
			if (r->n == 1) {
				write_all(STDOUT_FILENO, buf, n);
				continue;
			}
			for (size_t i = 0; i < n; i++) {
				rv->line[rv->line_len++] = buf[i];
				if (buf[i] == '\n' ||
				    rv->line_len == RUN_LINE_MAX)
					run_flush_line(rv);
			}
		}
	}
	if (rv->stopped && rv->line_len) {
		rv->line[rv->line_len++] = '\n';
		run_flush_line(rv);
	}
}

static void run_state(struct run *r, struct run_vm *rv)
{
	char line[VM_ERR_MAX];
	struct vm_status st;
	uint64_t v;
	ssize_t n = read(vm_state_fd(rv->vm), &v, sizeof(v));

	(void)n;
	while (vm_log_next(rv->vm, &rv->log_cursor, line, sizeof(line)))
		run_say(r, "hyve: %s: %s", vm_name(rv->vm), line);
	vm_status(rv->vm, &st);
	if (st.state == VM_STATE_STOPPED)
		rv->stopped = true;
}

static void run_stop_all(struct run *r)
{
	for (unsigned i = 0; i < r->n; i++)
		if (!r->vms[i].stopped)
			vm_force_stop(r->vms[i].vm);
}

static void run_queue(struct run *r, const uint8_t *buf, size_t len)
{
	len = MIN(len, sizeof(r->pending) - r->pending_len);
	memcpy(r->pending + r->pending_len, buf, len);
	r->pending_len += len;
}

/* Hands queued input to the first VM's COM1, keeping what it cannot take. */
static void run_flush_input(struct run *r)
{
	size_t n;

	if (!r->pending_len)
		return;
	if (r->vms[0].port < 0) {	/* no console: input goes nowhere */
		r->pending_len = 0;
		return;
	}
	n = vm_console_write(r->vms[0].vm, (unsigned)r->vms[0].port,
			     r->pending, r->pending_len);
	memmove(r->pending, r->pending + n, r->pending_len - n);
	r->pending_len -= n;
}

static void run_key_quit(struct run *r)
{
	run_say(r, "hyve: force-stopping");
	run_stop_all(r);
}

static void run_key_power(struct run *r)
{
	run_say(r, "hyve: pressing the power button");
	for (unsigned i = 0; i < r->n; i++)
		vm_power_button(r->vms[i].vm);
}

static void run_key_reset(struct run *r)
{
	run_say(r, "hyve: resetting");
	for (unsigned i = 0; i < r->n; i++)
		vm_reset(r->vms[i].vm);
}

static void run_key_help(struct run *r);

/* What a key after the escape key does; Ctrl-] itself is sent through. */
static const struct run_key {
	uint8_t key;
	void (*fn)(struct run *r);
	const char *help;
} run_keys[] = {
	{ 'q', run_key_quit, "q force-stop and quit" },
	{ 'p', run_key_power, "p press the ACPI power button" },
	{ 'r', run_key_reset, "r reset" },
	{ '?', run_key_help, "? this help" },
};

static void run_key_help(struct run *r)
{
	char help[256];
	size_t o = 0;

	for (size_t i = 0; i < ARRAY_SIZE(run_keys); i++)
		o += (size_t)snprintf(help + o, sizeof(help) - o, "%s%s",
				      i ? ", " : "", run_keys[i].help);
	run_say(r, "hyve: Ctrl-] then: %s, Ctrl-] send Ctrl-]", help);
}

static void run_escape(struct run *r, uint8_t c)
{
	if (c == ESCAPE_KEY) {
		run_queue(r, &c, 1);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(run_keys); i++) {
		if (run_keys[i].key == c) {
			run_keys[i].fn(r);
			return;
		}
	}
	run_key_help(r);
}

/* Terminal input: keys go to the guest except after the escape key. */
static void run_input(struct run *r)
{
	uint8_t buf[INPUT_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf) - r->pending_len);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		r->stdin_open = false;
		return;
	}
	if (!r->raw) {
		run_queue(r, buf, (size_t)n);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (r->escape) {
			r->escape = false;
			run_escape(r, buf[i]);
		} else if (buf[i] == ESCAPE_KEY) {
			r->escape = true;
		} else {
			run_queue(r, &buf[i], 1);
		}
	}
}

static void run_raw_restore(struct run *r)
{
	if (r->raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &r->saved);
}

static void run_raw_enter(struct run *r)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &r->saved) < 0)
		return;
	t = r->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		r->raw = true;
}

static int run_exit_code(struct run *r)
{
	static const int rank[] = {
		[RUN_EXIT_POWEROFF] = 0, [RUN_EXIT_REBOOT] = 1,
		[RUN_EXIT_KILLED] = 2, [RUN_EXIT_FAILED] = 3,
	};
	int worst = RUN_EXIT_POWEROFF;

	for (unsigned i = 0; i < r->n; i++) {
		struct vm_status st;
		int code;

		vm_status(r->vms[i].vm, &st);
		switch (st.reason) {
		case VM_STOP_POWEROFF:
			code = RUN_EXIT_POWEROFF;
			break;
		case VM_STOP_REBOOT:
			code = RUN_EXIT_REBOOT;
			run_say(r, "hyve: %s: %s; on_reboot = exit, so hyve "
				"exits", vm_name(r->vms[i].vm), st.message);
			break;
		case VM_STOP_KILLED:
			code = RUN_EXIT_KILLED;
			break;
		default:
			code = RUN_EXIT_FAILED;
			run_say(r, "hyve: %s: failed: %s",
				vm_name(r->vms[i].vm), st.message);
			break;
		}
		if (rank[code] > rank[worst])
			worst = code;
	}
	return worst;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * SIGTERM, SIGINT and SIGHUP shut the guests down gracefully: the ACPI
 * power button, then a force-stop after the timeout or a second signal.
 * SIGQUIT force-stops at once.
 */
static void run_signal(struct run *r, unsigned sig)
{
	/* timeout(1) and shells signal the process and its group at once:
	 * only a signal a moment later counts as a second one. */
	if (r->shutdown_deadline && sig == r->shutdown_signal &&
	    now_ms() - r->shutdown_start < RUN_SIGNAL_REPEAT_MS)
		return;
	if (sig == SIGQUIT || r->shutdown_deadline ||
	    r->shutdown_timeout == 0) {
		run_say(r, "hyve: %s: force-stopping", strsignal((int)sig));
		r->shutdown_deadline = 0;
		run_stop_all(r);
		return;
	}
	run_say(r, "hyve: %s: pressing the power button; force-stop in %d s "
		"or on a second signal", strsignal((int)sig),
		r->shutdown_timeout);
	r->shutdown_signal = sig;
	r->shutdown_start = now_ms();
	r->shutdown_deadline = r->shutdown_start + r->shutdown_timeout * 1000L;
	for (unsigned i = 0; i < r->n; i++)
		vm_power_button(r->vms[i].vm);
}

static int run_loop(struct run *r, int sigfd)
{
	struct pollfd pfd[2 * RUN_MAX_VMS + 2];

	for (;;) {
		unsigned np = 0, stopped = 0;
		int timeout = r->pending_len ? 10 : -1;

		if (r->shutdown_deadline) {
			long left = r->shutdown_deadline - now_ms();

			left = left < 0 ? 0 : left;
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}

		for (unsigned i = 0; i < r->n; i++) {
			run_output(r, &r->vms[i]);
			stopped += r->vms[i].stopped;
		}
		if (stopped == r->n)
			return 0;
		run_flush_input(r);
		for (unsigned i = 0; i < r->n; i++) {
			pfd[np++] = (struct pollfd){ vm_console_fd(r->vms[i].vm),
						     POLLIN, 0 };
			pfd[np++] = (struct pollfd){ vm_state_fd(r->vms[i].vm),
						     POLLIN, 0 };
		}
		pfd[np++] = (struct pollfd){ sigfd, POLLIN, 0 };
		pfd[np] = (struct pollfd){ -1, 0, 0 };
		if (r->stdin_open && r->pending_len < sizeof(r->pending) / 2)
			pfd[np].fd = STDIN_FILENO;
		pfd[np++].events = POLLIN;
		if (poll(pfd, np, timeout) < 0 && errno != EINTR)
			return -errno;
		for (unsigned i = 0; i < r->n; i++) {
			uint64_t v;
			ssize_t n;

			if (pfd[2 * i].revents) {
				n = read(pfd[2 * i].fd, &v, sizeof(v));
				(void)n;
			}
			if (pfd[2 * i + 1].revents)
				run_state(r, &r->vms[i]);
		}
		if (pfd[2 * r->n].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				run_signal(r, si.ssi_signo);
		}
		if (r->shutdown_deadline && now_ms() >= r->shutdown_deadline) {
			run_say(r, "hyve: the guest did not power off within "
				"%d s: force-stopping", r->shutdown_timeout);
			r->shutdown_deadline = 0;
			run_stop_all(r);
		}
		if (pfd[2 * r->n + 1].revents)
			run_input(r);
	}
}

/*
 * The profile an argument names: a file, or else (a plain NAME) NAME.ini
 * in the profile store. path (PATH_MAX bytes) gets the file to load.
 */
static int run_profile_path(const char *arg, char *path)
{
	char dir[PATH_MAX], err[VM_ERR_MAX];
	enum store_source source;

	if (access(arg, F_OK) != 0 && !strchr(arg, '/') &&
	    store_dir(hyve_profiles_dir, dir, &source, err) == 0 &&
	    store_path(dir, arg, path, err) == 0 && access(path, F_OK) == 0)
		return 0;
	return snprintf(path, PATH_MAX, "%s", arg) >= PATH_MAX ?
	       -ENAMETOOLONG : 0;
}

/* Where the VM's console goes: the first port set to console, its log. */
static int run_console(struct run_vm *rv, const struct vm_config *cfg,
		       const char *profile)
{
	rv->port = -1;
	for (unsigned i = 0; i < VM_SERIAL_PORTS && rv->port < 0; i++)
		if (cfg->com[i] == VM_SERIAL_CONSOLE)
			rv->port = (int)i;
	rv->log_fd = -1;
	if (!cfg->serial_log[0])
		return 0;
	rv->log_fd = open(cfg->serial_log, O_WRONLY | O_APPEND | O_CREAT |
			  O_CLOEXEC | O_NOCTTY, 0644);
	if (rv->log_fd < 0) {
		fprintf(stderr, "hyve: %s: console log %s: %s (fix log = in "
			"[serial])\n", profile, cfg->serial_log,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int run_create(struct run *r, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		struct run_vm *rv = &r->vms[r->n];
		struct profile_errors errs;
		struct vm_config cfg;
		char err[VM_ERR_MAX], path[PATH_MAX];
		int rc;

		if (run_profile_path(argv[i], path)) {
			fprintf(stderr, "hyve: %s: name too long\n", argv[i]);
			return RUN_EXIT_START;
		}
		if (profile_load(path, &cfg, &errs)) {
			fputs(errs.lines.s ? errs.lines.s : "invalid profile\n",
			      stderr);
			profile_errors_free(&errs);
			return RUN_EXIT_START;
		}
		profile_errors_free(&errs);
		if (run_console(rv, &cfg, path))
			return RUN_EXIT_START;
		rc = vm_create(&cfg, &rv->vm, err);
		if (rc) {
			fprintf(stderr, "hyve: %s: cannot start: %s\n",
				path, err);
			if (rv->log_fd >= 0)
				close(rv->log_fd);
			return RUN_EXIT_START;
		}
		r->n++;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "shutdown-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct run *r;
	sigset_t sigs;
	int c, rc, sigfd;

	int timeout = RUN_SHUTDOWN_TIMEOUT;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+ht:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			run_usage(stdout);
			return 0;
		case 't':
			errno = 0;
			timeout = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || timeout < 0 ||
			    timeout > 86400) {
				fprintf(stderr, "hyve run: --shutdown-timeout: "
					"\"%s\" is not a number of seconds "
					"(0 to 86400)\n", optarg);
				return RUN_EXIT_USAGE;
			}
			break;
		default:
			run_usage(stderr);
			return RUN_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > RUN_MAX_VMS) {
		run_usage(stderr);
		return RUN_EXIT_USAGE;
	}

	/* Signals go to a signalfd; block them before any VM thread exists. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	r = calloc(1, sizeof(*r));
	if (sigfd < 0 || !r) {
		fprintf(stderr, "hyve: out of resources\n");
		free(r);
		return RUN_EXIT_START;
	}
	r->shutdown_timeout = timeout;
	rc = run_create(r, argc, argv);
	for (unsigned i = 0; !rc && i < r->n; i++) {
		int e = vm_start(r->vms[i].vm);

		if (e) {
			fprintf(stderr, "hyve: %s: cannot start: %s\n",
				vm_name(r->vms[i].vm), strerror(-e));
			rc = RUN_EXIT_START;
		}
	}
	if (!rc) {
		r->stdin_open = true;
		run_raw_enter(r);
		rc = run_loop(r, sigfd);
		run_raw_restore(r);
		rc = rc ? RUN_EXIT_FAILED : run_exit_code(r);
	}
	for (unsigned i = 0; i < r->n; i++) {
		vm_destroy(r->vms[i].vm);
		if (r->vms[i].log_fd >= 0)
			close(r->vms[i].log_fd);
	}
	close(sigfd);
	free(r);
	return rc;
}
