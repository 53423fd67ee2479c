package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.config.ClientIpSettings;
import dev.llmproxy.proxy.config.IpRange;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides who the client of a request is and whether it may call ({@code allowed_ips}, {@code use_x_forwarded_for},
 * {@code forwarded_allow_ips}).
 *
 * <p>The client is the peer of the connection, unless {@code use_x_forwarded_for} is on and the peer is a trusted
 * proxy: then it is the rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy (each proxy
 * appends the address it saw, so entries further left were written by the client and prove nothing). LiteLLM takes
 * the whole header from any peer, which lets any client claim any address.
 *
 * <p>Thread-safety: immutable; shared by every connection.
 */
final class ClientIpPolicy {
    private static final String X_FORWARDED_FOR = "x-forwarded-for";

    private final @Nullable List<IpRange> allowed;
    private final boolean useForwardedFor;
    private final List<IpRange> trusted;

    ClientIpPolicy(ClientIpSettings settings) {
        requireNonNull(settings, "settings");
        this.allowed = settings.allowedIps();
        this.useForwardedFor = settings.useXForwardedFor();
        this.trusted = settings.trustedProxies();
    }

    /** Whether the client of a request from {@code peer} with {@code headers} may call an authenticated route. */
    boolean allows(@Nullable SocketAddress peer, HttpHeaders headers) {
        List<IpRange> ranges = allowed;
        if (ranges == null) {
            return true;
        }
        InetAddress client = clientAddress(peer, headers);
        return client != null && matches(ranges, client);
    }

    /**
     * The client's address; null when the peer is not an IP socket (a Unix domain socket) or a trusted proxy
     * forwarded an entry that is not an address.
     */
    @Nullable InetAddress clientAddress(@Nullable SocketAddress peer, HttpHeaders headers) {
        if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return null;
        }
        InetAddress address = socket.getAddress();
        if (!useForwardedFor || !matches(trusted, address)) {
            return address;
        }
        List<String> values = headers.getAll(X_FORWARDED_FOR);
        for (int v = values.size() - 1; v >= 0; v--) {
            String[] entries = values.get(v).split(",");
            for (int i = entries.length - 1; i >= 0; i--) {
                InetAddress entry = literal(entries[i].strip());
                if (entry == null) {
                    return null;
                }
                address = entry;
                if (!matches(trusted, entry)) {
                    return entry;
                }
            }
        }
        // Every hop was a trusted proxy: the leftmost is the client (or the peer, when there was no header).
        return address;
    }

    private static @Nullable InetAddress literal(String text) {
        byte[] bytes = IpRange.literal(text);
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean matches(List<IpRange> ranges, InetAddress address) {
        for (IpRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
