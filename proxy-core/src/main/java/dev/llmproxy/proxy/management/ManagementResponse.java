package dev.llmproxy.proxy.management;

import static java.util.Objects.requireNonNull;

/**
 * A management answer: status and JSON body. Errors carry LiteLLM's envelope
 * {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @param status the HTTP status
 * @param json the UTF-8 JSON body
 */
public record ManagementResponse(int status, byte[] json) {

    /** Validates the answer. */
    public ManagementResponse {
        requireNonNull(json, "json");
    }
}
