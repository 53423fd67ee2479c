package dev.llmproxy.proxy.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.KeyCacheSettings;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.Stores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad management requests get a clear OpenAI-style error with LiteLLM's wording where LiteLLM has one, and change
 * nothing. On the embedded store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyManagementTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T16:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path dir;

    private Store store;
    private KeyService keys;
    private KeyManagement management;

    @BeforeAll
    void open() {
        store = Stores.open(StoreConfig.embedded(dir.resolve("db")), CLOCK);
        keys = KeyService.start(store, "sk-master-of-the-management-test", KeyCacheSettings.DEFAULTS.withCapacity(64),
                2, CLOCK);
        management = new KeyManagement(keys, CLOCK);
    }

    @AfterAll
    void close() {
        keys.close();
        store.close();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "POST|/key/generate|{not json|400|Invalid JSON in request body",
        "POST|/key/generate|[1]|400|Request body must be a JSON object",
        "POST|/key/generate|{\"key\":\"abcdefghijklmnop\"}|400|Received: abcd****mnop",
        "POST|/key/generate|{\"max_budget\":-1}|400|max_budget cannot be negative. Received: -1.0",
        "POST|/key/generate|{\"duration\":\"30\"}|400|Invalid duration: '30'",
        "POST|/key/generate|{\"budget_duration\":\"soon\"}|400|Invalid budget_duration",
        "POST|/key/generate|{\"models\":[1]}|400|models: expected a list of strings",
        "POST|/key/generate|{\"rpm_limit\":\"many\"}|400|rpm_limit: expected a non-negative integer",
        "POST|/key/update|{\"max_budget\":1}|400|key: the key or its hash is required",
        "POST|/key/update|{\"key\":\"sk-unknown\"}|404|Key not found in database",
        "POST|/key/delete|{}|400|At least one of 'keys' or 'key_aliases' must be provided.",
        "POST|/key/delete|{\"keys\":[\"sk-unknown\"]}|404|No keys found",
        "POST|/key/block|{}|400|Invalid key format.",
        "POST|/key/regenerate|{\"key\":\"sk-unknown\"}|404|Key not found in database",
        "GET|/key/info?key=sk-unknown||404|Key not found in database",
        "GET|/key/list?sort_by=color||400|Invalid sort_by: color",
        "GET|/key/list?size=1000||400|size: expected an integer from 1 to 100",
    })
    void shouldAnswerBadRequestsWithAClearError(String method, String uri, String body, int status, String message)
            throws Exception {
        ManagementResponse answer = management.handle(method, uri,
                        (body == null ? "" : body).getBytes(StandardCharsets.UTF_8), Principal.MASTER)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        String json = new String(answer.json(), StandardCharsets.UTF_8);
        assertThat(answer.status()).as(json).isEqualTo(status);
        assertThat(json).contains("\"error\":{\"message\":").contains(message)
                .contains("\"code\":\"" + status + "\"");
    }
}
