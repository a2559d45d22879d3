/* sema.h - the type checker: resolves names, types every expression, builds the plan. */
#ifndef FEATC_SEMA_H
#define FEATC_SEMA_H

#include "ast.h"
#include "diag.h"
#include "plan.h"

/* Checks the whole file and lowers it to a plan allocated in mem. Every error is recorded
 * in d; the plan is only meaningful when diag_count(d) is 0. Never NULL. */
plan *sema_build_plan(arena *mem, diag_ctx *d, const ast_file *file);

#endif
