package dev.llmproxy.proxy.messages;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.anthropic.AnthropicRequestEncoder;
import dev.llmproxy.codec.json.DropParams;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestRewriter;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.messages.MessagesRequest;
import dev.llmproxy.codec.messages.ToolNames;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.proxy.provider.AnthropicAdapter;
import dev.llmproxy.proxy.provider.BedrockAdapter;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ResponseTranslator;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.provider.VertexAnthropicAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.time.Clock;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The adapter of one {@code /v1/messages} attempt, over the deployment's own adapter.
 *
 * <ul>
 *   <li>A deployment that speaks the Messages API ({@link AnthropicAdapter}, {@link VertexAnthropicAdapter}) gets the
 *       client's body as it is, its {@code model} rewritten by the zero-copy rewriter (for Vertex AI: without
 *       {@code model}, with Vertex's {@code anthropic_version}); answers are relayed untouched.
 *   <li>Any other gets the request translated into an OpenAI chat request ({@link MessagesRequest}), which its own
 *       adapter then encodes as for {@code /v1/chat/completions} (Gemini, Azure and the OpenAI-compatible providers
 *       alike); answers come back through its translator, if it has one, and then into Anthropic's shape, with the
 *       tool names the translation shortened put back. Earlier turns' thinking blocks and {@code cache_control}
 *       marks go along only to Bedrock, whose Converse API takes them back as reasoning content and cache points
 *       (see {@link MessagesRequest}).
 *   <li>{@code /v1/messages/count_tokens} reaches only deployments that speak the Messages API (the proxy estimates
 *       it for the others, see {@link #speaksMessages}): the body with its {@code model} rewritten and its generation
 *       parameters left out, to Anthropic's {@code /v1/messages/count_tokens} or Vertex AI's
 *       {@code count-tokens:rawPredict}.
 * </ul>
 *
 * <p>Thread-safety: confined to the attempt's event loop; one instance per attempt (it remembers the scan of the
 * translated request between encoding it and translating its answer).
 */
public final class MessagesAdapter implements ProviderAdapter {
    private static final AsciiString ANTHROPIC_BETA = AsciiString.cached("anthropic-beta");
    /**
     * The generation parameters of a Messages request, which the counting endpoints refuse as extra inputs: left out,
     * so that a client may count the very body it is about to send (LiteLLM leaves out {@code max_tokens} only).
     */
    private static final Set<String> NOT_COUNTED = Set.of("max_tokens", "stream", "temperature", "top_p", "top_k",
            "stop_sequences", "metadata", "service_tier");

    private final ProviderAdapter deployment;
    private final boolean nativeMessages;
    private final boolean vertex;
    private final boolean toBedrock;
    private @Nullable RequestInfo chatInfo;
    private ToolNames toolNames = ToolNames.NONE;

    private MessagesAdapter(ProviderAdapter deployment) {
        this.deployment = requireNonNull(deployment, "deployment");
        ProviderAdapter wire = ResponsesBridgeAdapter.unwrap(deployment);
        this.vertex = wire instanceof VertexAnthropicAdapter;
        this.toBedrock = wire instanceof BedrockAdapter;
        this.nativeMessages = speaksMessages(deployment);
    }

    /** The adapter for one {@code /v1/messages} attempt on a deployment whose adapter is {@code deployment}. */
    public static MessagesAdapter forAttempt(ProviderAdapter deployment) {
        return new MessagesAdapter(deployment);
    }

    /**
     * Adds the client's {@code anthropic-beta} values to a request for an Anthropic deployment (after its
     * authentication, which may have set a beta of its own); other deployments never see them.
     *
     * @param adapter the deployment's own adapter
     * @param clientBeta the client's header value, or null
     */
    public static void passAnthropicBeta(ProviderAdapter adapter, HttpRequest request, @Nullable String clientBeta) {
        ProviderAdapter wire = ResponsesBridgeAdapter.unwrap(
                adapter instanceof MessagesAdapter messages ? messages.deployment : adapter);
        if (clientBeta == null || clientBeta.isBlank() || !(wire instanceof AnthropicAdapter)) {
            return;
        }
        HttpHeaders headers = request.headers();
        String own = headers.get(ANTHROPIC_BETA);
        headers.set(ANTHROPIC_BETA, own == null || own.isEmpty() ? clientBeta.strip() : own + "," + clientBeta.strip());
    }

    /** Whether a deployment whose adapter is {@code deployment} speaks Anthropic's Messages API itself. */
    public static boolean speaksMessages(ProviderAdapter deployment) {
        ProviderAdapter wire = ResponsesBridgeAdapter.unwrap(deployment);
        return wire instanceof AnthropicAdapter || wire instanceof VertexAnthropicAdapter;
    }

    /** Whether the deployment takes the client's body as it is. */
    public boolean isNative() {
        return nativeMessages;
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        return deployment.requestPath(upstreamModel, Endpoint.CHAT_COMPLETIONS, stream);
    }

    /** No: a translated stream asks for usage in the translated request itself; Anthropic always reports it. */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        return encodeRequest(alloc, body, info, Endpoint.MESSAGES, upstreamModelJson, askForUsage);
    }

    /**
     * @throws InvalidRequestException when the body is not a Messages request the translation can read, or the
     *     deployment refuses the translated request
     */
    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        if (endpoint == Endpoint.MESSAGES_COUNT_TOKENS) {
            if (!nativeMessages) {
                throw new IllegalStateException("count_tokens is estimated by the proxy for this deployment");
            }
            ByteBuf rewritten = RequestRewriter.rewrite(alloc, body, info, upstreamModelJson, false);
            try {
                return DropParams.strip(alloc, rewritten, NOT_COUNTED);
            } finally {
                rewritten.release();
            }
        }
        if (vertex) {
            return MessagesRequest.forVertex(alloc, body, AnthropicRequestEncoder.VERTEX_VERSION);
        }
        if (nativeMessages) {
            return RequestRewriter.rewrite(alloc, body, info, upstreamModelJson, false);
        }
        MessagesRequest.Chat translated = MessagesRequest.translate(alloc, body, toBedrock);
        ByteBuf chat = translated.body();
        toolNames = translated.toolNames();
        try {
            RequestInfo scanned = RequestScanner.scan(chat);
            chatInfo = scanned;
            return deployment.encodeRequest(alloc, chat, scanned, Endpoint.CHAT_COMPLETIONS, upstreamModelJson,
                    false);
        } finally {
            chat.release();
        }
    }

    @Override
    public UpstreamAuth auth() {
        return deployment.auth();
    }

    /**
     * Not used: the translator of a translated attempt needs the scan of the translated request, which
     * {@link #newTranslator(Endpoint, boolean, RequestInfo, Clock)} reads.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        throw new UnsupportedOperationException("use the four-argument form");
    }

    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, Clock clock) {
        if (nativeMessages) {
            return new NativeMessagesTranslator();
        }
        RequestInfo translated = chatInfo;
        if (translated == null) {
            throw new IllegalStateException("the request was not encoded");
        }
        return new MessagesTranslator(
                deployment.newTranslator(Endpoint.CHAT_COMPLETIONS, stream, translated, clock), toolNames);
    }
}
