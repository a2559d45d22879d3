/* test_manifest.c - a hand-built plan written as a manifest and parsed back by the runtime. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "manifest.h"
#include "rt_manifest.h"

#include <stdlib.h>
#include <string.h>

/* Builds: stream `ev "x"` (names with a quote, a backslash, a newline and a space), a table,
 * a request source; a view with every default type; a block; a service over both views. */
typedef struct fixture {
    arena mem;
    plan p;
} fixture;

static plan_field fld(const char *name, ftype t, bool not_null)
{
    return (plan_field){name, t, not_null};
}

static plan_feature feat(const char *name, plan_agg agg, ftype in, ftype out, plan_window_kind wk, int64_t size,
                         int64_t hop)
{
    plan_feature f = {.name = name, .agg = agg, .input_type = in, .type = out};
    f.window = (plan_window){wk, size, hop};
    return f;
}

static void build(fixture *fx)
{
    arena *a = &fx->mem;
    arena_init(a);
    plan *p = &fx->p;
    memset(p, 0, sizeof *p);

    p->nsources = 3;
    p->sources = arena_alloc(a, 3 * sizeof *p->sources);
    plan_source *ev = &p->sources[0];
    ev->name = "ev \"x\"\\\n";
    ev->kind = PS_STREAM;
    ev->nfields = 4;
    ev->fields = arena_alloc(a, 4 * sizeof *ev->fields);
    ev->fields[0] = fld("user", FT_INT, true);
    ev->fields[1] = fld("v", FT_FLOAT, false);
    ev->fields[2] = fld("when", FT_TIMESTAMP, true);
    ev->fields[3] = fld("s", FT_INT, false);
    ev->time_field = 2;
    ev->seq_field = 3;
    ev->lateness_us = 5000000;
    ev->arrival_field = -1;
    ev->max_ahead_us = 3600000000;
    ev->unique_field = 3;
    ev->nexpects = 2;
    ev->expects = arena_alloc(a, 2 * sizeof *ev->expects);
    ev->expects[0].text = "v >= 0";
    ev->expects[1].text = "s != 'a\"b'";

    plan_source *tb = &p->sources[1];
    tb->name = "tab";
    tb->kind = PS_TABLE;
    tb->nfields = 3;
    tb->fields = arena_alloc(a, 3 * sizeof *tb->fields);
    tb->fields[0] = fld("user", FT_INT, true);
    tb->fields[1] = fld("at", FT_TIMESTAMP, true);
    tb->fields[2] = fld("name", FT_STRING, false);
    tb->time_field = 1;
    tb->seq_field = -1;
    tb->arrival_field = tb->unique_field = -1;
    tb->max_ahead_us = PLAN_NO_MAX_AHEAD;

    plan_source *rq = &p->sources[2];
    rq->name = "req";
    rq->kind = PS_REQUEST;
    rq->nfields = 2;
    rq->fields = arena_alloc(a, 2 * sizeof *rq->fields);
    rq->fields[0] = fld("user", FT_INT, true);
    rq->fields[1] = fld("amount", FT_FLOAT, false);
    rq->time_field = -1;
    rq->seq_field = -1;
    rq->arrival_field = rq->unique_field = -1;
    rq->max_ahead_us = PLAN_NO_MAX_AHEAD;

    p->nentities = 1;
    p->entities = arena_alloc(a, sizeof *p->entities);
    p->entities[0].name = "user";
    p->entities[0].nkeys = 1;
    p->entities[0].keys = arena_alloc(a, sizeof(plan_field));
    p->entities[0].keys[0] = fld("user", FT_INT, false);

    p->nviews = 2;
    p->views = arena_alloc(a, 2 * sizeof *p->views);
    plan_view *v0 = &p->views[0];
    v0->name = "acts";
    v0->source = 0;
    v0->entity = 0;
    v0->key_columns = arena_alloc(a, sizeof(int));
    v0->key_columns[0] = 0;
    v0->nfeatures = 6;
    v0->features = arena_alloc(a, 6 * sizeof *v0->features);
    v0->features[0] = feat("n", PG_COUNT_ROWS, FT_ERROR, FT_INT, PW_SLIDING, 600000000, 0);
    v0->features[0].has_default = true;
    v0->features[0].dflt = (plan_value){.type = FT_INT, .i = -7};
    v0->features[1] = feat("total", PG_SUM, FT_FLOAT, FT_FLOAT, PW_HOP, 86400000000, 3600000000);
    v0->features[1].has_default = true;
    v0->features[1].dflt = (plan_value){.type = FT_FLOAT, .f = 0.1};
    v0->features[2] = feat("first_at", PG_FIRST, FT_TIMESTAMP, FT_TIMESTAMP, PW_LIFETIME, 0, 0);
    v0->features[2].ttl_us = 86400000000;
    v0->features[2].has_default = true;
    v0->features[2].dflt = (plan_value){.type = FT_TIMESTAMP, .i = -1234567};
    v0->features[3] = feat("any_big", PG_MAX, FT_FLOAT, FT_FLOAT, PW_LIFETIME, 0, 0);
    v0->features[4] = feat("distinct", PG_COUNT_DISTINCT, FT_INT, FT_INT, PW_LIFETIME, 0, 0);
    v0->features[5] = feat("sd", PG_STDDEV, FT_FLOAT, FT_FLOAT, PW_SLIDING, 1, 0);
    v0->features[5].has_default = true;
    v0->features[5].dflt = (plan_value){.type = FT_FLOAT, .f = -1e-300};

    plan_view *v1 = &p->views[1];
    v1->name = "prof";
    v1->source = 1;
    v1->entity = 0;
    v1->key_columns = arena_alloc(a, sizeof(int));
    v1->key_columns[0] = 0;
    v1->nfeatures = 2;
    v1->features = arena_alloc(a, 2 * sizeof *v1->features);
    v1->features[0] = feat("name", PG_LAST, FT_STRING, FT_STRING, PW_LIFETIME, 0, 0);
    v1->features[0].has_default = true;
    static const char with_nul[] = {'a', '\0', '"', '\n'};
    v1->features[0].dflt = (plan_value){.type = FT_STRING, .s = with_nul, .s_len = sizeof with_nul};
    v1->features[1] = feat("seen", PG_LAST, FT_BOOL, FT_BOOL, PW_LIFETIME, 0, 0);
    v1->features[1].has_default = true;
    v1->features[1].dflt = (plan_value){.type = FT_BOOL, .b = true};

    p->nblocks = 1;
    p->blocks = arena_alloc(a, sizeof *p->blocks);
    plan_on_demand *b = &p->blocks[0];
    b->name = "risk";
    b->request_source = 2;
    b->nviews = 1;
    b->views = arena_alloc(a, sizeof(int));
    b->views[0] = 0;
    b->nfeatures = 1;
    b->features = arena_alloc(a, sizeof *b->features);
    b->features[0] = (plan_od_feature){"ratio", FT_FLOAT, NULL};

    p->nservices = 1;
    p->services = arena_alloc(a, sizeof *p->services);
    plan_service *s = &p->services[0];
    s->name = "svc";
    s->request_source = 2;
    s->nkeys = 1;
    s->keys = arena_alloc(a, sizeof *s->keys);
    s->keys[0] = fld("user", FT_INT, false);
    s->key_request_field = arena_alloc(a, sizeof(int));
    s->key_request_field[0] = 0;
    s->nviews = 2;
    s->views = arena_alloc(a, 2 * sizeof *s->views);
    for (int i = 0; i < 2; i++) {
        s->views[i].view = 1 - i;
        s->views[i].key_map = arena_alloc(a, sizeof(int));
    }
    s->nblocks = 1;
    s->blocks = arena_alloc(a, sizeof(int));
    s->noutputs = 3;
    s->outputs = arena_alloc(a, 3 * sizeof *s->outputs);
    s->outputs[0] = (plan_output){PO_VIEW_FEATURE, 0, 1, "acts__total", FT_FLOAT};
    s->outputs[1] = (plan_output){PO_VIEW_FEATURE, 1, 0, "prof__name", FT_STRING};
    s->outputs[2] = (plan_output){PO_OD_FEATURE, 0, 0, "risk__ratio", FT_FLOAT};
}

static void test_round_trip(void **state)
{
    (void)state;
    fixture fx;
    build(&fx);
    size_t len = 0;
    char *text = manifest_build(&fx.p, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    char err[256];
    rt_program *rp = rt_program_parse(text, len, err, sizeof err);
    if (!rp)
        fail_msg("%s\n%s", err, text);

    assert_int_equal(rp->nsources, 3);
    const rt_prog_source *ev = &rp->sources[0];
    assert_string_equal(ev->name, "ev \"x\"\\\n");
    assert_int_equal(ev->kind, RT_SOURCE_STREAM);
    assert_int_equal(ev->nfields, 4);
    assert_string_equal(ev->fields[2].name, "when");
    assert_int_equal(ev->fields[2].type, RT_TIMESTAMP);
    assert_true(ev->fields[0].not_null);
    assert_false(ev->fields[1].not_null);
    assert_int_equal(ev->time_field, 2);
    assert_int_equal(ev->seq_field, 3);
    assert_int_equal(ev->lateness_us, 5000000);
    assert_int_equal(ev->nexpects, 2);
    assert_int_equal(ev->arrival_field, -1);
    assert_int_equal(ev->max_ahead_us, 3600000000);
    assert_int_equal(ev->unique_field, 3);
    assert_int_equal(rp->sources[1].max_ahead_us, -1);
    assert_string_equal(ev->expects[1], "s != 'a\"b'");
    assert_int_equal(rp->sources[1].kind, RT_SOURCE_TABLE);
    assert_int_equal(rp->sources[1].seq_field, -1);
    assert_int_equal(rp->sources[2].kind, RT_SOURCE_REQUEST);
    assert_int_equal(rp->sources[2].time_field, -1);

    assert_int_equal(rp->nviews, 2);
    const rt_prog_view *v0 = &rp->views[0];
    assert_int_equal(v0->nkeys, 1);
    assert_int_equal(v0->key_types[0], RT_INT);
    assert_int_equal(v0->nfeatures, 6);
    const rt_prog_feature *f = v0->features;
    assert_int_equal(f[0].agg, RT_AGG_COUNT_ROWS);
    assert_false(f[0].has_input);
    assert_int_equal(f[0].dflt.v.i, -7);
    assert_int_equal(f[1].agg, RT_AGG_SUM);
    assert_int_equal(f[1].win, RT_PWIN_HOP);
    assert_int_equal(f[1].size_us, 86400000000);
    assert_int_equal(f[1].hop_us, 3600000000);
    assert_true(f[1].dflt.v.f == 0.1); /* exact bits survive */
    assert_int_equal(f[2].ttl_us, 86400000000);
    assert_int_equal(f[2].dflt.v.i, -1234567);
    assert_false(f[3].has_default);
    assert_int_equal(f[4].agg, RT_AGG_COUNT_DISTINCT);
    assert_int_equal(f[4].in_type, RT_INT);
    assert_true(f[5].dflt.v.f == -1e-300);
    const rt_prog_feature *g = rp->views[1].features;
    assert_int_equal(g[0].dflt.len, 4);
    assert_memory_equal(g[0].dflt.v.s, "a\0\"\n", 4);
    assert_int_equal(g[1].dflt.v.i, 1);

    assert_int_equal(rp->nblocks, 1);
    assert_int_equal(rp->blocks[0].request_source, 2);
    assert_int_equal(rp->blocks[0].views[0], 0);
    assert_string_equal(rp->blocks[0].features[0].name, "ratio");

    const rt_prog_service *s = &rp->services[0];
    assert_string_equal(s->name, "svc");
    assert_int_equal(s->keys[0].request_field, 0);
    assert_int_equal(s->views[0].view, 1);
    assert_int_equal(s->views[1].view, 0);
    assert_int_equal(s->noutputs, 3);
    assert_string_equal(s->outputs[1].column, "prof__name");
    assert_int_equal(s->outputs[2].kind, RT_OUT_BLOCK);
    assert_int_equal(s->outputs[2].type, RT_FLOAT);

    rt_program_free(rp);
    free(text);
    arena_free(&fx.mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
