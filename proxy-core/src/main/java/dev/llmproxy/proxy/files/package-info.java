/**
 * OpenAI's Files and Batch APIs ({@code /v1/files}, {@code /v1/batches}) relayed to the OpenAI and Azure deployment
 * that holds them: {@link dev.llmproxy.proxy.files.FilesApi} reads the request and picks the deployment
 * ({@link dev.llmproxy.proxy.files.FileTargets}), {@link dev.llmproxy.proxy.files.FileIds} puts the deployment into
 * the ids the client gets back (LiteLLM's format), and {@link dev.llmproxy.proxy.files.FileRelay} makes the one
 * upstream request and answers. Uses {@code call}, {@code route}, {@code provider}, {@code upstream} and
 * {@code auth}; {@code server} uses it.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.proxy.files;
