package dev.llmproxy.store.jdbi;

import java.nio.file.Path;

/** The spend writer on the real PostgreSQL. */
class PostgresSpendWriterTest extends AbstractSpendWriterTest {
    @Override
    TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
