/* hyve.h - the front end's subcommands. */
#ifndef HYVE_TUI_HYVE_H
#define HYVE_TUI_HYVE_H

int cmd_run(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
