/* fuzz_program.h - a hand-written program (manifest and generated functions) for the spine and HTTP targets. */
#ifndef FUZZ_PROGRAM_H
#define FUZZ_PROGRAM_H

#include "rt_abi.h"
#include "rt_manifest.h"

/* Stream "ev" (user string not null, n int, amount float, ok bool, ts timestamp not null:
 * the time, seq int: the seq field, arrived timestamp not null: the arrival field, id
 * string: the unique field, `w\u00e9"ird` string; lateness 10s, max_ahead 1h, expect
 * amount >= 0), table "tab" (user, tier, t) and request "req" (user string not null, x
 * float, flag bool, when timestamp, k int, at string). View v by user: one feature of every
 * aggregation, window kind and ttl; view w by (user, n) where ok; view t on tab by user;
 * block od (of req, reads v) with one feature of every type; block od2 reads w and od.
 * Service "s" (req; keys user = req.user and n) outputs all of them; service "plain" only
 * v__cnt. */
extern const char fuzz_program_manifest[];

/* The generated-function table that goes with it. */
extern const rt_fn_table fuzz_program_fns;

/* The parsed program, made once (aborts when the manifest does not parse). */
const rt_program *fuzz_program(void);

#endif
