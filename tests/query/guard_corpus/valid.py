"""Analytical SQL the guard must accept unchanged but for the LIMIT it adds (no RLS policy is
configured for these), with the layer tables each one reads, written by hand.

On MariaDB and SQLite ``analytics.page_views`` is read as ``page_views`` (the test swaps the
name: those databases hold it beside the other tables). Cases in syntax that MySQL or SQLite
lack (FILTER, ROLLUP (...), date_trunc, generate_series...) run where they exist.
"""

from __future__ import annotations

from tests.query.guard_corpus.cases import BOTH, DUCK, MYSQL, NO_SQLITE, PG, SQLITE, Valid

V = Valid
U, ORD, OI, P, C, PV = ("users", "orders", "order_items", "products", "categories",
                        "analytics.page_views")

VALID = [
    # a layer table qualified with the datasource's default schema is that table
    V("SELECT COUNT(*) FROM main.orders", (ORD,), DUCK),
    V("SELECT o.id, u.name FROM MAIN.orders o JOIN main.users u ON u.id = o.user_id",
      (ORD, U), DUCK),
    V("SELECT COUNT(*) FROM users", (U,)),
    V("SELECT country, COUNT(*) AS n FROM users GROUP BY country ORDER BY n DESC", (U,)),
    V("SELECT plan, COUNT(*) FROM users WHERE created_at >= DATE '2024-01-10' GROUP BY plan",
      (U,)),
    V("SELECT status, SUM(total_cents) / 100.0 AS gmv FROM orders GROUP BY status", (ORD,)),
    V("SELECT u.name, COUNT(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id "
      "GROUP BY u.name ORDER BY n DESC, u.name LIMIT 10", (U, ORD)),
    V("SELECT p.name, SUM(oi.quantity) AS units FROM order_items oi "
      "JOIN products p ON p.id = oi.product_id GROUP BY p.name", (OI, P)),
    V("SELECT c.name, SUM(oi.quantity * oi.unit_price_cents) AS cents FROM orders o "
      "JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id "
      "JOIN categories c ON c.id = p.category_id WHERE o.status <> 'cancelled' GROUP BY c.name",
      (ORD, OI, P, C)),
    V("WITH monthly AS (SELECT date_trunc('month', created_at) AS month, SUM(total_cents) AS "
      "cents FROM orders GROUP BY 1) SELECT month, cents FROM monthly ORDER BY month",
      (ORD,), NO_SQLITE),
    V("WITH buyers AS (SELECT DISTINCT user_id FROM orders), pros AS (SELECT id FROM users "
      "WHERE plan = 'pro') SELECT COUNT(*) FROM buyers b JOIN pros p ON p.id = b.user_id",
      (ORD, U)),
    V("SELECT id, total_cents, ROW_NUMBER() OVER (PARTITION BY country ORDER BY total_cents "
      "DESC) AS rn FROM orders", (ORD,)),
    V("SELECT id, SUM(total_cents) OVER (ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING "
      "AND CURRENT ROW) AS running FROM orders", (ORD,)),
    V("SELECT id, total_cents - LAG(total_cents) OVER (ORDER BY id) AS delta FROM orders", (ORD,)),
    V("SELECT id, RANK() OVER (ORDER BY total_cents DESC) AS r, DENSE_RANK() OVER (ORDER BY "
      "total_cents DESC) AS dr FROM orders", (ORD,)),
    V("SELECT id, NTILE(4) OVER (ORDER BY total_cents) AS quartile FROM orders", (ORD,)),
    V("SELECT COUNT(*) FILTER (WHERE status = 'cancelled') AS cancelled, COUNT(*) AS total "
      "FROM orders", (ORD,), BOTH),
    V("SELECT CASE WHEN total_cents > 3000 THEN 'large' WHEN total_cents > 2000 THEN 'medium' "
      "ELSE 'small' END AS size, COUNT(*) FROM orders GROUP BY 1", (ORD,)),
    V("SELECT 'DROP TABLE users; DELETE FROM orders' AS note, COUNT(*) FROM orders", (ORD,)),
    V("SELECT COUNT(*) FROM orders WHERE status <> 'DELETE' AND country <> 'INSERT INTO x'",
      (ORD,)),
    V("SELECT '-- not a comment' AS a, '/* nor this */' AS b FROM categories", (C,)),
    V("SELECT name FROM users WHERE name <> 'a;b' AND email NOT LIKE '%;--%'", (U,)),
    V('SELECT "id", "name" FROM "users" WHERE "country" = \'FR\'', (U,)),
    V("SELECT path, COUNT(*) FROM analytics.page_views GROUP BY path", (PV,)),
    V("SELECT u.country, COUNT(*) FROM analytics.page_views pv JOIN users u "
      "ON u.id = pv.user_id GROUP BY 1", (PV, U)),
    V('SELECT COUNT(*) FROM "analytics"."page_views"', (PV,), BOTH),
    V("SELECT country FROM users UNION SELECT country FROM orders", (U, ORD)),
    V("SELECT country, 'user' AS kind FROM users UNION ALL SELECT country, 'order' FROM orders "
      "ORDER BY 1", (U, ORD)),
    V("SELECT country FROM users INTERSECT SELECT country FROM orders", (U, ORD)),
    V("SELECT id FROM users EXCEPT SELECT user_id FROM orders", (U, ORD)),
    V("SELECT name FROM users WHERE id IN (SELECT user_id FROM orders WHERE status = "
      "'cancelled')", (U, ORD)),
    V("SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id "
      "AND o.total_cents > 3000)", (U, ORD)),
    V("SELECT id, (SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id) AS lines "
      "FROM orders o", (ORD, OI)),
    V("SELECT AVG(n) FROM (SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id) t",
      (ORD,)),
    V("SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING COUNT(*) > 2", (ORD,)),
    V("SELECT DISTINCT status FROM orders", (ORD,)),
    V("SELECT COUNT(DISTINCT user_id) AS buyers FROM orders", (ORD,)),
    V("SELECT COALESCE(NULLIF(country, ''), 'unknown') AS country FROM users", (U,)),
    V("SELECT EXTRACT(YEAR FROM created_at) AS y, COUNT(*) FROM orders GROUP BY 1",
      (ORD,), NO_SQLITE),
    V("SELECT COUNT(*) FROM orders WHERE created_at >= TIMESTAMP '2024-02-01' - INTERVAL "
      "'7 days'", (ORD,), NO_SQLITE),
    V("SELECT id FROM orders WHERE total_cents BETWEEN 1500 AND 2500", (ORD,)),
    V("SELECT COUNT(*) FROM users WHERE email LIKE '%@example.com' OR name ILIKE 'user 1%'",
      (U,)),
    V("SELECT CAST(total_cents AS DOUBLE PRECISION) / 100 AS usd, total_cents::NUMERIC / 100 "
      "AS exact FROM orders", (ORD,)),
    V("SELECT status, ROUND(AVG(total_cents) / 100.0, 2) AS avg_usd FROM orders GROUP BY status",
      (ORD,)),
    V("SELECT GREATEST(total_cents, 2000) AS a, LEAST(total_cents, 2000) AS b FROM orders", (ORD,)),
    V("SELECT UPPER(LEFT(name, 3)) AS short, LENGTH(email) AS len, name || ' <' || email || '>' "
      "AS contact FROM users", (U,), NO_SQLITE),
    V("SELECT LOWER(TRIM(REPLACE(name, 'User', 'Customer'))) AS label FROM users", (U,)),
    V("SELECT SPLIT_PART(email, '@', 2) AS domain, COUNT(*) FROM users GROUP BY 1", (U,), BOTH),
    V("SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total_cents) AS median FROM orders",
      (ORD,), BOTH),
    V("SELECT country, STRING_AGG(name, ', ' ORDER BY name) AS names FROM users GROUP BY "
      "country", (U,), NO_SQLITE),
    V("SELECT user_id, ARRAY_AGG(id ORDER BY id) AS ids FROM orders GROUP BY user_id",
      (ORD,), NO_SQLITE),
    V("SELECT country, status, COUNT(*) FROM orders GROUP BY ROLLUP (country, status)",
      (ORD,), BOTH),
    V("SELECT a.id, b.id AS other FROM orders a JOIN orders b ON a.user_id = b.user_id AND "
      "a.id < b.id", (ORD,)),
    V("SELECT c.name, p.name FROM categories c CROSS JOIN products p", (C, P)),
    V("SELECT o.id, u.name FROM orders o RIGHT JOIN users u ON u.id = o.user_id", (ORD, U)),
    V("SELECT o.id, u.name FROM orders o FULL OUTER JOIN users u ON u.id = o.user_id", (ORD, U)),
    V("WITH RECURSIVE days(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM days WHERE n < 7) "
      "SELECT n FROM days", ()),
    V("SELECT d FROM generate_series(1, 5) AS g(d)", (), BOTH),
    V("SELECT v.id, v.label FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, label)", (), NO_SQLITE),
    V("SELECT id FROM orders ORDER BY id LIMIT 5 OFFSET 10", (ORD,)),
    V("SELECT name, country FROM users ORDER BY country NULLS LAST, name DESC", (U,)),
    V("SELECT id, SUM(total_cents) OVER w AS s FROM orders WINDOW w AS (PARTITION BY user_id "
      "ORDER BY id)", (ORD,)),
    V("SELECT DISTINCT user_id, FIRST_VALUE(id) OVER (PARTITION BY user_id ORDER BY created_at) "
      "AS first_order FROM orders", (ORD,)),
    V("WITH t AS (SELECT user_id, total_cents FROM orders) SELECT (SELECT MAX(total_cents) FROM "
      "t) AS top, (SELECT COUNT(*) FROM t) AS n", (ORD,)),
    V("SELECT COUNT(*) FROM (SELECT * FROM (SELECT * FROM orders WHERE status = 'shipped') a "
      "WHERE total_cents > 1500) b", (ORD,)),
    V("SELECT COUNT(*) FROM users WHERE country IS DISTINCT FROM 'FR'", (U,)),
    V("SELECT id, total_cents > 2000 AS big FROM orders", (ORD,)),
    V("WITH orders AS (SELECT * FROM orders WHERE status = 'shipped') SELECT COUNT(*) FROM "
      "orders", (ORD,), NO_SQLITE),
    V("SELECT id FROM orders WHERE total_cents > ALL (SELECT price_cents FROM products)",
      (ORD, P), NO_SQLITE),
    V('SELECT "status" AS "select", COUNT(*) AS "from" FROM orders GROUP BY "status"', (ORD,)),
    V("SELECT id FROM orders ORDER BY id FETCH FIRST 3 ROWS ONLY", (ORD,), PG),
    V("SELECT DISTINCT ON (country) country, name FROM users ORDER BY country, created_at",
      (U,), BOTH),
    V("SELECT to_char(created_at, 'YYYY-MM') AS month, COUNT(*) FROM orders GROUP BY 1", (ORD,),
      PG),
    V("SELECT age(TIMESTAMP '2024-06-01', created_at) AS tenure FROM users", (U,), PG),
    V("SELECT o.id FROM orders o WHERE o.created_at > NOW() - INTERVAL '10 years'",
      (ORD,), NO_SQLITE),
    V("SELECT strftime(created_at, '%Y-%m') AS month, COUNT(*) FROM orders GROUP BY 1", (ORD,),
      DUCK),
    V("SELECT * EXCLUDE (email) FROM users", (U,), DUCK),
    V("FROM users SELECT name WHERE plan = 'pro'", (U,), DUCK),
    V("SELECT COUNT_IF(status = 'shipped') AS shipped FROM orders", (ORD,), DUCK),
    V("SELECT user_id, id FROM orders QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY "
      "total_cents DESC) = 1", (ORD,), DUCK),
    V("SELECT date_part('year', created_at) AS y, median(total_cents) FROM orders GROUP BY 1",
      (ORD,), DUCK),
    # MySQL / MariaDB
    V("SELECT DATE_FORMAT(created_at, '%Y-%m') AS month, COUNT(*) FROM orders GROUP BY 1",
      (ORD,), MYSQL),
    V("SELECT `status`, COUNT(*) AS `n` FROM `orders` GROUP BY `status`", (ORD,), MYSQL),
    V("SELECT o.id FROM orders o WHERE o.created_at >= DATE_SUB('2024-03-01', INTERVAL 7 DAY)",
      (ORD,), MYSQL),
    V("SELECT WEEKDAY(created_at) AS wd, COUNT(*) FROM orders GROUP BY 1", (ORD,), MYSQL),
    V("SELECT country, status, COUNT(*) FROM orders GROUP BY country, status WITH ROLLUP",
      (ORD,), MYSQL),
    V("SELECT IF(total_cents > 2000, 'big', 'small') AS size, IFNULL(country, '?') AS c FROM "
      "orders", (ORD,), MYSQL),
    V("SELECT country, GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') AS names FROM users "
      "GROUP BY country", (U,), MYSQL),
    V("SELECT TIMESTAMPDIFF(DAY, u.created_at, o.created_at) AS days FROM orders o "
      "JOIN users u ON u.id = o.user_id", (ORD, U), MYSQL),
    V("SELECT COUNT(*) FROM page_views WHERE path LIKE '/page/%'", ("page_views",), MYSQL),
    # SQLite
    V("SELECT strftime('%Y-%m', created_at) AS month, COUNT(*) FROM orders GROUP BY 1", (ORD,),
      SQLITE),
    V("SELECT date(created_at, 'start of month') AS month, SUM(total_cents) FROM orders "
      "GROUP BY 1", (ORD,), SQLITE),
    V("SELECT COUNT(*) FROM orders WHERE created_at >= datetime('2024-03-01', '-7 days')",
      (ORD,), SQLITE),
    V("SELECT total(total_cents) / 100.0 AS usd, printf('%.2f', AVG(total_cents)) AS avg "
      "FROM orders", (ORD,), SQLITE),
    V("SELECT iif(total_cents > 2000, 'big', 'small') AS size, ifnull(country, '?') AS c FROM "
      "orders", (ORD,), SQLITE),
    V("SELECT substr(email, instr(email, '@') + 1) AS domain, COUNT(*) FROM users GROUP BY 1",
      (U,), SQLITE),
    V("SELECT country, group_concat(name, ', ') AS names FROM users GROUP BY country", (U,),
      SQLITE),
    V("SELECT julianday(o.created_at) - julianday(u.created_at) AS days FROM orders o "
      "JOIN users u ON u.id = o.user_id", (ORD, U), SQLITE),
    V("SELECT [status], COUNT(*) FROM orders GROUP BY [status]", (ORD,), SQLITE),
]
