package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractLiteLlmImportTest} into PostgreSQL. */
class PostgresLiteLlmImportTest extends AbstractLiteLlmImportTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.postgres();
    }
}
