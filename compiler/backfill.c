/* backfill.c - the backfill pipeline: open the database, load events, load the spine, query, write. */
#include "backfill.h"

#include "driver.h"
#include "sql/sqlgen.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The spine table backfill creates (and drops again); an unlikely name for a user table. */
#define BACKFILL_SPINE_TABLE "featc_backfill_spine"

static int find_source(const plan *p, const char *name)
{
    for (int i = 0; i < p->nsources; i++)
        if (strcmp(p->sources[i].name, name) == 0)
            return i;
    return -1;
}

/* Checks that the table of every source the service reads exists with its fields. */
static int check_tables(db_conn *c, const plan *p, const plan_service *svc, const bool *loaded)
{
    for (int i = 0; i < svc->nviews; i++) {
        int s = p->views[svc->views[i].view].source;
        if (loaded[s])
            continue;
        const plan_source *src = &p->sources[s];
        const char **names = calloc((size_t)src->nfields + 1, sizeof *names);
        rt_type *types = calloc((size_t)src->nfields + 1, sizeof *types);
        if (!names || !types) {
            fputs("featc: out of memory\n", stderr);
            abort();
        }
        for (int k = 0; k < src->nfields; k++) {
            names[k] = src->fields[k].name;
            types[k] = (rt_type)src->fields[k].type;
        }
        char err[512];
        int r = db_check_table(c, src->sql_table, src->nfields, names, types, err, sizeof err);
        free(names);
        free(types);
        if (r != 0) {
            fprintf(stderr, "featc backfill: source '%s' (no --events given): %s\n", src->name, err);
            return -1;
        }
    }
    return 0;
}

/* Prints what became of a source's events, per reason; valid (when given) is the number
 * of valid events loaded from its file, of which the rest were accepted. */
static void print_counts(rt_reject_log *log, const plan_source *src, const uint64_t *valid, bool keep_late)
{
    uint64_t n[RT_REJECT_NKINDS], refused = 0;
    for (int k = 0; k < RT_REJECT_NKINDS; k++) {
        n[k] = rt_reject_kind_count(log, src->name, (rt_reject_kind)k);
        if (k != RT_REJECT_INVALID)
            refused += n[k];
    }
    fprintf(stderr, "featc backfill: source '%s': ", src->name);
    if (valid) {
        assert(*valid >= refused);
        fprintf(stderr, "events: %" PRIu64 " accepted, %" PRIu64 " invalid, ", *valid - refused, n[RT_REJECT_INVALID]);
    } else {
        fprintf(stderr, "table '%s' (not loaded, invalid rows left out): ", src->sql_table);
    }
    fprintf(stderr, "%" PRIu64 " ahead, %" PRIu64 " late, %" PRIu64 " duplicate%s\n", n[RT_REJECT_AHEAD],
            n[RT_REJECT_LATE], n[RT_REJECT_DUPLICATE], keep_late ? " (--keep-late: late and ahead events kept)" : "");
}

/* Writes the events the arrival rules refuse in each source the service reads from a
 * table already in the database (not loaded): found at TABLE:N, N the row's place in the
 * contract's arrival order. */
static int refuse_in_tables(db_conn *c, const plan *p, const plan_service *svc, const sqlgen_options *so,
                            const bool *loaded, rt_reject_log *log)
{
    for (int i = 0; i < svc->nviews; i++) {
        int s = p->views[svc->views[i].view].source;
        bool seen = loaded[s];
        for (int j = 0; j < i; j++)
            seen |= p->views[svc->views[j].view].source == s;
        if (seen || !sqlgen_arrival_applies(p, s, so))
            continue;
        const plan_source *src = &p->sources[s];
        backfill_refusals l;
        if (backfill_arrival_list(c, p, s, so, &l) != 0)
            return -1;
        for (size_t k = 0; k < l.n; k++)
            backfill_refusal_log(log, src, src->sql_table, &l.items[k]);
        backfill_refusals_free(&l);
        print_counts(log, src, NULL, so->keep_late);
    }
    return 0;
}

/* Loads source s from path and writes its refused events to the log, in line order: the
 * invalid ones and those the arrival rules refuse under so. Sets ordered[s] (which
 * so->time_ordered points to) from what the load saw. Returns 0 or -1 (message printed). */
static int load_source(db_conn *c, const plan *p, int s, const char *path, const sqlgen_options *so, bool *ordered,
                       rt_reject_log *log)
{
    assert(so->time_ordered == ordered && so->order_columns && so->order_columns[s]);
    const plan_source *src = &p->sources[s];
    backfill_loaded ld;
    if (backfill_load_events(c, p, s, path, &ld) != 0)
        return -1;
    ordered[s] = ld.in_time_order;
    backfill_refusals refused;
    if (backfill_arrival_list(c, p, s, so, &refused) != 0) {
        backfill_loaded_free(&ld);
        return -1;
    }
    /* both lists are in line order: merge them so the log reads like the file */
    const backfill_invalid *inv = &ld.invalid;
    for (size_t i = 0, j = 0; i < inv->n || j < refused.n;) {
        if (j == refused.n || (i < inv->n && inv->items[i].line < refused.items[j].line)) {
            rt_reject(log, src->name, path, inv->items[i].line, inv->items[i].reason);
            i++;
        } else {
            backfill_refusal_log(log, src, path, &refused.items[j++]);
        }
    }
    print_counts(log, src, &ld.valid, so->keep_late);
    backfill_refusals_free(&refused);
    backfill_loaded_free(&ld);
    return 0;
}

int backfill_run(const plan *p, const plan_service *svc, const backfill_options *o)
{
    char err[512];
    int rc = EXIT_INVALID;
    bool *loaded = calloc((size_t)p->nsources + 1, sizeof *loaded);
    const char **order = calloc((size_t)p->nsources + 1, sizeof *order);
    bool *ordered = calloc((size_t)p->nsources + 1, sizeof *ordered);
    if (!loaded || !order || !ordered) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    backfill_spine sp = {0};
    rt_reject_log *log = NULL;
    char *query = NULL;
    bool spine_made = false;
    db_conn *c = NULL;
    for (int i = 0; i < o->nevents; i++) {
        int s = find_source(p, o->events[i].source);
        if (s < 0 || p->sources[s].kind == PS_REQUEST) {
            fprintf(stderr, "featc backfill: --events %s=%s: no stream or table source '%s'\n", o->events[i].source,
                    o->events[i].path, o->events[i].source);
            goto out;
        }
        if (loaded[s]) {
            fprintf(stderr, "featc backfill: --events %s given twice\n", o->events[i].source);
            goto out;
        }
        loaded[s] = true;
    }
    /* a loaded source arrives in file order, kept in the line column */
    for (int s = 0; s < p->nsources; s++)
        order[s] = loaded[s] ? BACKFILL_LINE_COLUMN : NULL;
    memset(loaded, 0, sizeof *loaded * (size_t)p->nsources);
    sqlgen_options so = {.shape = o->simple_shape ? SQLGEN_SIMPLE : SQLGEN_AUTO, .spine_columns = false,
                         .spine_table = BACKFILL_SPINE_TABLE, .order_columns = order, .time_ordered = ordered,
                         .keep_late = o->keep_late};
    if (!(c = db_open(o->db_url, err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    so.dialect = db_conn_dialect(c);
    /* generate first: a query that cannot be written is reported before any loading */
    if (!(query = sqlgen_query(p, svc, &so, err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    if (!(log = rt_reject_log_open(o->rejects ? o->rejects : "-", err, sizeof err))) {
        fprintf(stderr, "featc backfill: %s\n", err);
        goto out;
    }
    for (int i = 0; i < o->nevents; i++) {
        int s = find_source(p, o->events[i].source);
        if (load_source(c, p, s, o->events[i].path, &so, ordered, log) != 0)
            goto out;
        loaded[s] = true;
    }
    if (o->nevents > 0) {
        /* again, now that the loads told which files came in time order */
        free(query);
        if (!(query = sqlgen_query(p, svc, &so, err, sizeof err))) {
            fprintf(stderr, "featc backfill: %s\n", err);
            goto out;
        }
    }
    if (check_tables(c, p, svc, loaded) != 0 || backfill_table_views(c, p, svc, loaded, &so, &query) != 0)
        goto out;
    if (refuse_in_tables(c, p, svc, &so, loaded, log) != 0)
        goto out;
    spine_made = true;
    if (backfill_spine_in(c, p, svc, o->spine, BACKFILL_SPINE_TABLE, &sp) != 0)
        goto out;
    if (backfill_output(c, p, svc, query, &sp, o->spine, BACKFILL_SPINE_TABLE, o->out) != 0)
        goto out;
    fprintf(stderr, "featc backfill: %" PRIu64 " spine rows written to %s", sp.nrows, o->out);
    if (sp.bad)
        fprintf(stderr, ", %" PRIu64 " bad spine rows skipped", sp.bad);
    fputc('\n', stderr);
    rc = EXIT_VALID;
out:
    if (c && spine_made) {
        strbuf drop = STRBUF_INIT;
        strbuf_append(&drop, "DROP TABLE IF EXISTS ");
        db_quote_table(db_conn_dialect(c), BACKFILL_SPINE_TABLE, &drop);
        db_exec(c, strbuf_cstr(&drop), err, sizeof err);
        strbuf_free(&drop);
    }
    if (log && !rt_reject_log_close(log)) {
        fprintf(stderr, "featc backfill: writing the reject log failed\n");
        rc = EXIT_INVALID;
    }
    backfill_spine_free(&sp);
    free(query);
    db_close(c);
    free(loaded);
    free(order);
    free(ordered);
    return rc;
}
