package dev.llmproxy.proxy.provider;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** A test service account: an RSA key pair and the key file's JSON, for the token tests and the Vertex AI flows. */
public final class GoogleTokenAuthTestKeys {
    /** The account's keys, made once per test run. */
    public static final KeyPair KEYS = keyPair();

    private GoogleTokenAuthTestKeys() {
    }

    /** A service account key file's JSON for {@code keys}, with {@code tokenUri}. */
    public static String serviceAccountJson(KeyPair keys, String tokenUri) {
        String pem = ("-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n").replace("\n", "\\n");
        return "{\"type\":\"service_account\",\"project_id\":\"proj\",\"private_key_id\":\"key-1\","
                + "\"private_key\":\"" + pem + "\",\"client_email\":\"llm@proj.iam.gserviceaccount.com\","
                + "\"client_id\":\"1\",\"token_uri\":\"" + tokenUri + "\"}";
    }

    /** A fresh 2048-bit RSA key pair. */
    public static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
