/**
 * JMH micro-benchmarks of the hot-path codecs and the limiter. Run from the shaded jar:
 * {@code java -cp bench/target/llmproxy-bench.jar org.openjdk.jmh.Main RequestRewrite -prof gc}.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.bench.jmh;
