package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graceful stop lets in-flight streams finish and refuses new connections. */
class ProxyServerStopTest {
    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;
    private ExecutorService stopper;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.defaults());
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: gpt-a
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %s
                      api_key: sk-upstream-1
                """.formatted(mock.baseUrl()));
        stopper = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        proxy.close();
        mock.close();
        stopper.shutdownNow();
        assertThat(stopper.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldFinishInFlightStreamAndRefuseNewConnectionsWhenStopped() throws Exception {
        String body = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"mock_chunks\":8,\"mock_chunk_interval_ms\":100,\"mock_first_chunk_delay_ms\":0}";
        CompletableFuture<Boolean> stopped;
        String received;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", body, ""));
            assertThat(client.readHead().status()).isEqualTo(200);
            assertThat(client.readChunk()).isNotNull();

            stopped = CompletableFuture.supplyAsync(proxy::stop, stopper);
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThatThrownBy(
                    () -> new Socket("127.0.0.1", proxy.port()).close()).isInstanceOf(ConnectException.class));

            StringBuilder rest = new StringBuilder();
            for (RawClient.TimedChunk chunk : client.readTimedChunks()) {
                rest.append(chunk.text());
            }
            received = rest.toString();
            assertThat(client.isClosedByServer()).isTrue();
        }

        assertThat(received).endsWith("data: [DONE]\n\n");
        assertThat(stopped.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(proxy.awaitCalls(1).status()).isEqualTo(200);
        assertThat(mock.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void shouldCloseIdleKeepAliveConnectionsWhenStopped() throws IOException {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("gpt-a"), ""));
            assertThat(client.readResponse().status()).isEqualTo(200);

            assertThat(proxy.stop()).isTrue();

            assertThat(client.isClosedByServer()).isTrue();
        }
    }
}
