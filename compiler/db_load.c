/* db_load.c - the generic half of bulk loading: argument checks, row checks, the loader's life. */
#include "db_backend.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}

void db_loader_init(db_loader *l, db_conn *c, const char *table, int ncols,
                    const char *const *names, const rt_type *types)
{
    l->conn = c;
    l->table = xstrdup(table);
    l->ncols = ncols;
    l->names = calloc((size_t)ncols, sizeof *l->names);
    l->types = calloc((size_t)ncols, sizeof *l->types);
    if (!l->names || !l->types)
        abort();
    for (int i = 0; i < ncols; i++) {
        l->names[i] = xstrdup(names[i]);
        l->types[i] = types[i];
    }
    l->rows = 0;
    l->failed = false;
    l->err[0] = '\0';
}

void db_loader_release(db_loader *l)
{
    for (int i = 0; i < l->ncols; i++)
        free(l->names[i]);
    free(l->names);
    free(l->types);
    free(l->table);
}

db_loader *db_load_begin(db_conn *c, const char *table, int ncols, const char *const *col_names,
                         const rt_type *col_types, char *err, size_t errlen)
{
    assert(c);
    db_dialect d = c->dialect;
    if (c->loading) {
        db_errf(err, errlen, "%s: a table load is already in progress on this connection",
                c->label);
        return NULL;
    }
    if (db_check_table_name(d, table, err, errlen))
        return NULL;
    if (ncols < 1 || !col_names || !col_types) {
        db_errf(err, errlen, "loading table \"%s\": no columns given", table);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        if (db_check_column_name(d, col_names[i], err, errlen))
            return NULL;
        rt_type t = col_types[i];
        if (t != RT_BOOL && t != RT_INT && t != RT_FLOAT && t != RT_STRING && t != RT_TIMESTAMP) {
            db_errf(err, errlen, "loading table \"%s\": column \"%s\" has invalid type code %d",
                    table, col_names[i], (int)t);
            return NULL;
        }
    }
    db_loader *l = c->ops->load_begin(c, table, ncols, col_names, col_types, err, errlen);
    if (l)
        c->loading = true;
    return l;
}

int db_load_row(db_loader *l, const rt_slot *values)
{
    assert(l && values);
    if (l->failed)
        return -1;
    for (int i = 0; i < l->ncols; i++) {
        const rt_slot *v = &values[i];
        if (v->null || l->types[i] != RT_STRING)
            continue;
        assert(v->v.s || v->len == 0);
        const char *problem = NULL;
        if (v->len && memchr(v->v.s, '\0', v->len))
            problem = "the string contains a NUL byte, which cannot be stored";
        else if (!db_utf8_valid(v->v.s, v->len))
            problem = "the string is not valid UTF-8";
        if (problem) {
            db_errf(l->err, sizeof l->err, "loading table \"%s\", row %lld, column \"%s\": %s",
                    l->table, (long long)l->rows + 1, l->names[i], problem);
            l->failed = true;
            return -1;
        }
    }
    if (l->conn->ops->load_row(l, values)) {
        l->failed = true;
        return -1;
    }
    l->rows++;
    return 0;
}

int db_load_end(db_loader *l, char *err, size_t errlen)
{
    assert(l);
    db_conn *c = l->conn;
    c->loading = false;
    if (l->failed) {
        db_errf(err, errlen, "%s", l->err);
        c->ops->load_finish(l, false, NULL, 0);
        return -1;
    }
    return c->ops->load_finish(l, true, err, errlen);
}

void db_load_abort(db_loader *l)
{
    if (!l)
        return;
    db_conn *c = l->conn;
    c->loading = false;
    c->ops->load_finish(l, false, NULL, 0);
}
