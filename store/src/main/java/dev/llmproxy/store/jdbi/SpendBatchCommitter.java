package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.StoreException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Commits one batch of spend records in one transaction: the spend-log rows, then the increments of the rows that
 * were inserted. A row already present (a retry after an unknown commit outcome, a replay after a crash, a repeated
 * request id) is not inserted, so its spend is not added again; a failed transaction adds nothing at all.
 * Thread-safe (stateless apart from the JDBI instance).
 */
final class SpendBatchCommitter {
    private final Jdbi jdbi;

    SpendBatchCommitter(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /**
     * Commits the batch.
     *
     * @return how many rows were inserted; the rest were already there
     * @throws StoreException if the transaction failed (nothing of the batch was applied)
     */
    int commit(List<SpendRecord> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<Integer> durations = new ArrayList<>(batch.size());
        List<String> tags = new ArrayList<>(batch.size());
        for (SpendRecord r : batch) {
            durations.add(r.durationMillis());
            tags.add(JsonText.ofList(r.requestTags()));
        }
        try {
            return jdbi.inTransaction(h -> {
                SpendDao dao = h.attach(SpendDao.class);
                int[] counts = dao.insert(batch, durations, tags);
                SpendIncrements increments = new SpendIncrements();
                int inserted = 0;
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 1) {
                        increments.add(batch.get(i));
                        inserted++;
                    } else if (counts[i] != 0) {
                        // SUCCESS_NO_INFO (a driver rewriting the batch) would hide which rows were new.
                        throw new StoreException("spend log insert returned update count " + counts[i]
                                + " (expected 0 or 1; " + Statement.SUCCESS_NO_INFO + " means batch rewriting is on)");
                    }
                }
                increments.applyTo(dao);
                return inserted;
            });
        } catch (RuntimeException e) {
            throw Failures.translate("spend batch", e);
        }
    }
}
