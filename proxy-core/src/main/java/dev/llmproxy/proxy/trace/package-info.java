/**
 * OpenTelemetry traces of model calls, exported over OTLP/HTTP to MLflow, Langfuse or any collector: LiteLLM's
 * {@code otel}, {@code mlflow}, {@code langfuse} and {@code langfuse_otel} callbacks. A {@link
 * dev.llmproxy.proxy.trace.CallTracer} is a {@link dev.llmproxy.proxy.call.CallListener}; it uses {@code call},
 * {@code route}, {@code provider} and {@code auth}, and only {@code server} uses it. The OTLP protobuf encoder is
 * llmproxy's own: no OpenTelemetry library is used.
 */
@NullMarked
package dev.llmproxy.proxy.trace;

import org.jspecify.annotations.NullMarked;
