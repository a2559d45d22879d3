/* rt_refusal.h - writes an event the arrival rules refused to the reject log, with its reason. */
#ifndef FEATRT_REFUSAL_H
#define FEATRT_REFUSAL_H

#include "rt_engine.h"
#include "rt_reject.h"

#include <stddef.h>
#include <stdint.h>

/* Room for any reason rt_refusal_log writes (a duplicate quotes at most 64 bytes of value). */
#define RT_REFUSAL_REASON 512

/* Records in log (NULL: nowhere) the event record of source ps, found at file:line (as for
 * rt_reject), that the engine refused with res (AHEAD, LATE or DUPLICATE). arrival_us is
 * what the caller passed to the engine for it; wm the source's watermark when the event was
 * decided (the watermark after the refusal: refusals leave it alone). Returns the reject
 * kind; when reason is not NULL, also writes the reason text there (cap bytes, at most
 * RT_REFUSAL_REASON needed). */
rt_reject_kind rt_refusal_log(rt_reject_log *log, const rt_prog_source *ps, const char *file, uint64_t line,
                              const rt_slot *record, rt_apply_result res, int64_t arrival_us, int64_t wm,
                              char *reason, size_t cap);

#endif
