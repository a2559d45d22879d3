WITH "__a0_0" AS (SELECT "user_id" AS "c0", "item_id" AS "c1", "kind" AS "c2", "dwell_ms" AS "c3", "surface" AS "c4", "time" AS "c5" FROM "interactions"),
"__a0_1" AS (SELECT *, "c0" IS NOT NULL AND "c1" IS NOT NULL AND "c2" IS NOT NULL AND "c5" IS NOT NULL AND ((("c3" IS NULL) OR ("c3" >= CAST(0 AS BIGINT)))) IS NOT FALSE AS "a_ok" FROM "__a0_0"),
"__a0_d" AS (SELECT * FROM "__a0_1" WHERE "a_ok"),
"__v0_1" AS (SELECT *, (("c2" = 'view')) IS TRUE AS "e_w0", (("c2" = 'click')) IS TRUE AS "e_w1", "c3" AS "e_i3", "c1" AS "e_i5", "c4" AS "e_i6" FROM "__a0_d"),
"__v0" AS (SELECT "c0" AS "e_k0", "c5" AS "e_ts", "e_w0", "e_w1", "e_i3", "e_i5", "e_i6" FROM "__v0_1"),
"__v1_1" AS (SELECT *, (("c2" = 'view')) IS TRUE AS "e_w0", (("c2" = 'click')) IS TRUE AS "e_w1", (("c2" IN ('like', 'share'))) IS TRUE AS "e_w2", "c0" AS "e_i3", "c3" AS "e_i4", "c5" AS "e_i5", (("c2" = 'view')) IS TRUE AS "e_w5" FROM "__a0_d"),
"__v1" AS (SELECT "c1" AS "e_k0", "c5" AS "e_ts", "e_w0", "e_w1", "e_w2", "e_i3", "e_i4", "e_i5", "e_w5" FROM "__v1_1"),
"__a1_0" AS (SELECT "item_id" AS "c0", "category" AS "c1", "author" AS "c2", "price" AS "c3", "published" AS "c4", "updated_at" AS "c5" FROM "items"),
"__a1_1" AS (SELECT *, "c0" IS NOT NULL AND "c5" IS NOT NULL AS "a_ok" FROM "__a1_0"),
"__a1_d" AS (SELECT * FROM "__a1_1" WHERE "a_ok"),
"__v2_1" AS (SELECT *, "c1" AS "e_i0", "c3" AS "e_i2", "c4" AS "e_i3" FROM "__a1_d"),
"__v2" AS (SELECT "c0" AS "e_k0", "c5" AS "e_ts", "e_i0", "e_i2", "e_i3" FROM "__v2_1"),
"__fe0" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", CASE WHEN "e_w0" THEN 1 END AS "a0", CASE WHEN "e_w1" THEN 1 END AS "a1", "e_i3" AS "a3", "e_i5" AS "a5", "e_i6" AS "a6" FROM "__v0" WHERE "e_k0" IS NOT NULL),
"__fu0" AS (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", 0 AS "j" FROM "__fe0"
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", 0 FROM "spine" AS s
UNION ALL SELECT s."user_id", CASE WHEN s."ts" < CAST(-9223372033254775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(3600000000 AS BIGINT) END, 0, s."_row", 1 FROM "spine" AS s
UNION ALL SELECT s."user_id", CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END, 0, s."_row", 2 FROM "spine" AS s),
"__fa0" AS (SELECT "r", "j", count(CASE WHEN "j" = 0 THEN 1 END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "j" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "q" FROM "__fu0" QUALIFY "c" = 0),
"__fp0" AS (SELECT "r" AS "pr", max(CASE WHEN "j" = 0 THEN "q" END) AS "q0", max(CASE WHEN "j" = 1 THEN "q" END) AS "q1", max(CASE WHEN "j" = 2 THEN "q" END) AS "q2" FROM "__fa0" GROUP BY "r"),
"__fw0" AS (SELECT "r" AS "zr0",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_0_0",
  count("a1") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_1_0",
  sum(CAST("a3" AS HUGEINT)) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN COALESCE("q0" - "q2" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_3_0",
  count("a3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN COALESCE("q0" - "q2" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_3_1",
  count(DISTINCT "a5") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN COALESCE("q0" - "q2" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_5_0",
  last_value("a6" IGNORE NULLS) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a6" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z0_6_0"
FROM (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", "a0", "a1", "a3", "a5", "a6", CAST(NULL AS BIGINT) AS "q0", CAST(NULL AS BIGINT) AS "q1", CAST(NULL AS BIGINT) AS "q2" FROM "__fe0"
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", NULL, NULL, NULL, NULL, NULL, p."q0", p."q1", p."q2" FROM "spine" AS s LEFT JOIN "__fp0" AS p ON p."pr" = s."_row") AS a
QUALIFY "c" = 0),
"__fe1" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", CASE WHEN "e_w0" THEN 1 END AS "a0", CASE WHEN "e_w1" THEN 1 END AS "a1", CASE WHEN "e_w2" THEN 1 END AS "a2", "e_i3" AS "a3", CASE WHEN "e_w5" THEN "e_i5" END AS "a5" FROM "__v1" WHERE "e_k0" IS NOT NULL),
"__fu1" AS (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", 0 AS "j" FROM "__fe1"
UNION ALL SELECT s."item_id", s."ts", 0, s."_row", 0 FROM "spine" AS s
UNION ALL SELECT s."item_id", CASE WHEN CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END < CAST(-9223372036800000000 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END - CASE WHEN CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END % CAST(3600000000 AS BIGINT) < 0 THEN CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END % CAST(3600000000 AS BIGINT) + CAST(3600000000 AS BIGINT) ELSE CASE WHEN s."ts" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(86400000000 AS BIGINT) END % CAST(3600000000 AS BIGINT) END END, 0, s."_row", 1 FROM "spine" AS s
UNION ALL SELECT s."item_id", CASE WHEN CASE WHEN s."ts" < CAST(-9223371432054775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(604800000000 AS BIGINT) END < CAST(-9223372022400000000 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE CASE WHEN s."ts" < CAST(-9223371432054775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(604800000000 AS BIGINT) END - CASE WHEN CASE WHEN s."ts" < CAST(-9223371432054775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(604800000000 AS BIGINT) END % CAST(86400000000 AS BIGINT) < 0 THEN CASE WHEN s."ts" < CAST(-9223371432054775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(604800000000 AS BIGINT) END % CAST(86400000000 AS BIGINT) + CAST(86400000000 AS BIGINT) ELSE CASE WHEN s."ts" < CAST(-9223371432054775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(604800000000 AS BIGINT) END % CAST(86400000000 AS BIGINT) END END, 0, s."_row", 2 FROM "spine" AS s),
"__fa1" AS (SELECT "r", "j", count(CASE WHEN "j" = 0 THEN 1 END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "j" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "q" FROM "__fu1" QUALIFY "c" = 0),
"__fp1" AS (SELECT "r" AS "pr", max(CASE WHEN "j" = 0 THEN "q" END) AS "q0", max(CASE WHEN "j" = 1 THEN "q" END) AS "q1", max(CASE WHEN "j" = 2 THEN "q" END) AS "q2" FROM "__fa1" GROUP BY "r"),
"__fw1" AS (SELECT "r" AS "zr1",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a5" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z1_0_0",
  count("a1") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a5" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z1_1_0",
  count("a2") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a5" ROWS BETWEEN COALESCE("q0" - "q2" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z1_2_0",
  count(DISTINCT "a3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a5" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z1_3_0",
  last_value("a5" IGNORE NULLS) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a5" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z1_5_0"
FROM (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", "a0", "a1", "a2", "a3", "a5", CAST(NULL AS BIGINT) AS "q0", CAST(NULL AS BIGINT) AS "q1", CAST(NULL AS BIGINT) AS "q2" FROM "__fe1"
UNION ALL SELECT s."item_id", s."ts", 0, s."_row", NULL, NULL, NULL, NULL, NULL, p."q0", p."q1", p."q2" FROM "spine" AS s LEFT JOIN "__fp1" AS p ON p."pr" = s."_row") AS a
QUALIFY "c" = 0),
"__fe2" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", "e_i0" AS "a0", "e_i2" AS "a2", CASE WHEN "e_i2" IS NOT NULL THEN struct_pack(t := "e_ts", a := "e_i2") END AS "rk2", "e_i3" AS "a3", CASE WHEN "e_i3" IS NOT NULL THEN struct_pack(t := "e_ts", a := "e_i3") END AS "rk3" FROM "__v2" WHERE "e_k0" IS NOT NULL),
"__fw2" AS (SELECT "r" AS "zr2",
  last_value("a0" IGNORE NULLS) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z2_0_0",
  max(CASE WHEN "a0" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z2_0_1",
  arg_max("a2", "rk2") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z2_2_0",
  arg_max("a3", "rk3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z2_3_0"
FROM (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", "a0", "a2", "rk2", "a3", "rk3" FROM "__fe2"
UNION ALL SELECT s."item_id", s."ts", 0, s."_row", NULL, NULL, NULL, NULL, NULL FROM "spine" AS s) AS a
QUALIFY "c" = 0),
"__s_0" AS (SELECT s."_row" AS "r", s."ts" AS "t", s."user_id" AS "k0", s."item_id" AS "k1", s."position" AS "q2", s."query" AS "q3", "w0"."z0_0_0" AS "z0_0_0", "w0"."z0_1_0" AS "z0_1_0", "w0"."z0_3_0" AS "z0_3_0", "w0"."z0_3_1" AS "z0_3_1", "w0"."z0_5_0" AS "z0_5_0", "w0"."z0_6_0" AS "z0_6_0", "w1"."z1_0_0" AS "z1_0_0", "w1"."z1_1_0" AS "z1_1_0", "w1"."z1_2_0" AS "z1_2_0", "w1"."z1_3_0" AS "z1_3_0", "w1"."z1_5_0" AS "z1_5_0", "w2"."z2_0_0" AS "z2_0_0", "w2"."z2_0_1" AS "z2_0_1", "w2"."z2_2_0" AS "z2_2_0", "w2"."z2_3_0" AS "z2_3_0" FROM "spine" AS s LEFT JOIN "__fw0" AS "w0" ON "w0"."zr0" = s."_row" LEFT JOIN "__fw1" AS "w1" ON "w1"."zr1" = s."_row" LEFT JOIN "__fw2" AS "w2" ON "w2"."zr2" = s."_row"),
"__s_1" AS (SELECT *, "z0_0_0" AS "f0_0", "z0_1_0" AS "f0_1", (CAST("z0_3_0" AS DOUBLE) / CAST("z0_3_1" AS DOUBLE)) AS "f0_3", "z0_5_0" AS "f0_5", "z0_6_0" AS "f0_6", "z1_0_0" AS "f1_0", "z1_1_0" AS "f1_1", "z1_2_0" AS "f1_2", "z1_3_0" AS "f1_3", CASE WHEN "t" < CAST(-9223371950454775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE "t" - CAST(86400000000 AS BIGINT) END AS "h1", "z1_5_0" AS "f1_5", CASE WHEN "t" < CAST(-9223369444854775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE "t" - CAST(2592000000000 AS BIGINT) END AS "h4", COALESCE("z2_2_0", CAST('0' AS DOUBLE)) AS "f2_2", "z2_3_0" AS "f2_3", ("q2" <= CAST(3 AS BIGINT)) AS "o0_7" FROM "__s_0"),
"__s_2" AS (SELECT *, (SELECT CAST(sum(e."e_i4") AS DOUBLE) / CAST(count(e."e_i4") AS DOUBLE) FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t" AND e."e_ts" >= "h1") AS "h2", CASE WHEN "z2_0_1" >= "h4" THEN "z2_0_0" END AS "f2_0", (CAST("f0_1" AS DOUBLE) / CAST("f0_0" AS DOUBLE)) AS "h5", (CAST("f1_1" AS HUGEINT) + CAST(CAST(1 AS BIGINT) AS HUGEINT)) AS "h6", (CAST("f1_0" AS HUGEINT) + CAST(CAST(10 AS BIGINT) AS HUGEINT)) AS "h7", (CAST("t" AS HUGEINT) - CAST("f2_3" AS HUGEINT)) AS "h9", (CAST("t" AS HUGEINT) - CAST("f2_3" AS HUGEINT)) AS "h11", ("f2_2" < CAST('5' AS DOUBLE)) AS "o0_4", CASE WHEN "f0_3" > 0 THEN ln("f0_3") END AS "o0_8" FROM "__s_1"),
"__s_3" AS (SELECT *, (SELECT CASE WHEN isfinite(("xs" / "xn")) THEN ("xs" / "xn") END FROM (SELECT (CAST(sum(CASE WHEN abs(((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2"))) >= 18446744073709551616.0 THEN 0 ELSE CAST(trunc(((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2"))) AS HUGEINT) END) AS DOUBLE) + sum(CASE WHEN abs(((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2"))) >= 18446744073709551616.0 THEN CAST(0 AS DOUBLE) ELSE ((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2")) - trunc(((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2"))) END)) + sum(CASE WHEN abs(((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2"))) >= 18446744073709551616.0 THEN ((CAST(e."e_i4" AS DOUBLE) - "h2") * (CAST(e."e_i4" AS DOUBLE) - "h2")) ELSE CAST(0 AS DOUBLE) END) AS "xs", CAST(count(e."e_i4") AS DOUBLE) AS "xn" FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t" AND e."e_ts" >= "h1") AS a) AS "h3", CASE WHEN isfinite("h5") THEN "h5" END AS "o0_0", (CAST(CASE WHEN "h6" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("h6" AS BIGINT) END AS DOUBLE) / CAST(CASE WHEN "h7" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("h7" AS BIGINT) END AS DOUBLE)) AS "h8", ((CAST(CASE WHEN "h9" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("h9" AS BIGINT) END AS DOUBLE) / CAST('1000000' AS DOUBLE)) / CAST('3600' AS DOUBLE)) AS "h10", ((CAST(CASE WHEN "h11" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("h11" AS BIGINT) END AS DOUBLE) / CAST('1000000' AS DOUBLE)) / CAST('86400' AS DOUBLE)) AS "h12", ((translate(COALESCE("f2_0", 'unknown'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') || ':') || CAST("k1" AS VARCHAR)) AS "o0_5", contains(translate(COALESCE("q3", ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), translate(COALESCE("f2_0", '?'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) AS "o0_6" FROM "__s_2"),
"__s_4" AS (SELECT *, "h3" AS "f1_4", CASE WHEN isfinite("h8") THEN "h8" END AS "o0_1", CASE WHEN isfinite("h10") THEN "h10" END AS "o0_2", exp((-(CASE WHEN isfinite("h12") THEN "h12" END))) AS "h13" FROM "__s_3"),
"__s_5" AS (SELECT *, CASE WHEN isfinite("h13") THEN "h13" END AS "o0_3" FROM "__s_4")
SELECT s.*,
  c."f0_1" AS "user_engagement__clicks_1h",
  c."f0_5" AS "user_engagement__items_seen_1d",
  c."f0_6" AS "user_engagement__last_surface",
  c."f1_0" AS "item_popularity__views_1d",
  c."f1_1" AS "item_popularity__clicks_1d",
  c."f1_2" AS "item_popularity__likes_7d",
  c."f1_3" AS "item_popularity__users_1d",
  c."f1_4" AS "item_popularity__dwell_var_1d",
  c."f1_5" AS "item_popularity__last_view_at",
  c."f2_0" AS "item_profile__category",
  c."f2_2" AS "item_profile__price",
  c."o0_0" AS "rank_signals__user_ctr",
  c."o0_1" AS "rank_signals__item_ctr",
  c."o0_2" AS "rank_signals__age_hours",
  c."o0_3" AS "rank_signals__freshness",
  c."o0_4" AS "rank_signals__cheap",
  c."o0_5" AS "rank_signals__category_key",
  c."o0_6" AS "rank_signals__query_match",
  c."o0_7" AS "rank_signals__top_slot",
  c."o0_8" AS "rank_signals__log_dwell"
FROM "spine" AS s LEFT JOIN "__s_5" AS c ON c."r" = s."_row"
ORDER BY s."_row"
