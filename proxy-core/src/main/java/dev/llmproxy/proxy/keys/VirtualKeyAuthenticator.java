package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.ApiKeys;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.Principal;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.FastThreadLocal;
import java.security.MessageDigest;

/**
 * Accepts the master key and the virtual keys of the store. The presented key is located in its header without
 * copying it and hashed once (SHA-256, the stored form); the master key is compared with that hash in constant time, then the hash is looked up in the key cache:
 * a hit is answered at once without allocating, a miss through {@link AuthResult#pending} after a store lookup
 * ({@link KeyDirectory}). A key not starting with {@code sk-} is refused without a lookup, as LiteLLM does.
 *
 * <p>Thread-safety: thread-safe and non-blocking.
 */
public final class VirtualKeyAuthenticator implements Authenticator {
    private static final AuthResult MASTER = AuthResult.accepted(Principal.MASTER);
    private static final String KEY_PREFIX = "sk-";
    private static final FastThreadLocal<ApiKeys.KeyRegion> REGIONS = new FastThreadLocal<>() {
        @Override
        protected ApiKeys.KeyRegion initialValue() {
            return new ApiKeys.KeyRegion();
        }
    };

    private final byte[] masterKeyDigest;
    private final KeyDirectory directory;

    VirtualKeyAuthenticator(String masterKey, KeyDirectory directory) {
        this.masterKeyDigest = KeyHashes.sha256(requireNonNull(masterKey, "masterKey")).clone();
        this.directory = requireNonNull(directory, "directory");
    }

    @Override
    public AuthResult authenticate(HttpHeaders headers) {
        ApiKeys.KeyRegion key = REGIONS.get();
        if (!ApiKeys.locate(headers, key)) {
            return AuthResult.MISSING;
        }
        byte[] hash = KeyHashes.sha256(key.value(), key.start(), key.end());
        if (MessageDigest.isEqual(masterKeyDigest, hash)) {
            return MASTER;
        }
        if (!key.startsWith(KEY_PREFIX)) {
            return AuthResult.INVALID;
        }
        return directory.authenticate(hash);
    }

    @Override
    public boolean isOpen() {
        return false;
    }
}
