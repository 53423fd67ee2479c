package dev.llmproxy.proxy.call;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every failure the gateway itself reports, with the HTTP status and OpenAI {@code error.type} the client sees; also the
 * error kind of a {@link CallRecord}. Upstream error responses are relayed as they are and do not pass through here. Messages given with a constant are written
 * for the client: they never contain keys, hashes, SQL or stack traces.
 */
public enum ProxyError {
    MISSING_KEY(HttpResponseStatus.UNAUTHORIZED, "auth_error"),
    INVALID_KEY(HttpResponseStatus.UNAUTHORIZED, "auth_error"),
    /** A virtual key that is not in the store. */
    UNKNOWN_KEY(HttpResponseStatus.UNAUTHORIZED, "token_not_found_in_db"),
    EXPIRED_KEY(HttpResponseStatus.UNAUTHORIZED, "expired_key"),
    BLOCKED_KEY(HttpResponseStatus.UNAUTHORIZED, "auth_error"),
    /** The virtual key may not call this model. */
    KEY_MODEL_DENIED(HttpResponseStatus.UNAUTHORIZED, "key_model_access_denied"),
    /** The virtual key's team may not call this model. */
    TEAM_MODEL_DENIED(HttpResponseStatus.UNAUTHORIZED, "team_model_access_denied"),
    /** The virtual key's team is blocked. */
    TEAM_BLOCKED(HttpResponseStatus.UNAUTHORIZED, "auth_error"),
    /** The virtual key's spend reached its budget (429 as LiteLLM's newer versions answer). */
    BUDGET_EXCEEDED(HttpResponseStatus.TOO_MANY_REQUESTS, "budget_exceeded"),
    /** The virtual key's rpm, tpm or parallel limit. */
    KEY_RATE_LIMITED(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limit_error"),
    /** The request's end user is blocked ({@code /customer/block}); LiteLLM answers 400. */
    END_USER_BLOCKED(HttpResponseStatus.BAD_REQUEST, "invalid_request_error"),
    /** The client's address is not in {@code allowed_ips}. */
    IP_NOT_ALLOWED(HttpResponseStatus.FORBIDDEN, "auth_error"),
    /** A kept response of another key's user or team (LiteLLM's response-id check answers 403). */
    RESPONSE_NOT_OWNED(HttpResponseStatus.FORBIDDEN, "auth_error"),
    INVALID_JSON(HttpResponseStatus.BAD_REQUEST, "bad_request_error"),
    MISSING_FIELD(HttpResponseStatus.BAD_REQUEST, "validation_error"),
    UNKNOWN_MODEL(HttpResponseStatus.BAD_REQUEST, "bad_request_error"),
    PROVIDER_NOT_SUPPORTED(HttpResponseStatus.BAD_REQUEST, "bad_request_error"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad_request_error"),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, "not_found_error"),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "bad_request_error"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "bad_request_error"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "bad_request_error"),
    /** The client took too long to send a request head, or went silent within its body. */
    CLIENT_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "timeout"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "timeout"),
    UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "api_connection_error"),
    /** The provider's credentials could not be had, for a reason the client may read (a login to complete). */
    UPSTREAM_AUTH_FAILED(HttpResponseStatus.UNAUTHORIZED, "auth_error"),
    UPSTREAM_TLS_FAILED(HttpResponseStatus.BAD_GATEWAY, "api_connection_error"),
    /** The provider's response could not be decoded (invalid framing, headers over the limit). */
    UPSTREAM_PROTOCOL_ERROR(HttpResponseStatus.BAD_GATEWAY, "api_connection_error"),
    UPSTREAM_CLOSED(HttpResponseStatus.SERVICE_UNAVAILABLE, "api_connection_error"),
    /** Every deployment of the group is tried, cooling down or at its limits. */
    NO_DEPLOYMENT_AVAILABLE(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limit_error"),
    /** The proxy answers {@code general_settings.global_max_parallel_requests} calls already. */
    PARALLEL_LIMIT_REACHED(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limit_error"),
    /** The key could not be looked up in time (the store is slow or down). */
    AUTH_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
    /** A management request failed in the store (it is down or slow). */
    STORE_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
    /** The metrics scrape failed, or too many scrapes are waiting. */
    METRICS_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
    /** The health checks could not be run ({@code GET /health}). */
    HEALTH_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
    /** Request bodies held in memory reached the server's budget; the client may retry shortly. */
    REQUEST_BUFFERS_FULL(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
    /** The client closed its connection before the response was complete; recorded, never sent. */
    CLIENT_CLOSED(HttpResponseStatus.valueOf(499, "Client Closed Request"), "client_closed_request"),
    /** The client stopped reading a response for longer than its write timeout; recorded, never sent. */
    CLIENT_TOO_SLOW(HttpResponseStatus.REQUEST_TIMEOUT, "client_too_slow"),
    /** {@code mock_testing_fallbacks}: the internal server error the caller asked the gateway to pretend. */
    MOCK_INTERNAL_SERVER_ERROR(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_server_error"),
    /** {@code mock_testing_context_fallbacks}: a pretended context-length error. */
    MOCK_CONTEXT_WINDOW_EXCEEDED(HttpResponseStatus.BAD_REQUEST, "invalid_request_error"),
    /** {@code mock_testing_content_policy_fallbacks}: a pretended content-policy refusal. */
    MOCK_CONTENT_POLICY_VIOLATION(HttpResponseStatus.BAD_REQUEST, "invalid_request_error"),
    /** {@code mock_testing_rate_limit_error}: a pretended rate-limit error. */
    MOCK_RATE_LIMITED(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limit_error");

    private final HttpResponseStatus status;
    private final String type;

    ProxyError(HttpResponseStatus status, String type) {
        this.status = status;
        this.type = type;
    }

    /** The HTTP status sent to the client. */
    public HttpResponseStatus status() {
        return status;
    }

    /** The OpenAI-style {@code error.type}. */
    public String type() {
        return type;
    }
}
