package dev.llmproxy.proxy.auth;

/**
 * Who a request comes from.
 *
 * @param name a label safe to log ("master_key", "anonymous"); never the key itself
 * @param isAdmin whether the caller may use management endpoints
 */
public record Principal(String name, boolean isAdmin) {

    /** The caller when no master key is configured: everything is open, as in LiteLLM without a master key. */
    public static final Principal ANONYMOUS = new Principal("anonymous", true);

    /** The holder of the master key. */
    public static final Principal MASTER = new Principal("master_key", true);
}
