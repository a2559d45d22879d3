/* fuzz_program_check.h - what a parsed program must satisfy for the runtime: every index in range, every type agreeing. */
#ifndef FUZZ_PROGRAM_CHECK_H
#define FUZZ_PROGRAM_CHECK_H

#include "rt_manifest.h"

/* Checks, without trusting the parser, the promises of rt_manifest.h and docs/runtime.md:
 * counts not negative and arrays present; names non-empty and, for sources and services,
 * unique; types and kinds in range; time, seq, arrival and unique fields in range and of
 * the right type (none for request sources); view sources, key columns and key types;
 * aggregation input and output types, window shapes, ttl only on lifetime first/last,
 * defaults of the output type; blocks reading existing views and earlier blocks; services'
 * keys, view key maps, blocks (each once, its views listed, its blocks run before it, its
 * request source the service's) and outputs (owner and feature in range, listed, typed
 * as the feature). */
void fuzz_check_program(const rt_program *p);

#endif
