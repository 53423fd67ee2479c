package dev.llmproxy.codec.bedrock;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
 * for one access key, service and region, with the JDK's SHA-256 and HMAC only (provider spec, section 5.2).
 *
 * <pre>
 * canonical request = method \n canonical URI \n canonical query \n (name:value \n)* \n signed names \n hex(sha256(body))
 * string to sign    = AWS4-HMAC-SHA256 \n amzDate \n yyyymmdd/region/service/aws4_request \n hex(sha256(canonical))
 * signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request")
 * </pre>
 *
 * <p>The signing key changes once a day: the last one is kept (an immutable pair in an {@link AtomicReference}; two
 * threads that derive the same day's key at once both store an equal value, so the race is benign).
 *
 * <p>Thread-safety: thread-safe.
 */
public final class SigV4 {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String accessKeyId;
    private final byte[] secret;
    private final String region;
    private final String service;
    private final AtomicReference<DayKey> dayKey = new AtomicReference<>(new DayKey("", new byte[0]));

    /**
     * @param accessKeyId the access key id ({@code AKIA...})
     * @param secretAccessKey its secret
     * @param region e.g. {@code us-west-2}
     * @param service e.g. {@code bedrock}
     */
    public SigV4(String accessKeyId, String secretAccessKey, String region, String service) {
        this.accessKeyId = requireNonNull(accessKeyId, "accessKeyId");
        this.secret = ("AWS4" + requireNonNull(secretAccessKey, "secretAccessKey")).getBytes(StandardCharsets.UTF_8);
        this.region = requireNonNull(region, "region");
        this.service = requireNonNull(service, "service");
    }

    /**
     * The {@code Authorization} header value for a request.
     *
     * @param method e.g. {@code POST}
     * @param canonicalUri the path as it goes into the canonical request (see {@link #canonicalPath})
     * @param canonicalQuery the canonical query string, {@code ""} for none
     * @param signedHeaders lower-case header names to their values, sorted by name; must hold {@code host} and
     *     {@code x-amz-date}
     * @param payloadSha256Hex the hex SHA-256 of the body ({@link #sha256Hex})
     * @param amzDate the {@code x-amz-date} value, {@code yyyyMMdd'T'HHmmss'Z'}
     */
    public String authorization(String method, String canonicalUri, String canonicalQuery,
            SortedMap<String, String> signedHeaders, String payloadSha256Hex, String amzDate) {
        String names = String.join(";", signedHeaders.keySet());
        String canonical = canonicalRequest(method, canonicalUri, canonicalQuery, signedHeaders, names,
                payloadSha256Hex);
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
        String signature = hex(hmac(signingKey(date), toSign.getBytes(StandardCharsets.UTF_8)));
        return ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + names
                + ", Signature=" + signature;
    }

    /** The canonical request, exposed for tests and for the mock that verifies signatures. */
    static String canonicalRequest(String method, String canonicalUri, String canonicalQuery,
            SortedMap<String, String> signedHeaders, String names, String payloadSha256Hex) {
        StringBuilder canonical = new StringBuilder(256).append(method).append('\n').append(canonicalUri)
                .append('\n').append(canonicalQuery).append('\n');
        for (Map.Entry<String, String> header : signedHeaders.entrySet()) {
            canonical.append(header.getKey()).append(':').append(trimAll(header.getValue())).append('\n');
        }
        return canonical.append('\n').append(names).append('\n').append(payloadSha256Hex).toString();
    }

    /**
     * The canonical URI of a path as sent: every segment URI-encoded again (all services but S3 do this), so a
     * {@code %3A} in a Bedrock model id becomes {@code %253A}.
     */
    public static String canonicalPath(String path) {
        if (path.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/' || isUnreserved(c)) {
                out.append(c);
            } else {
                encodeTo(out, String.valueOf(c));
            }
        }
        return out.toString();
    }

    /** URI-encodes every byte but the unreserved characters ({@code A-Z a-z 0-9 - _ . ~}): {@code :} → {@code %3A}. */
    public static String uriEncode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isUnreserved(c)) {
                out.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                encodeTo(out, value.substring(i, i + 2));
                i++;
            } else {
                encodeTo(out, String.valueOf(c));
            }
        }
        return out.toString();
    }

    /** Lower-case hex SHA-256 of {@code bytes[offset, offset + length)}. */
    public static String sha256Hex(byte[] bytes, int offset, int length) {
        MessageDigest digest = sha256();
        digest.update(bytes, offset, length);
        return hex(digest.digest());
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        return sha256Hex(bytes, 0, bytes.length);
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Lower-case hex of {@code bytes}. */
    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    private byte[] signingKey(String date) {
        DayKey current = dayKey.get();
        if (current != null && current.date.equals(date)) {
            return current.key;
        }
        byte[] key = hmac(secret, date.getBytes(StandardCharsets.UTF_8));
        key = hmac(key, region.getBytes(StandardCharsets.UTF_8));
        key = hmac(key, service.getBytes(StandardCharsets.UTF_8));
        key = hmac(key, "aws4_request".getBytes(StandardCharsets.UTF_8));
        dayKey.set(new DayKey(date, key));
        return key;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** A header value with leading and trailing spaces removed and inner runs of spaces made one. */
    private static String trimAll(String value) {
        String trimmed = value.strip();
        if (trimmed.indexOf("  ") < 0) {
            return trimmed;
        }
        return trimmed.replaceAll(" +", " ");
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '~';
    }

    private static void encodeTo(StringBuilder out, String chars) {
        for (byte b : chars.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(Character.toUpperCase(HEX[(b >> 4) & 0xf]))
                    .append(Character.toUpperCase(HEX[b & 0xf]));
        }
    }

    /** The signing key of one day. */
    private record DayKey(String date, byte[] key) {
    }

    /**
     * AWS credentials.
     *
     * @param sessionToken the session token of temporary credentials, or {@code null}
     */
    public record Credentials(String accessKeyId, String secretAccessKey, @Nullable String sessionToken) {
        public Credentials {
            requireNonNull(accessKeyId, "accessKeyId");
            requireNonNull(secretAccessKey, "secretAccessKey");
        }

        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + ", secret hidden]";
        }
    }
}
