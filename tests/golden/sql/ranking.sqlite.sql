WITH "__v0_0" AS (SELECT "user_id" AS "c0", "item_id" AS "c1", "kind" AS "c2", "dwell_ms" AS "c3", "surface" AS "c4", "time" AS "c5" FROM "interactions"),
"__v0_1" AS (SELECT *, "c0" IS NOT NULL AND "c1" IS NOT NULL AND "c2" IS NOT NULL AND "c5" IS NOT NULL AND ((("c3" IS NULL) OR ("c3" >= 0))) IS NOT FALSE AS "e_ok", (("c2" = 'view')) IS TRUE AS "e_w0", (("c2" = 'click')) IS TRUE AS "e_w1", "c3" AS "e_i3", "c1" AS "e_i5", "c4" AS "e_i6" FROM "__v0_0"),
"__v0" AS (SELECT "c0" AS "e_k0", "c5" AS "e_ts", "e_w0", "e_w1", "e_i3", "e_i5", "e_i6" FROM "__v0_1" WHERE "e_ok"),
"__v1_0" AS (SELECT "user_id" AS "c0", "item_id" AS "c1", "kind" AS "c2", "dwell_ms" AS "c3", "surface" AS "c4", "time" AS "c5" FROM "interactions"),
"__v1_1" AS (SELECT *, "c0" IS NOT NULL AND "c1" IS NOT NULL AND "c2" IS NOT NULL AND "c5" IS NOT NULL AND ((("c3" IS NULL) OR ("c3" >= 0))) IS NOT FALSE AS "e_ok", (("c2" = 'view')) IS TRUE AS "e_w0", (("c2" = 'click')) IS TRUE AS "e_w1", (("c2" IN ('like', 'share'))) IS TRUE AS "e_w2", "c0" AS "e_i3", "c3" AS "e_i4", "c5" AS "e_i5", (("c2" = 'view')) IS TRUE AS "e_w5" FROM "__v1_0"),
"__v1" AS (SELECT "c1" AS "e_k0", "c5" AS "e_ts", "e_w0", "e_w1", "e_w2", "e_i3", "e_i4", "e_i5", "e_w5" FROM "__v1_1" WHERE "e_ok"),
"__v2_0" AS (SELECT "item_id" AS "c0", "category" AS "c1", "author" AS "c2", "price" AS "c3", "published" AS "c4", "updated_at" AS "c5" FROM "items"),
"__v2_1" AS (SELECT *, "c0" IS NOT NULL AND "c5" IS NOT NULL AS "e_ok", "c1" AS "e_i0", "c3" AS "e_i2", "c4" AS "e_i3" FROM "__v2_0"),
"__v2" AS (SELECT "c0" AS "e_k0", "c5" AS "e_ts", "e_i0", "e_i2", "e_i3" FROM "__v2_1" WHERE "e_ok"),
"__wu0" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "c", CAST(NULL AS INTEGER) AS "r", CASE WHEN "e_w0" THEN 1 END AS "a0", CASE WHEN "e_w1" THEN 1 END AS "a1", "e_i3" AS "a3", "e_i6" AS "a6" FROM "__v0" WHERE "e_k0" IS NOT NULL
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", NULL, NULL, NULL, NULL FROM "spine" AS s),
"__wg0" AS (SELECT *, count("a6") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a6" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g6" FROM "__wu0"),
"__ww0" AS (SELECT "zr0", max("y0_0_0") AS "y0_0_0", max("y0_1_0") AS "y0_1_0", max("y0_3_0") AS "y0_3_0", max("y0_3_1") AS "y0_3_1", max("y0_3_2") AS "y0_3_2", max("y0_6_0") AS "y0_6_0", max("y0_6_1") AS "y0_6_1" FROM (SELECT "c", "r" AS "zr0",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN 3600000000 PRECEDING AND 1 PRECEDING) AS "y0_0_0",
  count("a1") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN 3600000000 PRECEDING AND 1 PRECEDING) AS "y0_1_0",
  sum(("a3" >> 32)) OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN 86400000000 PRECEDING AND 1 PRECEDING) AS "y0_3_0",
  sum(("a3" & 4294967295)) OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN 86400000000 PRECEDING AND 1 PRECEDING) AS "y0_3_1",
  count("a3") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN 86400000000 PRECEDING AND 1 PRECEDING) AS "y0_3_2",
  first_value("a6") OVER (PARTITION BY "k0", "g6" ORDER BY "t", "c", "a6" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y0_6_0", first_value(CASE WHEN "a6" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g6" ORDER BY "t", "c", "a6" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y0_6_1"
FROM "__wg0") AS w WHERE "zr0" IS NOT NULL GROUP BY "zr0"),
"__wu1" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "c", CAST(NULL AS INTEGER) AS "r", ("e_ts" / 3600000000 - CASE WHEN "e_ts" % 3600000000 < 0 THEN 1 ELSE 0 END) AS "i0", ("e_ts" / 86400000000 - CASE WHEN "e_ts" % 86400000000 < 0 THEN 1 ELSE 0 END) AS "i1", CASE WHEN "e_w0" THEN 1 END AS "a0", CASE WHEN "e_w1" THEN 1 END AS "a1", CASE WHEN "e_w2" THEN 1 END AS "a2", CASE WHEN "e_w5" THEN "e_i5" END AS "a5" FROM "__v1" WHERE "e_k0" IS NOT NULL
UNION ALL SELECT s."item_id", s."ts", 0, s."_row", (s."ts" / 3600000000 - CASE WHEN s."ts" % 3600000000 < 0 THEN 1 ELSE 0 END), (s."ts" / 86400000000 - CASE WHEN s."ts" % 86400000000 < 0 THEN 1 ELSE 0 END), NULL, NULL, NULL, NULL FROM "spine" AS s),
"__wg1" AS (SELECT *, count("a5") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a5" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g5" FROM "__wu1"),
"__ww1" AS (SELECT "zr1", max("y1_0_0") AS "y1_0_0", max("y1_1_0") AS "y1_1_0", max("y1_2_0") AS "y1_2_0", max("y1_5_0") AS "y1_5_0", max("y1_5_1") AS "y1_5_1" FROM (SELECT "c", "r" AS "zr1",
  count("a0") OVER (PARTITION BY "k0", "i0" ORDER BY "t", "c" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "y1_0_0",
  count("a1") OVER (PARTITION BY "k0", "i0" ORDER BY "t", "c" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "y1_1_0",
  count("a2") OVER (PARTITION BY "k0", "i1" ORDER BY "t", "c" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "y1_2_0",
  first_value("a5") OVER (PARTITION BY "k0", "g5" ORDER BY "t", "c", "a5" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y1_5_0", first_value(CASE WHEN "a5" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g5" ORDER BY "t", "c", "a5" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y1_5_1"
FROM "__wg1") AS w WHERE "zr1" IS NOT NULL GROUP BY "zr1"),
"__wt1_0" AS (SELECT "zt1_0", max("x1_0_0") AS "x1_0_0", max("x1_1_0") AS "x1_1_0" FROM (SELECT "c", "r" AS "zt1_0",
  sum("p0_0") OVER (PARTITION BY "k0" ORDER BY "i" RANGE BETWEEN 24 PRECEDING AND 1 PRECEDING) AS "x1_0_0",
  sum("p1_0") OVER (PARTITION BY "k0" ORDER BY "i" RANGE BETWEEN 24 PRECEDING AND 1 PRECEDING) AS "x1_1_0"
FROM (SELECT "k0", "i0" AS "i", 1 AS "c", CAST(NULL AS INTEGER) AS "r", count("a0") AS "p0_0", count("a1") AS "p1_0" FROM "__wu1" WHERE "c" = 1 GROUP BY "k0", "i0"
UNION ALL SELECT "k0", "i0", 0, "r", NULL, NULL FROM "__wu1" WHERE "r" IS NOT NULL) AS u) AS w WHERE "zt1_0" IS NOT NULL GROUP BY "zt1_0"),
"__wt1_1" AS (SELECT "zt1_1", max("x1_2_0") AS "x1_2_0" FROM (SELECT "c", "r" AS "zt1_1",
  sum("p2_0") OVER (PARTITION BY "k0" ORDER BY "i" RANGE BETWEEN 7 PRECEDING AND 1 PRECEDING) AS "x1_2_0"
FROM (SELECT "k0", "i1" AS "i", 1 AS "c", CAST(NULL AS INTEGER) AS "r", count("a2") AS "p2_0" FROM "__wu1" WHERE "c" = 1 GROUP BY "k0", "i1"
UNION ALL SELECT "k0", "i1", 0, "r", NULL FROM "__wu1" WHERE "r" IS NOT NULL) AS u) AS w WHERE "zt1_1" IS NOT NULL GROUP BY "zt1_1"),
"__wu2" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "c", CAST(NULL AS INTEGER) AS "r", "e_i0" AS "a0", "e_i2" AS "a2", "e_i3" AS "a3" FROM "__v2" WHERE "e_k0" IS NOT NULL
UNION ALL SELECT s."item_id", s."ts", 0, s."_row", NULL, NULL, NULL FROM "spine" AS s),
"__wg2" AS (SELECT *, count("a0") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g0", count("a2") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g2", count("a3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a3" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g3" FROM "__wu2"),
"__ww2" AS (SELECT "zr2", max("y2_0_0") AS "y2_0_0", max("y2_0_1") AS "y2_0_1", max("y2_2_0") AS "y2_2_0", max("y2_2_1") AS "y2_2_1", max("y2_3_0") AS "y2_3_0", max("y2_3_1") AS "y2_3_1" FROM (SELECT "c", "r" AS "zr2",
  first_value("a0") OVER (PARTITION BY "k0", "g0" ORDER BY "t", "c", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_0_0", first_value(CASE WHEN "a0" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g0" ORDER BY "t", "c", "a0" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_0_1",
  first_value("a2") OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_2_0", first_value(CASE WHEN "a2" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_2_1",
  first_value("a3") OVER (PARTITION BY "k0", "g3" ORDER BY "t", "c", "a3" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_3_0", first_value(CASE WHEN "a3" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g3" ORDER BY "t", "c", "a3" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y2_3_1"
FROM "__wg2") AS w WHERE "zr2" IS NOT NULL GROUP BY "zr2"),
"__s_0" AS (SELECT s."_row" AS "r", s."ts" AS "t", s."user_id" AS "k0", s."item_id" AS "k1", s."position" AS "q2", s."query" AS "q3", "w0"."y0_0_0" AS "y0_0_0", "w0"."y0_1_0" AS "y0_1_0", "w0"."y0_3_0" AS "y0_3_0", "w0"."y0_3_1" AS "y0_3_1", "w0"."y0_3_2" AS "y0_3_2", "w0"."y0_6_0" AS "y0_6_0", "w0"."y0_6_1" AS "y0_6_1", "w1"."y1_0_0" AS "y1_0_0", "w1"."y1_1_0" AS "y1_1_0", "w1"."y1_2_0" AS "y1_2_0", "w1"."y1_5_0" AS "y1_5_0", "w1"."y1_5_1" AS "y1_5_1", "x1_0"."x1_0_0" AS "x1_0_0", "x1_0"."x1_1_0" AS "x1_1_0", "x1_1"."x1_2_0" AS "x1_2_0", "w2"."y2_0_0" AS "y2_0_0", "w2"."y2_0_1" AS "y2_0_1", "w2"."y2_2_0" AS "y2_2_0", "w2"."y2_2_1" AS "y2_2_1", "w2"."y2_3_0" AS "y2_3_0", "w2"."y2_3_1" AS "y2_3_1" FROM "spine" AS s LEFT JOIN "__ww0" AS "w0" ON "w0"."zr0" = s."_row" LEFT JOIN "__ww1" AS "w1" ON "w1"."zr1" = s."_row" LEFT JOIN "__wt1_0" AS "x1_0" ON "x1_0"."zt1_0" = s."_row" LEFT JOIN "__wt1_1" AS "x1_1" ON "x1_1"."zt1_1" = s."_row" LEFT JOIN "__ww2" AS "w2" ON "w2"."zr2" = s."_row"),
"__s_1" AS (SELECT *, "y0_0_0" AS "f0_0", "y0_1_0" AS "f0_1", ((CAST("y0_3_0" AS REAL) * 4294967296.0 + CAST("y0_3_1" AS REAL)) / CAST("y0_3_2" AS REAL)) AS "f0_3", CASE WHEN "t" < (-9223371950454775808) THEN (-9223372036854775807 - 1) ELSE "t" - 86400000000 END AS "h1", "y0_6_0" AS "f0_6", (COALESCE("x1_0_0", 0) + "y1_0_0") AS "h3", (COALESCE("x1_1_0", 0) + "y1_1_0") AS "h4", (COALESCE("x1_2_0", 0) + "y1_2_0") AS "h5", CASE WHEN "t" < (-9223371950454775808) THEN (-9223372036854775807 - 1) ELSE "t" - 86400000000 END AS "h6", "y1_5_0" AS "f1_5", CASE WHEN "t" < (-9223369444854775808) THEN (-9223372036854775807 - 1) ELSE "t" - 2592000000000 END AS "h11", COALESCE("y2_2_0", 0.0) AS "f2_2", "y2_3_0" AS "f2_3", ("q2" <= 3) AS "o0_7" FROM "__s_0"),
"__s_2" AS (SELECT *, (SELECT count(DISTINCT e."e_i5") FROM "__v0" AS e WHERE e."e_k0" = "k0" AND e."e_ts" < "t" AND e."e_ts" >= "h1") AS "h2", "h3" AS "f1_0", "h4" AS "f1_1", "h5" AS "f1_2", CASE WHEN "h6" < (-9223372036800000000) THEN (-9223372036854775807 - 1) ELSE "h6" - CASE WHEN "h6" % 3600000000 < 0 THEN "h6" % 3600000000 + 3600000000 ELSE "h6" % 3600000000 END END AS "h7", (SELECT (CAST(sum(e."e_i4" >> 32) AS REAL) * 4294967296.0 + CAST(sum(e."e_i4" & 4294967295) AS REAL)) / CAST(count(e."e_i4") AS REAL) FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t" AND e."e_ts" >= "h1") AS "h9", CASE WHEN "y2_0_1" >= "h11" THEN "y2_0_0" END AS "f2_0", nullif(nullif((CAST("f0_1" AS REAL) / CAST("f0_0" AS REAL)), 9e999), -9e999) AS "o0_0", ("t" - "f2_3") AS "h14", ("t" - "f2_3") AS "h15", ("f2_2" < 5.0) AS "o0_4", ln("f0_3") AS "o0_8" FROM "__s_1"),
"__s_3" AS (SELECT *, "h2" AS "f0_5", (SELECT count(DISTINCT e."e_i3") FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t" AND e."e_ts" >= "h7") AS "h8", (SELECT nullif(nullif(("xs" / "xn"), 9e999), -9e999) FROM (SELECT (CAST(sum(CASE WHEN abs(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9"))) >= 4611686018427387904.0 THEN 0 ELSE CAST(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) / 2147483648.0 AS INTEGER) END) * 2147483648 + sum(CASE WHEN abs(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9"))) >= 4611686018427387904.0 THEN 0 ELSE CAST(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) - CAST(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) / 2147483648.0 AS INTEGER) * 2147483648.0 AS INTEGER) END) AS REAL) + total(CASE WHEN abs(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9"))) >= 4611686018427387904.0 THEN 0.0 ELSE ((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) - CAST(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) AS INTEGER) END)) + total(CASE WHEN abs(((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9"))) >= 4611686018427387904.0 THEN ((CAST(e."e_i4" AS REAL) - "h9") * (CAST(e."e_i4" AS REAL) - "h9")) ELSE 0.0 END) AS "xs", CAST(count(e."e_i4") AS REAL) AS "xn" FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t" AND e."e_ts" >= "h1") AS a) AS "h10", ("f1_1" + 1) AS "h12", ("f1_0" + 10) AS "h13", nullif(nullif(((CAST(CASE WHEN typeof("h14") = 'integer' THEN "h14" END AS REAL) / 1000000.0) / 3600.0), 9e999), -9e999) AS "o0_2", nullif(nullif(exp((-(nullif(nullif(((CAST(CASE WHEN typeof("h15") = 'integer' THEN "h15" END AS REAL) / 1000000.0) / 86400.0), 9e999), -9e999)))), 9e999), -9e999) AS "o0_3", ((lower(COALESCE("f2_0", 'unknown')) || ':') || CAST("k1" AS TEXT)) AS "o0_5", (instr(lower(COALESCE("q3", '')), lower(COALESCE("f2_0", '?'))) > 0) AS "o0_6" FROM "__s_2"),
"__s_4" AS (SELECT *, "h8" AS "f1_3", "h10" AS "f1_4", nullif(nullif((CAST(CASE WHEN typeof("h12") = 'integer' THEN "h12" END AS REAL) / CAST(CASE WHEN typeof("h13") = 'integer' THEN "h13" END AS REAL)), 9e999), -9e999) AS "o0_1" FROM "__s_3")
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
FROM "spine" AS s LEFT JOIN "__s_4" AS c ON c."r" = s."_row"
ORDER BY s."_row"
