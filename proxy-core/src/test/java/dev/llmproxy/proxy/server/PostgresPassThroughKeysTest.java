package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.keys.KeyCacheSettings;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.proxy.keys.TestDatabases;
import dev.llmproxy.proxy.management.KeyManagement;
import dev.llmproxy.proxy.metrics.Exposition;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.spend.PriceTable;
import dev.llmproxy.proxy.spend.SpendListener;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual keys on pass-through routes, over real sockets against the mock provider, on the real PostgreSQL: a key is
 * admitted on every route that asks for one (its budget and limits hold), charged what the route's usage costs, and
 * its admission is given back however the relay ends. {@code /openai/...} is served by {@code gpt-a} (0.001 USD per
 * prompt token; the mock answers 10), {@code /mock-chat} is a configured route with {@code auth: true} and no model.
 */
class PostgresPassThroughKeysTest {
    private static final String MASTER = "sk-master-key-for-the-pass-through-key-tests";
    private static final Pattern KEY = Pattern.compile("\"key\":\"(sk-[^\"]+)\"");
    private static final String CHAT = ProxyFixture.CHAT_BODY.formatted("gpt-4o-mini");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:15.500Z"));
    private TestDatabases database;
    private MockProvider mock;
    private Store store;
    private SpendWriter writer;
    private KeyService keys;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.postgres();
        mock = MockProvider.start(MockProviderConfig.builder().streamChunkIntervalMillis(0)
                .streamFirstChunkDelayMillis(0).build());
        String yaml = """
                model_list:
                  - model_name: gpt-a
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up,
                                     input_cost_per_token: 0.001, output_cost_per_token: 0}
                  - model_name: gpt-b
                    litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %2$s, api_key: sk-ant}
                general_settings:
                  master_key: %3$s
                  pass_through_endpoints:
                    - path: /mock-chat
                      target: %1$s/chat/completions
                      auth: true
                """.formatted(mock.baseUrl(), mock.origin(), MASTER);
        Path config = dir.resolve("routes.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        RouteTable routes = RouteTable.build(ConfigLoader.load(config, Map.of()));
        store = Stores.open(database.config(), clock);
        writer = store.openSpendWriter(SpendWriterConfig.of(dir.resolve("journal"), 3600));
        keys = KeyService.start(store, MASTER, KeyCacheSettings.DEFAULTS.withCapacity(1024), 2, clock);
        SpendListener spend = new SpendListener(routes, PriceTable.bundled(), writer, clock, keys.endUsers());
        proxy = ProxyFixture.builder(dir, yaml)
                .authenticator(keys.authenticator())
                .components(c -> c.clock(clock).listener(spend).management(new KeyManagement(keys, clock))
                        .endUsers(keys.endUsers()).metrics(MetricsSettings.DEFAULTS))
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

    @Test
    void shouldWriteASpendRowForEachPassThroughCallAndChargeTheKeyWhatItsUsageCosts() throws Exception {
        String key = generate("{}");

        HttpResponse<String> provider = proxy.post("/openai/v1/chat/completions", CHAT, "Authorization",
                "Bearer " + key);
        HttpResponse<String> configured = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);

        assertThat(provider.statusCode()).isEqualTo(200);
        assertThat(configured.statusCode()).isEqualTo(200);
        String providerCall = provider.headers().firstValue("x-litellm-call-id").orElseThrow();
        String configuredCall = configured.headers().firstValue("x-litellm-call-id").orElseThrow();
        // A relay's record follows its answer's last bytes: the rows are awaited.
        awaitSpendRows("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE api_key = ? AND "
                + "call_type = 'pass_through_endpoint'", KeyHash.of(key), 2);
        // 10 prompt tokens at gpt-a's 0.001 USD; the configured route has no provider to price its usage by.
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?",
                providerCall)).isEqualTo(0.01, Offset.offset(1e-12));
        assertThat(database.queryLong("SELECT total_tokens FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?",
                providerCall)).isEqualTo(30);
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?",
                configuredCall)).isZero();
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                KeyHash.of(key))).isEqualTo(0.01, Offset.offset(1e-9));
        Map<String, String> byKey = Map.of("hashed_api_key", KeyHash.of(key));
        Exposition e = Exposition.parse(proxy.get("/metrics").body());
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", byKey)).isEqualTo(2);
        assertThat(e.sum("litellm_spend_metric_total", byKey)).isEqualTo(0.01, Offset.offset(1e-12));
    }

    @Test
    void shouldStopAKeyOverItsBudgetOnARouteOfNoModel() {
        String key = generate("{\"max_budget\":0.005}");

        assertThat(proxy.post("/openai/v1/chat/completions", CHAT, "Authorization", "Bearer " + key).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.cachedSpend(KeyHash.of(key)), s -> s != null && s > 0);
        HttpResponse<String> over = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("\"type\":\"budget_exceeded\"");
        assertThat(mock.requestsReceived()).isEqualTo(1);
    }

    @Test
    void shouldAnswer429WithRetryAfterOverTheKeysRpmLimitOnAConfiguredRoute() {
        String key = generate("{\"rpm_limit\":2}");

        assertThat(proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"type\":\"rate_limit_error\"").contains("rpm_limit=2");
        // 15.5 s into the minute: the window resets in 44.5 s.
        assertThat(limited.headers().firstValue("retry-after")).hasValue("45");
        assertThat(mock.requestsReceived()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(45));
        assertThat(proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldApplyTheKeysModelsToAProviderRoutesModelGroupOnly() {
        String key = generate("{\"models\":[\"gpt-b\"],\"model_rpm_limit\":{\"gpt-a\":1}}");

        HttpResponse<String> noModel = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);
        HttpResponse<String> again = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);
        HttpResponse<String> otherGroup = proxy.post("/openai/v1/chat/completions", CHAT, "Authorization",
                "Bearer " + key);

        assertThat(noModel.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).as("gpt-a's model_rpm_limit is no limit of a route of no model")
                .isEqualTo(200);
        assertThat(otherGroup.statusCode()).isEqualTo(401);
        assertThat(otherGroup.body()).contains("\"type\":\"key_model_access_denied\"");
        assertThat(mock.requestsReceived()).isEqualTo(2);
    }

    @Test
    void shouldRefuseABlockedKeyOnEveryPassThroughRoute() {
        String key = generate("{}");
        assertThat(post("/key/block", "{\"key\":\"" + key + "\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> configured = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);
        HttpResponse<String> provider = proxy.post("/openai/v1/chat/completions", CHAT, "Authorization",
                "Bearer " + key);

        assertThat(configured.statusCode()).isEqualTo(401);
        assertThat(configured.body()).contains("Key is blocked");
        assertThat(provider.statusCode()).isEqualTo(401);
        assertThat(mock.requestsReceived()).isZero();
    }

    @Test
    void shouldGiveTheAdmissionBackWhenTheTargetCutsItsStream() throws Exception {
        String key = generate("{\"max_parallel_requests\":1}");
        String cut = """
                {"model":"gpt-4o-mini","stream":true,"mock_chunks":4,"mock_cut_after_chunks":2,
                 "messages":[{"role":"user","content":"hi"}]}""";

        assertThatThrownBy(() -> proxy.post("/mock-chat", cut, "Authorization", "Bearer " + key))
                .isInstanceOf(UncheckedIOException.class);
        HttpResponse<String> after = proxy.post("/mock-chat", CHAT, "Authorization", "Bearer " + key);

        assertThat(after.statusCode()).as("the cut call's parallel slot was given back").isEqualTo(200);
        awaitSpendRows("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE api_key = ?", KeyHash.of(key), 2);
    }

    private void awaitSpendRows(String countQuery, String keyHash, long rows) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            writer.flush().get(10, TimeUnit.SECONDS);
            assertThat(database.queryLong(countQuery, keyHash)).isEqualTo(rows);
        });
    }

    private HttpResponse<String> post(String path, String body) {
        return proxy.post(path, body, "Authorization", "Bearer " + MASTER);
    }

    private String generate(String body) {
        HttpResponse<String> generated = post("/key/generate", body);
        Matcher m = KEY.matcher(generated.body());
        assertThat(m.find()).as("a key in %s", generated.body()).isTrue();
        return m.group(1);
    }
}
