/* rt_url.c - splits a stream source's URL (scheme://HOSTS/NAME?KEY=VALUE&...) into its parts. */
#include "rt_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Copies s[0..n) into out[cap] decoding %XX; false when it does not fit, a %XX is malformed or
 * decodes to NUL. */
static bool decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return false;
            int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
            if (a < 0 || b < 0 || (a == 0 && b == 0))
                return false;
            c = (char)(a * 16 + b);
            i += 2;
        }
        if (k + 1 >= cap)
            return false;
        out[k++] = c;
    }
    out[k] = '\0';
    return true;
}

bool rt_url_parse(const char *url, const char *scheme, const char *const *allowed, rt_url *u, char *err,
                  size_t errlen)
{
    memset(u, 0, sizeof *u);
    size_t sl = strlen(scheme);
    if (strncmp(url, scheme, sl) != 0 || strncmp(url + sl, "://", 3) != 0) {
        snprintf(err, errlen, "'%.200s': expected %s://HOST:PORT/NAME", url, scheme);
        return false;
    }
    const char *h = url + sl + 3, *slash = strchr(h, '/');
    if (!slash || slash == h || (size_t)(slash - h) >= sizeof u->hosts) {
        snprintf(err, errlen, "'%.200s': expected %s://HOST:PORT/NAME (no host, or no '/' before the name)", url,
                 scheme);
        return false;
    }
    memcpy(u->hosts, h, (size_t)(slash - h));
    const char *name = slash + 1, *q = strchr(name, '?');
    size_t nl = q ? (size_t)(q - name) : strlen(name);
    if (nl == 0 || !decode(name, nl, u->name, sizeof u->name)) {
        snprintf(err, errlen, "'%.200s': the name after the host is empty, too long or badly %%-encoded", url);
        return false;
    }
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p), *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq == p || (size_t)(eq - p) >= sizeof u->keys[0] || u->nparams == RT_URL_MAX_PARAMS) {
            snprintf(err, errlen, "'%.200s': expected parameters KEY=VALUE joined by '&'", url);
            return false;
        }
        int i = u->nparams;
        memcpy(u->keys[i], p, (size_t)(eq - p));
        u->keys[i][eq - p] = '\0';
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            known |= strcmp(*a, u->keys[i]) == 0;
        if (!known) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", a == allowed ? "" : ", ", *a);
            snprintf(err, errlen, "'%.200s': unknown parameter '%s' (known: %s)", url, u->keys[i], list);
            return false;
        }
        if (rt_url_param(u, u->keys[i])) {
            snprintf(err, errlen, "'%.200s': parameter '%s' is given twice", url, u->keys[i]);
            return false;
        }
        if (!decode(eq + 1, (size_t)(end - eq - 1), u->values[i], sizeof u->values[i])) {
            snprintf(err, errlen, "'%.200s': the value of '%s' is too long or badly %%-encoded", url, u->keys[i]);
            return false;
        }
        u->nparams++;
        p = amp ? amp + 1 : end;
    }
    return true;
}

const char *rt_url_param(const rt_url *u, const char *key)
{
    for (int i = 0; i < u->nparams; i++)
        if (strcmp(u->keys[i], key) == 0)
            return u->values[i];
    return NULL;
}

bool rt_url_host_port(const char *hostport, int default_port, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(hostport, ':');
    size_t hl = colon ? (size_t)(colon - hostport) : strlen(hostport);
    if (hl == 0 || hl >= cap)
        return false;
    memcpy(host, hostport, hl);
    host[hl] = '\0';
    if (!colon) {
        *port = default_port;
        return true;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p < 1 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}
