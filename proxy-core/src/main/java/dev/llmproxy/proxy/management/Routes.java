package dev.llmproxy.proxy.management;

import org.jspecify.annotations.Nullable;

/**
 * The management routes ({@code /key/...}, {@code /user/...}, {@code /team/...}, {@code /spend/...},
 * {@code /global/spend/...}, {@code /customer/...} also as {@code /end_user/...}), by method and path.
 */
enum Routes {
    GENERATE("POST", "/key/generate"),
    UPDATE("POST", "/key/update"),
    DELETE("POST", "/key/delete"),
    REGENERATE("POST", "/key/regenerate"),
    BLOCK("POST", "/key/block"),
    UNBLOCK("POST", "/key/unblock"),
    INFO("GET", "/key/info"),
    LIST("GET", "/key/list"),
    USER_NEW("POST", "/user/new"),
    USER_UPDATE("POST", "/user/update"),
    USER_DELETE("POST", "/user/delete"),
    USER_INFO("GET", "/user/info"),
    USER_LIST("GET", "/user/list"),
    TEAM_NEW("POST", "/team/new"),
    TEAM_UPDATE("POST", "/team/update"),
    TEAM_DELETE("POST", "/team/delete"),
    TEAM_BLOCK("POST", "/team/block"),
    TEAM_UNBLOCK("POST", "/team/unblock"),
    TEAM_MEMBER_ADD("POST", "/team/member_add"),
    TEAM_MEMBER_DELETE("POST", "/team/member_delete"),
    TEAM_MEMBER_UPDATE("POST", "/team/member_update"),
    TEAM_INFO("GET", "/team/info"),
    TEAM_LIST("GET", "/team/list"),
    SPEND_LOGS("GET", "/spend/logs"),
    SPEND_TAGS("GET", "/spend/tags"),
    SPEND_KEYS("GET", "/spend/keys"),
    GLOBAL_SPEND("GET", "/global/spend"),
    GLOBAL_SPEND_REPORT("GET", "/global/spend/report"),
    GLOBAL_SPEND_KEYS("GET", "/global/spend/keys"),
    GLOBAL_SPEND_MODELS("GET", "/global/spend/models"),
    GLOBAL_SPEND_TEAMS("GET", "/global/spend/teams"),
    CUSTOMER_NEW("POST", "/customer/new", "/end_user/new"),
    CUSTOMER_INFO("GET", "/customer/info", "/end_user/info"),
    CUSTOMER_UPDATE("POST", "/customer/update", "/end_user/update"),
    CUSTOMER_DELETE("POST", "/customer/delete", "/end_user/delete"),
    CUSTOMER_LIST("GET", "/customer/list", "/end_user/list"),
    CUSTOMER_BLOCK("POST", "/customer/block", "/end_user/block"),
    CUSTOMER_UNBLOCK("POST", "/customer/unblock", "/end_user/unblock");

    private static final String KEY_PREFIX = "/key/";
    private static final String REGENERATE_SUFFIX = "/regenerate";

    private final String method;
    private final String path;
    /** LiteLLM's older name of the same route, or null. */
    private final @Nullable String alias;

    Routes(String method, String path) {
        this(method, path, null);
    }

    Routes(String method, String path, @Nullable String alias) {
        this.method = method;
        this.path = path;
        this.alias = alias;
    }

    String path() {
        return path;
    }

    /** The route of {@code method} and {@code path} (no query), or null; {@code /key/{key}/regenerate} included. */
    static @Nullable Routes route(String method, String path) {
        for (Routes route : values()) {
            if ((route.path.equals(path) || path.equals(route.alias)) && route.method.equals(method)) {
                return route;
            }
        }
        if (method.equals("POST") && path.startsWith(KEY_PREFIX) && path.endsWith(REGENERATE_SUFFIX)
                && path.length() > KEY_PREFIX.length() + REGENERATE_SUFFIX.length()) {
            return REGENERATE;
        }
        return null;
    }

    /** The key named in {@code /key/{key}/regenerate}, or null for other paths. */
    static @Nullable String keyInPath(String path) {
        if (path.startsWith(KEY_PREFIX) && path.endsWith(REGENERATE_SUFFIX)
                && path.length() > KEY_PREFIX.length() + REGENERATE_SUFFIX.length()) {
            return path.substring(KEY_PREFIX.length(), path.length() - REGENERATE_SUFFIX.length());
        }
        return null;
    }
}
