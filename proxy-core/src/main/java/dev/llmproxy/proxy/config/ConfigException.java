package dev.llmproxy.proxy.config;

/**
 * A configuration file that cannot be used as it is. The message is one line a user can act on: the file, the line,
 * the dotted key path, what is wrong and what is expected, e.g.
 * {@code conf/x.yaml:12: model_list[2].litellm_params.timeout: expected a number of seconds, got 'soon'}. Messages
 * never contain secret values (API keys, master keys, environment values).
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A problem with the value at {@code location}, under the dotted {@code keyPath} (empty for the top level). */
    public ConfigException(ConfigLocation location, String keyPath, String problem) {
        super(keyPath.isEmpty() ? location + ": " + problem : location + ": " + keyPath + ": " + problem);
    }

    /** A problem with the file as a whole (missing, unreadable, not YAML). */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem with the file as a whole, with no underlying exception. */
    public ConfigException(String message) {
        super(message);
    }
}
