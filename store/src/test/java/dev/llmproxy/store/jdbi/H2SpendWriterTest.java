package dev.llmproxy.store.jdbi;

import java.nio.file.Path;

/** The spend writer on the embedded H2 file database. */
class H2SpendWriterTest extends AbstractSpendWriterTest {
    @Override
    TestDatabase newDatabase(Path dir) {
        return TestDatabase.h2(dir);
    }
}
