package dev.llmproxy.proxy.upstream;

import static java.util.Objects.requireNonNull;

/**
 * Where upstream connections go, and so the key of a connection pool: two deployments with equal origins share
 * keep-alive connections.
 *
 * @param secure whether to speak TLS
 * @param host the host name or IP literal (also the TLS SNI name)
 * @param port the TCP port
 * @param tls how the certificate is checked when {@code secure}
 */
public record Origin(boolean secure, String host, int port, TlsPolicy tls) {

    public Origin {
        requireNonNull(host, "host");
        requireNonNull(tls, "tls");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** The {@code Host} header value: the port is omitted when it is the scheme's default. */
    public String hostHeader() {
        boolean defaultPort = secure ? port == 443 : port == 80;
        String name = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return defaultPort ? name : name + ":" + port;
    }

    @Override
    public String toString() {
        return (secure ? "https://" : "http://") + hostHeader();
    }
}
