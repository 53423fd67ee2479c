package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.Store;
import org.jdbi.v3.core.Jdbi;

/** Test access to a store's JDBI instance. */
final class JdbiAccess {
    private JdbiAccess() {}

    static Jdbi jdbi(Store store) {
        return ((JdbiStore) store).jdbi();
    }
}
