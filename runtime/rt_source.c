/* rt_source.c - the source table's common part: picking a kind by URL, batches. */
#include "rt_source.h"

#include <stdlib.h>
#include <string.h>

bool rt_source_batch_init(rt_source_batch *b, int nfields, int cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->nfields = nfields;
    b->records = calloc((size_t)cap * (size_t)(nfields + 1), sizeof *b->records);
    b->arrival_us = calloc((size_t)cap, sizeof *b->arrival_us);
    b->part = calloc((size_t)cap, sizeof *b->part);
    b->where = calloc((size_t)cap, sizeof *b->where);
    if (b->records && b->arrival_us && b->part && b->where)
        return true;
    rt_source_batch_free(b);
    return false;
}

void rt_source_batch_free(rt_source_batch *b)
{
    free(b->records);
    free(b->arrival_us);
    free(b->part);
    free(b->where);
    memset(b, 0, sizeof *b);
}

const rt_source_ops *rt_source_ops_for(const char *url)
{
    if (strncmp(url, "kafka://", 8) == 0)
        return &rt_source_kafka_ops;
    if (strncmp(url, "redis://", 8) == 0)
        return &rt_source_redis_ops;
    return &rt_source_file_ops;
}

bool rt_source_is_stream(const char *url)
{
    return rt_source_ops_for(url) != &rt_source_file_ops;
}

rt_source *rt_source_open(const rt_source_args *args, char *err, size_t errlen)
{
    return rt_source_ops_for(args->url)->open(args, err, errlen);
}
