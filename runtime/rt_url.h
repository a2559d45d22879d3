/* rt_url.h - splits a stream source's URL (scheme://HOSTS/NAME?KEY=VALUE&...) into its parts. */
#ifndef FEATRT_URL_H
#define FEATRT_URL_H

#include <stdbool.h>
#include <stddef.h>

enum { RT_URL_MAX_PARAMS = 8 };

typedef struct rt_url {
    char hosts[1024]; /* what lies between "//" and the next '/' */
    char name[1024];  /* the path after that '/', percent-decoded */
    int nparams;
    char keys[RT_URL_MAX_PARAMS][32];
    char values[RT_URL_MAX_PARAMS][256]; /* percent-decoded */
} rt_url;

/* Parses url, which must start with scheme ("kafka", "redis") then "://", have a non-empty
 * host part and a non-empty name, and take only parameters named in allowed (a
 * NULL-terminated list), each at most once. False with a message naming the problem. */
bool rt_url_parse(const char *url, const char *scheme, const char *const *allowed, rt_url *u, char *err,
                  size_t errlen);

/* The value of parameter key, or NULL when absent. */
const char *rt_url_param(const rt_url *u, const char *key);

/* Splits "HOST:PORT" (or "HOST", then default_port) into host[cap] and *port. False when the
 * port is not a number from 1 to 65535 or the host is empty. */
bool rt_url_host_port(const char *hostport, int default_port, char *host, size_t cap, int *port);

#endif
