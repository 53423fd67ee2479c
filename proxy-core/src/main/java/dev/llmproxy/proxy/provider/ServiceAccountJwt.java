package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.json.JsonStrings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;

/**
 * The OAuth 2.0 JWT bearer assertion a service account presents to Google's token endpoint (RFC 7523; Google's
 * "Using OAuth 2.0 for Server to Server Applications"): header {@code {"alg":"RS256","typ":"JWT","kid"}}, claims
 * {@code {iss, scope, aud, iat, exp}} valid for one hour, signed RSA-SHA256 with the account's key.
 *
 * <p>Thread-safety: stateless.
 */
final class ServiceAccountJwt {
    /** The scope Vertex AI needs, as LiteLLM asks for it. */
    static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    private static final long LIFETIME_SECONDS = 3600;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private ServiceAccountJwt() {
    }

    /** The signed assertion, issued at {@code nowSeconds} (epoch seconds). */
    static String assertion(GoogleCredentials credentials, long nowSeconds) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":" + quote(credentials.privateKeyId()) + "}";
        String claims = "{\"iss\":" + quote(credentials.clientEmail()) + ",\"scope\":" + quote(CLOUD_PLATFORM_SCOPE)
                + ",\"aud\":" + quote(credentials.tokenUri()) + ",\"iat\":" + nowSeconds + ",\"exp\":"
                + (nowSeconds + LIFETIME_SECONDS) + "}";
        String signingInput = encode(header) + "." + encode(claims);
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(credentials.privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the service account assertion", e);
        }
    }

    private static String encode(String json) {
        return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String value) {
        return new String(JsonStrings.quote(value), StandardCharsets.UTF_8);
    }
}
