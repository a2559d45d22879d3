/* rt_fn_geo.c - geohash encoding and haversine distance (formulas spelled out in rt_fn.h). */
#include "rt_fn.h"
#include "rt_fn_slot.h"

#include <assert.h>
#include <math.h>

static const char geohash_alphabet[33] = "0123456789bcdefghjkmnpqrstuvwxyz";

/* Halves [*lo, *hi] around v; returns the bit (1: v in the upper half). */
static int bisect(double v, double *lo, double *hi) {
    double mid = (*lo + *hi) / 2.0;
    if (v >= mid) {
        *lo = mid;
        return 1;
    }
    *hi = mid;
    return 0;
}

void rt_fn_geohash(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[2].null) {
        rt_slot_set_null(out);
        return;
    }
    double lat = args[0].v.f, lon = args[1].v.f;
    int64_t precision = args[2].v.i;
    if (precision < 1 || precision > 12 || !(lat >= -90.0 && lat <= 90.0) ||
        !(lon >= -180.0 && lon <= 180.0)) {
        rt_slot_set_null(out);
        return;
    }
    double lat_lo = -90.0, lat_hi = 90.0, lon_lo = -180.0, lon_hi = 180.0;
    assert(scratch);
    char *p = rt_scratch_alloc(scratch, (size_t)precision);
    bool lon_turn = true; /* bits alternate lon, lat, lon, ... across characters */
    for (int64_t c = 0; c < precision; c++) {
        int idx = 0;
        for (int b = 0; b < 5; b++) {
            int bit = lon_turn ? bisect(lon, &lon_lo, &lon_hi) : bisect(lat, &lat_lo, &lat_hi);
            idx = idx * 2 + bit;
            lon_turn = !lon_turn;
        }
        p[c] = geohash_alphabet[idx];
    }
    rt_slot_set_string(out, p, (uint32_t)precision);
}

void rt_fn_haversine_km(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[2].null || args[3].null) {
        rt_slot_set_null(out);
        return;
    }
    double lat1 = args[0].v.f, lon1 = args[1].v.f, lat2 = args[2].v.f, lon2 = args[3].v.f;
    double p1 = lat1 * RT_DEG2RAD;
    double p2 = lat2 * RT_DEG2RAD;
    double dp = (lat2 - lat1) * RT_DEG2RAD;
    double dl = (lon2 - lon1) * RT_DEG2RAD;
    double s1 = sin(dp / 2.0);
    double s2 = sin(dl / 2.0);
    double h = s1 * s1 + ((cos(p1) * cos(p2)) * (s2 * s2));
    h = h < 0.0 ? 0.0 : (h > 1.0 ? 1.0 : h);
    rt_slot_set_float(out, (2.0 * RT_EARTH_RADIUS_KM) * asin(sqrt(h)));
}
