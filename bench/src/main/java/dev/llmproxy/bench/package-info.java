/** The benchmark command line: {@link dev.llmproxy.bench.BenchMain}. */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.bench;
