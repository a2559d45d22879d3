/* fuzz_response.h - checks of the server's answers: status, JSON bodies per endpoint, Prometheus text. */
#ifndef FUZZ_RESPONSE_H
#define FUZZ_RESPONSE_H

#include "rt_manifest.h"
#include "rt_serve.h"

#include <stdbool.h>
#include <stdint.h>

/* What an answer to POST /v1/events/... said (when it was a 200). */
typedef struct fuzz_ingest {
    uint64_t accepted, rejected, late;
} fuzz_ingest;

/* Checks an answer of rt_server_handle(s over program p) to method, path and a body of
 * body_lines lines: a status in 200..599 with a content type; a body of len bytes without
 * NUL; an Allow header exactly on a 405; for a 200 of GET or HEAD /metrics Prometheus text
 * (fuzz_check_prometheus), else a JSON object: {"error": one line} for a status of 400 or
 * more, {"status":"ok"} for /healthz, for events counts that add up and rejects listed in
 * line order with one-line reasons, for features every output column of the service in
 * order with a value of its type. With one_line_errors, error messages must be one line
 * of UTF-8 (not asked of programs whose names hold line breaks or other bytes). Fills
 * *ingest for a 200 of /v1/events/ (else zeroes). */
void fuzz_check_response(const rt_program *p, const char *method, const char *path, uint64_t body_lines,
                         bool one_line_errors, const rt_http_response *r, fuzz_ingest *ingest);

/* Checks Prometheus text (format 0.0.4): every line ends with a line break and is a
 * `# HELP`/`# TYPE` comment or NAME[{LABEL="VALUE",...}] VALUE with escaped label values
 * and a number (or +Inf, -Inf, NaN) as the value. */
void fuzz_check_prometheus(const char *text, size_t len);

/* The value of the sample whose line starts with prefix ("NAME{LABELS} "), or -1 when
 * there is none. */
double fuzz_prometheus_value(const char *text, const char *prefix);

#endif
