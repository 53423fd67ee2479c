-- llmproxy store, version 2: how far each spend-journal segment has been committed.
--
-- The spend writer commits a journal segment in batches, one transaction each, and advances the segment's row in the
-- same transaction. A segment replayed after a crash or a failed commit skips the records this row says are in. This
-- is what keeps spend totals exactly once when general_settings.disable_spend_logs writes no spend-log rows (whose
-- request_id otherwise does that job). One row per segment: a segment is rolled each proxy_batch_write_at interval,
-- so a busy instance adds one row every few seconds; rows of segments deleted from the journal are no longer read.
CREATE TABLE llmproxy_spend_segments (
    segment_id            TEXT PRIMARY KEY,             -- "<journal id>/<segment sequence>"
    records_committed     INTEGER NOT NULL,
    updated_at            TIMESTAMP(3) NOT NULL
);
