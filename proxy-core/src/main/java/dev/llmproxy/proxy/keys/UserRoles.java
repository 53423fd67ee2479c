package dev.llmproxy.proxy.keys;

/** LiteLLM's user roles that the key checks read. */
final class UserRoles {
    /** May call every route, as the master key. */
    static final String PROXY_ADMIN = "proxy_admin";

    private UserRoles() {}
}
