/* manifest.h - writes the runtime manifest: the text form of a plan that libfeatrt parses. */
#ifndef FEATC_MANIFEST_H
#define FEATC_MANIFEST_H

#include "plan.h"

#include <stdio.h>

/* Writes the manifest of every source, view, on_demand block and service of p to out, in
 * the line format described in docs/runtime.md (parsed by rt_program_parse). Returns false
 * when writing failed. */
bool manifest_write(const plan *p, FILE *out);

/* The same text in a malloc'd buffer (NUL-terminated, *len bytes without the NUL); the
 * caller frees it. Returns NULL when memory runs out. */
char *manifest_build(const plan *p, size_t *len);

#endif
