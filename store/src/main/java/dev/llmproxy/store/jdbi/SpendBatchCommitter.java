package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.StoreException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Commits one batch of a journal segment's spend records in one transaction: the spend-log rows (unless they are
 * off), the spend increments, and how far the segment is now committed ({@code llmproxy_spend_segments}).
 *
 * <p>Two guards keep each record's spend counted once, and a failed transaction adds nothing at all:
 * <ol>
 *   <li>Records of the segment before its committed count are skipped: a batch retried after an unknown commit
 *       outcome, or a segment replayed after a crash, adds nothing twice. The segment's records are in a fixed order,
 *       so this holds whatever the batch size of the run that committed them.
 *   <li>With spend logs on, a record whose request id already has a row (a request id submitted twice) is not
 *       inserted, so its spend is not added. With spend logs off ({@code disable_spend_logs}) there is no row to find,
 *       so only the first guard applies.
 * </ol>
 * Thread-safe (stateless apart from the JDBI instance).
 */
final class SpendBatchCommitter {
    private final Jdbi jdbi;

    SpendBatchCommitter(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /**
     * Commits the records {@code offset} to {@code offset + batch.size()} of segment {@code segmentId}.
     *
     * @param spendLogs whether the records become spend-log rows
     * @return how many records added spend; the rest were in already
     * @throws StoreException if the transaction failed (nothing of the batch was applied)
     */
    int commit(String segmentId, int offset, List<SpendRecord> batch, boolean spendLogs) {
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            return jdbi.inTransaction(h -> {
                SpendDao dao = h.attach(SpendDao.class);
                int committed = dao.committedRecords(segmentId).orElse(0);
                int skip = Math.min(Math.max(committed - offset, 0), batch.size());
                List<SpendRecord> fresh = batch.subList(skip, batch.size());
                SpendIncrements increments = new SpendIncrements();
                int added = spendLogs ? insertRows(dao, fresh, increments) : addAll(fresh, increments);
                increments.applyTo(dao);
                if (skip < batch.size() && dao.advanceSegment(segmentId, offset + batch.size()) == 0) {
                    dao.insertSegment(segmentId, offset + batch.size());
                }
                return added;
            });
        } catch (RuntimeException e) {
            throw Failures.translate("spend batch", e);
        }
    }

    private static int insertRows(SpendDao dao, List<SpendRecord> records, SpendIncrements increments) {
        if (records.isEmpty()) {
            return 0;
        }
        List<Integer> durations = new ArrayList<>(records.size());
        List<String> tags = new ArrayList<>(records.size());
        for (SpendRecord r : records) {
            durations.add(r.durationMillis());
            tags.add(JsonText.ofList(r.requestTags()));
        }
        int[] counts = dao.insert(records, durations, tags);
        int inserted = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 1) {
                increments.add(records.get(i));
                inserted++;
            } else if (counts[i] != 0) {
                // SUCCESS_NO_INFO (a driver rewriting the batch) would hide which rows were new.
                throw new StoreException("spend log insert returned update count " + counts[i]
                        + " (expected 0 or 1; " + Statement.SUCCESS_NO_INFO + " means batch rewriting is on)");
            }
        }
        return inserted;
    }

    private static int addAll(List<SpendRecord> records, SpendIncrements increments) {
        for (SpendRecord r : records) {
            increments.add(r);
        }
        return records.size();
    }
}
