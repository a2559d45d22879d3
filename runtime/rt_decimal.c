/* rt_decimal.c - exact conversion of decimal number text to scaled integers and doubles. */
#include "rt_decimal.h"

#include <assert.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Exponents are saturated here: far beyond any int64 or double, far below int64 overflow
 * when combined with a digit count. */
#define EXP_SAT INT64_C(1000000000000000)

/* A decimal number split into its parts: value = (int digits . frac digits) * 10^exp. */
typedef struct dec_parts {
    bool neg;
    const char *ip; /* integer digits */
    size_t ni;
    const char *fp; /* fraction digits */
    size_t nf;
    int64_t exp; /* saturated to +-EXP_SAT */
} dec_parts;

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Splits s[0..n) into parts; false when it is not of the accepted form. */
static bool dec_split(const char *s, size_t n, dec_parts *d) {
    size_t i = 0;
    d->neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        d->neg = s[i] == '-';
        i++;
    }
    d->ip = s + i;
    while (i < n && is_digit(s[i]))
        i++;
    d->ni = (size_t)(s + i - d->ip);
    d->fp = s + i;
    d->nf = 0;
    if (i < n && s[i] == '.') {
        i++;
        d->fp = s + i;
        while (i < n && is_digit(s[i]))
            i++;
        d->nf = (size_t)(s + i - d->fp);
    }
    if (d->ni == 0 && d->nf == 0)
        return false;
    d->exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || !is_digit(s[i]))
            return false;
        int64_t e = 0;
        while (i < n && is_digit(s[i])) {
            if (e < EXP_SAT)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (e > EXP_SAT)
            e = EXP_SAT;
        d->exp = eneg ? -e : e;
    }
    return i == n;
}

/* The k-th digit of the concatenated integer and fraction digits, as a number. */
static int dec_digit(const dec_parts *d, size_t k) {
    return (k < d->ni ? d->ip[k] : d->fp[k - d->ni]) - '0';
}

/* Index of the first nonzero digit, or ni + nf when all are zero. */
static size_t dec_first_nonzero(const dec_parts *d) {
    size_t nt = d->ni + d->nf;
    for (size_t k = 0; k < nt; k++)
        if (dec_digit(d, k) != 0)
            return k;
    return nt;
}

bool rt_decimal_valid(const char *s, size_t n) {
    dec_parts d;
    return dec_split(s, n, &d);
}

static const uint64_t pow10_u64[19] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
    UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
    UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000), UINT64_C(10000000000000),
    UINT64_C(100000000000000), UINT64_C(1000000000000000), UINT64_C(10000000000000000),
    UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
};

/* The common case of rt_decimal_scaled: [-]digits[.digits] with at most 18 digits, no
 * exponent, 0 <= scale <= 18. Returns false (untouched *out) when s is not of that shape;
 * the general path then decides. */
static bool scaled_fast(const char *s, size_t n, int scale, rt_dec_mode mode, int64_t *out) {
    size_t i = 0;
    bool neg = n > 0 && s[0] == '-';
    i += neg;
    uint64_t m = 0;
    int nd = 0, nf = -1;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            m = m * 10 + (uint64_t)(c - '0');
            if (++nd > 18)
                return false;
            if (nf >= 0)
                nf++;
        } else if (c == '.' && nf < 0) {
            nf = 0;
        } else {
            return false;
        }
    }
    if (nd == 0 || scale < 0 || scale > 18)
        return false;
    if (nf < 0)
        nf = 0;
    int e = scale - nf;
    if (e >= 0) {
        if (m > (uint64_t)INT64_MAX / pow10_u64[e])
            return false;
        m *= pow10_u64[e];
    } else {
        uint64_t div = pow10_u64[-e], q = m / div, r = m % div;
        if (mode == RT_DEC_EXACT && r != 0)
            return false;
        if (2 * r > div || (2 * r == div && (q & 1)))
            q++;
        m = q;
    }
    *out = neg ? -(int64_t)m : (int64_t)m; /* m <= INT64_MAX here */
    return true;
}

rt_dec_status rt_decimal_scaled(const char *s, size_t n, int scale, rt_dec_mode mode, int64_t *out) {
    if (scaled_fast(s, n, scale, mode, out))
        return RT_DEC_OK;
    dec_parts d;
    if (!dec_split(s, n, &d))
        return RT_DEC_SYNTAX;
    size_t nt = d.ni + d.nf;
    size_t k0 = dec_first_nonzero(&d);
    if (k0 == nt) {
        *out = 0;
        return RT_DEC_OK;
    }
    /* value = digits[k0..nt) * 10^e; nint digits stay left of the point. */
    int64_t nd = (int64_t)(nt - k0);
    int64_t e = d.exp - (int64_t)d.nf + scale;
    int64_t nint = nd + e;
    if (nint > 19) /* at least 10^19 > 2^63 */
        return RT_DEC_RANGE;
    uint64_t mag = 0;
    if (e >= 0) {
        for (size_t k = k0; k < nt; k++)
            mag = mag * 10 + (uint64_t)dec_digit(&d, k);
        for (int64_t i = 0; i < e; i++)
            mag *= 10; /* nd + e <= 19 digits: below 10^19 < 2^64 */
    } else {
        size_t keep = nint > 0 ? (size_t)nint : 0;
        for (size_t k = k0; k < k0 + keep; k++)
            mag = mag * 10 + (uint64_t)dec_digit(&d, k);
        /* The dropped part: when nint < 0 there are -nint zeros before digits[k0..]. */
        int first = 0;
        bool rest_nonzero;
        if (nint >= 0) {
            size_t kf = k0 + keep;
            assert(kf < nt);
            first = dec_digit(&d, kf);
            rest_nonzero = false;
            for (size_t k = kf + 1; k < nt && !rest_nonzero; k++)
                rest_nonzero = dec_digit(&d, k) != 0;
        } else {
            rest_nonzero = true; /* digits[k0] is nonzero */
        }
        if (mode == RT_DEC_EXACT) {
            if (first != 0 || rest_nonzero)
                return RT_DEC_INEXACT;
        } else if (first > 5 || (first == 5 && (rest_nonzero || (mag & 1)))) {
            mag++;
        }
    }
    uint64_t limit = d.neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX;
    if (mag > limit)
        return RT_DEC_RANGE;
    if (!d.neg)
        *out = (int64_t)mag;
    else if (mag == UINT64_C(1) << 63)
        *out = INT64_MIN;
    else
        *out = -(int64_t)mag;
    return RT_DEC_OK;
}

/* The C locale for strtod_l, created once: the process locale may use ',' as the decimal
 * point. Read-only after its one-time initialisation. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod in the C locale on a copy of s[0..n) (which is valid). */
static double slow_strtod(const char *s, size_t n, bool *ok) {
    pthread_once(&c_locale_once, c_locale_init);
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf || !c_locale) {
        *ok = false;
        return 0;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    double x = strtod_l(buf, NULL, c_locale);
    if (buf != small)
        free(buf);
    *ok = true;
    return x;
}

static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

bool rt_decimal_to_double(const char *s, size_t n, double *out) {
    dec_parts d;
    if (!dec_split(s, n, &d))
        return false;
    size_t nt = d.ni + d.nf;
    size_t k0 = dec_first_nonzero(&d);
    if (k0 == nt) {
        *out = d.neg ? -0.0 : 0.0;
        return true;
    }
    /* Fast path (Clinger): an exact integer mantissa below 2^53 times or divided by an
     * exact power of ten is one correctly rounded IEEE operation. */
    if (nt - k0 <= 19) {
        uint64_t m = 0;
        for (size_t k = k0; k < nt; k++)
            m = m * 10 + (uint64_t)dec_digit(&d, k);
        int64_t e10 = d.exp - (int64_t)d.nf;
        const uint64_t two53 = UINT64_C(1) << 53;
        while (e10 > 22 && m <= two53 / 10) { /* move surplus exponent into the mantissa */
            m *= 10;
            e10--;
        }
        if (m <= two53 && e10 >= -22 && e10 <= 22) {
            double x = (double)m;
            x = e10 >= 0 ? x * pow10_exact[e10] : x / pow10_exact[-e10];
            *out = d.neg ? -x : x;
            return true;
        }
    }
    bool ok;
    double x = slow_strtod(s, n, &ok);
    if (!ok || isinf(x))
        return false;
    *out = x;
    return true;
}
