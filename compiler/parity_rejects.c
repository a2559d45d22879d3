/* parity_rejects.c - reads the reject logs of both paths and finds events they treated differently. */
#include "parity.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Parses one log line (without its line break) into *r. False when it is not a reject line. */
static bool parse_line(arena *mem, const char *s, size_t n, parity_reject *r)
{
    static const char mark[] = "source '";
    const size_t mlen = sizeof mark - 1;
    size_t at = 0;
    bool found = false;
    for (; at + mlen <= n; at++) {
        if (memcmp(s + at, mark, mlen) != 0)
            continue;
        if (at == 0 || (at >= 2 && s[at - 2] == ':' && s[at - 1] == ' ')) {
            found = true;
            break;
        }
    }
    if (!found)
        return false;
    size_t name = at + mlen, end = name;
    while (end + 2 < n && !(s[end] == '\'' && s[end + 1] == ':' && s[end + 2] == ' '))
        end++;
    if (end + 2 >= n || end == name)
        return false;
    memset(r, 0, sizeof *r);
    r->source = arena_strndup(mem, s + name, end - name);
    r->reason = arena_strndup(mem, s + end + 3, n - (end + 3));
    r->kind = RT_REJECT_INVALID;
    for (rt_reject_kind k = RT_REJECT_AHEAD; k < RT_REJECT_NKINDS; k++) {
        const char *word = rt_reject_kind_name(k);
        size_t len = strlen(word);
        if (strncmp(r->reason, word, len) == 0 && r->reason[len] == ':')
            r->kind = k;
    }
    if (at == 0)
        return true;
    size_t loc = at - 2; /* "FILE:LINE" or "FILE" */
    size_t colon = loc;
    while (colon > 0 && s[colon - 1] != ':')
        colon--;
    bool digits = colon > 0 && colon < loc;
    for (size_t i = colon; digits && i < loc; i++)
        digits = isdigit((unsigned char)s[i]);
    if (digits && loc - colon < 19) {
        r->line = strtoull(arena_strndup(mem, s + colon, loc - colon), NULL, 10);
        r->file = arena_strndup(mem, s, colon - 1);
    } else
        r->file = arena_strndup(mem, s, loc);
    return true;
}

static int cmp_reject(const void *a, const void *b)
{
    const parity_reject *x = a, *y = b;
    int c = strcmp(x->source, y->source);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

void parity_rejects_parse(arena *mem, const char *data, size_t len, parity_rejects *out)
{
    memset(out, 0, sizeof *out);
    int cap = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        size_t n = e - i;
        if (n && data[i + n - 1] == '\r')
            n--;
        parity_reject r;
        if (n && parse_line(mem, data + i, n, &r)) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 64;
                parity_reject *grown = arena_alloc(mem, (size_t)cap * sizeof *grown);
                if (out->n)
                    memcpy(grown, out->items, (size_t)out->n * sizeof *grown);
                out->items = grown;
            }
            out->items[out->n++] = r;
        } else if (n)
            out->nother++;
        i = e + 1;
    }
    if (out->n)
        qsort(out->items, (size_t)out->n, sizeof *out->items, cmp_reject);
}

bool parity_rejects_read(arena *mem, const char *path, parity_rejects *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return true; /* no log: nothing was rejected */
    fclose(probe);
    size_t len;
    char *data = parity_read_file(path, &len, err, errlen);
    if (!data)
        return false;
    parity_rejects_parse(mem, data, len, out);
    free(data);
    return true;
}

void parity_rejects_count(const parity_rejects *r, const char *source, uint64_t counts[RT_REJECT_NKINDS])
{
    memset(counts, 0, sizeof(uint64_t) * RT_REJECT_NKINDS);
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->items[i].source, source) == 0)
            counts[r->items[i].kind]++;
}

int parity_rejects_diff(arena *mem, const parity_rejects *a, const parity_rejects *b, parity_reject_diff **out)
{
    parity_reject_diff *d = arena_alloc(mem, (size_t)(a->n + b->n + 1) * sizeof *d);
    int n = 0, i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : cmp_reject(&a->items[i], &b->items[j]);
        const parity_reject *x = c <= 0 ? &a->items[i++] : NULL;
        const parity_reject *y = c >= 0 ? &b->items[j++] : NULL;
        if (x && y && x->kind == y->kind)
            continue;
        const parity_reject *any = x ? x : y;
        d[n++] = (parity_reject_diff){any->source, any->line, {x, y}};
    }
    *out = d;
    return n;
}
