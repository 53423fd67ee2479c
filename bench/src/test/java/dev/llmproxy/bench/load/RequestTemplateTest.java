package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
    private static final String BODY = "{\"model\":\"m\"}";

    @Test
    void shouldPutExtraHeadersBeforeTheContentLength() {
        RequestTemplate template = RequestTemplate.postJson(LOOPBACK, "/v1/chat/completions", BODY,
                Map.of("Authorization", "Bearer sk-1"));

        String request = new String(template.copyOfBytes(), US_ASCII);

        assertThat(request).contains("\r\nAuthorization: Bearer sk-1\r\nContent-Length: 13\r\n\r\n" + BODY);
        assertThat(template.variantCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAHeaderWithALineBreak() {
        assertThatThrownBy(() -> RequestTemplate.postJson(LOOPBACK, "/", BODY, Map.of("X", "a\r\nInjected: 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
    }

    @Test
    void shouldRefuseToRotateRequestsToDifferentTargets() {
        RequestTemplate a = RequestTemplate.postJson(LOOPBACK, "/a", BODY);
        RequestTemplate b = RequestTemplate.postJson(LOOPBACK, "/b", BODY);

        assertThatThrownBy(() -> RequestTemplate.rotating(List.of(a, b)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTemplate.rotating(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSendEveryRotatingRequestInTurn() throws Exception {
        try (MockProvider mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
                LoadGenerator generator = LoadGenerator.start(
                        new LoadGeneratorConfig(1, Duration.ofSeconds(5), Ticker.system()))) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), mock.port());
            List<RequestTemplate> keys = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                keys.add(RequestTemplate.postJson(address, "/v1/chat/completions",
                        "{\"model\":\"mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        Map.of("Authorization", "Bearer sk-" + i)));
            }

            ClosedLoopResult result = generator.run(new ClosedLoopPlan(RequestTemplate.rotating(keys), 1,
                    Duration.ZERO, Duration.ofSeconds(1)));

            assertThat(result.errors()).isZero();
            assertThat(mock.requests()).hasSizeGreaterThanOrEqualTo(5);
            Set<String> seen = new HashSet<>();
            for (RecordedRequest request : mock.requests()) {
                seen.add(request.header("Authorization"));
            }
            assertThat(seen).containsExactlyInAnyOrder("Bearer sk-0", "Bearer sk-1", "Bearer sk-2", "Bearer sk-3",
                    "Bearer sk-4");
        }
    }
}
