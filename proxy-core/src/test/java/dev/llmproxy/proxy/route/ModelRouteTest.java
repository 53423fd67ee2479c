package dev.llmproxy.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking a deployment of a group while excluding those a call already tried, as routers do for retries. */
class ModelRouteTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverPickTriedDeploymentAndPickAmongTheRestByWeight() throws IOException {
        ModelRoute route = route("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, weight: 1}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, weight: 3}, model_info: {id: b}}
                  - {model_name: g, litellm_params: {model: openai/c, weight: 1}, model_info: {id: c}}
                """);
        TriedDeployments tried = new TriedDeployments();
        tried.add(deployment(route, "b"));
        SplittableRandom random = new SplittableRandom(7);

        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            picks.merge(route.pick(random, tried).deployment().id(), 1, Integer::sum);
        }

        assertThat(picks).containsOnlyKeys("a", "c");
        assertThat(picks.get("a")).isBetween(1800, 2200);
    }

    @Test
    void shouldPickNothingWhenEveryDeploymentWasTried() throws IOException {
        ModelRoute route = route("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
                """);
        TriedDeployments tried = new TriedDeployments();
        tried.add(deployment(route, "a"));
        tried.add(deployment(route, "b"));

        assertThat(route.pick(new SplittableRandom(1), tried)).isNull();
        assertThat(SimpleShuffleRouter.INSTANCE.acquire(route, tried, new SplittableRandom(1))).isNull();
    }

    @Test
    void shouldPickUniformlyAmongUntriedWhenRemainingWeightsAreZero() throws IOException {
        ModelRoute route = route("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, weight: 5}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, weight: 0}, model_info: {id: b}}
                  - {model_name: g, litellm_params: {model: openai/c, weight: 0}, model_info: {id: c}}
                """);
        TriedDeployments tried = new TriedDeployments();
        tried.add(deployment(route, "a"));
        SplittableRandom random = new SplittableRandom(3);

        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            picks.merge(route.pick(random, tried).deployment().id(), 1, Integer::sum);
        }

        assertThat(picks).containsOnlyKeys("b", "c");
        assertThat(picks.get("b")).isBetween(850, 1150);
    }

    @Test
    void shouldRememberEveryTriedDeploymentWhenMoreThanItsInitialCapacityAreAdded() throws IOException {
        ModelRoute route = route("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
                  - {model_name: g, litellm_params: {model: openai/c}, model_info: {id: c}}
                  - {model_name: g, litellm_params: {model: openai/d}, model_info: {id: d}}
                """);
        TriedDeployments tried = new TriedDeployments();
        for (String id : new String[] {"a", "b", "c"}) {
            tried.add(deployment(route, id));
        }

        assertThat(tried.size()).isEqualTo(3);
        assertThat(route.pick(new SplittableRandom(9), tried).deployment().id()).isEqualTo("d");
    }

    @Test
    void shouldLeaseWithoutAllocatingWhenDeploymentHasNoLimits() throws IOException {
        ModelRoute route = route("""
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                """);

        Lease first = SimpleShuffleRouter.INSTANCE.acquire(route, null, new SplittableRandom(1));
        Lease second = SimpleShuffleRouter.INSTANCE.acquire(route, null, new SplittableRandom(2));

        assertThat(first).isSameAs(second);
        assertThat(first.target().deployment().id()).isEqualTo("a");
    }

    private ModelRoute route(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        ModelRoute route = RouteTable.build(ConfigLoader.load(file, Map.of())).resolve("g");
        assertThat(route).isNotNull();
        return route;
    }

    private static Deployment deployment(ModelRoute route, String id) {
        return route.targets().stream().map(Target::deployment).filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow();
    }
}
