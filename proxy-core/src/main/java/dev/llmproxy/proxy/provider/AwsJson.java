package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The small JSON documents of the AWS credential sources: a {@code credential_process}'s output, the container and
 * instance metadata answers, the SSO token cache and the SSO portal's role credentials.
 *
 * <p>Thread-safety: stateless.
 */
final class AwsJson {
    private static final JsonFactory JSON = new JsonFactory();

    private AwsJson() {
    }

    /**
     * The scalar fields of {@code json}'s top-level object, or of its object field {@code nested} when that is not
     * null, as text; {@code null} when the document is not a JSON object.
     */
    static @Nullable Map<String, String> fields(String json, @Nullable String nested) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            boolean inside = nested == null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!inside && value == JsonToken.START_OBJECT && name.equals(nested)) {
                    inside = true;
                    continue;
                }
                if (inside && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    fields.put(name, p.getString());
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            return null;
        }
        return fields;
    }

    /**
     * Credentials in the shape the container and instance metadata endpoints answer ({@code AccessKeyId},
     * {@code SecretAccessKey}, {@code Token}, {@code Expiration}), received at {@code now}.
     *
     * @param what the source, for the error's message
     * @throws UpstreamAuth.CredentialsException when the answer lacks them
     */
    static Expiring<SigV4.Credentials> metadataCredentials(String json, Instant now, String what) {
        Map<String, String> fields = fields(json, null);
        if (fields == null) {
            throw new UpstreamAuth.CredentialsException(what + " answered no JSON object");
        }
        String keyId = fields.get("AccessKeyId");
        String secret = fields.get("SecretAccessKey");
        if (keyId == null || secret == null) {
            throw new UpstreamAuth.CredentialsException(what + " answered no AccessKeyId and SecretAccessKey");
        }
        return new Expiring<>(new SigV4.Credentials(keyId, secret, fields.get("Token")),
                secondsUntil(fields.get("Expiration"), now, what));
    }

    /**
     * Seconds from {@code now} until an ISO-8601 expiry ({@code 2025-01-01T00:00:00Z}, or the AWS CLI's older
     * {@code 2025-01-01T00:00:00UTC}); a missing expiry is kept as a key read from a file is.
     */
    static long secondsUntil(@Nullable String expiration, Instant now, String what) {
        if (expiration == null) {
            return AwsProfiles.STATIC_KEYS_SECONDS;
        }
        return Math.max(0, Duration.between(now, instant(expiration, what)).toSeconds());
    }

    /** An ISO-8601 time as the AWS tools write it. */
    static Instant instant(String text, String what) {
        String iso = text.endsWith("UTC") ? text.substring(0, text.length() - 3) + "Z" : text;
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(iso).toInstant();
            } catch (DateTimeParseException again) {
                throw new UpstreamAuth.CredentialsException(what + " has an unreadable expiry: " + text);
            }
        }
    }
}
