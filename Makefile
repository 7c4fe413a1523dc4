# Makefile - builds hyve, its core library, tiny test guests and the test suite.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
BUILD ?= build

CC ?= cc
PKG_CONFIG ?= pkg-config

# pkg-config name -> Debian package that provides it
PKG_ncursesw := libncurses-dev
PKG_vterm := libvterm-dev
PKG_inih := libinih-dev
PKG_uuid := uuid-dev
PKGS := ncursesw vterm inih uuid

ifeq ($(filter clean distclean help,$(MAKECMDGOALS)),)
ifeq ($(shell command -v $(PKG_CONFIG) 2>/dev/null),)
$(error pkg-config not found: install it with 'apt-get install pkg-config')
endif
MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING); install them with 'apt-get install $(foreach p,$(MISSING),$(PKG_$(p)))')
endif
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIB_PKGS_LIBS := $(shell $(PKG_CONFIG) --libs inih uuid 2>/dev/null)
TUI_PKGS_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw vterm 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS ?= -O2 -g
SANITIZE ?=
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANITIZE) -I. $(PKG_CFLAGS) \
	-D_GNU_SOURCE -MMD -MP
LDLIBS := $(LIB_PKGS_LIBS) -lpthread

LIB_SRCS := $(wildcard vmm/*.c devices/*.c profiles/*.c)
TUI_SRCS := $(wildcard tui/*.c)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
TUI_UNIT_SRCS := $(wildcard tests/unit/tui-test-*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TUI_OBJS := $(TUI_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%) \
	$(TUI_UNIT_SRCS:tests/unit/tui-test-%.c=$(BUILD)/tests/test-tui-%)
LIBHYVE := $(BUILD)/libhyve.a
HYVE := $(BUILD)/hyve

.PHONY: all check asan install uninstall clean guests unit sandbox help
all: $(HYVE) hyve guests

# The top-level ./hyve is a link to the build, so './hyve' works after 'make'.
hyve: $(HYVE)
	@ln -sf $(HYVE) hyve

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBHYVE): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(HYVE): $(TUI_OBJS) $(LIBHYVE)
	$(CC) $(ALL_CFLAGS) -o $@ $(TUI_OBJS) $(LIBHYVE) $(TUI_PKGS_LIBS) $(LDLIBS)

# Unit tests link the core library only: no curses, no libvterm, so a
# layering slip (vmm/ or devices/ calling into tui/) fails here.
$(BUILD)/tests/%: tests/unit/%.c $(LIBHYVE) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBHYVE) $(LDLIBS)

# The TUI's own unit tests (tui-test-*.c) also link tui/ through an archive
# of everything but main.o (so only the modules a test uses are pulled in),
# curses and libvterm.
TUI_LIB := $(BUILD)/libhyve-tui.a
$(TUI_LIB): $(filter-out $(BUILD)/tui/main.o,$(TUI_OBJS))
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/test-tui-%: tests/unit/tui-test-%.c $(TUI_LIB) $(LIBHYVE) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TUI_LIB) $(LIBHYVE) $(TUI_PKGS_LIBS) $(LDLIBS)

unit: $(UNIT_BINS)

include tests/guests/guests.mk
include tests/fuzz/fuzz.mk

check: $(HYVE) $(UNIT_BINS) guests
	@BUILD=$(BUILD) bash tests/run

asan:
	$(MAKE) BUILD=build-asan SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" CFLAGS="-O1 -g" check

# The nested-KVM sandbox alone (part of check): real Debian guests under hyve.
sandbox: $(HYVE)
	tests/sandbox/run all $(HYVE)

install: $(HYVE) $(GUEST_OUT)/demo.bzImage
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(HYVE) $(DESTDIR)$(BINDIR)/hyve
	install -m 755 share/hyve-debian-guest $(DESTDIR)$(BINDIR)/hyve-debian-guest
	install -d $(DESTDIR)$(PREFIX)/share/hyve
	install -m 644 $(GUEST_OUT)/demo.bzImage $(DESTDIR)$(PREFIX)/share/hyve/
	install -m 644 share/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	if ls share/man/*.5 >/dev/null 2>&1; then install -m 644 share/man/*.5 $(DESTDIR)$(MANDIR)/man5/; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/share/hyve/demo.bzImage
	rm -f $(DESTDIR)$(BINDIR)/hyve $(DESTDIR)$(BINDIR)/hyve-debian-guest $(DESTDIR)$(MANDIR)/man1/hyve.1 $(DESTDIR)$(MANDIR)/man5/hyve-profile.5

clean:
	rm -rf build build-asan hyve

help:
	@echo "make          build ./hyve"
	@echo "make check    build and run the whole test suite"
	@echo "make asan     the same with AddressSanitizer and UBSan"
	@echo "make install  install to \$$DESTDIR\$$PREFIX (default /usr/local)"

-include $(LIB_OBJS:.o=.d) $(TUI_OBJS:.o=.d)
