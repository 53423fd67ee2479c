package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.StoreChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The record of deletions ({@code llmproxy_deletions}) that other instances read at each refresh: a deleted row leaves
 * nothing whose {@code updated_at} they could see. Written in the deleting transaction, so a deletion that committed
 * is always recorded; rows older than {@link #KEPT} are pruned by the next deletion, long after every instance's
 * refresh (every second, with a few seconds of overlap) has read them. Thread-safe (stateless).
 */
final class Deletions {
    static final Duration KEPT = Duration.ofHours(1);
    private static final String TABLE = "llmproxy_deletions";

    private Deletions() {}

    /** Records that {@code ids} of {@code kind} were deleted at {@code now}, in {@code h}'s transaction. */
    static void record(Handle h, StoreChange.Kind kind, Collection<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO " + TABLE + " (kind, id, deleted_at) VALUES (:kind, :id, :at)");
        for (String id : ids) {
            batch.bind("kind", kind.wireName()).bind("id", id).bind("at", now).add();
        }
        batch.execute();
        h.createUpdate("DELETE FROM " + TABLE + " WHERE deleted_at < :cutoff")
                .bind("cutoff", now.minus(KEPT))
                .execute();
    }

    /** The deletions recorded at or after {@code since}, oldest first; kinds this version does not know are left out. */
    static List<StoreChange> since(Jdbi jdbi, Instant since) {
        List<StoreChange> out = new ArrayList<>();
        jdbi.useHandle(h -> h.createQuery("SELECT kind, id FROM " + TABLE
                        + " WHERE deleted_at >= :since ORDER BY deleted_at")
                .bind("since", since)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .forEach(row -> {
                    StoreChange.Kind kind = StoreChange.Kind.ofWireName(row[0]);
                    if (kind != null) {
                        out.add(new StoreChange(kind, row[1]));
                    }
                }));
        return out;
    }
}
