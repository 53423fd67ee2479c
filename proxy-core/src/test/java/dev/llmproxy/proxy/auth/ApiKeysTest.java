package dev.llmproxy.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"Bearer sk-1", "bearer sk-1", "BEARER sk-1", "BeArEr   sk-1  "})
    void shouldFindKeyWhenAuthorizationHasBearerSchemeInAnyCase(String authorization) {
        assertThat(ApiKeys.find(headers("Authorization", authorization))).isEqualTo("sk-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-raw", "bearersk-raw"})
    void shouldTakeWholeValueWhenAuthorizationHasNoBearerScheme(String authorization) {
        assertThat(ApiKeys.find(headers("Authorization", authorization))).isEqualTo(authorization);
    }

    @Test
    void shouldFindKeyWhenBearerIsSeparatedByTab() {
        assertThat(ApiKeys.find(headers("Authorization", "Bearer\tsk-1"))).isEqualTo("sk-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-litellm-api-key", "x-api-key", "api-key", "x-goog-api-key", "X-Api-Key", "API-KEY"})
    void shouldFindKeyWhenItIsInAnAlternativeHeader(String name) {
        assertThat(ApiKeys.find(headers(name, " sk-2 "))).isEqualTo("sk-2");
    }

    @Test
    void shouldPreferAuthorizationWhenSeveralHeadersCarryKeys() {
        HttpHeaders headers = headers("x-api-key", "sk-x").add("Authorization", "Bearer sk-auth");

        assertThat(ApiKeys.find(headers)).isEqualTo("sk-auth");
    }

    @Test
    void shouldPreferLitellmHeaderWhenAuthorizationIsAbsent() {
        HttpHeaders headers = headers("api-key", "sk-azure").add("x-litellm-api-key", "sk-litellm");

        assertThat(ApiKeys.find(headers)).isEqualTo("sk-litellm");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "Bearer", "Bearer ", "bearer    "})
    void shouldFallBackToOtherHeadersWhenAuthorizationIsBlank(String authorization) {
        assertThat(ApiKeys.find(headers("Authorization", authorization))).isNull();
        assertThat(ApiKeys.find(headers("Authorization", authorization).add("x-api-key", "sk-3"))).isEqualTo("sk-3");
    }

    @Test
    void shouldReturnNullWhenNoHeaderCarriesAKey() {
        assertThat(ApiKeys.find(new DefaultHttpHeaders())).isNull();
        assertThat(ApiKeys.find(headers("x-api-key", "  "))).isNull();
        assertThat(ApiKeys.find(headers("Content-Type", "application/json"))).isNull();
    }

    /** Unvalidated headers: the values tested include padding that a real request's decoder would have trimmed. */
    private static HttpHeaders headers(String name, String value) {
        return DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders().add(name, value);
    }
}
