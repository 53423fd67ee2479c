package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.keys.KeyCacheSettings;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.proxy.keys.TestDatabases;
import dev.llmproxy.proxy.management.KeyManagement;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.spend.PriceTable;
import dev.llmproxy.proxy.spend.SpendListener;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy with virtual keys on a real store, over real sockets against the mock provider: {@code gpt-a} costs 0.001
 * USD per prompt token (the mock answers 10 prompt tokens), {@code gpt-b} is priced from the bundled table.
 * Subclasses choose the database and may change the spend writer's settings.
 */
abstract class StoreFlowTestBase {
    static final String MASTER = "sk-master-key-for-the-store-flow-tests";
    private static final Pattern KEY = Pattern.compile("\"key\":\"(sk-[^\"]+)\"");

    @TempDir
    Path dir;

    final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:15.500Z"));
    TestDatabases database;
    MockProvider mock;
    Store store;
    SpendWriter writer;
    KeyService keys;
    ProxyFixture proxy;

    abstract TestDatabases newDatabase(Path dir);

    /** Runs on the fresh store before the proxy starts. */
    void beforeProxy(Store fresh) {}

    SpendWriterConfig writerConfig(Path journal) {
        return SpendWriterConfig.of(journal, 3600);
    }

    @BeforeEach
    void setUp() throws Exception {
        database = newDatabase(dir);
        mock = MockProvider.start(MockProviderConfig.builder().build());
        String yaml = """
                model_list:
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up,
                                     input_cost_per_token: 0.001, output_cost_per_token: 0}
                  - model_name: gpt-b
                    litellm_params: {model: openai/gpt-4o, api_base: %1$s, api_key: sk-up}
                general_settings:
                  master_key: %2$s
                """.formatted(mock.baseUrl(), MASTER);
        Path config = dir.resolve("routes.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        RouteTable routes = RouteTable.build(ConfigLoader.load(config, Map.of()));
        store = Stores.open(database.config(), clock);
        beforeProxy(store);
        writer = store.openSpendWriter(writerConfig(dir.resolve("journal")));
        keys = KeyService.start(store, MASTER, KeyCacheSettings.DEFAULTS.withCapacity(1024), 2, clock);
        SpendListener spend = new SpendListener(routes, PriceTable.bundled(), writer, clock);
        proxy = ProxyFixture.builder(dir, yaml)
                .authenticator(keys.authenticator())
                .components(c -> c.clock(clock).listener(spend).management(new KeyManagement(keys, clock))
                        .endUsers(keys.endUsers()))
                .start();
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (store != null) {
            store.close();
        }
        if (mock != null) {
            mock.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Waits until every call's record is in the database. */
    void flushSpend() throws Exception {
        writer.flush().get(10, TimeUnit.SECONDS);
    }

    HttpResponse<String> chat(String model, String key) {
        return proxy.chat(model, "Authorization", "Bearer " + key);
    }

    HttpResponse<String> post(String path, String body) {
        return proxy.post(path, body, "Authorization", "Bearer " + MASTER);
    }

    HttpResponse<String> get(String path) {
        return proxy.get(path, "Authorization", "Bearer " + MASTER);
    }

    String generate(String body) {
        HttpResponse<String> generated = post("/key/generate", body);
        Matcher m = KEY.matcher(generated.body());
        assertThat(m.find()).as("a key in %s", generated.body()).isTrue();
        return m.group(1);
    }
}
