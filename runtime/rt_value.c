/* rt_value.c - typed values from field text: the one conversion CSV events and spines share. */
#include "rt_value.h"

#include "rt_decimal.h"
#include "rt_time.h"
#include "rt_utf8.h"

#include <string.h>

const char *rt_value_type_name(rt_type t) {
    switch (t) {
    case RT_BOOL:
        return "bool";
    case RT_INT:
        return "int";
    case RT_FLOAT:
        return "float";
    case RT_STRING:
        return "string";
    case RT_TIMESTAMP:
        return "timestamp";
    }
    return "?";
}

const char *rt_value_string_problem(const char *s, size_t n) {
    if (n > UINT32_MAX)
        return "string longer than 4 GiB";
    if (memchr(s, '\0', n))
        return "NUL byte in string";
    if (!rt_utf8_valid(s, n))
        return "invalid UTF-8";
    return NULL;
}

/* [+-]?[0-9]+ */
static bool is_int_text(const char *s, size_t n) {
    size_t i = n > 0 && (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i == n)
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool rt_value_from_text(rt_type t, const char *text, size_t len, bool is_null, rt_slot *out, const char **why) {
    memset(out, 0, sizeof *out);
    if (is_null) {
        out->null = 1;
        return true;
    }
    switch (t) {
    case RT_INT:
        if (!is_int_text(text, len)) {
            *why = "expected int";
            return false;
        }
        if (rt_decimal_scaled(text, len, 0, RT_DEC_EXACT, &out->v.i) != RT_DEC_OK) {
            *why = "int out of range";
            return false;
        }
        return true;
    case RT_FLOAT:
        if (!rt_decimal_valid(text, len)) {
            *why = "expected float";
            return false;
        }
        if (!rt_decimal_to_double(text, len, &out->v.f)) {
            *why = "float out of range";
            return false;
        }
        return true;
    case RT_BOOL:
        if (len == 4 && memcmp(text, "true", 4) == 0)
            out->v.i = 1;
        else if (len == 5 && memcmp(text, "false", 5) == 0)
            out->v.i = 0;
        else {
            *why = "expected bool";
            return false;
        }
        return true;
    case RT_TIMESTAMP:
        if (!rt_time_parse(text, len, &out->v.i)) {
            *why = "expected timestamp";
            return false;
        }
        return true;
    case RT_STRING: {
        const char *problem = rt_value_string_problem(text, len);
        if (problem) {
            *why = problem;
            return false;
        }
        out->v.s = text;
        out->len = (uint32_t)len;
        return true;
    }
    }
    *why = "unknown type";
    return false;
}
