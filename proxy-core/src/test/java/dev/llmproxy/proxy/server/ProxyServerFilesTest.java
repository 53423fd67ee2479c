package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.files.BatchUsage;
import dev.llmproxy.proxy.files.FileIds;
import dev.llmproxy.proxy.metrics.Exposition;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.provider.Endpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/files} and {@code /v1/batches} end to end over real sockets, with the requests the official OpenAI SDK
 * sends ({@code client.files.create(file=..., purpose="batch", extra_body={"model": ...})}: multipart with
 * {@code purpose}, {@code file} and the extra field; {@code client.batches.create(input_file_id=...,
 * endpoint="/v1/chat/completions", completion_window="24h")}; {@code client.files.content(id)}) against the mock's
 * Files and Batch APIs, which follow a batch from {@code validating} to {@code completed}.
 */
class ProxyServerFilesTest {
    static final String BOUNDARY = "a9b1c0d8e7f6";
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern OUTPUT = Pattern.compile("\"output_file_id\":\"([^\"]+)\"");
    static final String JSONL = """
            {"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}}
            {"custom_id":"r2","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Bye"}]}}
            """;

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private final List<BatchUsage> batches = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A spend listener's stand-in: told the usage of each downloaded batch output. */
    private final class BatchRecorder implements CallListener, BatchUsage.Listener {
        @Override
        public void onCallEnded(CallRecord record) {
        }

        @Override
        public void onBatchUsage(BatchUsage usage) {
            batches.add(usage);
        }
    }

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s/v1
                      api_key: sk-test
                  - model_name: azure-gpt
                    litellm_params:
                      model: azure/my-gpt
                      api_base: %1$s
                      api_key: azure-key
                      api_version: 2025-04-01-preview
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4-5
                      api_base: %1$s
                      api_key: sk-ant-test
                """.formatted(mock.origin())).components(c -> c.listener(new BatchRecorder()).metrics(MetricsSettings.DEFAULTS)).start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldUploadToTheModelsDeploymentWithoutTheRoutingFieldAndHandOutAnIdThatFindsItAgain() {
        HttpResponse<String> created = upload("batch", "gpt", JSONL);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("x-litellm-model-group")).contains("gpt");
        String id = id(created.body());
        FileIds.Decoded decoded = FileIds.decode(id);
        assertThat(id).startsWith("file-");
        assertThat(decoded).isNotNull();
        assertThat(decoded.model()).isEqualTo("gpt");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/files");
        assertThat(upstream.headers().get("authorization")).isEqualTo("Bearer sk-test");
        assertThat(upstream.body()).contains("name=\"purpose\"").contains("name=\"file\"")
                .doesNotContain("name=\"model\"");

        HttpResponse<String> retrieved = proxy.get("/v1/files/" + id);
        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(id(retrieved.body())).isEqualTo(id);
        assertThat(mock.requests().get(1).uri()).isEqualTo("/v1/files/" + decoded.providerId());

        HttpResponse<String> content = proxy.get("/v1/files/" + id + "/content");
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).isEqualTo(JSONL);

        HttpResponse<String> deleted = send("DELETE", "/files/" + id, null, null, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"id\":\"" + id + "\"").contains("\"deleted\":true");
        assertThat(proxy.get("/v1/files/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRecordEachFileAndBatchCallWithItsEndpointAndCountItInTheMetrics() {
        String fileId = id(upload("batch", "gpt", JSONL).body());
        proxy.get("/v1/files", "x-litellm-model", "gpt");
        proxy.get("/v1/files/" + fileId);
        proxy.get("/v1/files/" + fileId + "/content");
        String batchId = id(proxy.post("/v1/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").body());
        proxy.get("/v1/batches/" + batchId);
        proxy.get("/v1/batches", "x-litellm-model", "gpt");
        send("POST", "/v1/batches/" + batchId + "/cancel", null, null, null);
        send("DELETE", "/v1/files/" + fileId, null, null, null);
        send("PUT", "/v1/files", null, null, null);

        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.calls().size() == 10);
        assertThat(proxy.calls()).extracting(CallRecord::endpoint).containsExactly(Endpoint.CREATE_FILE,
                Endpoint.LIST_FILES, Endpoint.RETRIEVE_FILE, Endpoint.FILE_CONTENT, Endpoint.CREATE_BATCH,
                Endpoint.RETRIEVE_BATCH, Endpoint.LIST_BATCHES, Endpoint.CANCEL_BATCH, Endpoint.DELETE_FILE, null);
        assertThat(proxy.calls().get(0).modelGroup()).isEqualTo("gpt");
        assertThat(proxy.calls().get(0).status()).isEqualTo(200);
        Exposition e = Exposition.parse(proxy.get("/metrics").body());
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("route", "/files",
                "requested_model", "gpt", "status_code", "200"))).isEqualTo(2);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("route", "/files/{file_id}/content")))
                .isEqualTo(1);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("route", "/batches/{batch_id}/cancel")))
                .isEqualTo(1);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(9);
    }

    @Test
    void shouldUploadToAzureWhenTheProviderHeaderNamesItAndHandOutItsOwnId() {
        HttpResponse<String> created = send("POST", "/v1/files", multipart("batch", null, JSONL),
                "custom-llm-provider", "azure");

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(id(created.body())).matches("file-[0-9a-z]+mock");
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/openai/files?api-version=2025-04-01-preview");
        assertThat(upstream.headers().get("api-key")).isEqualTo("azure-key");
    }

    @Test
    void shouldRunABatchOnTheDeploymentItsInputFileLivesOnAndReportItsUsageWhenItsOutputIsDownloaded() {
        String fileId = id(upload("batch", "gpt", JSONL).body());

        HttpResponse<String> created = proxy.post("/v1/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        assertThat(created.statusCode()).isEqualTo(200);
        String batchId = id(created.body());
        assertThat(batchId).startsWith("batch_");
        assertThat(FileIds.decode(batchId).model()).isEqualTo("gpt");
        assertThat(created.body()).contains("\"input_file_id\":\"" + fileId + "\"")
                .contains("\"status\":\"validating\"");
        assertThat(mock.requests().get(1).body())
                .contains("\"input_file_id\":\"" + FileIds.decode(fileId).providerId() + "\"");

        assertThat(proxy.get("/v1/batches/" + batchId).body()).contains("\"status\":\"in_progress\"");
        HttpResponse<String> completed = proxy.get("/batches/" + batchId);
        assertThat(completed.body()).contains("\"status\":\"completed\"").contains("\"id\":\"" + batchId + "\"");
        Matcher output = OUTPUT.matcher(completed.body());
        assertThat(output.find()).isTrue();
        String outputId = output.group(1);
        assertThat(FileIds.decode(outputId).model()).isEqualTo("gpt");

        HttpResponse<String> results = proxy.get("/v1/files/" + outputId + "/content");
        assertThat(results.statusCode()).isEqualTo(200);
        assertThat(results.body().lines()).hasSize(2).allMatch(l -> l.contains("\"prompt_tokens\":10"));
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1);
        BatchUsage usage = batches.get(0);
        assertThat(usage.usage()).isEqualTo(Usage.of(20, 10));
        assertThat(usage.model()).isEqualTo("gpt-4o-mini");
        assertThat(usage.deployment().modelGroup()).isEqualTo("gpt");
        assertThat(usage.spendId()).endsWith(":" + FileIds.decode(outputId).providerId());
    }

    @Test
    void shouldListAndCancelBatchesOfTheNamedModelWithTheirIdsEncoded() {
        String fileId = id(upload("batch", "gpt", JSONL).body());
        String batchId = id(proxy.post("/v1/batches", "{\"input_file_id\":\"" + fileId
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").body());

        HttpResponse<String> listed = proxy.get("/v1/batches?limit=10", "x-litellm-model", "gpt");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).startsWith("{\"object\":\"list\"").contains("\"id\":\"" + batchId + "\"");
        assertThat(mock.requests().get(2).uri()).isEqualTo("/v1/batches?limit=10");

        HttpResponse<String> cancelled = send("POST", "/v1/batches/" + batchId + "/cancel", null, null, null);
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"status\":\"cancelling\"");
    }

    @Test
    void shouldStreamALargeFileBackWhole() {
        String big = "x".repeat(1023).concat("\n").repeat(6 * 1024);
        String id = id(upload("user_data", "gpt", big).body());

        HttpResponse<String> content = proxy.get("/v1/files/" + id + "/content");

        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.headers().firstValue("content-length")).contains(Integer.toString(big.length()));
        assertThat(content.body()).isEqualTo(big);
        assertThat(batches).as("not a batch output: no usage").isEmpty();
    }

    @Test
    void shouldCloseTheProvidersConnectionWhenTheClientLeavesMidDownload() throws Exception {
        String big = "y".repeat(1023).concat("\n").repeat(4 * 1024);
        String id = id(upload("user_data", "gpt", big).body());
        int before = proxy.calls().size();

        try (RawClient raw = new RawClient(proxy.port(), 4096)) {
            raw.send("GET /v1/files/" + id + "/content HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(raw.readHead().status()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.calls().size() > before);
        CallRecord left = proxy.calls().get(before);
        assertThat(left.status()).isIn(200, 499);
        await().atMost(Duration.ofSeconds(10)).until(() -> mock.openConnections() <= 1);
        assertThat(proxy.get("/v1/files/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseUploadsThatCannotBeRelayed() {
        HttpResponse<String> unknown = upload("batch", "nope", JSONL);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Model 'nope' not found in model_list");

        HttpResponse<String> anthropic = upload("batch", "claude", JSONL);
        assertThat(anthropic.statusCode()).isEqualTo(400);
        assertThat(anthropic.body()).contains("no OpenAI or Azure deployment");

        HttpResponse<String> noPurpose = send("POST", "/v1/files", multipart(null, null, JSONL), null, null);
        assertThat(noPurpose.statusCode()).isEqualTo(400);
        assertThat(noPurpose.body()).contains("Missing required field: purpose");

        HttpResponse<String> json = proxy.post("/v1/files", "{\"purpose\":\"batch\"}");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.body()).contains("multipart/form-data");

        HttpResponse<String> put = send("PUT", "/v1/files", null, null, null);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("allow")).contains("GET, POST");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRelayTheProvidersErrorForAnUnknownFile() {
        HttpResponse<String> missing = proxy.get("/v1/files/file-doesnotexist");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("No such File object: file-doesnotexist");
        assertThat(mock.requests().get(0).uri()).isEqualTo("/v1/files/file-doesnotexist");
    }

    private HttpResponse<String> upload(String purpose, String model, String content) {
        return send("POST", "/v1/files", multipart(purpose, model, content), null, null);
    }

    /** The body the OpenAI SDK sends for {@code files.create}: fields first, then the file part. */
    static String multipart(String purpose, String model, String content) {
        StringBuilder body = new StringBuilder();
        if (purpose != null) {
            body.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n")
                    .append(purpose).append("\r\n");
        }
        if (model != null) {
            body.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n")
                    .append(model).append("\r\n");
        }
        body.append("--").append(BOUNDARY)
                .append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"requests.jsonl\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n--")
                .append(BOUNDARY).append("--\r\n");
        return body.toString();
    }

    private HttpResponse<String> send(String method, String path, String multipartBody, String header,
            String value) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, multipartBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(multipartBody, StandardCharsets.UTF_8));
        if (multipartBody != null) {
            request.header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
        }
        if (header != null) {
            request.header(header, value);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String id(String body) {
        Matcher matcher = ID.matcher(body);
        assertThat(matcher.find()).as("an id in %s", body).isTrue();
        return matcher.group(1);
    }
}
