WITH "__a2_0" AS MATERIALIZED (SELECT "shop" AS "c0", "ref" AS "c1", "amount" AS "c2", "ts" AS "c3", "got" AS "c4" FROM "orders"),
"__a2_1" AS MATERIALIZED (SELECT *, "c0" IS NOT NULL AND "c3" IS NOT NULL AND "c4" IS NOT NULL AND (("c2" >= CAST(0 AS bigint))) IS NOT FALSE AS "a_ok", ("c3" > CASE WHEN "c4" <= CAST(9223372033254775807 AS bigint) THEN "c4" + CAST(3600000000 AS bigint) END) IS TRUE AS "a_ah" FROM "__a2_0"),
"__a2_d" AS MATERIALIZED (SELECT *, max("c3") OVER (ORDER BY "c4", "c3" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "a_w", row_number() OVER (PARTITION BY "c1" COLLATE "C", "c3" ORDER BY "c4" NULLS FIRST, "c0" COLLATE "C" NULLS FIRST, "c2" NULLS FIRST) AS "a_n" FROM "__a2_1" WHERE "a_ok" AND NOT "a_ah"),
"__a2" AS MATERIALIZED (SELECT "c0", "c1", "c2", "c3", "c4" FROM "__a2_d" WHERE NOT (("c3" < "a_w") IS TRUE) AND NOT ("c1" IS NOT NULL AND "a_n" > 1)),
"__v0_1" AS MATERIALIZED (SELECT *, "c2" AS "e_i1", "c1" AS "e_i2", "c1" AS "e_i3" FROM "__a2"),
"__v0" AS MATERIALIZED (SELECT "c0" AS "e_k0", "c3" AS "e_ts", "e_i1", "e_i2", "e_i3" FROM "__v0_1"),
"__a3_0" AS MATERIALIZED (SELECT "user_id" AS "c0", "id" AS "c1", "ts" AS "c2", "got" AS "c3" FROM "taps"),
"__a3_1" AS MATERIALIZED (SELECT *, "c0" IS NOT NULL AND "c2" IS NOT NULL AND "c3" IS NOT NULL AS "a_ok" FROM "__a3_0"),
"__a3_d" AS MATERIALIZED (SELECT *, max("c2") OVER (ORDER BY "c3", "c2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "a_w", row_number() OVER (PARTITION BY "c1", "c2" ORDER BY "c3" NULLS FIRST, "c0" NULLS FIRST) AS "a_n" FROM "__a3_1" WHERE "a_ok"),
"__a3" AS MATERIALIZED (SELECT "c0", "c1", "c2", "c3" FROM "__a3_d" WHERE NOT (("c2" < CASE WHEN "a_w" >= CAST(-9223372036849775808 AS bigint) THEN "a_w" - CAST(5000000 AS bigint) END) IS TRUE) AND NOT ("c1" IS NOT NULL AND "a_n" > 1)),
"__v1_1" AS MATERIALIZED (SELECT *, "c1" AS "e_i2", "c1" AS "e_i3" FROM "__a3"),
"__v1" AS MATERIALIZED (SELECT "c0" AS "e_k0", "c2" AS "e_ts", "e_i2", "e_i3" FROM "__v1_1"),
"__wu0" AS MATERIALIZED (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "c", CAST(NULL AS bigint) AS "r", 1 AS "a0", "e_i1" AS "a1", "e_i2" AS "a2" FROM "__v0" WHERE "e_k0" IS NOT NULL
UNION ALL SELECT s."shop", s."ts", 0, s."_row", NULL, NULL, NULL FROM "spine" AS s),
"__wg0" AS MATERIALIZED (SELECT *, count("a2") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a2" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g2" FROM "__wu0"),
"__ww0" AS MATERIALIZED (SELECT * FROM (SELECT "c", "r" AS "zr0",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "y0_0_0",
  sum("a1") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN CAST(3600000000 AS bigint) PRECEDING AND 1 PRECEDING) AS "y0_1_0",
  first_value("a2") OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y0_2_0", first_value(CASE WHEN "a2" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y0_2_1"
FROM "__wg0") AS w WHERE "zr0" IS NOT NULL),
"__wu1" AS MATERIALIZED (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "c", CAST(NULL AS bigint) AS "r", 1 AS "a0", 1 AS "a1", "e_i2" AS "a2" FROM "__v1" WHERE "e_k0" IS NOT NULL
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", NULL, NULL, NULL FROM "spine" AS s),
"__wg1" AS MATERIALIZED (SELECT *, count("a2") OVER (PARTITION BY "k0" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "g2" FROM "__wu1"),
"__ww1" AS MATERIALIZED (SELECT * FROM (SELECT "c", "r" AS "zr1",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "y1_0_0",
  count("a1") OVER (PARTITION BY "k0" ORDER BY "t" RANGE BETWEEN CAST(10000000 AS bigint) PRECEDING AND 1 PRECEDING) AS "y1_1_0",
  first_value("a2") OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y1_2_0", first_value(CASE WHEN "a2" IS NOT NULL THEN "t" END) OVER (PARTITION BY "k0", "g2" ORDER BY "t", "c", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "y1_2_1"
FROM "__wg1") AS w WHERE "zr1" IS NOT NULL),
"__s_0" AS MATERIALIZED (SELECT s."_row" AS "r", s."ts" AS "t", s."shop" AS "k0", s."user_id" AS "k1", "w0"."y0_0_0" AS "y0_0_0", "w0"."y0_1_0" AS "y0_1_0", "w0"."y0_2_0" AS "y0_2_0", "w0"."y0_2_1" AS "y0_2_1", "w1"."y1_0_0" AS "y1_0_0", "w1"."y1_1_0" AS "y1_1_0", "w1"."y1_2_0" AS "y1_2_0", "w1"."y1_2_1" AS "y1_2_1" FROM "spine" AS s LEFT JOIN "__ww0" AS "w0" ON "w0"."zr0" = s."_row" LEFT JOIN "__ww1" AS "w1" ON "w1"."zr1" = s."_row"),
"__s_1" AS MATERIALIZED (SELECT *, "y0_0_0" AS "f0_0", CASE WHEN "y0_1_0" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("y0_1_0" AS bigint) END AS "f0_1", "y0_2_0" AS "f0_2", (SELECT count(DISTINCT e."e_i3") FROM "__v0" AS e WHERE e."e_k0" = "k0" AND e."e_ts" < "t") AS "h1", "y1_0_0" AS "f1_0", "y1_1_0" AS "f1_1", "y1_2_0" AS "f1_2", (SELECT count(DISTINCT e."e_i3") FROM "__v1" AS e WHERE e."e_k0" = "k1" AND e."e_ts" < "t") AS "h2" FROM "__s_0"),
"__s_2" AS MATERIALIZED (SELECT *, "h1" AS "f0_3", "h2" AS "f1_3" FROM "__s_1")
SELECT s.*,
  c."f0_0" AS "order_stats__n",
  c."f0_1" AS "order_stats__amount",
  c."f0_2" AS "order_stats__last_ref",
  c."f0_3" AS "order_stats__refs",
  c."f1_0" AS "tap_stats__n",
  c."f1_1" AS "tap_stats__n_10s",
  c."f1_2" AS "tap_stats__last_id",
  c."f1_3" AS "tap_stats__ids"
FROM "spine" AS s LEFT JOIN "__s_2" AS c ON c."r" = s."_row"
ORDER BY s."_row"
