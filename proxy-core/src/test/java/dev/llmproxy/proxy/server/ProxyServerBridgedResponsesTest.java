package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.FixedKeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.TestDatabases;
import dev.llmproxy.store.ResponseStore;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoredResponse;
import dev.llmproxy.store.Stores;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses bridged to chat for providers without a Responses API, kept in the store (embedded H2 here; the store's
 * contract tests run on PostgreSQL too): {@code previous_response_id} puts the earlier turns in front of the chat,
 * and {@code GET}/{@code DELETE /v1/responses/{id}} and {@code /input_items} answer from what was kept, to the key
 * that made it, its user's other keys in its team, and the master key.
 */
class ProxyServerBridgedResponsesTest {
    private static final Pattern ID = Pattern.compile("\"id\":\"(resp_[0-9a-f]+)\"");

    @TempDir
    Path dir;

    private MockProvider mock;
    private TestDatabases database;
    private Store store;
    private ExecutorService storeThread;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        database = TestDatabases.h2(dir.resolve("db"));
        store = Stores.open(database.config());
        storeThread = Executors.newSingleThreadExecutor();
        BridgedResponses kept = new StoreBacked(store.responses(), storeThread);
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4.1
                      api_base: %1$s/v1
                      api_key: sk-test
                """.formatted(mock.origin())).components(c -> c.bridgedResponses(kept)).authenticator(new Keys())
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        storeThread.shutdownNow();
        store.close();
        database.close();
        mock.close();
    }

    @Test
    void shouldPutTheEarlierTurnsInFrontOfTheChatWhenContinuingABridgedResponse() {
        String first = idOf(proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"My name is Ada.\","
                + "\"instructions\":\"Be brief.\",\"mock_chunks\":2}"));
        awaitKept(first);

        HttpResponse<String> second = proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"What is my "
                + "name?\",\"previous_response_id\":\"" + first + "\",\"stream\":true,\"mock_chunks\":2}");

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("event: response.completed");
        assertThat(mock.requests().get(1).body()).startsWith("{\"model\":\"claude-sonnet-4-5\",\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"My name is Ada.\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"tok tok \"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is my name?\"}]}]")
                .doesNotContain("previous_response_id");
        String secondId = idOf(second);
        awaitKept(secondId);
        HttpResponse<String> items = proxy.get("/v1/responses/" + secondId + "/input_items?order=asc&limit=2");
        assertThat(items.statusCode()).isEqualTo(200);
        assertThat(items.body()).isEqualTo("{\"object\":\"list\",\"data\":[{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":\"My name is Ada.\"},{\"type\":\"message\",\"id\":\"msg_" + first.substring(5)
                + "\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"tok tok \",\"annotations\":[]}]}],\"first_id\":null,\"last_id\":\"msg_"
                + first.substring(5) + "\",\"has_more\":true}");
    }

    @Test
    void shouldRetrieveAndDeleteAKeptResponse() {
        HttpResponse<String> created = proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"Hi\"}");
        String id = idOf(created);
        awaitKept(id);

        HttpResponse<String> retrieved = proxy.get("/v1/responses/" + id);
        HttpResponse<String> deleted = proxy.delete("/responses/" + id);
        HttpResponse<String> gone = proxy.get("/v1/responses/" + id);

        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(retrieved.body()).isEqualTo(created.body());
        assertThat(deleted.body()).isEqualTo("{\"id\":\"" + id + "\",\"object\":\"response\",\"deleted\":true}");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("Response with id '" + id + "' not found.");
        assertThat(store.responses().find(id)).isEmpty();
    }

    @Test
    void shouldAnswer400ForAnUnknownPreviousResponseOnABridgedModelAndKeepNothingAskedNotToBeKept() {
        HttpResponse<String> unknown = proxy.post("/v1/responses",
                "{\"model\":\"claude\",\"input\":\"More\",\"previous_response_id\":\"resp_0123\"}");
        HttpResponse<String> unstored = proxy.post("/v1/responses",
                "{\"model\":\"claude\",\"input\":\"Hi\",\"store\":false}");

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Previous response with id 'resp_0123' not found.")
                .contains("\"param\":\"previous_response_id\"");
        assertThat(mock.requests()).hasSize(1);
        assertThat(unstored.statusCode()).isEqualTo(200);
        proxy.awaitCalls(2);
        assertThat(store.responses().find(idOf(unstored))).isEmpty();
    }

    @Test
    void shouldPassAnUnknownPreviousResponseOnToANativeDeployment() {
        HttpResponse<String> response = proxy.post("/v1/responses",
                "{\"model\":\"gpt\",\"input\":\"More\",\"previous_response_id\":\"resp_mock01\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        List<RecordedRequest> upstream = mock.requests();
        assertThat(upstream.get(0).body()).contains("\"previous_response_id\":\"resp_mock01\"");
    }

    @Test
    void shouldLetOnlyItsKeyItsUsersOtherKeysAndTheMasterKeyUseAKeptResponse() {
        String id = idOf(proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"Hi\"}", bearer("sk-ada")));
        awaitKept(id);

        assertThat(proxy.get("/v1/responses/" + id, bearer("sk-ada")).statusCode()).isEqualTo(200);
        assertThat(proxy.get("/v1/responses/" + id + "/input_items", bearer("sk-ada-2")).statusCode())
                .isEqualTo(200);
        assertThat(proxy.get("/v1/responses/" + id, bearer("sk-master")).statusCode()).isEqualTo(200);
        HttpResponse<String> other = proxy.get("/v1/responses/" + id, bearer("sk-bob"));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("belongs to another user's key").contains("\"code\":\"403\"");
        assertThat(proxy.get("/v1/responses/" + id, bearer("sk-eve")).body())
                .contains("belongs to another team's key");
        assertThat(proxy.delete("/v1/responses/" + id, bearer("sk-bob")).statusCode()).isEqualTo(403);
        HttpResponse<String> continued = proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"More\","
                + "\"previous_response_id\":\"" + id + "\"}", bearer("sk-bob"));
        assertThat(continued.statusCode()).isEqualTo(403);
        assertThat(continued.body()).contains("\"param\":\"previous_response_id\"");

        assertThat(mock.requests()).hasSize(1);
        assertThat(store.responses().find(id).orElseThrow().owner())
                .isEqualTo(new StoredResponse.Owner("hash-ada", "ada", "team-1"));
        assertThat(proxy.delete("/v1/responses/" + id, bearer("sk-ada-2")).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldLetOnlyTheMasterKeyUseAResponseMadeWithoutAVirtualKey() {
        String id = idOf(proxy.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"Hi\"}",
                bearer("sk-master")));
        awaitKept(id);

        HttpResponse<String> refused = proxy.get("/v1/responses/" + id, bearer("sk-ada"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("made without a virtual key");
        assertThat(proxy.get("/v1/responses/" + id, bearer("sk-master")).statusCode()).isEqualTo(200);
    }

    private static String[] bearer(String key) {
        return new String[] {"Authorization", "Bearer " + key};
    }

    private void awaitKept(String id) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.responses().find(id).isPresent());
    }

    private static String idOf(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher matcher = ID.matcher(response.body());
        assertThat(matcher.find()).as("a response id in " + response.body()).isTrue();
        return matcher.group(1);
    }

    /**
     * The keys of the tests: none is the open proxy's anonymous admin, {@code sk-master} the master key, Ada has two
     * keys, Bob is Ada's teammate and Eve has Ada's user id in another team.
     */
    private static final class Keys implements Authenticator {
        private final Map<String, Principal> keys = Map.of(
                "Bearer sk-master", Principal.MASTER,
                "Bearer sk-ada", Principal.of(new FixedKeyGrant("hash-ada", null, "ada", "team-1", 0)),
                "Bearer sk-ada-2", Principal.of(new FixedKeyGrant("hash-ada-2", null, "ada", "team-1", 0)),
                "Bearer sk-bob", Principal.of(new FixedKeyGrant("hash-bob", null, "bob", "team-1", 0)),
                "Bearer sk-eve", Principal.of(new FixedKeyGrant("hash-eve", null, "ada", "team-2", 0)));

        @Override
        public AuthResult authenticate(HttpHeaders headers) {
            String header = headers.get(HttpHeaderNames.AUTHORIZATION);
            Principal principal = header == null ? Principal.ANONYMOUS : keys.get(header);
            return principal == null ? AuthResult.UNKNOWN : AuthResult.accepted(principal);
        }

        @Override
        public boolean isOpen() {
            return false;
        }
    }

    /** What the cli wires: the store's responses, on a thread of their own. */
    private record StoreBacked(ResponseStore responses, ExecutorService executor) implements BridgedResponses {
        @Override
        public CompletionStage<Void> save(String responseId, Owner owner, String modelGroup, String inputItems,
                String response) {
            return CompletableFuture.runAsync(() -> responses.save(new StoredResponse(responseId, modelGroup,
                    new StoredResponse.Owner(owner.keyHash(), owner.userId(), owner.teamId()), inputItems, response,
                    Instant.EPOCH, Instant.now().plus(Duration.ofDays(30)))), executor);
        }

        @Override
        public CompletionStage<Optional<Turn>> find(String responseId) {
            return CompletableFuture.supplyAsync(() -> responses.find(responseId)
                    .map(row -> new Turn(row.modelGroup(), new Owner(row.owner().keyHash(), row.owner().userId(),
                            row.owner().teamId()), row.inputItems(), row.response())), executor);
        }

        @Override
        public CompletionStage<Boolean> delete(String responseId) {
            return CompletableFuture.supplyAsync(() -> responses.delete(responseId), executor);
        }
    }
}
