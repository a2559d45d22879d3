/* sema.c - the type checker's driver: global names, entities and sources. */
#include "sema_int.h"

#include <assert.h>
#include <string.h>

const char *sema_hint(sema *s, const symtab *t, const char *name)
{
    const char **names;
    int n = symtab_names(t, &names);
    const char *best = diag_suggest(name, names, n);
    return best ? arena_printf(s->mem, "did you mean '%s'?", best) : NULL;
}

bool sema_check_new_name(sema *s, symtab *t, const ast_name *name, const char *what)
{
    if (symtab_get(t, name->text)) {
        diag_error(s->d, name->span, "duplicate %s '%s'", what, name->text);
        return false;
    }
    const char *clash = symtab_get_folded(t, name->text);
    if (clash) {
        diag_error(s->d, name->span, "%s '%s' differs from '%s' only in case", what, name->text, clash);
        return false;
    }
    return true;
}

static const char *decl_kind_text(sema_sym_kind k)
{
    switch (k) {
    case SYM_ENTITY: return "entity";
    case SYM_SOURCE: return "source";
    case SYM_VIEW: return "feature view";
    case SYM_BLOCK: return "on_demand block";
    case SYM_SERVICE: return "service";
    }
    return "name";
}

/* Registers every top-level name before anything is checked, so declarations may appear
 * in any order, and sizes the plan's arrays. */
static void sema_register(sema *s, const ast_file *f)
{
    int counts[5] = {0};
    for (int i = 0; i < f->decls.len; i++) {
        const ast_decl *d = f->decls.items[i];
        const ast_name *name = NULL;
        sema_sym_kind kind = SYM_ENTITY;
        const void *node = NULL;
        switch (d->kind) {
        case AST_DECL_ENTITY: kind = SYM_ENTITY; name = &d->entity->name; node = d->entity; break;
        case AST_DECL_SOURCE: kind = SYM_SOURCE; name = &d->source->name; node = d->source; break;
        case AST_DECL_VIEW: kind = SYM_VIEW; name = &d->view->name; node = d->view; break;
        case AST_DECL_ON_DEMAND: kind = SYM_BLOCK; name = &d->on_demand->name; node = d->on_demand; break;
        case AST_DECL_SERVICE: kind = SYM_SERVICE; name = &d->service->name; node = d->service; break;
        }
        assert(name && name->text);
        int index = counts[kind]++;
        if (!sema_check_new_name(s, &s->globals, name, decl_kind_text(kind)))
            continue;
        sema_sym *sym = arena_alloc(s->mem, sizeof *sym);
        sym->kind = kind;
        sym->index = index;
        sym->span = name->span;
        sym->ast = node;
        symtab_put(&s->globals, name->text, sym);
    }
    plan *p = s->p;
    p->nentities = counts[SYM_ENTITY];
    p->entities = arena_alloc(s->mem, sizeof(plan_entity) * (size_t)(p->nentities + 1));
    p->nsources = counts[SYM_SOURCE];
    p->sources = arena_alloc(s->mem, sizeof(plan_source) * (size_t)(p->nsources + 1));
    p->nviews = counts[SYM_VIEW];
    p->views = arena_alloc(s->mem, sizeof(plan_view) * (size_t)(p->nviews + 1));
    p->nblocks = counts[SYM_BLOCK];
    p->blocks = arena_alloc(s->mem, sizeof(plan_on_demand) * (size_t)(p->nblocks + 1));
    p->nservices = counts[SYM_SERVICE];
    p->services = arena_alloc(s->mem, sizeof(plan_service) * (size_t)(p->nservices + 1));
    s->view_features = arena_alloc(s->mem, sizeof(symtab) * (size_t)(p->nviews + 1));
    s->block_features = arena_alloc(s->mem, sizeof(symtab) * (size_t)(p->nblocks + 1));
    for (int i = 0; i < p->nviews; i++)
        symtab_init(&s->view_features[i], s->mem);
    for (int i = 0; i < p->nblocks; i++)
        symtab_init(&s->block_features[i], s->mem);
}

/* Checks `name : type [not null]` and fills f; false after an error. keys: float is refused
 * as a key type (equality on floats makes poor keys). */
static bool sema_field(sema *s, const ast_field *a, plan_field *f, bool is_key)
{
    f->name = a->name.text;
    f->not_null = a->not_null;
    f->type = ftype_from_name(a->type_name.text);
    if (f->type == FT_ERROR) {
        static const char *const types[] = {"bool", "int", "float", "string", "timestamp"};
        const char *best = diag_suggest(a->type_name.text, types, 5);
        diag_error_hint(s->d, a->type_name.span, best ? arena_printf(s->mem, "did you mean '%s'?", best) : "types are bool, int, float, string and timestamp",
                        "unknown type '%s'", a->type_name.text);
        return false;
    }
    if (is_key && f->type == FT_FLOAT) {
        diag_error(s->d, a->type_name.span, "key field '%s' cannot be a float (keys are compared for equality)", a->name.text);
        return false;
    }
    return true;
}

static void sema_entity(sema *s, const ast_entity *a, plan_entity *e)
{
    e->name = a->name.text;
    e->keys = arena_alloc(s->mem, sizeof(plan_field) * (size_t)(a->keys.len + 1));
    symtab names;
    symtab_init(&names, s->mem);
    if (a->keys.len == 0)
        diag_error(s->d, a->name.span, "entity '%s' has no key fields", a->name.text);
    for (int i = 0; i < a->keys.len; i++) {
        const ast_field *k = a->keys.items[i];
        if (!sema_check_new_name(s, &names, &k->name, "key field"))
            continue;
        symtab_put(&names, k->name.text, (void *)k);
        sema_field(s, k, &e->keys[e->nkeys++], true);
    }
}

/* Resolves `time X`, `seq X`, `arrival X` or `unique X` to a field index whose type is in
 * the mask `want` (bits 1 << ftype); -1 when absent or wrong. */
static int sema_source_role(sema *s, const ast_source *a, const plan_source *src, symtab *fields,
                            const ptrvec *names, const char *role, unsigned want)
{
    if (names->len == 0)
        return -1;
    for (int i = 1; i < names->len; i++) {
        const ast_name *dup = names->items[i];
        diag_error(s->d, dup->span, "source '%s' declares '%s' more than once", a->name.text, role);
    }
    const ast_name *n = names->items[0];
    void *hit = symtab_get(fields, n->text);
    if (!hit) {
        diag_error_hint(s->d, n->span, sema_hint(s, fields, n->text), "'%s %s': source '%s' has no field '%s'", role,
                        n->text, a->name.text, n->text);
        return -1;
    }
    int index = (int)(intptr_t)hit - 1;
    ftype got = src->fields[index].type;
    if (!(want & (1u << got))) {
        char wanted[64] = "";
        for (ftype t = FT_BOOL; t <= FT_TIMESTAMP; t++)
            if (want & (1u << t))
                snprintf(wanted + strlen(wanted), sizeof wanted - strlen(wanted), "%s%s %s",
                         wanted[0] ? " or " : "", t == FT_INT ? "an" : "a", ftype_name(t));
        diag_error(s->d, n->span, "'%s' field '%s' must be %s, not %s %s", role, n->text, wanted,
                   got == FT_INT ? "an" : "a", ftype_name(got));
        return -1;
    }
    return index;
}

/* The arrival rules of a stream or table: `arrival`, `max_ahead` and `unique` (the first
 * and last on streams only: a table's rows carry no delivery of their own). */
static void sema_arrival_rules(sema *s, const ast_source *a, plan_source *src, symtab *fields)
{
    if (a->kind == AST_TABLE) {
        const ptrvec *only[] = {&a->arrivals, &a->uniques};
        const char *what[] = {"arrival", "unique"};
        for (int k = 0; k < 2; k++)
            if (only[k]->len) {
                const ast_name *n = only[k]->items[0];
                diag_error_hint(s->d, n->span, "declare the source as a 'stream' to give it arrival rules",
                                "'%s' applies to stream sources only; '%s' is a table", what[k], a->name.text);
            }
    } else {
        src->arrival_field = sema_source_role(s, a, src, fields, &a->arrivals, "arrival", 1u << FT_TIMESTAMP);
        if (src->arrival_field >= 0 && !src->fields[src->arrival_field].not_null) {
            const ast_name *n = a->arrivals.items[0];
            diag_error_hint(s->d, n->span, "declare it as 'timestamp not null'",
                            "'arrival' field '%s' must be 'not null' (every event has an arrival time)", n->text);
        }
        src->unique_field =
            sema_source_role(s, a, src, fields, &a->uniques, "unique", (1u << FT_INT) | (1u << FT_STRING));
    }
    for (int i = 0; i < a->max_aheads.len; i++) {
        const ast_expr *m = a->max_aheads.items[i];
        if (i > 0)
            diag_error(s->d, m->span, "source '%s' declares 'max_ahead' more than once", a->name.text);
        else
            src->max_ahead_us = m->kind == AST_NULL ? PLAN_NO_MAX_AHEAD : m->int_value;
    }
}

static void sema_source(sema *s, const ast_source *a, plan_source *src)
{
    src->name = a->name.text;
    src->kind = a->kind == AST_STREAM ? PS_STREAM : a->kind == AST_TABLE ? PS_TABLE : PS_REQUEST;
    src->sql_table = a->name.text;
    src->time_field = -1;
    src->seq_field = -1;
    src->arrival_field = -1;
    src->unique_field = -1;
    src->max_ahead_us = a->kind == AST_REQUEST ? PLAN_NO_MAX_AHEAD : PLAN_DEFAULT_MAX_AHEAD_US;
    src->fields = arena_alloc(s->mem, sizeof(plan_field) * (size_t)(a->fields.len + 1));
    symtab *fields = arena_alloc(s->mem, sizeof *fields);
    symtab_init(fields, s->mem);
    ftype *types = arena_alloc(s->mem, sizeof(ftype) * (size_t)(a->fields.len + 1));
    bool fields_ok = true;
    for (int i = 0; i < a->fields.len; i++) {
        const ast_field *f = a->fields.items[i];
        if (!sema_check_new_name(s, fields, &f->name, "field")) {
            fields_ok = false;
            continue;
        }
        if (!sema_field(s, f, &src->fields[src->nfields], false))
            fields_ok = false;
        types[src->nfields] = src->fields[src->nfields].type;
        src->nfields++;
        symtab_put(fields, f->name.text, (void *)(intptr_t)src->nfields);
    }
    if (src->nfields == 0)
        diag_error(s->d, a->name.span, "source '%s' has no fields", a->name.text);

    if (a->kind == AST_REQUEST) {
        const ptrvec *extra[] = {&a->times,   &a->seqs,       &a->arrivals, &a->uniques,
                                 &a->latenesses, &a->max_aheads, &a->expects,  &a->tables};
        const char *what[] = {"time", "seq", "arrival", "unique", "lateness", "max_ahead", "expect", "table"};
        for (int k = 0; k < 8; k++)
            if (extra[k]->len) {
                const void *node = extra[k]->items[0];
                src_span span = k < 4 ? ((const ast_name *)node)->span : ((const ast_expr *)node)->span;
                diag_error(s->d, span, "a request source has no '%s' (its values arrive with each request)", what[k]);
            }
        return;
    }
    src->time_field = sema_source_role(s, a, src, fields, &a->times, "time", 1u << FT_TIMESTAMP);
    if (a->times.len == 0)
        diag_error_hint(s->d, a->name.span, "add a line 'time FIELD' naming its timestamp field",
                        "%s '%s' has no event-time field", a->kind == AST_STREAM ? "stream" : "table", a->name.text);
    src->seq_field = sema_source_role(s, a, src, fields, &a->seqs, "seq", 1u << FT_INT);
    for (int i = 0; i < a->latenesses.len; i++) {
        const ast_expr *l = a->latenesses.items[i];
        if (i > 0)
            diag_error(s->d, l->span, "source '%s' declares 'lateness' more than once", a->name.text);
        else
            src->lateness_us = l->int_value;
    }
    sema_arrival_rules(s, a, src, fields);
    for (int i = 0; i < a->tables.len; i++) {
        const ast_expr *t = a->tables.items[i];
        if (i > 0) {
            diag_error(s->d, t->span, "source '%s' declares 'table' more than once", a->name.text);
            continue;
        }
        if (t->str_len == 0 || memchr(t->str, '\0', t->str_len)) {
            diag_error(s->d, t->span, "table name must be a non-empty name without NUL bytes");
            continue;
        }
        src->sql_table = t->str;
    }
    if (!fields_ok)
        return;
    sema_scope scope = {.kind = SCOPE_SOURCE_ROW, .columns = fields, .column_types = types};
    src->expects = arena_alloc(s->mem, sizeof(plan_expect) * (size_t)(a->expects.len + 1));
    for (int i = 0; i < a->expects.len; i++) {
        const ast_expr *e = a->expects.items[i];
        plan_expr *cond = sema_condition(s, &scope, e, "expect");
        if (!cond)
            continue;
        plan_expect *x = &src->expects[src->nexpects++];
        x->cond = cond;
        size_t b = e->span.begin, n = e->span.end > b ? e->span.end - b : 0;
        x->text = arena_strndup(s->mem, s->d->src + b, n);
    }
}

void sema_entities_and_sources(sema *s, const ast_file *f)
{
    int ne = 0, ns = 0;
    for (int i = 0; i < f->decls.len; i++) {
        const ast_decl *d = f->decls.items[i];
        if (d->kind == AST_DECL_ENTITY)
            sema_entity(s, d->entity, &s->p->entities[ne++]);
        else if (d->kind == AST_DECL_SOURCE) {
            s->current = d->source->name.text;
            sema_source(s, d->source, &s->p->sources[ns++]);
        }
    }
}

plan *sema_build_plan(arena *mem, diag_ctx *d, const ast_file *file)
{
    sema s = {.mem = mem, .d = d};
    s.p = arena_alloc(mem, sizeof(plan));
    symtab_init(&s.globals, mem);
    sema_register(&s, file);
    sema_entities_and_sources(&s, file);
    sema_views(&s, file);
    sema_blocks(&s, file);
    sema_services(&s, file);
    return s.p;
}
