/* fuzz_generic_fns.h - generated functions for any program of a few views and blocks (the manifest target's engine runs). */
#ifndef FUZZ_GENERIC_FNS_H
#define FUZZ_GENERIC_FNS_H

#include "rt_abi.h"
#include "rt_manifest.h"

#include <stdbool.h>

/* The most views and blocks fuzz_generic_fns serves. */
#define FUZZ_GENERIC_MAX 8

/* Fills *out with functions for p when it has at most FUZZ_GENERIC_MAX views and blocks
 * (else returns false): each view's row function keys it by its key columns (no row when a
 * key is null) and feeds each feature the first field of its input type (null when there
 * is none); each block gives a constant of each feature's type; expect rules always pass.
 * p must outlive the table's use; valid until the next call. */
bool fuzz_generic_fns(const rt_program *p, rt_fn_table *out);

/* A non-null value of type t ("k" for strings, zero otherwise). */
rt_slot fuzz_generic_value(rt_type t);

#endif
