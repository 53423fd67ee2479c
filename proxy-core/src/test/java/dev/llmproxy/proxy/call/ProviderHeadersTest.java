package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Which provider headers reach the client, under which name. */
class ProviderHeadersTest {

    @Test
    void shouldKeepOpenAiClientHeadersAndPrefixProviderSpecificOnes() {
        HttpHeaders provider = new DefaultHttpHeaders()
                .add("Content-Type", "application/json")
                .add("x-ratelimit-remaining-requests", "99")
                .add("Retry-After", "3")
                .add("x-request-id", "req-1")
                .add("Server", "cloudflare")
                .add("access-control-allow-origin", "*")
                .add("openai-processing-ms", "120");
        HttpHeaders client = new DefaultHttpHeaders();

        ProviderHeaders.copy(provider, client);

        assertThat(client.get("content-type")).isEqualTo("application/json");
        assertThat(client.get("x-ratelimit-remaining-requests")).isEqualTo("99");
        assertThat(client.get("retry-after")).isEqualTo("3");
        assertThat(client.get("x-request-id")).isEqualTo("req-1");
        assertThat(client.get("llm_provider-server")).isEqualTo("cloudflare");
        assertThat(client.get("llm_provider-access-control-allow-origin")).isEqualTo("*");
        assertThat(client.get("llm_provider-openai-processing-ms")).isEqualTo("120");
        assertThat(client.contains("server")).isFalse();
        assertThat(client.contains("access-control-allow-origin")).isFalse();
    }

    @Test
    void shouldDropHopByHopHeadersCookiesAndHeadersNamedInConnection() {
        HttpHeaders provider = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Internal-Trace ,x-other")
                .add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked")
                .add("Content-Length", "12")
                .add("Set-Cookie", "session=abc")
                .add("X-Internal-Trace", "secret")
                .add("x-other", "1")
                .add("x-kept", "2");
        HttpHeaders client = new DefaultHttpHeaders();

        ProviderHeaders.copy(provider, client);

        assertThat(client.names()).containsExactly("llm_provider-x-kept");
    }

    @Test
    void shouldKeepRepeatedHeadersInOrderWhenProviderSendsSeveral() {
        HttpHeaders provider = new DefaultHttpHeaders().add("Via", "a").add("Via", "b");
        HttpHeaders client = new DefaultHttpHeaders();

        ProviderHeaders.copy(provider, client);

        assertThat(client.getAll("llm_provider-via")).containsExactly("a", "b");
    }
}
