/* test_rt_fn_geo.c - geohash against known cells and haversine_km against known distances. */
#include "test_rt_fn_util.h"

static void test_geohash_known(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_fn_geohash, F(57.64911), F(10.40744), I(11)), "u4pruydqqvj");
    CHECK_STR(CALL(rt_fn_geohash, F(42.6), F(-5.6), I(5)), "ezs42");
    CHECK_STR(CALL(rt_fn_geohash, F(-33.8688), F(151.2093), I(9)), "r3gx2f77b");
    CHECK_STR(CALL(rt_fn_geohash, F(40.7128), F(-74.0060), I(12)), "dr5regw3ppyz");
    /* (0, 0): lon 0 >= 0 -> 1, lat 0 >= 0 -> 1, then 0 < 90, 0 < 45, 0 < 45: 11000 = 's' */
    CHECK_STR(CALL(rt_fn_geohash, F(0), F(0), I(1)), "s");
    /* a value equal to the midpoint takes the upper half: lon 90 >= 90, lat 45 >= 45,
     * then lon 90 < 135: 11110 = 'y' */
    CHECK_STR(CALL(rt_fn_geohash, F(45), F(90), I(1)), "y");
    /* prefixes of a longer hash */
    CHECK_STR(CALL(rt_fn_geohash, F(57.64911), F(10.40744), I(3)), "u4p");
}

static void test_geohash_bounds(void **state) {
    (void)state;
    CHECK_STR(CALL(rt_fn_geohash, F(90), F(180), I(12)), "zzzzzzzzzzzz");
    CHECK_STR(CALL(rt_fn_geohash, F(-90), F(-180), I(12)), "000000000000");
    /* lat bits all 1, lon bits all 0: 01010 = 'b'; the reverse: 10101 = 'p' */
    CHECK_STR(CALL(rt_fn_geohash, F(90), F(-180), I(1)), "b");
    CHECK_STR(CALL(rt_fn_geohash, F(-90), F(180), I(1)), "p");
    CHECK_NULL(CALL(rt_fn_geohash, F(90.0000001), F(0), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(-90.5), F(0), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(180.5), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(-181), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(0), I(0)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(0), I(13)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(0), I(-1)));
    CHECK_NULL(CALL(rt_fn_geohash, NUL(), F(0), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), NUL(), I(5)));
    CHECK_NULL(CALL(rt_fn_geohash, F(0), F(0), NUL()));
}

/* Expected distances come from the atan2 (Vincenty, sphere) form of the great-circle
 * distance with the same radius, an independent formula. */
static void test_haversine(void **state) {
    (void)state;
    CHECK_FLOAT(CALL(rt_fn_haversine_km, F(12.5), F(-7.25), F(12.5), F(-7.25)), 0.0);
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(48.8566), F(2.3522), F(51.5074), F(-0.1278)),
                     343.55653488088404, 1e-12);
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(40.7128), F(-74.0060), F(-33.8688), F(151.2093)),
                     15988.777591649337, 1e-12);
    /* one degree of the equator: R * pi / 180 */
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(0), F(0), F(0), F(1)), 111.1950802335329, 1e-13);
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(10), F(20), F(10.0000001), F(20)),
                     1.1119507961221252e-05, 1e-9);
    /* antipodes: the term reaches (or passes) 1 and is clamped; pi * R */
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(0), F(0), F(0), F(180)), 20015.114442035923, 1e-15);
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(90), F(0), F(-90), F(0)), 20015.114442035923, 1e-15);
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(30), F(-60), F(-30), F(120)), 20015.114442035923, 1e-15);
    /* here the unclamped term is 1.0000000000000002 (one ulp above 1; clamped to 1) */
    CHECK_FLOAT_NEAR(CALL(rt_fn_haversine_km, F(1.6606), F(12.3), F(-1.6606), F(192.3)),
                     20015.114442035923, 1e-15);
    /* symmetric in its two points */
    rt_slot ab = CALL(rt_fn_haversine_km, F(1), F(2), F(3), F(4));
    CHECK_FLOAT(CALL(rt_fn_haversine_km, F(3), F(4), F(1), F(2)), ab.v.f);
    CHECK_NULL(CALL(rt_fn_haversine_km, NUL(), F(0), F(0), F(0)));
    CHECK_NULL(CALL(rt_fn_haversine_km, F(0), F(0), F(0), NUL()));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geohash_known),
        cmocka_unit_test(test_geohash_bounds),
        cmocka_unit_test(test_haversine),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rt_scratch_free(&test_scratch);
    return rc;
}
