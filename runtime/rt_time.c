/* rt_time.c - parsing and formatting of timestamps (epoch microseconds, UTC). */
#include "rt_time.h"

#include "rt_decimal.h"

#include <stdio.h>

#define US_PER_DAY (INT64_C(86400) * RT_US_PER_SEC)

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31);
 * Howard Hinnant's days_from_civil, valid for any y whose result fits. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly k decimal digits at s; -1 when any is not a digit. */
static int digits(const char *s, int k) {
    int v = 0;
    for (int i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* True when s[0..n) starts like an ISO date: four digits and a '-'. */
static bool looks_iso(const char *s, size_t n) {
    return n >= 5 && digits(s, 4) >= 0 && s[4] == '-';
}

/* Parses the ISO form exactly; see rt_time.h. */
static bool parse_iso(const char *s, size_t n, int64_t *out) {
    /* YYYY-MM-DD?HH:MM:SS is 19 bytes */
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return false;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return false;
    size_t i = 19;
    int64_t frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        int nd = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (++nd > 6)
                return false;
            frac = frac * 10 + (s[i] - '0');
            i++;
        }
        if (nd == 0)
            return false;
        for (; nd < 6; nd++)
            frac *= 10;
    }
    int64_t offset_min = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (n - i < 6 || s[i + 3] != ':')
            return false;
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return false;
        offset_min = (int64_t)oh * 60 + om;
        if (s[i] == '-')
            offset_min = -offset_min;
        i += 6;
    }
    if (i != n)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec -
                   offset_min * 60;
    *out = secs * RT_US_PER_SEC + frac; /* years 0..9999: far inside int64 */
    return true;
}

bool rt_time_parse(const char *s, size_t n, int64_t *out) {
    if (looks_iso(s, n))
        return parse_iso(s, n, out);
    int64_t us;
    if (rt_decimal_scaled(s, n, 6, RT_DEC_HALF_EVEN, &us) != RT_DEC_OK)
        return false;
    *out = us;
    return true;
}

size_t rt_time_format(int64_t us, char *buf) {
    /* floor division without overflow, also for INT64_MIN */
    int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
    if (rem < 0) {
        days--;
        rem += US_PER_DAY;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / RT_US_PER_SEC;
    int frac = (int)(rem % RT_US_PER_SEC);
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), s = (int)(secs % 60);
    int len;
    if (y >= 0 && y <= 9999)
        len = snprintf(buf, RT_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", (int)y, m, d, h, mi, s,
                       frac);
    else
        len = snprintf(buf, RT_TIME_BUF, "%c%04lld-%02d-%02dT%02d:%02d:%02d.%06dZ", y < 0 ? '-' : '+',
                       (long long)(y < 0 ? -y : y), m, d, h, mi, s, frac);
    return (size_t)len;
}
