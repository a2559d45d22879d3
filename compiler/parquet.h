/* parquet.h - Parquet files read and written through DuckDB: events, spines, results. */
#ifndef FEATC_PARQUET_H
#define FEATC_PARQUET_H

#include "plan.h"
#include "rt_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether path names Parquet: it ends in ".parquet" (so does a glob such as
 * 'data/\*.parquet'). */
bool parquet_path(const char *path);

/* Installs the Parquet readers into the runtime: the event reader (rt_reader_set_row_opener)
 * and the spine reader (rt_spine_set_opener), so that every command reading events or a
 * spine takes Parquet files. Called once, at start. */
void parquet_install(void);

/* Writes the result CSV at csv_path, as `featc backfill` and `featc replay` write it for
 * service svc of p from the spine at spine_path, to the Parquet file out_path with typed
 * columns: each output as its type (timestamps as TIMESTAMP, microseconds, UTC); the
 * spine's columns as the spine had them (a Parquet spine's own types; a CSV spine's ts as
 * TIMESTAMP, its keys and request fields as their types, every other column as VARCHAR).
 * The file is written beside out_path and renamed into place. Returns 0, or -1 with a
 * message in err. */
int parquet_write_result(const plan *p, const plan_service *svc, const char *spine_path, const char *csv_path,
                         const char *out_path, char *err, size_t errlen);

/* The types of the ncols columns of the result CSV at csv_path (as parquet_write_result
 * writes them: a spine column of a type featc has no name for is a string). Returns 0, or
 * -1 with a message. */
int parquet_result_types(const plan *p, const plan_service *svc, const char *spine_path, const char *csv_path,
                         int ncols, rt_type *types, char *err, size_t errlen);

/* Writes the CSV at csv_path (a header, then fields as featc writes values) to the Parquet
 * file out_path, column j of type types[j] (timestamps as TIMESTAMP). Returns 0 or -1. */
int parquet_write_csv(const char *csv_path, const char *out_path, int ncols, const rt_type *types, char *err,
                      size_t errlen);

/* Writes the rows of the Parquet file (or glob) at path to the Parquet file out_path, in
 * order, leaving out the rows whose 1-based numbers are in drop (ascending). parity uses
 * it to run both paths on the events neither rejects. Returns 0, or -1 with a message. */
int parquet_copy_without(const char *path, const char *out_path, const uint64_t *drop, int ndrop, char *err,
                         size_t errlen);

#endif
