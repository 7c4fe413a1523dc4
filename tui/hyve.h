/* hyve.h - the front end's subcommands. */
#ifndef HYVE_TUI_HYVE_H
#define HYVE_TUI_HYVE_H

int cmd_run(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
/* No command: the terminal UI. */
int cmd_ui(void);

/* The store folder given with the global -d DIR option; NULL without it. */
extern const char *hyve_profiles_dir;

#endif
