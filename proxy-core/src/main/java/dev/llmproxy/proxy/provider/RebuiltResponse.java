package dev.llmproxy.proxy.provider;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ResponseTranslator} that rebuilds a Responses API answer itself (the bridge to chat completions), and so
 * can hand the whole response object over once the answer is complete: the proxy keeps it for a later
 * {@code previous_response_id}.
 */
public interface RebuiltResponse {

    /** The response object the client got, as JSON, once complete (completed or incomplete); else {@code null}. */
    @Nullable String rebuiltResponse();
}
