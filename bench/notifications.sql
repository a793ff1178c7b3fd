-- The notification centre's queries at scale (issue 10; docs/performance.md, "Notification
-- centre"). Run against an empty scratch database:
--   createdb -h 127.0.0.1 -U postgres gridgov_bench_notify
--   psql -h 127.0.0.1 -U postgres -d gridgov_bench_notify -f bench/notifications.sql
-- The table has the columns and indexes of cases.notify.models.NotificationReceipt.
CREATE TABLE r (id bigserial PRIMARY KEY, notification_id bigint NOT NULL, user_id bigint NOT NULL,
                read_at timestamptz);
-- 5 million receipts of 5,000 people (10 % unread) and one person with 200,000 (25 % unread).
INSERT INTO r (notification_id, user_id, read_at)
SELECT g, (g % 5000) + 2, CASE WHEN g % 10 = 0 THEN NULL ELSE now() END
FROM generate_series(1, 5000000) g;
INSERT INTO r (notification_id, user_id, read_at)
SELECT 6000000 + g, 1, CASE WHEN g % 4 = 0 THEN NULL ELSE now() END
FROM generate_series(1, 200000) g;
CREATE UNIQUE INDEX receipt_once_per_person ON r (notification_id, user_id);
CREATE INDEX receipt_newest_first ON r (user_id, id DESC);
CREATE INDEX receipt_unread_newest_first ON r (user_id, id DESC) WHERE read_at IS NULL;
VACUUM ANALYZE r;
-- the badge (cases.notify.inbox.badge): at most 100 unread ids, newest first
EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM r WHERE user_id = 1 AND read_at IS NULL
ORDER BY id DESC LIMIT 100;
-- a page of the list, deep in the history (keyset: before=<id>)
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM r WHERE user_id = 1 AND id < 5100000
ORDER BY id DESC LIMIT 31;
-- mark all read, for the person with 50,000 unread
EXPLAIN (ANALYZE, BUFFERS) UPDATE r SET read_at = now() WHERE user_id = 1 AND read_at IS NULL;
