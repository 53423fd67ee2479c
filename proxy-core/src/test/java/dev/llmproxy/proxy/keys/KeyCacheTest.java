package dev.llmproxy.proxy.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.store.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeyCacheTest {

    @Test
    void shouldFindWhatWasPutAndNothingElse() {
        KeyCache cache = new KeyCache(64);
        CachedKey a = entry("sk-a");

        int slot = put(cache, a, false);

        assertThat(cache.find(a.hash)).isEqualTo(slot);
        assertThat(cache.entry(slot)).isSameAs(a);
        assertThat(cache.find(KeyHashes.sha256("sk-b").clone())).isEqualTo(-1);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void shouldReadBlockedExpiryAndBudgetOfTheSlotTogether() {
        KeyCache cache = new KeyCache(64);
        CachedKey a = entry("sk-a");
        int slot = cache.put(a.hash, a, 1234L, 5_000_000_000L, 0, true, false);
        KeyCache.SlotView view = new KeyCache.SlotView();

        assertThat(cache.read(slot, a, view)).isSameAs(a);
        assertThat(view.blocked).isTrue();
        assertThat(view.expiresMillis).isEqualTo(1234L);
        assertThat(view.maxBudgetNanos).isEqualTo(5_000_000_000L);
    }

    @Test
    void shouldKeepTheLargerCachedSpendOnARefreshOfTheSameBudgetPeriod() {
        KeyCache cache = new KeyCache(64);
        CachedKey a = entry("sk-a");
        int slot = put(cache, a, false);
        cache.addSpend(a.hash, 700);

        CachedKey refreshed = entry("sk-a");
        cache.put(refreshed.hash, refreshed, KeyCache.NEVER, KeyCache.NO_BUDGET, 500, false, true);
        assertThat(cache.spendNanos(slot)).isEqualTo(700);

        CachedKey reset = entry("sk-a");
        cache.put(reset.hash, reset, KeyCache.NEVER, KeyCache.NO_BUDGET, 0, false, false);
        assertThat(cache.spendNanos(slot)).isZero();
        assertThat(a.spendNanos()).as("a replaced entry keeps the spend it left with").isEqualTo(700);
    }

    @Test
    void shouldFindKeysPastATombstoneAndReuseIt() {
        KeyCache cache = new KeyCache(16);
        List<CachedKey> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            CachedKey e = entry("sk-" + i);
            put(cache, e, false);
            all.add(e);
        }

        assertThat(cache.remove(all.get(3).hash)).isTrue();

        for (int i = 0; i < 12; i++) {
            assertThat(cache.find(all.get(i).hash) >= 0).as("key %s", i).isEqualTo(i != 3);
        }
        assertThat(cache.size()).isEqualTo(11);
        put(cache, all.get(3), false);
        assertThat(cache.size()).isEqualTo(12);
    }

    @Test
    void shouldEvictWhenTheProbeWindowIsFullAndStillFindTheNewKey() {
        KeyCache cache = new KeyCache(16);
        List<CachedKey> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            CachedKey e = entry("sk-" + i);
            put(cache, e, false);
            all.add(e);
            assertThat(cache.find(e.hash)).isGreaterThanOrEqualTo(0);
        }

        assertThat(cache.size()).isEqualTo(16);
        long present = all.stream().filter(e -> cache.find(e.hash) >= 0).count();
        assertThat(present).isEqualTo(16);
    }

    @Test
    void shouldNeverShowAReaderAMixOfTwoVersions() throws Exception {
        KeyCache cache = new KeyCache(64);
        CachedKey a = entry("sk-a");
        cache.put(a.hash, a, 1, 1, 0, false, false);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            KeyCache.SlotView view = new KeyCache.SlotView();
            started.countDown();
            while (!stop.get()) {
                int slot = cache.find(a.hash);
                CachedKey e = slot < 0 ? null : cache.entry(slot);
                if (e != null && cache.read(slot, e, view) != null && view.expiresMillis != view.maxBudgetNanos) {
                    torn.set(view.expiresMillis + " != " + view.maxBudgetNanos);
                }
            }
        });
        reader.start();
        started.await();
        for (long v = 2; v < 200_000; v++) {
            CachedKey next = entry("sk-a");
            cache.put(next.hash, next, v, v, 0, false, true);
        }
        stop.set(true);
        reader.join();

        assertThat(torn.get()).isNull();
    }

    private static int put(KeyCache cache, CachedKey e, boolean keepLargerSpend) {
        return cache.put(e.hash, e, KeyCache.NEVER, KeyCache.NO_BUDGET, 0, false, keepLargerSpend);
    }

    static CachedKey entry(String key) {
        byte[] hash = KeyHashes.sha256(key).clone();
        return new CachedKey(KeyHash.of(key), hash, KeyHash.displayName(key), null, null, null, List.of(), false,
                List.of(), null, null, KeyCache.NEVER, false, null, ModelLimits.NONE, Map.of(), Map.of());
    }
}
