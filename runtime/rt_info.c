/* rt_info.c - what a built runtime is: version, definition fingerprint, services and sources, as JSON. */
#include "rt_info.h"

#include "rt_version.h"

#include <inttypes.h>
#include <string.h>

static const char *type_name(rt_type t)
{
    static const char *const names[] = {"bool", "int", "float", "string", "timestamp"};
    return t >= RT_BOOL && t <= RT_TIMESTAMP ? names[t - RT_BOOL] : "?";
}

static void put_str(rt_jbuf *b, const char *s)
{
    rt_json_string(b, s, strlen(s));
}

static void put_field_name(rt_jbuf *b, const rt_prog_source *s, int field)
{
    if (field < 0)
        rt_jbuf_puts(b, "null");
    else
        put_str(b, s->fields[field].name);
}

static void put_service(rt_jbuf *b, const rt_program *p, const rt_prog_service *s)
{
    rt_jbuf_puts(b, "{\"name\":");
    put_str(b, s->name);
    rt_jbuf_puts(b, ",\"request\":");
    if (s->request_source >= 0)
        put_str(b, p->sources[s->request_source].name);
    else
        rt_jbuf_puts(b, "null");
    rt_jbuf_puts(b, ",\"keys\":[");
    for (int k = 0; k < s->nkeys; k++) {
        rt_jbuf_puts(b, k ? ",{\"name\":" : "{\"name\":");
        put_str(b, s->keys[k].name);
        rt_jbuf_printf(b, ",\"type\":\"%s\"}", type_name(s->keys[k].type));
    }
    rt_jbuf_puts(b, "],\"outputs\":[");
    for (int o = 0; o < s->noutputs; o++) {
        rt_jbuf_puts(b, o ? ",{\"name\":" : "{\"name\":");
        put_str(b, s->outputs[o].column);
        rt_jbuf_printf(b, ",\"type\":\"%s\"}", type_name(s->outputs[o].type));
    }
    rt_jbuf_puts(b, "]}");
}

static void put_source(rt_jbuf *b, const rt_prog_source *s)
{
    static const char *const kinds[] = {"stream", "table", "request"};
    rt_jbuf_puts(b, "{\"name\":");
    put_str(b, s->name);
    rt_jbuf_printf(b, ",\"kind\":\"%s\",\"time\":", kinds[s->kind]);
    put_field_name(b, s, s->time_field);
    rt_jbuf_puts(b, ",\"seq\":");
    put_field_name(b, s, s->seq_field);
    rt_jbuf_printf(b, ",\"lateness_us\":%" PRId64 ",\"arrival\":", s->lateness_us);
    put_field_name(b, s, s->arrival_field);
    if (s->max_ahead_us < 0)
        rt_jbuf_puts(b, ",\"max_ahead_us\":null");
    else
        rt_jbuf_printf(b, ",\"max_ahead_us\":%" PRId64, s->max_ahead_us);
    rt_jbuf_puts(b, ",\"unique\":");
    put_field_name(b, s, s->unique_field);
    rt_jbuf_puts(b, ",\"fields\":[");
    for (int f = 0; f < s->nfields; f++) {
        rt_jbuf_puts(b, f ? ",{\"name\":" : "{\"name\":");
        put_str(b, s->fields[f].name);
        rt_jbuf_printf(b, ",\"type\":\"%s\",\"not_null\":%s}", type_name(s->fields[f].type),
                       s->fields[f].not_null ? "true" : "false");
    }
    rt_jbuf_puts(b, "]}");
}

void rt_info_json(const rt_program *p, rt_jbuf *b)
{
    rt_jbuf_puts(b, "{\"featc_version\":");
    put_str(b, FEATC_VERSION);
    rt_jbuf_puts(b, ",\"fingerprint\":");
    put_str(b, p->fingerprint);
    rt_jbuf_puts(b, ",\"services\":[");
    for (int i = 0; i < p->nservices; i++) {
        if (i)
            rt_jbuf_put(b, ",", 1);
        put_service(b, p, &p->services[i]);
    }
    rt_jbuf_puts(b, "],\"sources\":[");
    for (int i = 0; i < p->nsources; i++) {
        if (i)
            rt_jbuf_put(b, ",", 1);
        put_source(b, &p->sources[i]);
    }
    rt_jbuf_puts(b, "]}\n");
}
