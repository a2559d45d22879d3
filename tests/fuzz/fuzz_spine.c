/* fuzz_spine.c - libFuzzer target: a spine CSV for each service of the fuzz program, loaded, checked, written back. */
#include "fuzz_check.h"
#include "fuzz_program.h"
#include "fuzz_record.h"
#include "rt_spine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A file in memory that rt_spine_load can open by name: /proc/self/fd/N of a memfd. */
typedef struct memfile {
    int fd;
    char path[64];
} memfile;

static void memfile_put(memfile *m, const char *data, size_t size)
{
    if (m->fd <= 0) {
        m->fd = memfd_create("fuzz-spine", 0);
        FUZZ_CHECK(m->fd >= 0, "memfd_create failed");
        snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
    }
    FUZZ_CHECK(ftruncate(m->fd, 0) == 0, "ftruncate failed");
    for (size_t off = 0; off < size;) {
        ssize_t w = pwrite(m->fd, data + off, size - off, (off_t)off);
        FUZZ_CHECK(w > 0, "writing the memfd failed");
        off += (size_t)w;
    }
}

/* The schemas of a service's keys and of its request source's fields (for the record checks). */
typedef struct spine_schemas {
    rt_field *kf, *rf;
    rt_schema keys, req;
} spine_schemas;

static void schemas_init(spine_schemas *sc, const rt_program *p, int svc)
{
    const rt_prog_service *s = &p->services[svc];
    const rt_prog_source *rq = s->request_source >= 0 ? &p->sources[s->request_source] : NULL;
    sc->kf = calloc((size_t)s->nkeys + 1, sizeof *sc->kf);
    sc->rf = calloc((size_t)(rq ? rq->nfields : 0) + 1, sizeof *sc->rf);
    FUZZ_CHECK(sc->kf && sc->rf, "out of memory");
    for (int k = 0; k < s->nkeys; k++)
        sc->kf[k] = (rt_field){s->keys[k].name, s->keys[k].type, false};
    for (int j = 0; rq && j < rq->nfields; j++)
        sc->rf[j] = (rt_field){rq->fields[j].name, rq->fields[j].type, rq->fields[j].not_null};
    sc->keys = (rt_schema){.name = s->name, .nfields = s->nkeys, .fields = sc->kf, .time_field = -1};
    sc->req = (rt_schema){.name = rq ? rq->name : "-", .nfields = rq ? rq->nfields : 0, .fields = sc->rf,
                          .time_field = -1};
}

/* The spine's header and rows as rt_spine_write_header/row write them, one per line. */
static char *write_spine(const rt_spine *s, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    FUZZ_CHECK(out != NULL, "out of memory");
    FUZZ_CHECK(rt_spine_write_header(s, out), "rt_spine_write_header failed");
    fputc('\n', out);
    for (size_t i = 0; i < rt_spine_rows(s); i++) {
        FUZZ_CHECK(rt_spine_write_row(s, i, out), "rt_spine_write_row failed");
        fputc('\n', out);
    }
    fclose(out);
    return text;
}

/* Checks the report: one line per skipped row, "PATH:LINE: skipped spine row: REASON". */
static void check_report(const char *report, size_t len, const char *path, uint64_t skipped)
{
    uint64_t lines = 0;
    size_t plen = strlen(path);
    for (const char *p = report, *end = report + len; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl != NULL, "the report does not end with a line break");
        FUZZ_CHECK((size_t)(nl - p) > plen && memcmp(p, path, plen) == 0 && p[plen] == ':' &&
                       memmem(p, (size_t)(nl - p), ": skipped spine row: ", 21),
                   "a report line is not PATH:LINE: skipped spine row: REASON: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
    FUZZ_CHECK(lines == skipped, "%llu rows skipped, %llu report lines", (unsigned long long)skipped,
               (unsigned long long)lines);
}

static void check_service(const rt_program *p, int svc, const char *data, size_t size)
{
    static memfile in, again;
    memfile_put(&in, data, size);
    char *report = NULL, err[512];
    size_t rlen = 0;
    FILE *rep = open_memstream(&report, &rlen);
    FUZZ_CHECK(rep != NULL, "out of memory");
    memset(err, 'x', sizeof err);
    rt_spine *s = rt_spine_load(p, svc, in.path, rep, err, sizeof err);
    fclose(rep);
    if (!s) {
        fuzz_check_one_line(err, sizeof err, "spine error");
        free(report);
        return;
    }
    check_report(report, rlen, in.path, rt_spine_skipped(s));
    free(report);
    spine_schemas sc;
    schemas_init(&sc, p, svc);
    bool has_req = p->services[svc].request_source >= 0;
    for (size_t i = 0; i < rt_spine_rows(s); i++) {
        fuzz_check_record(&sc.keys, rt_spine_keys(s, i));
        FUZZ_CHECK(has_req == (rt_spine_request(s, i) != NULL), "request fields of a service %s one",
                   has_req ? "with" : "without");
        if (has_req)
            fuzz_check_record(&sc.req, rt_spine_request(s, i));
    }
    /* written back, the spine must load to the same rows and write the same text again */
    size_t len1 = 0, len2 = 0;
    char *text1 = write_spine(s, &len1);
    memfile_put(&again, text1, len1);
    rt_spine *s2 = rt_spine_load(p, svc, again.path, NULL, err, sizeof err);
    FUZZ_CHECK(s2 != NULL, "the written spine does not load: %s\n%s", err, text1);
    FUZZ_CHECK(rt_spine_skipped(s2) == 0 && rt_spine_rows(s2) == rt_spine_rows(s),
               "the written spine loads %zu rows (%llu skipped), not %zu:\n%s", rt_spine_rows(s2),
               (unsigned long long)rt_spine_skipped(s2), rt_spine_rows(s), text1);
    for (size_t i = 0; i < rt_spine_rows(s); i++) {
        FUZZ_CHECK(rt_spine_ts(s, i) == rt_spine_ts(s2, i), "row %zu: ts changes when written back", i);
        int k = fuzz_record_diff(&sc.keys, rt_spine_keys(s, i), rt_spine_keys(s2, i));
        FUZZ_CHECK(k < 0, "row %zu: key '%s' changes when written back", i, sc.kf[k].name);
        int j = has_req ? fuzz_record_diff(&sc.req, rt_spine_request(s, i), rt_spine_request(s2, i)) : -1;
        FUZZ_CHECK(j < 0, "row %zu: request field '%s' changes when written back", i, sc.rf[j].name);
    }
    char *text2 = write_spine(s2, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(text1, text2, len1) == 0, "written twice, the spine changes:\n%s\n%s", text1,
               text2);
    free(text1);
    free(text2);
    free(sc.kf);
    free(sc.rf);
    rt_spine_free(s2);
    rt_spine_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const rt_program *p = fuzz_program();
    for (int svc = 0; svc < p->nservices; svc++)
        check_service(p, svc, (const char *)data, size);
    return 0;
}
