package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractLiteLlmImportTest} into the embedded H2 database. */
class H2LiteLlmImportTest extends AbstractLiteLlmImportTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }
}
