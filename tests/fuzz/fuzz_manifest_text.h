/* fuzz_manifest_text.h - a parsed program written back as manifest text, and programs compared field by field. */
#ifndef FUZZ_MANIFEST_TEXT_H
#define FUZZ_MANIFEST_TEXT_H

#include "rt_manifest.h"

/* Writes p in the manifest format of docs/runtime.md (names quoted with \xHH for control
 * bytes, float defaults in C's hexadecimal notation). Returns malloc'd text, *len bytes. */
char *fuzz_manifest_print(const rt_program *p, size_t *len);

/* NULL when a and b describe the same program, else where they first differ (a static
 * message). */
const char *fuzz_program_diff(const rt_program *a, const rt_program *b);

#endif
