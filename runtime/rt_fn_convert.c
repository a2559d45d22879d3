/* rt_fn_convert.c - to_float, to_int and to_string (see rt_fn.h for the exact rules). */
#include "rt_fn.h"
#include "rt_fn_slot.h"
#include "rt_format.h"
#include "rt_time.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* True when s[0..n) is exactly [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?. */
static bool is_float_text(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && is_digit(s[i]))
        i++, int_digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, frac_digits++;
    }
    if (int_digits == 0 && frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < n && is_digit(s[i]))
            i++, exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == n;
}

void rt_fn_to_float_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_float(out, (double)args[0].v.i);
}

void rt_fn_to_float_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || !is_float_text(args[0].v.s, args[0].len)) {
        rt_slot_set_null(out);
        return;
    }
    /* strtod needs a NUL-terminated copy; the text is validated, so strtod reads all of it
     * (the process never leaves the C locale, so '.' is the decimal point). */
    char small[64];
    size_t n = args[0].len;
    char *text = small;
    if (n >= sizeof small) {
        assert(scratch);
        text = rt_scratch_alloc(scratch, n + 1);
    }
    memcpy(text, args[0].v.s, n);
    text[n] = '\0';
    char *end = NULL;
    double f = strtod(text, &end);
    assert(end == text + n);
    rt_slot_set_float(out, f); /* an overflow (HUGE_VAL) becomes null */
}

void rt_fn_to_int_float(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || !isfinite(args[0].v.f)) {
        rt_slot_set_null(out);
        return;
    }
    double t = trunc(args[0].v.f);
    /* int64 holds exactly the integral doubles in [-2^63, 2^63). */
    if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, (int64_t)t);
}

void rt_fn_to_int_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        rt_slot_set_int(out, args[0].v.i != 0);
}

void rt_fn_to_int_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null) {
        rt_slot_set_null(out);
        return;
    }
    const char *s = args[0].v.s;
    size_t n = args[0].len, i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n) {
        rt_slot_set_null(out);
        return;
    }
    /* Accumulate the negated value: the negative range includes INT64_MIN. */
    int64_t acc = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i]) || __builtin_mul_overflow(acc, 10, &acc) ||
            __builtin_sub_overflow(acc, (int64_t)(s[i] - '0'), &acc)) {
            rt_slot_set_null(out);
            return;
        }
    }
    if (!neg && acc == INT64_MIN) {
        rt_slot_set_null(out);
        return;
    }
    rt_slot_set_int(out, neg ? acc : -acc);
}

/* Copies n bytes of text into scratch and makes them the string result. */
static void set_copied_string(rt_scratch *scratch, rt_slot *out, const char *text, size_t n) {
    assert(scratch);
    char *p = rt_scratch_alloc(scratch, n);
    memcpy(p, text, n);
    rt_slot_set_string(out, p, (uint32_t)n);
}

void rt_fn_to_string_int(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null) {
        rt_slot_set_null(out);
        return;
    }
    char buf[RT_INT_BUF];
    size_t n = rt_format_int(args[0].v.i, buf);
    set_copied_string(scratch, out, buf, n);
}

void rt_fn_to_string_bool(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else if (args[0].v.i)
        rt_slot_set_string(out, "true", 4);
    else
        rt_slot_set_string(out, "false", 5);
}

void rt_fn_to_string_string(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null)
        rt_slot_set_null(out);
    else
        *out = args[0];
}

void rt_fn_to_string_timestamp(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null) {
        rt_slot_set_null(out);
        return;
    }
    char buf[RT_TIME_BUF];
    size_t n = rt_time_format(args[0].v.i, buf);
    set_copied_string(scratch, out, buf, n);
}
