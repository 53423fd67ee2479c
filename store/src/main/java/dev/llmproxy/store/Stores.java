package dev.llmproxy.store;

import dev.llmproxy.store.jdbi.JdbiStore;
import java.time.Clock;

/** Opens stores. */
public final class Stores {
    private Stores() {}

    /**
     * Opens the store, migrating its schema to the newest version first (a no-op when it is current).
     *
     * @throws StoreException if the database cannot be reached or a migration fails
     */
    public static Store open(StoreConfig config) {
        return open(config, Clock.systemUTC());
    }

    /**
     * Opens the store with a clock for {@code created_at}/{@code updated_at} (tests pass a fixed one).
     *
     * @throws StoreException if the database cannot be reached or a migration fails
     */
    public static Store open(StoreConfig config, Clock clock) {
        return JdbiStore.open(config, clock);
    }
}
