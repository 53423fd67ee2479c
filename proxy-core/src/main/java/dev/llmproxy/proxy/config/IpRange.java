package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An address range from the config: one IPv4 or IPv6 address, or a CIDR block ({@code 10.0.0.0/8},
 * {@code fd00::/8}). Only literals are accepted, so parsing never looks a name up. An IPv4 address given as
 * IPv4-mapped IPv6 ({@code ::ffff:10.0.0.1}, as a dual-stack socket reports it) matches the IPv4 range.
 *
 * <p>Thread-safety: immutable.
 */
public final class IpRange {
    /** The loopback ranges, {@code 127.0.0.0/8} and {@code ::1}. */
    public static final List<IpRange> LOOPBACK = List.of(parse("127.0.0.0/8"), parse("::1"));

    private final byte[] network;
    private final int prefixBits;
    private final String text;

    private IpRange(byte[] network, int prefixBits, String text) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = text;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException when it is not an address literal with an optional prefix length in range
     */
    public static IpRange parse(String text) {
        requireNonNull(text, "text");
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
        }
        int maxBits = bytes.length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            String prefix = trimmed.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be a number");
            }
            bits = Integer.parseInt(prefix);
            if (bits > maxBits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be at most " + maxBits);
            }
        }
        return new IpRange(mask(bytes, bits), bits, trimmed);
    }

    /**
     * The bytes of an address literal (4 for IPv4, including IPv4-mapped IPv6; 16 for IPv6), or null when
     * {@code text} is not one. Never resolves a name.
     */
    public static byte @Nullable [] literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        boolean colon = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (c == ':') {
                colon = true;
            } else if (!hex && c != '.') {
                return null;
            }
        }
        if (!colon && !isDottedQuad(text)) {
            return null;
        }
        try {
            // A literal of only hex digits, dots and colons is never looked up as a name.
            return bytesOf(InetAddress.getByName(colon ? "[" + text + "]" : text));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code address} falls in this range. */
    public boolean contains(InetAddress address) {
        byte[] bytes = bytesOf(address);
        if (bytes.length != network.length) {
            return false;
        }
        int fullBytes = prefixBits / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[fullBytes] & mask) == (network[fullBytes] & 0xff);
    }

    /** Four bytes for IPv4 and IPv4-mapped IPv6 addresses, sixteen for other IPv6 addresses. */
    private static byte[] bytesOf(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
            return Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    /**
     * Four decimal numbers of at most three digits separated by dots; {@code InetAddress} also takes shorter forms
     * such as {@code 10.1}, which are too easily a typo to accept here.
     */
    private static boolean isDottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static byte[] mask(byte[] bytes, int bits) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            masked[i] &= (byte) (0xff << (8 - keep));
        }
        return masked;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof IpRange range && range.prefixBits == prefixBits
                && Arrays.equals(range.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixBits;
    }

    /** As written in the config. */
    @Override
    public String toString() {
        return text;
    }
}
