package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TextCompletions;
import dev.llmproxy.codec.responses.ResponsesRequests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Gives a deployment without a Responses API the {@code /v1/responses} endpoint, as LiteLLM does (provider spec,
 * section 8): a Responses request is translated into a chat completions request ({@link ResponsesRequests}), which
 * the wrapped adapter encodes for its provider as any chat request; the answer, translated into the chat shape by the
 * wrapped adapter's own translator (or relayed as it is by an OpenAI-compatible one), is rebuilt in the Responses shape
 * by a {@link ResponsesBridgeTranslator}. Text completions ({@code /v1/completions}) are bridged the same way for
 * providers that have only a chat API, as LiteLLM's {@code text_completion} does ({@link TextCompletions},
 * {@link TextCompletionTranslator}); OpenAI-compatible providers get them as they are. Every other endpoint goes to
 * the wrapped adapter untouched.
 *
 * <p>Thread-safety: immutable.
 */
public final class ResponsesBridgeAdapter implements ProviderAdapter {
    private final ProviderAdapter chat;

    private ResponsesBridgeAdapter(ProviderAdapter chat) {
        this.chat = requireNonNull(chat, "chat");
    }

    /**
     * The adapter to use for a deployment: {@code adapter} itself when its provider has a Responses API of its own
     * ({@code openai/} and Azure, whose requests are relayed as they are), else {@code adapter} with the bridge.
     */
    public static ProviderAdapter of(ProviderAdapter adapter, ProviderSpec provider) {
        boolean nativeResponses = adapter instanceof OpenAiAdapter
                && (provider.name().equals("openai") || provider.urlStyle() == UrlStyle.AZURE);
        return nativeResponses ? adapter : new ResponsesBridgeAdapter(adapter);
    }

    /** The adapter a bridge wraps, else {@code adapter} itself: the one that speaks the provider's wire format. */
    public static ProviderAdapter unwrap(ProviderAdapter adapter) {
        return adapter instanceof ResponsesBridgeAdapter bridge ? bridge.chat : adapter;
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        return chat.requestPath(upstreamModel, chatEndpoint(endpoint), stream);
    }

    /** No for Responses requests: their chat translation asks for stream usage itself. */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return endpoint != Endpoint.RESPONSES && chat.asksForStreamUsage(chatEndpoint(endpoint), info);
    }

    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        return chat.encodeRequest(alloc, body, info, upstreamModelJson, askForUsage);
    }

    /**
     * @throws InvalidRequestException also for a Responses request the bridge cannot express as chat, or one that
     *     continues an earlier response ({@code previous_response_id}: the provider keeps no conversation state; with
     *     the store, the server has put the kept earlier turns into the input and removed the id already)
     */
    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        if (bridgesTextCompletions(endpoint)) {
            ByteBuf chatBody = TextCompletions.toChat(alloc, body);
            try {
                return chat.encodeRequest(alloc, chatBody, RequestScanner.scan(chatBody), Endpoint.CHAT_COMPLETIONS,
                        upstreamModelJson, askForUsage);
            } finally {
                chatBody.release();
            }
        }
        if (endpoint != Endpoint.RESPONSES) {
            return chat.encodeRequest(alloc, body, info, endpoint, upstreamModelJson, askForUsage);
        }
        if (ResponsesRequests.previousResponseId(body) != null) {
            throw new InvalidRequestException("previous_response_id is not supported for this model: its provider "
                    + "has no Responses API and llmproxy keeps bridged responses only with its store (a master key); "
                    + "send the earlier turns in input instead", "previous_response_id");
        }
        ByteBuf chatBody = ResponsesRequests.toChat(alloc, body, List.of());
        try {
            RequestInfo chatInfo = RequestScanner.scan(chatBody);
            return chat.encodeRequest(alloc, chatBody, chatInfo, Endpoint.CHAT_COMPLETIONS, upstreamModelJson,
                    chat.asksForStreamUsage(Endpoint.CHAT_COMPLETIONS, chatInfo));
        } finally {
            chatBody.release();
        }
    }

    @Override
    public UpstreamAuth auth() {
        return chat.auth();
    }

    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        return chat.newTranslator(endpoint, stream);
    }

    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info,
            Clock clock) {
        if (bridgesTextCompletions(endpoint)) {
            ResponseTranslator chatTranslator = chat.newTranslator(Endpoint.CHAT_COMPLETIONS, stream, info, clock);
            return chatTranslator == null ? null : new TextCompletionTranslator(chatTranslator);
        }
        if (endpoint != Endpoint.RESPONSES) {
            return chat.newTranslator(endpoint, stream, info, clock);
        }
        return new ResponsesBridgeTranslator(chat.newTranslator(Endpoint.CHAT_COMPLETIONS, stream, info, clock),
                clock.millis() / 1000);
    }

    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info,
            ByteBuf body, Clock clock) {
        return endpoint == Endpoint.RESPONSES || bridgesTextCompletions(endpoint)
                ? newTranslator(endpoint, stream, info, clock)
                : chat.newTranslator(endpoint, stream, info, body, clock);
    }

    /** The adapter this bridge wraps. */
    public ProviderAdapter chatAdapter() {
        return chat;
    }

    private Endpoint chatEndpoint(Endpoint endpoint) {
        return endpoint == Endpoint.RESPONSES || bridgesTextCompletions(endpoint) ? Endpoint.CHAT_COMPLETIONS
                : endpoint;
    }

    /** Text completions to a provider whose API is chat only (an OpenAI-compatible one relays them as they are). */
    private boolean bridgesTextCompletions(Endpoint endpoint) {
        return endpoint == Endpoint.COMPLETIONS && !(chat instanceof OpenAiAdapter);
    }
}
