package dev.llmproxy.store.jdbi;

import java.nio.file.Path;

/** The store contract on the embedded H2 file database. */
class H2StoreTest extends AbstractStoreContractTest {
    @Override
    TestDatabase newDatabase(Path dir) {
        return TestDatabase.h2(dir);
    }
}
