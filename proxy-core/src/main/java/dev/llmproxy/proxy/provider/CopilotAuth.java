package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * GitHub Copilot's authentication and the headers its API requires: the short-lived Copilot API token from
 * {@link CopilotTokens} as {@code Authorization: Bearer} (cached and refreshed ahead of expiry by
 * {@link TokenRefresher}), the editor and integration headers LiteLLM sends, a fresh {@code x-request-id}, and the two
 * headers that depend on the body: {@code X-Initiator} ({@code agent} when the conversation already holds an assistant
 * or tool message, which Copilot does not bill as a premium request, else {@code user}) and
 * {@code Copilot-Vision-Request} when a message carries an image.
 *
 * <p>The body is not parsed for those two: a JSON string {@code "assistant"}, {@code "tool"} or {@code "image_url"}
 * outside a quoted text can only be a role or a content part's type in a chat request (text inside a message has its
 * quotes escaped), so a byte search decides, without allocating.
 *
 * <p>Thread-safety: thread-safe; {@link #apply} is called from every event loop at once.
 */
public final class CopilotAuth implements UpstreamAuth {

    private static final AsciiString INTEGRATION_ID = AsciiString.cached("copilot-integration-id");
    private static final AsciiString EDITOR_VERSION = AsciiString.cached("editor-version");
    private static final AsciiString EDITOR_PLUGIN_VERSION = AsciiString.cached("editor-plugin-version");
    private static final AsciiString OPENAI_INTENT = AsciiString.cached("openai-intent");
    private static final AsciiString API_VERSION = AsciiString.cached("x-github-api-version");
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString LIBRARY_VERSION = AsciiString.cached("x-vscode-user-agent-library-version");
    private static final AsciiString INITIATOR = AsciiString.cached("x-initiator");
    private static final AsciiString VISION = AsciiString.cached("copilot-vision-request");
    private static final AsciiString AGENT = AsciiString.cached("agent");
    private static final AsciiString USER = AsciiString.cached("user");
    private static final byte[] ASSISTANT = quoted("assistant");
    private static final byte[] TOOL = quoted("tool");
    private static final byte[] IMAGE_URL = quoted("image_url");

    private final TokenRefresher<AsciiString> tokens;

    public CopilotAuth(CopilotTokens source, Clock clock) {
        requireNonNull(source, "source");
        this.tokens = TokenRefresher.bearer(clock, source::apiToken);
    }

    @Override
    public boolean apply(HttpRequest request, ByteBuf body) {
        AsciiString bearer = tokens.current();
        if (bearer == null) {
            return false;
        }
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.AUTHORIZATION, bearer);
        headers.set(INTEGRATION_ID, "vscode-chat");
        headers.set(EDITOR_VERSION, "vscode/1.95.0");
        headers.set(EDITOR_PLUGIN_VERSION, "copilot-chat/0.26.7");
        headers.set(HttpHeaderNames.USER_AGENT, "GitHubCopilotChat/0.26.7");
        headers.set(OPENAI_INTENT, "conversation-panel");
        headers.set(API_VERSION, "2025-04-01");
        headers.set(LIBRARY_VERSION, "electron-fetch");
        headers.set(REQUEST_ID, UUID.randomUUID().toString());
        headers.set(INITIATOR, contains(body, ASSISTANT) || contains(body, TOOL) ? AGENT : USER);
        if (contains(body, IMAGE_URL)) {
            headers.set(VISION, "true");
        }
        return true;
    }

    @Override
    public CompletionStage<?> ready() {
        return tokens.ready();
    }

    private static boolean contains(ByteBuf body, byte[] needle) {
        int last = body.writerIndex() - needle.length;
        for (int i = body.indexOf(body.readerIndex(), body.writerIndex(), needle[0]); i >= 0 && i <= last;
                i = body.indexOf(i + 1, body.writerIndex(), needle[0])) {
            int j = 1;
            while (j < needle.length && body.getByte(i + j) == needle[j]) {
                j++;
            }
            if (j == needle.length) {
                return true;
            }
        }
        return false;
    }

    private static byte[] quoted(String word) {
        return ('"' + word + '"').getBytes(StandardCharsets.US_ASCII);
    }
}
