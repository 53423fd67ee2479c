package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a provider request is authenticated: a static header (most providers), a query parameter, a signature over the
 * body bytes (AWS SigV4), or a token from a refreshing source (Vertex AI service accounts, GitHub Copilot).
 *
 * <p>{@link #apply} runs on the event loop for every attempt and must not block: a source whose token has expired
 * answers {@code false}, and the attempt waits for {@link #ready()} (completed on any thread) before trying again.
 *
 * <p>Thread-safety: shared by every event loop; implementations must be thread-safe.
 */
public interface UpstreamAuth {

    /** No credentials: local servers need none (a provider that wants one answers 401, as with LiteLLM). */
    UpstreamAuth NONE = (request, body) -> true;

    /**
     * Adds credentials to {@code request}, whose body is {@code body}.
     *
     * @param body the encoded body about to be sent; read only (signatures hash it), ownership stays with the caller
     * @return {@code true} when the request now carries credentials; {@code false} when none are at hand yet
     */
    boolean apply(HttpRequest request, ByteBuf body);

    /**
     * Completes when {@link #apply} can succeed again, or exceptionally when no credentials can be had (the attempt
     * then fails with a 401-class error). Called only after {@link #apply} answered {@code false}.
     */
    default CompletionStage<?> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * A failure of {@link #ready()} whose message is meant for the client: the attempt fails with 401 and this
     * message (e.g. GitHub Copilot's login code). Other failures give a generic message, the detail only in the log.
     */
    class CredentialsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CredentialsException(String message) {
            super(message);
        }
    }

    /** Sends a fixed header, e.g. {@code authorization: Bearer sk-...} or Azure's {@code api-key}. */
    static UpstreamAuth header(AsciiString name, AsciiString value) {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        return (request, body) -> {
            request.headers().set(name, value);
            return true;
        };
    }
}
