package dev.llmproxy.proxy.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * Accepts the master key and nothing else; with no master key configured, accepts every request.
 *
 * <p>The presented key and the master key are both reduced to SHA-256 digests and compared with
 * {@link MessageDigest#isEqual}, which takes the same time wherever the inputs differ, so response timing reveals
 * nothing about the master key's prefix or length.
 *
 * <p>Thread-safety: immutable; the digest instance is per thread.
 */
public final class MasterKeyAuthenticator implements Authenticator {
    private static final FastThreadLocal<MessageDigest> SHA_256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            return newSha256();
        }
    };

    private static final AuthResult ANONYMOUS = AuthResult.accepted(Principal.ANONYMOUS);
    private static final AuthResult MASTER = AuthResult.accepted(Principal.MASTER);

    private final byte @Nullable [] masterKeyDigest;

    /** @param masterKey the master key, or null to leave the proxy open */
    public MasterKeyAuthenticator(@Nullable String masterKey) {
        this.masterKeyDigest = masterKey == null ? null : digest(masterKey);
    }

    @Override
    public AuthResult authenticate(HttpHeaders headers) {
        if (masterKeyDigest == null) {
            return ANONYMOUS;
        }
        String key = ApiKeys.find(headers);
        if (key == null) {
            return AuthResult.MISSING;
        }
        return MessageDigest.isEqual(masterKeyDigest, digest(key))
                ? MASTER
                : AuthResult.INVALID;
    }

    @Override
    public boolean isOpen() {
        return masterKeyDigest == null;
    }

    private static byte[] digest(String key) {
        MessageDigest sha256 = SHA_256.get();
        sha256.reset();
        return sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
