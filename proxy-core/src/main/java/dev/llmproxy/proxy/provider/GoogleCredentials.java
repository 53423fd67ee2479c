package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A Google service account key (the JSON file the Cloud console downloads): what signs the assertion that Google's
 * token endpoint exchanges for an access token (provider spec, section 4.3). Other credential types (authorized user,
 * external account) are refused with a message that says so.
 *
 * <p>Thread-safety: immutable.
 *
 * @param clientEmail the account, the assertion's issuer
 * @param privateKey the RSA key that signs the assertion (PKCS#8, from {@code private_key})
 * @param privateKeyId the key's id, the assertion's {@code kid}
 * @param tokenUri where assertions are exchanged, {@code https://oauth2.googleapis.com/token} by default
 * @param projectId the account's project, or {@code null}
 */
public record GoogleCredentials(String clientEmail, PrivateKey privateKey, String privateKeyId, String tokenUri,
        @Nullable String projectId) {
    static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
    private static final JsonFactory JSON = new JsonFactory();

    public GoogleCredentials {
        requireNonNull(clientEmail, "clientEmail");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(privateKeyId, "privateKeyId");
        requireNonNull(tokenUri, "tokenUri");
    }

    /**
     * Reads {@code value}: the JSON itself when it starts with <code>{</code>, else the path of a file holding it
     * (LiteLLM's {@code vertex_credentials} takes both).
     *
     * @throws IllegalArgumentException with a message for the operator when the file cannot be read or is not a
     *     service account key
     */
    public static GoogleCredentials load(String value) {
        String json = value.strip();
        if (!json.startsWith("{")) {
            try {
                json = Files.readString(Path.of(json), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the credentials file " + value + ": " + e, e);
            }
        }
        return parse(json);
    }

    /** Parses a service account key's JSON. */
    static GoogleCredentials parse(String json) {
        String type = null;
        String email = null;
        String key = null;
        String keyId = "";
        String tokenUri = DEFAULT_TOKEN_URI;
        String project = null;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the credentials are not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value != JsonToken.VALUE_STRING) {
                    p.skipChildren();
                    continue;
                }
                switch (name) {
                    case "type" -> type = p.getString();
                    case "client_email" -> email = p.getString();
                    case "private_key" -> key = p.getString();
                    case "private_key_id" -> keyId = p.getString();
                    case "token_uri" -> tokenUri = p.getString();
                    case "project_id" -> project = p.getString();
                    default -> {
                        // auth_uri, client_id, client_x509_cert_url...: not needed for the JWT flow.
                    }
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the credentials are not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (type != null && !type.equals("service_account")) {
            throw new IllegalArgumentException("credentials of type '" + type + "' are not supported (expected a "
                    + "service account key, type service_account)");
        }
        if (email == null || key == null) {
            throw new IllegalArgumentException("the credentials have no client_email or private_key (expected a "
                    + "service account key)");
        }
        return new GoogleCredentials(email, privateKey(key), keyId, tokenUri, project);
    }

    private static PrivateKey privateKey(String pem) {
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the credentials' private_key is not a PKCS#8 RSA key in PEM form", e);
        }
    }

    /** Hides the key. */
    @Override
    public String toString() {
        return "GoogleCredentials[clientEmail=" + clientEmail + ", privateKeyId=" + privateKeyId + ", tokenUri="
                + tokenUri + ", projectId=" + projectId + ']';
    }
}
