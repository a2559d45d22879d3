/* rt_info.h - what a built runtime is: version, definition fingerprint, services and sources, as JSON. */
#ifndef FEATRT_INFO_H
#define FEATRT_INFO_H

#include "rt_http.h"
#include "rt_manifest.h"

/* Writes {"featc_version", "fingerprint", "services": [{"name", "request", "keys": [{"name",
 * "type"}], "outputs": [{"name", "type"}]}], "sources": [{"name", "kind", "time", "seq",
 * "lateness_us", "arrival", "max_ahead_us", "unique", "fields": [{"name", "type",
 * "not_null"}]}]} to b (null for what a source does not declare; max_ahead_us null when
 * there is no limit). `BINARY info` prints it; `GET /v1/services` answers it. */
void rt_info_json(const rt_program *p, rt_jbuf *b);

#endif
