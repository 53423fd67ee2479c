package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.StoreException;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Turns driver and JDBI exceptions into the store's. Thread-safe (stateless). */
final class Failures {
    /** SQLSTATE of a unique or primary-key violation, on PostgreSQL and H2 alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    /** SQLSTATE of a foreign-key violation on PostgreSQL (and on H2 when a referenced row is still in use). */
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    /** SQLSTATE H2 uses when the referenced (parent) row is missing. */
    private static final String H2_PARENT_MISSING = "23506";

    private Failures() {}

    /** The store exception for a failure of {@code what}; a unique violation becomes a conflict. */
    static StoreException translate(String what, RuntimeException e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String state = sqlState(e);
        if (UNIQUE_VIOLATION.equals(state)) {
            return new StoreConflictException(what + ": already exists", e);
        }
        if (FOREIGN_KEY_VIOLATION.equals(state) || H2_PARENT_MISSING.equals(state)) {
            return new StoreException(what + ": a referenced row does not exist", e);
        }
        return new StoreException(what + " failed", e);
    }

    /** The SQLSTATE of the first {@link SQLException} among the causes, or null. */
    static @Nullable String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
