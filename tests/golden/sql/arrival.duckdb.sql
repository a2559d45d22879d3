WITH "__a2_0" AS (SELECT "shop" AS "c0", "ref" AS "c1", "amount" AS "c2", "ts" AS "c3", "got" AS "c4" FROM "orders"),
"__a2_1" AS (SELECT *, "c0" IS NOT NULL AND "c3" IS NOT NULL AND "c4" IS NOT NULL AND (("c2" >= CAST(0 AS BIGINT))) IS NOT FALSE AS "a_ok", ("c3" > CASE WHEN "c4" <= CAST(9223372033254775807 AS BIGINT) THEN "c4" + CAST(3600000000 AS BIGINT) END) IS TRUE AS "a_ah" FROM "__a2_0"),
"__a2_d" AS (SELECT *, max("c3") OVER (ORDER BY "c4", "c3" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "a_w", row_number() OVER (PARTITION BY "c1", "c3" ORDER BY "c4" NULLS FIRST, "c0" NULLS FIRST, "c2" NULLS FIRST) AS "a_n" FROM "__a2_1" WHERE "a_ok" AND NOT "a_ah"),
"__a2" AS (SELECT "c0", "c1", "c2", "c3", "c4" FROM "__a2_d" WHERE NOT (("c3" < "a_w") IS TRUE) AND NOT ("c1" IS NOT NULL AND "a_n" > 1)),
"__v0_1" AS (SELECT *, "c2" AS "e_i1", "c1" AS "e_i2", "c1" AS "e_i3" FROM "__a2"),
"__v0" AS (SELECT "c0" AS "e_k0", "c3" AS "e_ts", "e_i1", "e_i2", "e_i3" FROM "__v0_1"),
"__a3_0" AS (SELECT "user_id" AS "c0", "id" AS "c1", "ts" AS "c2", "got" AS "c3" FROM "taps"),
"__a3_1" AS (SELECT *, "c0" IS NOT NULL AND "c2" IS NOT NULL AND "c3" IS NOT NULL AS "a_ok" FROM "__a3_0"),
"__a3_d" AS (SELECT *, max("c2") OVER (ORDER BY "c3", "c2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "a_w", row_number() OVER (PARTITION BY "c1", "c2" ORDER BY "c3" NULLS FIRST, "c0" NULLS FIRST) AS "a_n" FROM "__a3_1" WHERE "a_ok"),
"__a3" AS (SELECT "c0", "c1", "c2", "c3" FROM "__a3_d" WHERE NOT (("c2" < CASE WHEN "a_w" >= CAST(-9223372036849775808 AS BIGINT) THEN "a_w" - CAST(5000000 AS BIGINT) END) IS TRUE) AND NOT ("c1" IS NOT NULL AND "a_n" > 1)),
"__v1_1" AS (SELECT *, "c1" AS "e_i2", "c1" AS "e_i3" FROM "__a3"),
"__v1" AS (SELECT "c0" AS "e_k0", "c2" AS "e_ts", "e_i2", "e_i3" FROM "__v1_1"),
"__fe0" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "a0", "e_i1" AS "a1", "e_i2" AS "a2", "e_i3" AS "a3" FROM "__v0" WHERE "e_k0" IS NOT NULL),
"__fu0" AS (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", 0 AS "j" FROM "__fe0"
UNION ALL SELECT s."shop", s."ts", 0, s."_row", 0 FROM "spine" AS s
UNION ALL SELECT s."shop", CASE WHEN s."ts" < CAST(-9223372033254775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(3600000000 AS BIGINT) END, 0, s."_row", 1 FROM "spine" AS s),
"__fa0" AS (SELECT "r", "j", count(CASE WHEN "j" = 0 THEN 1 END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "j" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "q" FROM "__fu0" QUALIFY "c" = 0),
"__fp0" AS (SELECT "r" AS "pr", max(CASE WHEN "j" = 0 THEN "q" END) AS "q0", max(CASE WHEN "j" = 1 THEN "q" END) AS "q1" FROM "__fa0" GROUP BY "r"),
"__fw0" AS (SELECT "r" AS "zr0",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z0_0_0",
  sum(CAST("a1" AS HUGEINT)) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN COALESCE("q0" - "q1" - 1, 0) PRECEDING AND 1 PRECEDING) AS "z0_1_0",
  last_value("a2" IGNORE NULLS) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z0_2_0",
  count(DISTINCT "a3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z0_3_0"
FROM (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", "a0", "a1", "a2", "a3", CAST(NULL AS BIGINT) AS "q0", CAST(NULL AS BIGINT) AS "q1" FROM "__fe0"
UNION ALL SELECT s."shop", s."ts", 0, s."_row", NULL, NULL, NULL, NULL, p."q0", p."q1" FROM "spine" AS s LEFT JOIN "__fp0" AS p ON p."pr" = s."_row") AS a
QUALIFY "c" = 0),
"__fe1" AS (SELECT "e_k0" AS "k0", "e_ts" AS "t", 1 AS "a0", 1 AS "a1", "e_i2" AS "a2", "e_i3" AS "a3" FROM "__v1" WHERE "e_k0" IS NOT NULL),
"__fu1" AS (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", 0 AS "j" FROM "__fe1"
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", 0 FROM "spine" AS s
UNION ALL SELECT s."user_id", CASE WHEN s."ts" < CAST(-9223372036844775808 AS BIGINT) THEN CAST(-9223372036854775808 AS BIGINT) ELSE s."ts" - CAST(10000000 AS BIGINT) END, 0, s."_row", 1 FROM "spine" AS s),
"__fa1" AS (SELECT "r", "j", count(CASE WHEN "j" = 0 THEN 1 END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "j" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "q", count(CASE WHEN "j" = 0 AND "c" = 0 THEN 1 END) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "j" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "sp" FROM "__fu1" QUALIFY "c" = 0),
"__fp1" AS (SELECT "r" AS "pr", max(CASE WHEN "j" = 0 THEN "q" END) AS "q0", max(CASE WHEN "j" = 0 THEN "sp" END) AS "s0", max(CASE WHEN "j" = 1 THEN "q" END) AS "q1", max(CASE WHEN "j" = 1 THEN "sp" END) AS "s1" FROM "__fa1" GROUP BY "r"),
"__fw1" AS (SELECT "r" AS "zr1",
  count("a0") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z1_0_0",
  ("q0" - "q1") - ("s0" - "s1") AS "z1_1_0",
  last_value("a2" IGNORE NULLS) OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z1_2_0",
  count(DISTINCT "a3") OVER (PARTITION BY "k0" ORDER BY "t", "c", "r", "a2" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "z1_3_0"
FROM (SELECT "k0", "t", 1 AS "c", CAST(NULL AS BIGINT) AS "r", "a0", "a1", "a2", "a3", CAST(NULL AS BIGINT) AS "q0", CAST(NULL AS BIGINT) AS "s0", CAST(NULL AS BIGINT) AS "q1", CAST(NULL AS BIGINT) AS "s1" FROM "__fe1"
UNION ALL SELECT s."user_id", s."ts", 0, s."_row", NULL, NULL, NULL, NULL, p."q0", p."s0", p."q1", p."s1" FROM "spine" AS s LEFT JOIN "__fp1" AS p ON p."pr" = s."_row") AS a
QUALIFY "c" = 0),
"__s_0" AS (SELECT s."_row" AS "r", s."ts" AS "t", s."shop" AS "k0", s."user_id" AS "k1", "w0"."z0_0_0" AS "z0_0_0", "w0"."z0_1_0" AS "z0_1_0", "w0"."z0_2_0" AS "z0_2_0", "w0"."z0_3_0" AS "z0_3_0", "w1"."z1_0_0" AS "z1_0_0", "w1"."z1_1_0" AS "z1_1_0", "w1"."z1_2_0" AS "z1_2_0", "w1"."z1_3_0" AS "z1_3_0" FROM "spine" AS s LEFT JOIN "__fw0" AS "w0" ON "w0"."zr0" = s."_row" LEFT JOIN "__fw1" AS "w1" ON "w1"."zr1" = s."_row"),
"__s_1" AS (SELECT *, "z0_0_0" AS "f0_0", CASE WHEN "z0_1_0" BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST("z0_1_0" AS BIGINT) END AS "f0_1", "z0_2_0" AS "f0_2", "z0_3_0" AS "f0_3", "z1_0_0" AS "f1_0", "z1_1_0" AS "f1_1", "z1_2_0" AS "f1_2", "z1_3_0" AS "f1_3" FROM "__s_0")
SELECT s.*,
  c."f0_0" AS "order_stats__n",
  c."f0_1" AS "order_stats__amount",
  c."f0_2" AS "order_stats__last_ref",
  c."f0_3" AS "order_stats__refs",
  c."f1_0" AS "tap_stats__n",
  c."f1_1" AS "tap_stats__n_10s",
  c."f1_2" AS "tap_stats__last_id",
  c."f1_3" AS "tap_stats__ids"
FROM "spine" AS s LEFT JOIN "__s_1" AS c ON c."r" = s."_row"
ORDER BY s."_row"
