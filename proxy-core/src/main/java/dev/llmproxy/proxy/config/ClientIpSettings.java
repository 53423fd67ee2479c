package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who the client of a request is, and which clients may call: part of {@code general_settings}.
 *
 * @param allowedIps {@code allowed_ips}: the only client addresses that may call authenticated routes (403
 *     otherwise, as LiteLLM); null when not set, which allows every address
 * @param useXForwardedFor {@code use_x_forwarded_for}: take the client's address from {@code X-Forwarded-For} when
 *     the request comes through a trusted proxy
 * @param trustedProxies {@code forwarded_allow_ips}: the peers whose {@code X-Forwarded-For} is believed (an
 *     llmproxy extension named after uvicorn's option; LiteLLM believes the header from anyone); loopback by default
 */
public record ClientIpSettings(@Nullable List<IpRange> allowedIps, boolean useXForwardedFor,
        List<IpRange> trustedProxies) {

    /** Every client allowed, the peer address taken as the client's. */
    public static final ClientIpSettings DEFAULTS = new ClientIpSettings(null, false, IpRange.LOOPBACK);

    public ClientIpSettings {
        allowedIps = allowedIps == null ? null : List.copyOf(allowedIps);
        trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies"));
    }
}
