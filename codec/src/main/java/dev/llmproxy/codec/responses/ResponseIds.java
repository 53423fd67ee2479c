package dev.llmproxy.codec.responses;

import static java.util.Objects.requireNonNull;

/**
 * The ids of one bridged response and its output items, all derived from one unique token so that a response is
 * traceable to the proxy call that made it ({@code resp_<token>}, {@code msg_<token>}, {@code fc_<token>_<n>},
 * {@code rs_<token>}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param token unique per response; letters, digits, {@code -} and {@code _} only
 */
public record ResponseIds(String token) {

    public ResponseIds {
        requireNonNull(token, "token");
    }

    public String response() {
        return "resp_" + token;
    }

    String message() {
        return "msg_" + token;
    }

    String reasoning() {
        return "rs_" + token;
    }

    String functionCall(int index) {
        return "fc_" + token + "_" + index;
    }
}
