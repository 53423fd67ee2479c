package dev.llmproxy.store.jdbi;

import java.nio.file.Path;

/** The store contract on the real PostgreSQL. */
class PostgresStoreTest extends AbstractStoreContractTest {
    @Override
    TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
