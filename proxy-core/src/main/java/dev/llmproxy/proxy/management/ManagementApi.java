package dev.llmproxy.proxy.management;

import dev.llmproxy.proxy.auth.Principal;
import java.util.concurrent.CompletionStage;

/**
 * The management routes ({@code /key/...}): called on the event loop with the request already read, answered later
 * from a store thread. The server hops back to the connection's event loop to write the answer.
 *
 * <p>Thread-safety: implementations are thread-safe; {@link #handle} never blocks.
 */
public interface ManagementApi {

    /** Whether {@code path} (without query) is a management route this API serves with {@code method}. */
    static boolean isRoute(String method, String path) {
        return Routes.route(method, path) != null;
    }

    /**
     * Answers one management request.
     *
     * @param method the HTTP method
     * @param uri the request target (path and query)
     * @param body the request body (a copy the API may keep)
     * @param principal who calls
     * @return completes with the answer; never completes exceptionally (failures are answers too)
     */
    CompletionStage<ManagementResponse> handle(String method, String uri, byte[] body, Principal principal);
}
