package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.keys.AccessGroups;
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
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual keys end to end, over real sockets against the mock provider, on a real store: a key generated with the
 * master key calls chat; blocked, expired, unknown and model-restricted keys get LiteLLM's 401s; rpm_limit gives a
 * 429 with retry-after; a budget stops the key after its spend reaches it; every call's spend row exists exactly
 * once. Subclasses choose the database.
 */
abstract class AbstractVirtualKeysTest {
    static final String MASTER = "sk-master-key-for-the-virtual-key-tests";
    private static final Pattern KEY = Pattern.compile("\"key\":\"(sk-[^\"]+)\"");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:15.500Z"));
    private TestDatabases database;
    private MockProvider mock;
    private Store store;
    private SpendWriter writer;
    private KeyService keys;
    private ProxyFixture proxy;

    abstract TestDatabases newDatabase(Path dir);

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
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-up}
                    model_info: {access_groups: [beta]}
                general_settings:
                  master_key: %2$s
                """.formatted(mock.baseUrl(), MASTER);
        Path config = dir.resolve("routes.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        RouteTable routes = RouteTable.build(ConfigLoader.load(config, java.util.Map.of()));
        store = Stores.open(database.config(), clock);
        writer = store.openSpendWriter(SpendWriterConfig.of(dir.resolve("journal"), 3600));
        keys = KeyService.start(store, MASTER, KeyCacheSettings.DEFAULTS.withCapacity(1024), 2, clock,
                AccessGroups.of(routes.accessGroups()));
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
    void shouldServeAGeneratedKeyAndStoreOnlyItsHash() {
        HttpResponse<String> generated = generate("{\"key_alias\":\"app-1\"}");

        assertThat(generated.statusCode()).isEqualTo(200);
        String key = keyOf(generated);
        assertThat(key).startsWith("sk-").hasSize(3 + 22);
        assertThat(generated.body()).contains("\"token\":\"" + KeyHash.of(key) + "\"")
                .contains("\"key_alias\":\"app-1\"").contains("\"key_name\":\"sk-..." + key.substring(key.length() - 4));
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                KeyHash.of(key))).isEqualTo(1);

        HttpResponse<String> chat = proxy.chat("gpt-a", "Authorization", "Bearer " + key);

        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(1);
        CallRecord record = proxy.awaitCalls(2);
        assertThat(record.principal()).isNotNull();
        assertThat(record.principal().key()).isNotNull();
        assertThat(record.principal().key().tokenHash()).isEqualTo(KeyHash.of(key));
    }

    @Test
    void shouldRefuseUnknownKeysWithoutReachingTheProvider() {
        HttpResponse<String> unknown = proxy.chat("gpt-a", "Authorization", "Bearer sk-not-a-key-we-know");
        HttpResponse<String> notVirtual = proxy.chat("gpt-a", "Authorization", "Bearer hello");

        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("\"type\":\"token_not_found_in_db\"").doesNotContain("sk-not-a-key");
        assertThat(notVirtual.statusCode()).isEqualTo(401);
        assertThat(mock.requestsReceived()).isZero();
    }

    @Test
    void shouldAnswer401WhileAKeyIsBlockedAndServeItAgainWhenUnblocked() {
        String key = keyOf(generate("{}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        assertThat(post("/key/block", "{\"key\":\"" + key + "\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> blocked = proxy.chat("gpt-a", "Authorization", "Bearer " + key);

        assertThat(blocked.statusCode()).isEqualTo(401);
        assertThat(blocked.body()).contains("Key is blocked").contains("\"type\":\"auth_error\"");
        assertThat(post("/key/unblock", "{\"key\":\"" + KeyHash.of(key) + "\"}").statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(2);
    }

    @Test
    void shouldAnswer401ForAnExpiredKey() {
        String key = keyOf(generate("{\"duration\":\"30s\"}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(31));
        HttpResponse<String> expired = proxy.chat("gpt-a", "Authorization", "Bearer " + key);

        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("\"type\":\"expired_key\"");
    }

    @Test
    void shouldRefuseModelsOutsideTheKeysListAndListOnlyItsModels() {
        String key = keyOf(generate("{\"models\":[\"gpt-b\"]}"));

        HttpResponse<String> denied = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        HttpResponse<String> models = proxy.get("/v1/models", "Authorization", "Bearer " + key);

        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).contains("\"type\":\"key_model_access_denied\"").contains("\"param\":\"model\"");
        assertThat(models.body()).contains("\"id\":\"gpt-b\"").doesNotContain("gpt-a");
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer429WithRetryAfterOverTheKeysRpmLimit() {
        String key = keyOf(generate("{\"rpm_limit\":2}"));

        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = proxy.chat("gpt-a", "Authorization", "Bearer " + key);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"type\":\"rate_limit_error\"");
        // 15.5 s into the minute: the window resets in 44.5 s.
        assertThat(limited.headers().firstValue("retry-after")).hasValue("45");
        assertThat(mock.requestsReceived()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(45));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldChargeTheKeysLimitsOnAProviderRouteAndGiveItsParallelSlotBack() {
        String key = keyOf(generate("{\"rpm_limit\":2,\"max_parallel_requests\":1}"));
        String body = ProxyFixture.CHAT_BODY.formatted("gpt-4o-mini");

        HttpResponse<String> first = proxy.post("/openai/v1/chat/completions", body, "Authorization", "Bearer " + key);
        HttpResponse<String> second = proxy.post("/openai/v1/chat/completions", body, "Authorization", "Bearer " + key);
        HttpResponse<String> limited = proxy.post("/openai/v1/chat/completions", body, "Authorization", "Bearer " + key);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).as("the first call's parallel slot was given back").isEqualTo(200);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"type\":\"rate_limit_error\"");
        assertThat(limited.headers().firstValue("retry-after")).hasValue("45");
        assertThat(mock.requestsReceived()).isEqualTo(2);
    }

    @Test
    void shouldStopAKeyWhoseSpendReachedItsBudgetAndRecordEachCallOnce() throws Exception {
        String key = keyOf(generate("{\"max_budget\":0.005}"));

        HttpResponse<String> first = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.cachedSpend(KeyHash.of(key)), s -> s != null && s > 0);
        HttpResponse<String> second = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        HttpResponse<String> third = proxy.chat("gpt-b", "Authorization", "Bearer " + key);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.body()).contains("\"type\":\"budget_exceeded\"").contains("Budget has been exceeded!");
        assertThat(third.statusCode()).as("the budget covers every model").isEqualTo(429);
        // 10 prompt tokens at 0.001 USD each, from the deployment's own price; the key's spend includes it.
        assertThat(first.headers().firstValue("x-litellm-response-cost")).hasValue("0.01");
        assertThat(first.headers().firstValue("x-litellm-key-spend")).hasValue("0.01");
        assertThat(mock.requestsReceived()).isEqualTo(1);
        String callId = first.headers().firstValue("x-litellm-call-id").orElseThrow();
        writer.flush().get(10, TimeUnit.SECONDS);
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?", callId))
                .isEqualTo(1);
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?", callId))
                .as("the header's cost is the spend recorded, to the last bit")
                .isEqualTo(Double.parseDouble(first.headers().firstValue("x-litellm-response-cost").orElseThrow()));
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                KeyHash.of(key))).isEqualTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\"")).isEqualTo(1);
    }

    @Test
    void shouldUpdateListDeleteAndRegenerateKeys() {
        String key = keyOf(generate("{\"key_alias\":\"a\",\"user_id\":\"u1\"}"));
        keyOf(generate("{\"key_alias\":\"b\",\"user_id\":\"u2\"}"));

        HttpResponse<String> updated = post("/key/update", "{\"key\":\"" + key + "\",\"max_budget\":12.5}");
        HttpResponse<String> info = get("/key/info?key=" + key);
        HttpResponse<String> list = get("/key/list?user_id=u1");
        HttpResponse<String> duplicate = generate("{\"key_alias\":\"a\"}");

        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(updated.body()).contains("\"max_budget\":12.5");
        assertThat(info.body()).contains("\"key_alias\":\"a\"").contains("\"max_budget\":12.5");
        assertThat(list.body()).contains("\"keys\":[\"" + KeyHash.of(key) + "\"]").contains("\"total_count\":1")
                .contains("\"total_pages\":1");
        assertThat(duplicate.statusCode()).isEqualTo(400);

        HttpResponse<String> regenerated = post("/key/regenerate", "{\"key\":\"" + key + "\"}");
        String newKey = keyOf(regenerated);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(401);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + newKey).statusCode()).isEqualTo(200);

        HttpResponse<String> deleted = post("/key/delete", "{\"key_aliases\":[\"a\"]}");
        assertThat(deleted.body()).isEqualTo("{\"deleted_keys\":[\"a\"]}");
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + newKey).statusCode()).isEqualTo(401);
        assertThat(post("/key/delete", "{\"keys\":[\"sk-nothing\"]}").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseManagementToANonAdminKey() {
        String key = keyOf(generate("{}"));

        HttpResponse<String> refused = proxy.post("/key/generate", "{}", "Authorization", "Bearer " + key);
        HttpResponse<String> own = proxy.get("/key/info", "Authorization", "Bearer " + key);

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("Only proxy admin");
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).contains("\"info\":");
        assertThat(proxy.calls()).extracting(CallRecord::error).doesNotContain(ProxyError.STORE_UNAVAILABLE);
    }

    @Test
    void shouldLetTheKeyOfAProxyAdminUserManageKeysOnceTheUserIsPromoted() {
        HttpResponse<String> created = post("/user/new",
                "{\"user_id\":\"alice\",\"user_email\":\"alice@example.com\",\"user_role\":\"internal_user\"}");
        String key = keyOf(created);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.body()).contains("\"user_id\":\"alice\"").contains("\"user_role\":\"internal_user\"");
        assertThat(proxy.post("/key/generate", "{}", "Authorization", "Bearer " + key).statusCode()).isEqualTo(401);

        assertThat(post("/user/update", "{\"user_id\":\"alice\",\"user_role\":\"proxy_admin\"}").statusCode())
                .isEqualTo(200);
        assertThat(proxy.post("/key/generate", "{}", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        assertThat(get("/user/info?user_id=alice").body()).contains("\"user_role\":\"proxy_admin\"")
                .contains(KeyHash.of(key));
        assertThat(post("/user/new", "{\"user_id\":\"alice\"}").statusCode()).isEqualTo(409);
        assertThat(get("/user/list?role=proxy_admin").body()).contains("\"total\":1");
        assertThat(post("/user/delete", "{\"user_ids\":[\"alice\"]}").statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode())
                .as("the user's keys go with the user").isEqualTo(401);
    }

    @Test
    void shouldApplyTheTeamsModelsBudgetAndBlockToItsKeys() {
        assertThat(post("/team/new", "{\"team_id\":\"t1\",\"models\":[\"gpt-a\"],\"max_budget\":0.005}")
                .statusCode()).isEqualTo(200);
        String key = keyOf(generate("{\"team_id\":\"t1\"}"));

        HttpResponse<String> otherModel = proxy.chat("gpt-b", "Authorization", "Bearer " + key);
        assertThat(otherModel.statusCode()).isEqualTo(401);
        assertThat(otherModel.body()).contains("\"type\":\"team_model_access_denied\"");
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + key), r -> r.statusCode() == 429
                        && r.body().contains("Budget has been exceeded! Team=t1"));

        assertThat(post("/team/block", "{\"team_id\":\"t1\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> blocked = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        assertThat(blocked.statusCode()).isEqualTo(401);
        assertThat(blocked.body()).contains("Team=t1 is blocked");
        assertThat(get("/team/info?team_id=t1").body()).contains("\"team_id\":\"t1\"").contains("\"blocked\":true");
        assertThat(post("/team/new", "{\"team_id\":\"t1\"}").body()).contains("Team id = t1 already exists");

        assertThat(post("/team/delete", "{\"team_ids\":[\"t1\"]}").statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(401);
        assertThat(post("/team/update", "{\"team_id\":\"t1\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldLimitAKeyPerModelAndATeamAcrossItsKeys() {
        String key = keyOf(generate("{\"model_rpm_limit\":{\"gpt-a\":1}}"));

        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"type\":\"rate_limit_error\"").contains("model=gpt-a")
                .contains("model_rpm_limit=1");
        assertThat(limited.headers().firstValue("retry-after")).hasValue("45");
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + key).statusCode())
                .as("the limit is the model's only").isEqualTo(200);

        assertThat(post("/team/new", "{\"team_id\":\"t2\",\"rpm_limit\":2}").statusCode()).isEqualTo(200);
        String first = keyOf(generate("{\"team_id\":\"t2\"}"));
        String second = keyOf(generate("{\"team_id\":\"t2\"}"));
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + first).statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + second).statusCode()).isEqualTo(200);
        HttpResponse<String> team = proxy.chat("gpt-b", "Authorization", "Bearer " + first);
        assertThat(team.statusCode()).isEqualTo(429);
        assertThat(team.body()).contains("Rate limit exceeded for team t2").contains("rpm_limit=2");
        assertThat(mock.requestsReceived()).isEqualTo(4);
    }

    @Test
    void shouldExposeWhatIsLeftOfAKeysModelLimitsWhenScraped() {
        String key = keyOf(generate("{\"key_alias\":\"limited\",\"model_rpm_limit\":{\"gpt-a\":5},"
                + "\"model_tpm_limit\":{\"gpt-a\":100000,\"gpt-b\":50000}}"));
        HttpResponse<String> first = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        Matcher total = Pattern.compile("\"total_tokens\":(\\d+)").matcher(first.body());
        assertThat(total.find()).isTrue();
        long tokensPerCall = Long.parseLong(total.group(1));

        Map<String, String> onA = Map.of("hashed_api_key", KeyHash.of(key), "api_key_alias", "limited",
                "model", "gpt-a", "model_id", "None");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition e = Exposition.parse(proxy.get("/metrics").body());
            assertThat(e.family("litellm_remaining_api_key_requests_for_model").type()).isEqualTo("gauge");
            assertThat(e.family("litellm_remaining_api_key_requests_for_model").labelNames())
                    .containsExactlyInAnyOrder("hashed_api_key", "api_key_alias", "model", "model_id");
            assertThat(e.sum("litellm_remaining_api_key_requests_for_model", onA)).isEqualTo(3);
            assertThat(e.sum("litellm_remaining_api_key_tokens_for_model", onA))
                    .isEqualTo(100000 - 2 * tokensPerCall);
            assertThat(e.sum("litellm_remaining_api_key_tokens_for_model", Map.of("model", "gpt-b")))
                    .isEqualTo(50000);
            assertThat(e.sum("litellm_remaining_api_key_requests_for_model", Map.of("model", "gpt-b")))
                    .as("gpt-b has no rpm limit").isZero();
        });
    }

    @Test
    void shouldStopAPersonalKeyAtItsUsersBudgetAndShareTheUsersLimitAcrossItsKeys() {
        assertThat(post("/user/new", "{\"user_id\":\"bob\",\"max_budget\":0.005,\"auto_create_key\":false}")
                .statusCode()).isEqualTo(200);
        String bobFirst = keyOf(generate("{\"user_id\":\"bob\"}"));
        String bobSecond = keyOf(generate("{\"user_id\":\"bob\"}"));

        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + bobFirst).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.cachedUserSpend("bob"), s -> s != null && s > 0);
        HttpResponse<String> over = proxy.chat("gpt-a", "Authorization", "Bearer " + bobSecond);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("\"type\":\"budget_exceeded\"")
                .contains("ExceededBudget: User=bob over budget. Spend=0.010000, Budget=0.005000");

        assertThat(post("/user/new", "{\"user_id\":\"dave\",\"rpm_limit\":2,\"auto_create_key\":false}")
                .statusCode()).isEqualTo(200);
        String daveFirst = keyOf(generate("{\"user_id\":\"dave\"}"));
        String daveSecond = keyOf(generate("{\"user_id\":\"dave\"}"));
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + daveFirst).statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + daveSecond).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = proxy.chat("gpt-b", "Authorization", "Bearer " + daveFirst);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("Rate limit exceeded for user dave");
        assertThat(limited.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void shouldStopATeamMemberAtTheirBudgetInTheTeam() {
        assertThat(post("/team/new", "{\"team_id\":\"t3\"}").statusCode()).isEqualTo(200);
        assertThat(post("/team/member_add", "{\"team_id\":\"t3\",\"member\":{\"user_id\":\"carol\",\"role\":\"user\"},"
                + "\"max_budget_in_team\":0.005}").statusCode()).isEqualTo(200);
        String carol = keyOf(generate("{\"team_id\":\"t3\",\"user_id\":\"carol\"}"));
        String other = keyOf(generate("{\"team_id\":\"t3\"}"));

        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + carol).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + carol), r -> r.statusCode() == 429
                        && r.body().contains("Budget has been exceeded! User=carol in Team=t3"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + other).statusCode())
                .as("the team itself has no budget").isEqualTo(200);
    }

    @Test
    void shouldEnforceTheBudgetInTeamThatMemberUpdateSetsAndKeepWhatItLeavesOut() {
        assertThat(post("/team/new", "{\"team_id\":\"t6\"}").statusCode()).isEqualTo(200);
        assertThat(post("/user/new", "{\"user_id\":\"gina\",\"user_email\":\"gina@example.com\","
                + "\"auto_create_key\":false}").statusCode()).isEqualTo(200);
        assertThat(post("/team/member_add", "{\"team_id\":\"t6\",\"member\":{\"user_id\":\"gina\","
                + "\"role\":\"user\"}}").statusCode()).isEqualTo(200);
        String gina = keyOf(generate("{\"team_id\":\"t6\",\"user_id\":\"gina\"}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + gina).statusCode()).isEqualTo(200);

        HttpResponse<String> updated = post("/team/member_update", "{\"team_id\":\"t6\","
                + "\"user_email\":\"gina@example.com\",\"max_budget_in_team\":0.005}");
        HttpResponse<String> promoted = post("/team/member_update",
                "{\"team_id\":\"t6\",\"user_id\":\"gina\",\"role\":\"admin\"}");

        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(updated.body()).contains("\"team_id\":\"t6\"").contains("\"user_id\":\"gina\"")
                .contains("\"max_budget_in_team\":0.005");
        assertThat(promoted.body()).contains("\"role\":\"admin\"").contains("\"max_budget_in_team\":0.005");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + gina), r -> r.statusCode() == 429
                        && r.body().contains("Budget has been exceeded! User=gina in Team=t6"));
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'gina' "
                + "AND max_budget = 0.005 AND role = 'admin'")).isEqualTo(1);
    }

    @Test
    void shouldGiveMembersAddedAfterwardsTheTeamsMemberBudgetAndTheirKeysItsKeyDuration() {
        HttpResponse<String> team = post("/team/new", "{\"team_id\":\"t8\",\"team_member_budget\":0.005,"
                + "\"team_member_budget_duration\":\"1d\",\"team_member_key_duration\":\"1h\"}");
        assertThat(team.statusCode()).isEqualTo(200);
        assertThat(team.body()).contains("\"team_member_budget\":0.005")
                .contains("\"team_member_key_duration\":\"1h\"");

        HttpResponse<String> added = post("/team/member_add",
                "{\"team_id\":\"t8\",\"member\":{\"user_id\":\"hank\",\"role\":\"user\"}}");
        String hank = keyOf(generate("{\"team_id\":\"t8\",\"user_id\":\"hank\"}"));
        String own = keyOf(generate("{\"team_id\":\"t8\",\"user_id\":\"hank\",\"duration\":null}"));

        assertThat(added.body()).contains("\"max_budget_in_team\":0.005").contains("\"budget_duration\":\"1d\"");
        assertThat(get("/key/info?key=" + hank).body()).contains("\"expires\":\"2026-12-01T17:00:15");
        assertThat(get("/key/info?key=" + own).body()).as("an explicit duration wins").contains("\"expires\":null");
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + hank).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + hank), r -> r.statusCode() == 429
                        && r.body().contains("Budget has been exceeded! User=hank in Team=t8"));

        assertThat(post("/team/update", "{\"team_id\":\"t8\",\"team_member_budget\":2}").statusCode())
                .isEqualTo(200);
        assertThat(post("/team/member_add", "{\"team_id\":\"t8\",\"member\":{\"user_id\":\"ivy\"}}").body())
                .contains("\"max_budget_in_team\":2.0");
        HttpResponse<String> limits = post("/team/new", "{\"team_id\":\"t9\",\"team_member_rpm_limit\":5}");
        assertThat(limits.statusCode()).isEqualTo(400);
        assertThat(limits.body()).contains("team_member_rpm_limit is not supported");
    }

    @Test
    void shouldRefuseAMemberUpdateAsLiteLlmDoes() {
        assertThat(post("/team/new", "{\"team_id\":\"t7\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> noTeam = post("/team/member_update", "{\"user_id\":\"x\"}");
        HttpResponse<String> noUser = post("/team/member_update", "{\"team_id\":\"t7\"}");
        HttpResponse<String> unknownTeam = post("/team/member_update", "{\"team_id\":\"nope\",\"user_id\":\"x\"}");
        HttpResponse<String> notMember = post("/team/member_update", "{\"team_id\":\"t7\",\"user_id\":\"x\"}");
        HttpResponse<String> limits = post("/team/member_update",
                "{\"team_id\":\"t7\",\"user_id\":\"x\",\"rpm_limit\":5}");
        HttpResponse<String> negative = post("/team/member_update",
                "{\"team_id\":\"t7\",\"user_id\":\"x\",\"max_budget_in_team\":-1}");

        assertThat(noTeam.statusCode()).isEqualTo(400);
        assertThat(noTeam.body()).contains("No team id passed in");
        assertThat(noUser.statusCode()).isEqualTo(400);
        assertThat(noUser.body()).contains("Either user_id or user_email needs to be passed in");
        assertThat(unknownTeam.statusCode()).isEqualTo(400);
        assertThat(unknownTeam.body()).contains("Team id=nope does not exist in db");
        assertThat(notMember.statusCode()).isEqualTo(400);
        assertThat(notMember.body()).contains("User id doesn't exist in team table");
        assertThat(limits.statusCode()).isEqualTo(400);
        assertThat(limits.body()).contains("rpm_limit of a team member is not supported");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("max_budget_in_team cannot be negative");
    }

    @Test
    void shouldResetATeamMembersBudgetWhenItsDurationEnds() {
        assertThat(post("/team/new", "{\"team_id\":\"t5\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> added = post("/team/member_add", "{\"team_id\":\"t5\",\"member\":{\"user_id\":"
                + "\"frank\",\"role\":\"user\"},\"max_budget_in_team\":0.005,\"budget_duration\":\"1d\"}");
        assertThat(added.statusCode()).isEqualTo(200);
        assertThat(added.body()).contains("\"budget_duration\":\"1d\"")
                .contains("\"budget_reset_at\":\"2026-12-02T00:00:00Z\"");
        String frank = keyOf(generate("{\"team_id\":\"t5\",\"user_id\":\"frank\"}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + frank).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + frank),
                r -> r.statusCode() == 429 && r.body().contains("\"type\":\"budget_exceeded\"")
                        && r.body().contains("Budget has been exceeded! User=frank in Team=t5"));

        assertThat(keys.resetBudgets().members()).as("not due before midnight").isZero();
        clock.advance(Duration.ofHours(8));

        assertThat(keys.resetBudgets().members()).isEqualTo(1);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + frank).statusCode())
                .as("the cache forgot the member's spend when the reset returned").isEqualTo(200);
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'frank' "
                + "AND budget_reset_at = TIMESTAMP '2026-12-03 00:00:00'")).isEqualTo(1);
        assertThat(keys.resetBudgets().members()).as("a second run finds nothing due").isZero();
    }

    @Test
    void shouldAllowTheModelsOfAnAccessGroupAndDeferAllTeamModelsToTheTeam() {
        String key = keyOf(generate("{\"models\":[\"beta\"]}"));

        assertThat(proxy.chat("gpt-b", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> denied = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).contains("\"type\":\"key_model_access_denied\"");
        assertThat(proxy.get("/v1/models", "Authorization", "Bearer " + key).body()).contains("\"id\":\"gpt-b\"")
                .doesNotContain("gpt-a");

        assertThat(post("/team/new", "{\"team_id\":\"t4\",\"models\":[\"gpt-a\"]}").statusCode()).isEqualTo(200);
        String teamKey = keyOf(generate("{\"team_id\":\"t4\",\"models\":[\"all-team-models\"]}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + teamKey).statusCode()).isEqualTo(200);
        HttpResponse<String> outside = proxy.chat("gpt-b", "Authorization", "Bearer " + teamKey);
        assertThat(outside.statusCode()).isEqualTo(401);
        assertThat(outside.body()).contains("\"type\":\"team_model_access_denied\"");
        String loneKey = keyOf(generate("{\"models\":[\"all-team-models\"]}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + loneKey).statusCode())
                .as("all-team-models without a team allows nothing").isEqualTo(401);
    }

    @Test
    void shouldResetKeyAndUserBudgetsWhenTheirDurationEnds() {
        String key = keyOf(generate("{\"max_budget\":0.005,\"budget_duration\":\"1d\"}"));
        assertThat(post("/user/new", "{\"user_id\":\"erin\",\"max_budget\":0.005,\"budget_duration\":\"1d\","
                + "\"auto_create_key\":false}").statusCode()).isEqualTo(200);
        String erin = keyOf(generate("{\"user_id\":\"erin\"}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + erin).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + key),
                r -> r.statusCode() == 429);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + erin),
                r -> r.statusCode() == 429);

        assertThat(keys.resetBudgets().keys()).as("not due before midnight").isZero();
        clock.advance(Duration.ofHours(8));
        var reset = keys.resetBudgets();

        assertThat(reset.keys()).isEqualTo(1);
        assertThat(reset.users()).isEqualTo(1);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + key).statusCode())
                .as("the cache forgot the spend when the reset returned").isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + erin).statusCode()).isEqualTo(200);
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_VerificationToken\" WHERE token = ? AND "
                + "budget_reset_at = TIMESTAMP '2026-12-03 00:00:00'", KeyHash.of(key))).isEqualTo(1);
        assertThat(keys.resetBudgets().keys()).as("a second run finds nothing due").isZero();
    }

    /**
     * The documented bound: a budget is checked when a call starts against the calls that have ended, so the calls
     * in flight when spend crosses the budget may all finish: spend stays below max_budget plus the cost of
     * max_parallel_requests calls.
     */
    @Test
    void shouldKeepTheOvershootOfABudgetWithinTheCostOfTheCallsInFlight() throws Exception {
        int parallel = 4;
        double costPerCall = 0.01;
        double budget = 0.05;
        String key = keyOf(generate("{\"max_budget\":" + budget + ",\"max_parallel_requests\":" + parallel + "}"));
        AtomicInteger served = new AtomicInteger();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 12; c++) {
                done.add(clients.submit(() -> {
                    for (int attempt = 0; attempt < 500; attempt++) {
                        HttpResponse<String> r = proxy.chat("gpt-a", "Authorization", "Bearer " + key);
                        if (r.statusCode() == 200) {
                            served.incrementAndGet();
                        } else if (r.body().contains("\"type\":\"budget_exceeded\"")) {
                            return;
                        } else if (!r.body().contains("max_parallel_requests=" + parallel)) {
                            unexpected.add(r.statusCode() + " " + r.body());
                            return;
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        writer.flush().get(10, TimeUnit.SECONDS);
        double spend = database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                KeyHash.of(key));

        assertThat(unexpected).isEmpty();
        assertThat(served.get()).as("calls served until the budget was reached")
                .isBetween((int) Math.round(budget / costPerCall), (int) Math.round(budget / costPerCall) + parallel - 1);
        assertThat(spend).isEqualTo(served.get() * costPerCall, org.assertj.core.data.Offset.offset(1e-9))
                .isLessThan(budget + parallel * costPerCall);
        assertThat(keys.cachedSpend(KeyHash.of(key))).isEqualTo(spend, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void shouldStopAnEndUserAtItsBudgetAndAccrueItsSpendOnce() throws Exception {
        HttpResponse<String> created = post("/customer/new", "{\"user_id\":\"cust-1\",\"max_budget\":0.005,"
                + "\"alias\":\"Acme\",\"budget_duration\":\"1d\"}");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.body()).contains("\"user_id\":\"cust-1\"").contains("\"alias\":\"Acme\"")
                .contains("\"litellm_budget_table\":{").contains("\"max_budget\":0.005")
                .contains("\"budget_duration\":\"1d\"").contains("\"blocked\":false");
        String key = keyOf(generate("{}"));

        HttpResponse<String> first = chatFor("cust-1", key);
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.cachedEndUserSpend("cust-1"), s -> s != null && s > 0);
        HttpResponse<String> over = chatFor("cust-1", MASTER);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(over.statusCode()).as("the master key is checked too").isEqualTo(429);
        assertThat(over.body()).contains("\"type\":\"budget_exceeded\"")
                .contains("ExceededBudget: End User=cust-1 over budget. Spend=0.010000, Budget=0.005000");
        assertThat(chatFor("someone-else", key).statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(2);
        // A call's record reaches the writer when the call ends, possibly just after the client has its answer.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            writer.flush().get(10, TimeUnit.SECONDS);
            return database.queryLong("SELECT count(*) FROM \"LiteLLM_EndUserTable\" WHERE user_id = 'someone-else'");
        }, n -> n == 1);
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_EndUserTable\" WHERE user_id = 'cust-1'"))
                .isEqualTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_EndUserTable\" WHERE user_id = 'someone-else'"))
                .as("an unknown end user's row is created by its first spend")
                .isEqualTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
        String callId = first.headers().firstValue("x-litellm-call-id").orElseThrow();
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE request_id = ? "
                + "AND end_user = 'cust-1'", callId)).isEqualTo(1);

        HttpResponse<String> raised = post("/customer/update", "{\"user_id\":\"cust-1\",\"max_budget\":1}");
        assertThat(raised.statusCode()).isEqualTo(200);
        assertThat(raised.body()).contains("\"max_budget\":1.0").contains("\"spend\":0.01");
        assertThat(chatFor("cust-1", key).statusCode()).as("in force at once").isEqualTo(200);
        HttpResponse<String> info = get("/end_user/info?end_user_id=cust-1");
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("\"user_id\":\"cust-1\"").contains("\"max_budget\":1.0");
        assertThat(get("/customer/list").body()).contains("\"user_id\":\"cust-1\"")
                .contains("\"user_id\":\"someone-else\"");

        await().atMost(Duration.ofSeconds(5)).until(() -> keys.cachedEndUserSpend("cust-1"), s -> s != null && s > 0.015);
        clock.advance(Duration.ofHours(8));
        assertThat(keys.resetBudgets().endUsers()).as("the budget row's day ended").isEqualTo(1);
        assertThat(keys.cachedEndUserSpend("cust-1")).as("the cache forgot the spend when the reset returned")
                .isZero();
    }

    @Test
    void shouldRefuseABlockedEndUserUntilUnblockedAndForgetADeletedOne() {
        String key = keyOf(generate("{}"));
        HttpResponse<String> blocked = post("/customer/block", "{\"user_ids\":[\"mallory\"]}");
        assertThat(blocked.statusCode()).isEqualTo(200);
        assertThat(blocked.body()).contains("\"blocked_users\":[{\"user_id\":\"mallory\"")
                .contains("\"blocked\":true");

        HttpResponse<String> refused = chatFor("mallory", key);
        HttpResponse<String> byHeader = proxy.chat("gpt-a", "Authorization", "Bearer " + key,
                "x-litellm-end-user-id", "mallory");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("User blocked from making LLM API Calls. User=mallory")
                .contains("\"type\":\"invalid_request_error\"");
        assertThat(byHeader.statusCode()).isEqualTo(400);
        assertThat(mock.requestsReceived()).isZero();
        assertThat(post("/end_user/unblock", "{\"user_ids\":[\"mallory\"]}").statusCode()).isEqualTo(200);
        assertThat(chatFor("mallory", key).statusCode()).isEqualTo(200);

        post("/customer/block", "{\"user_ids\":[\"mallory\"]}");
        assertThat(chatFor("mallory", key).statusCode()).isEqualTo(400);
        HttpResponse<String> deleted = post("/customer/delete", "{\"user_ids\":[\"mallory\"]}");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).contains("Successfully deleted customers with ids: ['mallory']");
        assertThat(chatFor("mallory", key).statusCode()).isEqualTo(200);
        HttpResponse<String> missing = get("/customer/info?end_user_id=nobody");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("End User Id=nobody does not exist in db");
        assertThat(post("/customer/delete", "{\"user_ids\":[\"nobody\"]}").statusCode()).isEqualTo(404);
        HttpResponse<String> twice = post("/customer/new", "{\"user_id\":\"dup\"}");
        assertThat(twice.statusCode()).isEqualTo(200);
        assertThat(post("/customer/new", "{\"user_id\":\"dup\"}").body())
                .contains("Customer already exists, passed user_id=dup. Please pass a new user_id.");
        assertThat(post("/customer/new", "{\"user_id\":\"x\",\"budget_id\":\"no-such\"}").statusCode())
                .isEqualTo(400);
        assertThat(proxy.post("/customer/new", "{\"user_id\":\"y\"}", "Authorization", "Bearer " + key)
                .statusCode()).as("admin only").isEqualTo(401);
    }

    /** Writes straight to the store, as another instance sharing the database would, and waits for this one. */
    @Test
    void shouldApplyUsersTeamsAndEndUsersChangedByAnotherInstanceWithinSeconds() {
        assertThat(post("/user/new", "{\"user_id\":\"frank\",\"max_budget\":1,\"auto_create_key\":false}")
                .statusCode()).isEqualTo(200);
        String frank = keyOf(generate("{\"user_id\":\"frank\"}"));
        assertThat(post("/team/new", "{\"team_id\":\"ops\"}").statusCode()).isEqualTo(200);
        String ops = keyOf(generate("{\"team_id\":\"ops\"}"));
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + frank).statusCode()).isEqualTo(200);
        assertThat(proxy.chat("gpt-a", "Authorization", "Bearer " + ops).statusCode()).isEqualTo(200);
        assertThat(chatFor("eve", ops).statusCode()).isEqualTo(200);

        store.users().update(store.users().find("frank").orElseThrow().toBuilder().maxBudget(0.005).build());
        store.teams().setBlocked("ops", true);
        store.endUsers().block(List.of("eve"));

        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.chat("gpt-a", "Authorization", "Bearer " + frank),
                r -> r.statusCode() == 429);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.chat("gpt-b", "Authorization", "Bearer " + ops),
                r -> r.statusCode() == 401);
        await().atMost(Duration.ofSeconds(5)).until(() -> chatFor("eve", frank), r -> r.statusCode() == 400);
    }

    private HttpResponse<String> chatFor(String endUser, String key) {
        return proxy.post("/v1/chat/completions", "{\"model\":\"gpt-a\",\"user\":\"" + endUser
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + key);
    }

    private HttpResponse<String> generate(String body) {
        return post("/key/generate", body);
    }

    private HttpResponse<String> post(String path, String body) {
        return proxy.post(path, body, "Authorization", "Bearer " + MASTER);
    }

    private HttpResponse<String> get(String path) {
        return proxy.get(path, "Authorization", "Bearer " + MASTER);
    }

    private static String keyOf(HttpResponse<String> generated) {
        Matcher m = KEY.matcher(generated.body());
        assertThat(m.find()).as("a key in %s", generated.body()).isTrue();
        return m.group(1);
    }
}
