/* test_rt_fn_util.h - slot constructors and result checks shared by the rt_fn unit tests. */
#ifndef TEST_RT_FN_UTIL_H
#define TEST_RT_FN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rt_fn.h"

typedef void (*fn_fixed)(rt_scratch *, rt_slot *, const rt_slot *);
typedef void (*fn_var)(rt_scratch *, rt_slot *, const rt_slot *, int64_t);

static inline rt_slot I(int64_t i) {
    rt_slot s = {0};
    s.v.i = i;
    return s;
}
static inline rt_slot F(double f) {
    rt_slot s = {0};
    s.v.f = f;
    return s;
}
static inline rt_slot B(bool b) {
    return I(b ? 1 : 0);
}
static inline rt_slot S(const char *str) {
    rt_slot s = {0};
    s.v.s = str;
    s.len = (uint32_t)strlen(str);
    return s;
}
static inline rt_slot NUL(void) {
    rt_slot s = {0};
    s.null = 1;
    return s;
}

/* One scratch area per test binary, reset by the callers when they like. */
static rt_scratch test_scratch;

/* Calls f on the given arguments (a compound literal array) and returns the result slot,
 * pre-filled with garbage so that a function that forgets to write it is caught. */
static inline rt_slot call_fixed(fn_fixed f, const rt_slot *args) {
    rt_slot out;
    memset(&out, 0xA5, sizeof out);
    f(&test_scratch, &out, args);
    return out;
}
static inline rt_slot call_var(fn_var f, const rt_slot *args, int64_t n) {
    rt_slot out;
    memset(&out, 0xA5, sizeof out);
    f(&test_scratch, &out, args, n);
    return out;
}

#define CALL(f, ...) call_fixed((f), (const rt_slot[]){__VA_ARGS__})
#define CALLV(f, ...) \
    call_var((f), (const rt_slot[]){__VA_ARGS__}, \
             (int64_t)(sizeof((const rt_slot[]){__VA_ARGS__}) / sizeof(rt_slot)))

#define CHECK_NULL(expr)                                                                           \
    do {                                                                                           \
        rt_slot r_ = (expr);                                                                       \
        assert_int_equal(r_.null, 1);                                                              \
        assert_int_equal(r_.v.i, 0);                                                               \
        assert_int_equal(r_.len, 0);                                                               \
    } while (0)

#define CHECK_INT(expr, want)                                                                      \
    do {                                                                                           \
        rt_slot r_ = (expr);                                                                       \
        assert_int_equal(r_.null, 0);                                                              \
        assert_int_equal(r_.v.i, (int64_t)(want));                                                 \
    } while (0)

#define CHECK_BOOL(expr, want) CHECK_INT(expr, (want) ? 1 : 0)

/* Bit-for-bit equality of doubles (distinguishes -0.0 from 0.0). */
#define CHECK_FLOAT(expr, want)                                                                    \
    do {                                                                                           \
        rt_slot r_ = (expr);                                                                       \
        double w_ = (want);                                                                        \
        assert_int_equal(r_.null, 0);                                                              \
        if (memcmp(&r_.v.f, &w_, sizeof w_) != 0) {                                                \
            print_error("got %.17g, want %.17g\n", r_.v.f, w_);                                    \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Relative tolerance for results of libm transcendental functions. */
#define CHECK_FLOAT_NEAR(expr, want, rel)                                                          \
    do {                                                                                           \
        rt_slot r_ = (expr);                                                                       \
        double w_ = (want);                                                                        \
        assert_int_equal(r_.null, 0);                                                              \
        double d_ = r_.v.f - w_;                                                               \
        if (d_ < 0)                                                                                \
            d_ = -d_;                                                                              \
        if (!(d_ <= (rel) * (w_ < 0 ? -w_ : w_))) {                                                \
            print_error("got %.17g, want %.17g\n", r_.v.f, w_);                                    \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(expr, want)                                                                      \
    do {                                                                                           \
        rt_slot r_ = (expr);                                                                       \
        const char *w_ = (want);                                                                   \
        assert_int_equal(r_.null, 0);                                                              \
        if (r_.len != strlen(w_) || (r_.len && memcmp(r_.v.s, w_, r_.len) != 0)) {                 \
            print_error("got \"%.*s\", want \"%s\"\n", (int)r_.len, r_.len ? r_.v.s : "", w_);     \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
