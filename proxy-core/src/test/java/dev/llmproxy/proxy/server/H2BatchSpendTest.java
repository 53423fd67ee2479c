package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.keys.TestDatabases;
import dev.llmproxy.store.KeyHash;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * A batch's spend on a real store: a virtual key uploads its requests, runs a batch on {@code gpt-a} (0.001 USD per
 * prompt token, so 0.0005 at the batch price of half) and downloads the results twice; the spend log gets one
 * {@code aretrieve_batch} row with the batch's tokens, and the key is charged once. Every files and batches call gets
 * its own row as well, with its call type and no tokens.
 */
class H2BatchSpendTest extends StoreFlowTestBase {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern OUTPUT = Pattern.compile("\"output_file_id\":\"([^\"]+)\"");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }

    @Test
    void shouldChargeACompletedBatchOnceWhenItsResultsAreDownloaded() throws Exception {
        String key = generate("{}");
        HttpResponse<String> uploaded = send(key, "POST", "/v1/files",
                ProxyServerFilesTest.multipart("batch", "gpt-a", ProxyServerFilesTest.JSONL));
        assertThat(uploaded.statusCode()).isEqualTo(200);
        String fileId = id(uploaded.body());
        String batchId = id(proxy.post("/v1/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}",
                "Authorization", "Bearer " + key).body());
        send(key, "GET", "/v1/batches/" + batchId, null);
        Matcher output = OUTPUT.matcher(send(key, "GET", "/v1/batches/" + batchId, null).body());
        assertThat(output.find()).isTrue();

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> results = send(key, "GET", "/v1/files/" + output.group(1) + "/content", null);
            assertThat(results.statusCode()).isEqualTo(200);
            assertThat(results.body().lines()).hasSize(2);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            flushSpend();
            assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\"")).isEqualTo(7);
        });
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE call_type = 'acreate_file' "
                + "AND model_group = 'gpt-a' AND api_key = ?", KeyHash.of(key))).isEqualTo(1);
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE call_type = "
                + "'acreate_batch'")).isEqualTo(1);
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE call_type = "
                + "'afile_content' AND spend = 0")).isEqualTo(2);
        String batch = " FROM \"LiteLLM_SpendLogs\" WHERE request_id LIKE 'batch:%'";
        assertThat(database.queryLong("SELECT prompt_tokens" + batch + " AND call_type = 'aretrieve_batch' AND "
                + "model_group = 'gpt-a' AND api_key = ?", KeyHash.of(key))).isEqualTo(20);
        assertThat(database.queryLong("SELECT completion_tokens" + batch)).isEqualTo(10);
        assertThat(database.queryDouble("SELECT sum(spend) FROM \"LiteLLM_SpendLogs\""))
                .isEqualTo(0.01, Offset.offset(1e-9));
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                KeyHash.of(key))).isEqualTo(0.01, Offset.offset(1e-9));
    }

    private HttpResponse<String> send(String key, String method, String path, String multipartBody)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .method(method, multipartBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(multipartBody, StandardCharsets.UTF_8));
        if (multipartBody != null) {
            request.header("Content-Type", "multipart/form-data; boundary=" + ProxyServerFilesTest.BOUNDARY);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String id(String body) {
        Matcher matcher = ID.matcher(body);
        assertThat(matcher.find()).as("an id in %s", body).isTrue();
        return matcher.group(1);
    }
}
