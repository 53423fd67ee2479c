package dev.llmproxy.proxy.keys;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authenticating a virtual key costs on the event loop: a cache hit given the key's hash ({@code hit}), the
 * whole authenticator on a hit (header lookup and SHA-256 included, {@code authenticateHit}), and a miss answered
 * from memory: a key remembered as wrong ({@code negativeMiss}) and a random key beyond the miss path's rate limit
 * ({@code rateLimitedMiss}). {@code keys} keys are cached. {@code admitWithOwnerLimits} is the admission of a call
 * and its release by a key whose own, per-model, team, team per-model and user limits and whose key, team, member
 * and user budgets are all set: every check a call can meet.
 *
 * <p>Lives in proxy-core's tests because bench cannot depend on proxy-core. Run after {@code mvn -pl proxy-core -am
 * test-compile} with the test class path:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main KeyCacheBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyCacheBenchmark {
    /** A limit no benchmark reaches: the checks run, the refusals never come. */
    private static final long HUGE = 1_000_000_000_000L;

    @Param({"1", "10000"})
    public int keys;

    private KeyDirectory directory;
    private VirtualKeyAuthenticator authenticator;
    private byte[] hitHash;
    private byte[] wrongHash;
    private HttpHeaders hitHeaders;
    private byte[][] randomHashes;
    private int next;
    private CachedKey limited;
    private Clock clock;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StubKeyStore stub = new StubKeyStore();
        directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(Math.max(64, keys * 2))
                .withMissesPerMinute(1), stub.store(), Runnable::run, Clock.systemUTC());
        String key = null;
        for (int i = 0; i < keys; i++) {
            key = "sk-benchmark-key-" + i;
            directory.install(VirtualKey.builder(KeyHash.of(key)).keyName(KeyHash.displayName(key)).build());
        }
        hitHash = KeyHashes.sha256(key).clone();
        hitHeaders = new DefaultHttpHeaders().set("authorization", "Bearer " + key);
        authenticator = new VirtualKeyAuthenticator("sk-master-key-of-the-benchmark", directory);
        wrongHash = KeyHashes.sha256("sk-wrong").clone();
        // The one lookup a minute allowed goes to the wrong key, which the negative cache then remembers.
        directory.authenticate(wrongHash).pending().toCompletableFuture().get();
        clock = Clock.systemUTC();
        directory.installUser(User.builder("bench-user").maxBudget(1e9).rpmLimit(HUGE).tpmLimit(HUGE)
                .maxParallelRequests(1_000).build(), Long.MAX_VALUE);
        Team team = Team.builder("bench-team").maxBudget(1e9).rpmLimit(HUGE).tpmLimit(HUGE).maxParallelRequests(1_000)
                .modelRpmLimit(Map.of("gpt-a", HUGE)).modelTpmLimit(Map.of("gpt-a", HUGE)).build();
        directory.installTeam(team, List.of(new TeamMembership("bench-team", "bench-user", TeamMembership.USER, 0,
                1e9, Instant.EPOCH)), Long.MAX_VALUE);
        String limitedKey = "sk-benchmark-limited";
        limited = directory.install(VirtualKey.builder(KeyHash.of(limitedKey)).keyName(KeyHash.displayName(limitedKey))
                .userId("bench-user").teamId("bench-team").maxBudget(1e9).rpmLimit(HUGE).tpmLimit(HUGE)
                .maxParallelRequests(1_000).modelRpmLimit(Map.of("gpt-a", HUGE)).modelTpmLimit(Map.of("gpt-a", HUGE))
                .build());
        randomHashes = new byte[1024][];
        for (int i = 0; i < randomHashes.length; i++) {
            randomHashes[i] = KeyHashes.sha256("sk-random-" + i).clone();
        }
    }

    @Benchmark
    public AuthResult hit() {
        return directory.authenticate(hitHash);
    }

    @Benchmark
    public AuthResult authenticateHit() {
        return authenticator.authenticate(hitHeaders);
    }

    @Benchmark
    public boolean admitWithOwnerLimits() {
        long now = clock.millis();
        boolean admitted = limited.admit("gpt-a", now) == null;
        limited.release("gpt-a", now, 10, 0);
        return admitted;
    }

    @Benchmark
    public AuthResult negativeMiss() {
        return directory.authenticate(wrongHash);
    }

    @Benchmark
    public AuthResult rateLimitedMiss() {
        next = (next + 1) & (randomHashes.length - 1);
        return directory.authenticate(randomHashes[next]);
    }
}
