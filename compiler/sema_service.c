/* sema_service.c - checks on_demand blocks (inputs, cycles) and services (keys, outputs). */
#include "sema_int.h"

#include <assert.h>
#include <string.h>

typedef struct block_info {
    const ast_on_demand *ast;
    sema_sym *sym;
    int state;         /* DFS: 0 new, 1 on the stack, 2 done */
    bool in_cycle;
    int effective_request; /* own or inherited request source, -1 none, -2 conflict */
} block_info;

typedef struct block_order {
    sema *s;
    block_info *info;
    int n;
    int *order;
    int norder;
} block_order;

static block_info *info_of_sym(block_order *bo, const sema_sym *sym)
{
    for (int i = 0; i < bo->n; i++)
        if (bo->info[i].sym == sym)
            return &bo->info[i];
    return NULL;
}

/* Depth-first visit appending blocks after the blocks they read; reports each cycle once. */
static void visit_block(block_order *bo, int i)
{
    block_info *b = &bo->info[i];
    if (b->state == 2)
        return;
    b->state = 1;
    for (int k = 0; k < b->ast->inputs.len; k++) {
        const ast_name *in = b->ast->inputs.items[k];
        const sema_sym *sym = symtab_get(&bo->s->globals, in->text);
        if (!sym || sym->kind != SYM_BLOCK)
            continue;
        block_info *dep = info_of_sym(bo, sym);
        if (!dep)
            continue;
        if (dep->state == 1) {
            if (!b->in_cycle)
                diag_error(bo->s->d, in->span, "on_demand block '%s' reads '%s', which depends on '%s': a cycle",
                           b->ast->name.text, in->text, b->ast->name.text);
            b->in_cycle = true;
            dep->in_cycle = true;
            continue;
        }
        visit_block(bo, (int)(dep - bo->info));
    }
    b->state = 2;
    bo->order[bo->norder++] = i;
}

static void sema_block(sema *s, block_order *bo, block_info *b, int pi)
{
    plan *p = s->p;
    const ast_on_demand *a = b->ast;
    plan_on_demand *od = &p->blocks[pi];
    od->name = a->name.text;
    od->request_source = -1;
    od->views = arena_alloc(s->mem, sizeof(int) * (size_t)(a->inputs.len + 1));
    od->blocks = arena_alloc(s->mem, sizeof(int) * (size_t)(a->inputs.len + 1));
    od->features = arena_alloc(s->mem, sizeof(plan_od_feature) * (size_t)(a->features.len + 1));
    symtab *inputs = arena_alloc(s->mem, sizeof *inputs);
    symtab_init(inputs, s->mem);
    b->effective_request = -1;
    bool ok = true;
    for (int k = 0; k < a->inputs.len; k++) {
        const ast_name *in = a->inputs.items[k];
        sema_sym *sym = symtab_get(&s->globals, in->text);
        if (!sym) {
            diag_error_hint(s->d, in->span, sema_hint(s, &s->globals, in->text), "unknown input '%s'", in->text);
            ok = false;
            continue;
        }
        if (!sema_check_new_name(s, inputs, in, "input"))
            continue;
        if (sym->kind == SYM_SOURCE && p->sources[sym->index].kind == PS_REQUEST) {
            if (od->request_source >= 0) {
                diag_error(s->d, in->span, "on_demand block '%s' takes two request sources", a->name.text);
                ok = false;
                continue;
            }
            od->request_source = sym->index;
        } else if (sym->kind == SYM_VIEW) {
            od->views[od->nviews++] = sym->index;
        } else if (sym->kind == SYM_BLOCK) {
            block_info *dep = info_of_sym(bo, sym);
            if (dep == b || (dep && dep->in_cycle && b->in_cycle)) {
                ok = false;
                continue;
            }
            od->blocks[od->nblocks++] = sym->index;
        } else {
            diag_error_hint(s->d, in->span, "inputs are request sources, feature views and on_demand blocks",
                            "'%s' cannot be an input of an on_demand block", in->text);
            ok = false;
            continue;
        }
        symtab_put(inputs, in->text, sym);
    }
    /* The request source this block needs, its own or one read through another block. */
    b->effective_request = od->request_source;
    for (int k = 0; k < od->nblocks; k++) {
        block_info *dep = NULL;
        for (int i = 0; i < bo->n; i++)
            if (bo->info[i].sym->index == od->blocks[k])
                dep = &bo->info[i];
        if (!dep || dep->effective_request == -1)
            continue;
        if (dep->effective_request == -2 || (b->effective_request >= 0 && b->effective_request != dep->effective_request)) {
            if (dep->effective_request != -2)
                diag_error(s->d, a->name.span, "on_demand block '%s' mixes request sources '%s' and '%s'", a->name.text,
                           b->effective_request >= 0 ? p->sources[b->effective_request].name : "?",
                           p->sources[dep->effective_request].name);
            b->effective_request = -2;
        } else {
            b->effective_request = dep->effective_request;
        }
    }
    if (!ok)
        return;
    sema_scope scope = {.kind = SCOPE_ON_DEMAND, .block = pi, .inputs = inputs};
    symtab *features = &s->block_features[pi];
    for (int k = 0; k < a->features.len; k++) {
        const ast_let *fa = a->features.items[k];
        if (!sema_check_new_name(s, features, &fa->name, "feature"))
            continue;
        plan_expr *x = sema_expr(s, &scope, fa->value);
        if (x && x->type == FT_NULL) {
            diag_error(s->d, fa->value->span, "feature '%s' = null has no type", fa->name.text);
            x = NULL;
        }
        plan_od_feature *f = &od->features[od->nfeatures++];
        f->name = fa->name.text;
        f->type = x ? x->type : FT_INT;
        f->value = x;
        symtab_put(features, fa->name.text, (void *)(intptr_t)od->nfeatures);
    }
}

void sema_blocks(sema *s, const ast_file *f)
{
    block_order bo = {.s = s};
    bo.info = arena_alloc(s->mem, sizeof(block_info) * (size_t)(s->p->nblocks + 1));
    bo.order = arena_alloc(s->mem, sizeof(int) * (size_t)(s->p->nblocks + 1));
    for (int i = 0; i < f->decls.len; i++) {
        const ast_decl *d = f->decls.items[i];
        if (d->kind != AST_DECL_ON_DEMAND)
            continue;
        sema_sym *sym = symtab_get(&s->globals, d->on_demand->name.text);
        if (!sym || sym->ast != d->on_demand)
            continue; /* a duplicate name, already reported */
        bo.info[bo.n].ast = d->on_demand;
        bo.info[bo.n].sym = sym;
        bo.n++;
    }
    for (int i = 0; i < bo.n; i++)
        visit_block(&bo, i);
    /* Plan indices follow dependency order, so a block only reads earlier ones. */
    for (int k = 0; k < bo.norder; k++)
        bo.info[bo.order[k]].sym->index = k;
    s->p->nblocks = bo.norder;
    for (int k = 0; k < bo.norder; k++) {
        block_info *b = &bo.info[bo.order[k]];
        s->current = b->ast->name.text;
        sema_block(s, &bo, b, k);
    }
}

/* Marks the view features an expression reads, and the blocks it reads. */
static void mark_reads(const plan_expr *x, bool **view_used, bool *block_used)
{
    if (!x)
        return;
    if (x->kind == PX_FEATURE && view_used[x->view])
        view_used[x->view][x->index] = true;
    if (x->kind == PX_OD_FEATURE)
        block_used[x->block] = true;
    for (int i = 0; i < x->nargs; i++)
        mark_reads(x->args[i], view_used, block_used);
}

static void sema_service(sema *s, const ast_service *a, plan_service *sv)
{
    plan *p = s->p;
    sv->name = a->name.text;
    sv->request_source = -1;
    if (a->request.text) {
        const sema_sym *r = symtab_get(&s->globals, a->request.text);
        if (!r || r->kind != SYM_SOURCE || p->sources[r->index].kind != PS_REQUEST)
            diag_error_hint(s->d, a->request.span, r ? NULL : sema_hint(s, &s->globals, a->request.text),
                            r ? "'%s' is not a request source" : "unknown request source '%s'", a->request.text);
        else
            sv->request_source = r->index;
    }
    bool **view_used = arena_alloc(s->mem, sizeof(bool *) * (size_t)(p->nviews + 1));
    bool *view_reached = arena_alloc(s->mem, (size_t)(p->nviews + 1));
    bool *block_used = arena_alloc(s->mem, (size_t)(p->nblocks + 1));
    for (int v = 0; v < p->nviews; v++)
        view_used[v] = arena_alloc(s->mem, (size_t)(p->views[v].nfeatures + 1));
    sv->outputs = arena_alloc(s->mem, sizeof(plan_output) * (size_t)(a->items.len * 1 + 1));
    int cap = a->items.len + 1;
    symtab columns;
    symtab_init(&columns, s->mem);
    if (a->items.len == 0)
        diag_error(s->d, a->name.span, "service '%s' lists no features", a->name.text);
    for (int i = 0; i < a->items.len; i++) {
        const ast_service_item *it = a->items.items[i];
        const sema_sym *sym = symtab_get(&s->globals, it->block.text);
        if (!sym || (sym->kind != SYM_VIEW && sym->kind != SYM_BLOCK)) {
            diag_error_hint(s->d, it->block.span, sym ? NULL : sema_hint(s, &s->globals, it->block.text),
                            sym ? "'%s' is not a feature view or on_demand block" : "unknown feature view '%s'",
                            it->block.text);
            continue;
        }
        int nfeat = sym->kind == SYM_VIEW ? p->views[sym->index].nfeatures : p->blocks[sym->index].nfeatures;
        if (sym->kind == SYM_BLOCK && sym->index >= p->nblocks)
            continue; /* a block in a cycle, already reported */
        int from = 0, to = nfeat;
        if (!it->star) {
            symtab *features = sym->kind == SYM_VIEW ? &s->view_features[sym->index] : &s->block_features[sym->index];
            void *hit = symtab_get(features, it->feature.text);
            if (!hit) {
                diag_error_hint(s->d, it->feature.span, sema_hint(s, features, it->feature.text), "'%s' has no feature '%s'",
                                it->block.text, it->feature.text);
                continue;
            }
            from = (int)(intptr_t)hit - 1;
            to = from + 1;
        }
        for (int k = from; k < to; k++) {
            if (sv->noutputs == cap) {
                cap = cap * 2 + nfeat;
                plan_output *grown = arena_alloc(s->mem, sizeof(plan_output) * (size_t)cap);
                memcpy(grown, sv->outputs, sizeof(plan_output) * (size_t)sv->noutputs);
                sv->outputs = grown;
            }
            plan_output *o = &sv->outputs[sv->noutputs];
            o->kind = sym->kind == SYM_VIEW ? PO_VIEW_FEATURE : PO_OD_FEATURE;
            o->owner = sym->index;
            o->feature = k;
            const char *fname = o->kind == PO_VIEW_FEATURE ? p->views[o->owner].features[k].name
                                                           : p->blocks[o->owner].features[k].name;
            o->type = o->kind == PO_VIEW_FEATURE ? p->views[o->owner].features[k].type : p->blocks[o->owner].features[k].type;
            o->column = arena_printf(s->mem, "%s__%s", it->block.text, fname);
            if (symtab_get(&columns, o->column)) {
                diag_error(s->d, it->span, "service '%s' lists '%s.%s' twice", a->name.text, it->block.text, fname);
                continue;
            }
            symtab_put(&columns, o->column, o);
            sv->noutputs++;
            if (o->kind == PO_VIEW_FEATURE) {
                view_used[o->owner][k] = true;
                view_reached[o->owner] = true;
            } else {
                block_used[o->owner] = true;
            }
        }
    }
    /* Blocks read other blocks only at lower indices: walk down to mark what they read. */
    for (int b = p->nblocks - 1; b >= 0; b--) {
        if (!block_used[b])
            continue;
        const plan_on_demand *od = &p->blocks[b];
        for (int k = 0; k < od->nblocks; k++)
            block_used[od->blocks[k]] = true;
        for (int k = 0; k < od->nviews; k++)
            view_reached[od->views[k]] = true;
        for (int k = 0; k < od->nfeatures; k++)
            mark_reads(od->features[k].value, view_used, block_used);
    }
    sv->blocks = arena_alloc(s->mem, sizeof(int) * (size_t)(p->nblocks + 1));
    for (int b = 0; b < p->nblocks; b++) {
        if (!block_used[b])
            continue;
        sv->blocks[sv->nblocks++] = b;
        int r = p->blocks[b].request_source;
        if (r >= 0 && r != sv->request_source) {
            if (sv->request_source < 0)
                diag_error_hint(s->d, a->name.span, arena_printf(s->mem, "write 'service %s (%s)'", a->name.text, p->sources[r].name),
                                "service '%s' uses on_demand block '%s', which reads request source '%s'", a->name.text,
                                p->blocks[b].name, p->sources[r].name);
            else
                diag_error(s->d, a->name.span, "service '%s' mixes request sources: '%s' and '%s' (read by '%s')",
                           a->name.text, p->sources[sv->request_source].name, p->sources[r].name, p->blocks[b].name);
        }
    }
    /* Keys: the entity key fields of every view reached, one column per name. */
    int maxkeys = 0;
    for (int v = 0; v < p->nviews; v++)
        if (view_reached[v] && p->views[v].entity >= 0)
            maxkeys += p->entities[p->views[v].entity].nkeys;
    sv->keys = arena_alloc(s->mem, sizeof(plan_field) * (size_t)(maxkeys + 1));
    sv->views = arena_alloc(s->mem, sizeof(plan_service_view) * (size_t)(p->nviews + 1));
    for (int v = 0; v < p->nviews; v++) {
        if (!view_reached[v] || p->views[v].entity < 0)
            continue;
        const plan_entity *ent = &p->entities[p->views[v].entity];
        plan_service_view *psv = &sv->views[sv->nviews++];
        psv->view = v;
        psv->feature_used = view_used[v];
        psv->key_map = arena_alloc(s->mem, sizeof(int) * (size_t)(ent->nkeys + 1));
        for (int k = 0; k < ent->nkeys; k++) {
            int found = -1;
            for (int j = 0; j < sv->nkeys; j++)
                if (strcmp(sv->keys[j].name, ent->keys[k].name) == 0)
                    found = j;
            if (found < 0) {
                found = sv->nkeys++;
                sv->keys[found] = ent->keys[k];
            } else if (sv->keys[found].type != ent->keys[k].type) {
                diag_error(s->d, a->name.span, "service '%s' has key '%s' as both %s and %s (entity '%s')", a->name.text,
                           ent->keys[k].name, ftype_name(sv->keys[found].type), ftype_name(ent->keys[k].type), ent->name);
            }
            psv->key_map[k] = found;
        }
    }
    sv->key_request_field = arena_alloc(s->mem, sizeof(int) * (size_t)(sv->nkeys + 1));
    for (int j = 0; j < sv->nkeys; j++) {
        sv->key_request_field[j] = -1;
        if (strcmp(sv->keys[j].name, "ts") == 0)
            diag_error(s->d, a->name.span, "service '%s' has a key named 'ts', which is the spine's query time column",
                       a->name.text);
    }
    if (sv->request_source >= 0) {
        const plan_source *rq = &p->sources[sv->request_source];
        for (int i = 0; i < rq->nfields; i++) {
            if (strcmp(rq->fields[i].name, "ts") == 0)
                diag_error(s->d, a->request.span, "request source '%s' has a field named 'ts', which is the spine's query time column",
                           rq->name);
            for (int j = 0; j < sv->nkeys; j++) {
                if (strcmp(sv->keys[j].name, rq->fields[i].name) != 0)
                    continue;
                if (sv->keys[j].type != rq->fields[i].type)
                    diag_error(s->d, a->request.span, "request field '%s' is %s but the key '%s' is %s", rq->fields[i].name,
                               ftype_name(rq->fields[i].type), sv->keys[j].name, ftype_name(sv->keys[j].type));
                sv->key_request_field[j] = i;
            }
        }
    }
}

void sema_services(sema *s, const ast_file *f)
{
    int si = 0;
    for (int i = 0; i < f->decls.len; i++) {
        const ast_decl *d = f->decls.items[i];
        if (d->kind != AST_DECL_SERVICE)
            continue;
        s->current = d->service->name.text;
        sema_service(s, d->service, &s->p->services[si++]);
    }
}
