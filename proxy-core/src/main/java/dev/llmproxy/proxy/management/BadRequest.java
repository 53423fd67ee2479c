package dev.llmproxy.proxy.management;

import org.jspecify.annotations.Nullable;

/**
 * A management request the caller must fix: answered with its status and message (never internal details). Thrown
 * by the request checks on a store thread and turned into the answer by {@link KeyManagement}.
 */
final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final @Nullable String param;

    BadRequest(String message) {
        this(400, "bad_request_error", null, message);
    }

    BadRequest(int status, String type, @Nullable String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    @Nullable String param() {
        return param;
    }
}
