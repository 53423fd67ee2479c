package dev.llmproxy.codec.openai;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A client request that a provider translation refuses, to be answered with an OpenAI {@code 400}: a parameter the
 * provider does not support while {@code drop_params} is off (LiteLLM's {@code UnsupportedParamsError}), or a value
 * the translation cannot express. The message is written for the client.
 *
 * <p>Thread-safety: immutable.
 */
public final class InvalidRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String param;

    /**
     * @param message for the client
     * @param param the request parameter at fault, or {@code null}
     */
    public InvalidRequestException(String message, @Nullable String param) {
        super(requireNonNull(message, "message"), null, false, false);
        this.param = param;
    }

    /**
     * LiteLLM's {@code UnsupportedParamsError} for {@code params} sent to {@code provider}'s {@code model}, with its
     * wording (clients and scripts match on it).
     */
    public static InvalidRequestException unsupportedParams(String provider, List<String> params, String model) {
        String names = params.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", ", "[", "]"));
        return new InvalidRequestException("litellm.UnsupportedParamsError: " + provider
                + " does not support parameters: " + names + ", for model=" + model
                + ". To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n"
                + " drop_params: true`\n", params.isEmpty() ? null : params.get(0));
    }

    /** The request parameter at fault, or {@code null}. */
    public @Nullable String param() {
        return param;
    }
}
