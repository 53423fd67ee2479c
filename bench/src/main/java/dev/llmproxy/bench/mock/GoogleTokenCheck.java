package dev.llmproxy.bench.mock;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What Google's OAuth token endpoint checks in a service account's token request (RFC 7523; Google's "Using OAuth 2.0
 * for Server to Server Applications"): a form body with the JWT bearer grant type and an assertion whose header says
 * RS256, whose claims name the issuer, scope and audience with a lifetime of at most an hour, and, when the mock knows
 * the account's public key, whose signature verifies.
 *
 * <p>Thread-safety: stateless.
 */
final class GoogleTokenCheck {
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static final JsonFactory JSON = new JsonFactory();

    private GoogleTokenCheck() {
    }

    /**
     * What is wrong with the token request {@code form}, worded as Google's {@code error_description}, or
     * {@code null} when it is acceptable.
     *
     * @param key the account's public key, or {@code null} to skip the signature check
     */
    static @Nullable String problem(String form, @Nullable PublicKey key) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        if (!GRANT_TYPE.equals(fields.get("grant_type"))) {
            return "Invalid grant_type: " + fields.get("grant_type");
        }
        String assertion = fields.get("assertion");
        String[] parts = assertion == null ? new String[0] : assertion.split("\\.", -1);
        if (parts.length != 3) {
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
        }
        try {
            Map<String, Object> header = object(parts[0]);
            Map<String, Object> claims = object(parts[1]);
            if (!"RS256".equals(header.get("alg"))) {
                return "Invalid JWT: the algorithm must be RS256";
            }
            for (String claim : new String[] {"iss", "scope", "aud", "iat", "exp"}) {
                if (!claims.containsKey(claim)) {
                    return "Invalid JWT: missing claim " + claim;
                }
            }
            long iat = seconds(claims.get("iat"));
            long exp = seconds(claims.get("exp"));
            if (exp <= iat || exp - iat > 3600) {
                return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
            }
            if (key != null && !verifies(key, parts)) {
                return "Invalid JWT Signature.";
            }
            return null;
        } catch (IllegalArgumentException | ClassCastException | JacksonException e) {
            return "Invalid JWT: " + e.getMessage();
        }
    }

    private static long seconds(@Nullable Object claim) {
        if (claim instanceof Number number) {
            return number.longValue();
        }
        throw new IllegalArgumentException("iat and exp must be numbers");
    }

    private static boolean verifies(PublicKey key, String[] parts) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The top-level string and number members of a base64url JSON object. */
    private static Map<String, Object> object(String base64url) {
        String json = new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
        Map<String, Object> members = new HashMap<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    members.put(name, p.getString());
                } else if (value.isNumeric()) {
                    members.put(name, p.getNumberValue());
                } else {
                    p.skipChildren();
                }
            }
        }
        return members;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
