package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where Gemini requests go on AI Studio and Vertex AI, and what each refuses before anything is sent. */
class GeminiAdapterTest {
    private static final Origin GOOGLE = new Origin(true, "generativelanguage.googleapis.com", 443, TlsPolicy.VERIFY);

    @Test
    void shouldBuildAiStudioPathsWithVersionAddedOnlyWhenBaseHasNone() {
        GeminiAdapter plain = GeminiAdapter.aiStudio(new BaseUrl(GOOGLE, ""), settings(false));
        GeminiAdapter versioned = GeminiAdapter.aiStudio(new BaseUrl(GOOGLE, "/v1beta"), settings(false));

        assertThat(plain.requestPath("gemini-2.5-flash", Endpoint.CHAT_COMPLETIONS, false))
                .isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(plain.requestPath("gemini-2.5-flash", Endpoint.CHAT_COMPLETIONS, true))
                .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        assertThat(versioned.requestPath("text-embedding-004", Endpoint.EMBEDDINGS, false))
                .isEqualTo("/v1beta/models/text-embedding-004:batchEmbedContents");
    }

    @Test
    void shouldAppendMethodToBaseThatAlreadyNamesTheModel() {
        GeminiAdapter gateway = GeminiAdapter.aiStudio(
                new BaseUrl(GOOGLE, "/v1/acct/gw/google-ai-studio/v1beta/models/gemini-2.0-flash"), settings(false));

        assertThat(gateway.requestPath("ignored", Endpoint.CHAT_COMPLETIONS, true))
                .isEqualTo("/v1/acct/gw/google-ai-studio/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
    }

    @Test
    void shouldBuildVertexProjectPathsAndKeepVersionedModelIds() {
        GeminiAdapter vertex = GeminiAdapter.vertex(new BaseUrl(GOOGLE, ""), "my project", "global", settings(true));
        VertexAnthropicAdapter claude = new VertexAnthropicAdapter(new BaseUrl(GOOGLE, ""), "p", "us-east5",
                UpstreamAuth.NONE, dev.llmproxy.codec.anthropic.AnthropicRequestEncoder.Drops.ALL);

        assertThat(vertex.requestPath("gemini-2.5-pro", Endpoint.CHAT_COMPLETIONS, false)).isEqualTo(
                "/v1/projects/my%20project/locations/global/publishers/google/models/gemini-2.5-pro:generateContent");
        assertThat(claude.requestPath("claude-opus-4-1@20250805", Endpoint.CHAT_COMPLETIONS, true)).isEqualTo(
                "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4-1@20250805"
                        + ":streamRawPredict");
    }

    @Test
    void shouldRefuseEndpointsItCannotServeBeforeSending() {
        GeminiAdapter vertex = GeminiAdapter.vertex(new BaseUrl(GOOGLE, ""), "p", "us-central1", settings(true));
        GeminiAdapter studio = GeminiAdapter.aiStudio(new BaseUrl(GOOGLE, ""), settings(false));
        ByteBuf body = Unpooled.copiedBuffer("{\"input\":\"hi\",\"prompt\":\"hi\"}", StandardCharsets.UTF_8);
        byte[] model = "\"gemini-2.5-pro\"".getBytes(StandardCharsets.UTF_8);
        try {
            assertThatThrownBy(() -> vertex.encodeRequest(PooledByteBufAllocator.DEFAULT, body,
                    RequestScanner.scan(body), Endpoint.RERANK, model, false))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/rerank is not supported");
            assertThatThrownBy(() -> studio.encodeRequest(PooledByteBufAllocator.DEFAULT, body,
                    RequestScanner.scan(body), Endpoint.COMPLETIONS, model, false))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("only bridged to chat completions");
        } finally {
            body.release();
        }
    }

    private static GeminiAdapter.Settings settings(boolean vertex) {
        return new GeminiAdapter.Settings(vertex, "gemini-2.5-pro", false, Set.of(), UpstreamAuth.NONE);
    }
}
