package dev.llmproxy.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class MasterKeyAuthenticatorTest {
    private static final String MASTER_KEY = "sk-master-1234";

    private final MasterKeyAuthenticator authenticator = new MasterKeyAuthenticator(MASTER_KEY);

    @Test
    void shouldAcceptAsMasterWhenMasterKeyIsPresented() {
        AuthResult result = authenticator.authenticate(headers("Authorization", "Bearer " + MASTER_KEY));

        assertThat(result.isAccepted()).isTrue();
        assertThat(result.principal()).isEqualTo(Principal.MASTER);
        assertThat(result.failure()).isNull();
        assertThat(authenticator.isOpen()).isFalse();
    }

    @Test
    void shouldAcceptWhenMasterKeyIsInAlternativeHeader() {
        assertThat(authenticator.authenticate(headers("x-api-key", MASTER_KEY)).isAccepted()).isTrue();
    }

    @Test
    void shouldRefuseAsMissingWhenNoKeyIsPresented() {
        AuthResult result = authenticator.authenticate(new DefaultHttpHeaders());

        assertThat(result.isAccepted()).isFalse();
        assertThat(result.principal()).isNull();
        assertThat(result.failure()).isEqualTo(AuthResult.Failure.MISSING_KEY);
    }

    @Test
    void shouldRefuseAsInvalidWhenKeyDiffers() {
        String[] wrongKeys = {"sk-master-123", "sk-master-12345", "SK-MASTER-1234", "x", "sk-master-1235"};
        for (String wrong : wrongKeys) {
            AuthResult result = authenticator.authenticate(headers("Authorization", "Bearer " + wrong));

            assertThat(result.isAccepted()).as(wrong).isFalse();
            assertThat(result.failure()).as(wrong).isEqualTo(AuthResult.Failure.INVALID_KEY);
        }
    }

    @Test
    void shouldAcceptAnyoneAnonymouslyWhenNoMasterKeyIsConfigured() {
        MasterKeyAuthenticator open = new MasterKeyAuthenticator(null);

        assertThat(open.isOpen()).isTrue();
        assertThat(open.authenticate(new DefaultHttpHeaders()).principal()).isEqualTo(Principal.ANONYMOUS);
        assertThat(open.authenticate(headers("Authorization", "Bearer anything")).isAccepted()).isTrue();
    }

    @Test
    void shouldGiveSameAnswersWhenCalledFromManyThreads() throws InterruptedException {
        Thread[] threads = new Thread[4];
        boolean[] allRight = new boolean[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int index = t;
            threads[t] = new Thread(() -> {
                boolean right = true;
                for (int i = 0; i < 2_000; i++) {
                    right &= authenticator.authenticate(headers("x-api-key", MASTER_KEY)).isAccepted();
                    right &= !authenticator.authenticate(headers("x-api-key", "sk-other-" + i)).isAccepted();
                }
                allRight[index] = right;
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join(5_000);
        }

        assertThat(allRight).containsOnly(true);
    }

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().add(name, value);
    }
}
