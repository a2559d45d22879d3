/* sqlgen_rel.c - the SQL generator's text helpers: templates, hoisting and layered CTE relations. */
#include "sqlgen_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Fragments nested deeper than this become columns (engines limit expression depth). */
enum { SG_MAX_DEPTH = 24 };

void sg_gen_init(sg_gen *g, const plan *p, db_dialect d)
{
    memset(g, 0, sizeof *g);
    arena_init(&g->mem);
    g->p = p;
    g->d = d == DB_SQLITE ? &sg_dialect_sqlite : d == DB_POSTGRES ? &sg_dialect_postgres : &sg_dialect_duckdb;
}

void sg_gen_free(sg_gen *g)
{
    strbuf_free(&g->ctes);
    arena_free(&g->mem);
}

void sg_fail(sg_gen *g, const char *fmt, ...)
{
    if (g->failed)
        return;
    g->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->err, sizeof g->err, fmt, ap);
    va_end(ap);
}

void sg_add_cte(sg_gen *g, const char *name, const char *body)
{
    if (g->nctes++)
        strbuf_append(&g->ctes, ",\n");
    db_quote_ident(g->d->id, name, &g->ctes);
    /* PostgreSQL inlines a CTE read once into its reader; with one layer per derived column
     * the planner then copies each layer's expression into every use, exponentially.
     * MATERIALIZED keeps each layer a separate step. */
    strbuf_append(&g->ctes, g->d->id == DB_POSTGRES ? " AS MATERIALIZED (" : " AS (");
    strbuf_append(&g->ctes, body);
    strbuf_append(&g->ctes, ")");
}

const char *sg_ident(sg_gen *g, const char *name)
{
    strbuf b = STRBUF_INIT;
    db_quote_ident(g->d->id, name, &b);
    const char *s = arena_strndup(&g->mem, strbuf_cstr(&b), b.len);
    strbuf_free(&b);
    return s;
}

const char *sg_table(sg_gen *g, const char *name)
{
    strbuf b = STRBUF_INIT;
    db_quote_table(g->d->id, name, &b);
    const char *s = arena_strndup(&g->mem, strbuf_cstr(&b), b.len);
    strbuf_free(&b);
    return s;
}

const char *sg_printf(sg_gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf b = STRBUF_INIT;
    strbuf_vappendf(&b, fmt, ap);
    va_end(ap);
    const char *s = arena_strndup(&g->mem, strbuf_cstr(&b), b.len);
    strbuf_free(&b);
    return s;
}

sg_frag sg_atom(const char *sql, int level) { return (sg_frag){.sql = sql, .level = level, .depth = 0, .atomic = true}; }

sg_frag sg_tpl(sg_scope *sc, const char *tpl, int n, const sg_frag *args)
{
    assert(n >= 0 && n <= 9);
    int uses[10] = {0};
    for (const char *p = tpl; *p; p++)
        if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
            int k = p[1] - '1';
            assert(k < n);
            uses[k]++;
        }
    sg_frag a[9];
    int level = 0, depth = 0;
    for (int k = 0; k < n; k++) {
        a[k] = args[k];
        if (uses[k] > 1 && !a[k].atomic && sc->rel)
            a[k] = sg_hoist(sc, a[k]);
        if (a[k].level > level)
            level = a[k].level;
        if (a[k].depth > depth)
            depth = a[k].depth;
    }
    strbuf b = STRBUF_INIT;
    for (const char *p = tpl; *p; p++) {
        if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
            strbuf_append(&b, a[p[1] - '1'].sql);
            p++;
        } else {
            strbuf_append_char(&b, *p);
        }
    }
    sg_frag r = {.sql = arena_strndup(&sc->g->mem, strbuf_cstr(&b), b.len), .level = level, .depth = depth + 1};
    strbuf_free(&b);
    if (r.depth > SG_MAX_DEPTH && sc->rel)
        r = sg_hoist(sc, r);
    return r;
}

void sg_rel_init(sg_rel *r, sg_gen *g, const char *stem, const char *prefix)
{
    memset(r, 0, sizeof *r);
    r->g = g;
    r->stem = stem;
    r->prefix = prefix;
}

void sg_rel_init_on(sg_rel *r, sg_gen *g, const char *stem, const char *prefix, const char *base)
{
    sg_rel_init(r, g, stem, prefix);
    r->base = base;
}

const char *sg_rel_layer_name(const sg_rel *r, int k)
{
    if (k == 0 && r->base)
        return r->base;
    return sg_printf(r->g, "%s_%d", r->stem, k);
}

sg_frag sg_rel_column(sg_rel *r, sg_frag f, const char *name)
{
    int layer = f.level + 1;
    while (r->layers.len < layer) {
        strbuf *b = arena_alloc(&r->g->mem, sizeof *b);
        ptrvec_push(&r->g->mem, &r->layers, b);
    }
    strbuf *b = r->layers.items[layer - 1];
    strbuf_append(b, ", ");
    strbuf_append(b, f.sql);
    strbuf_append(b, " AS ");
    const char *id = sg_ident(r->g, name);
    strbuf_append(b, id);
    return sg_atom(id, layer);
}

sg_frag sg_hoist(sg_scope *sc, sg_frag f)
{
    if (f.atomic || !sc->rel)
        return f;
    sg_rel *r = sc->rel;
    return sg_rel_column(r, f, sg_printf(r->g, "%s%d", r->prefix, ++r->ncols));
}

const char *sg_rel_finish(sg_rel *r)
{
    for (int k = 1; k <= r->layers.len; k++) {
        strbuf *b = r->layers.items[k - 1];
        const char *body = sg_printf(r->g, "SELECT *%s FROM %s", strbuf_cstr(b), sg_ident(r->g, sg_rel_layer_name(r, k - 1)));
        sg_add_cte(r->g, sg_rel_layer_name(r, k), body);
        strbuf_free(b);
    }
    return sg_rel_layer_name(r, r->layers.len);
}
