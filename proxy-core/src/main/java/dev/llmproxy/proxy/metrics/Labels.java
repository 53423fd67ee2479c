package dev.llmproxy.proxy.metrics;

/** LiteLLM's label names and the values it writes when it has none. */
final class Labels {
    /** What LiteLLM writes for a missing value (Python's {@code str(None)}); dashboards query it. */
    static final String NONE = "None";

    static final String END_USER = "end_user";
    static final String HASHED_API_KEY = "hashed_api_key";
    static final String API_KEY_ALIAS = "api_key_alias";
    static final String REQUESTED_MODEL = "requested_model";
    static final String MODEL = "model";
    static final String MODEL_ID = "model_id";
    static final String MODEL_GROUP = "model_group";
    static final String LITELLM_MODEL_NAME = "litellm_model_name";
    static final String API_BASE = "api_base";
    static final String API_PROVIDER = "api_provider";
    static final String TEAM = "team";
    static final String TEAM_ALIAS = "team_alias";
    static final String USER = "user";
    static final String USER_EMAIL = "user_email";
    static final String STATUS_CODE = "status_code";
    static final String EXCEPTION_STATUS = "exception_status";
    static final String EXCEPTION_CLASS = "exception_class";
    static final String ROUTE = "route";
    static final String CLIENT_IP = "client_ip";
    static final String USER_AGENT = "user_agent";
    static final String SERVICE_TIER = "service_tier";
    static final String CALLBACK_NAME = "callback_name";

    private static final String[] STATUS_TEXT = new String[1000];

    static {
        for (int i = 0; i < STATUS_TEXT.length; i++) {
            STATUS_TEXT[i] = Integer.toString(i);
        }
    }

    private Labels() {}

    /** {@code status} as a label value, without allocating for the three-digit statuses. */
    static String status(int status) {
        return status >= 0 && status < STATUS_TEXT.length ? STATUS_TEXT[status] : Integer.toString(status);
    }
}
