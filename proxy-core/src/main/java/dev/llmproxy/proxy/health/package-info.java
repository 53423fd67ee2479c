/**
 * Health checks of deployments: probes with the cheapest request of each deployment's mode, the background rounds
 * that take a failing deployment out of rotation, and the report {@code GET /health} answers in LiteLLM's shape.
 * Uses {@code route}, {@code provider}, {@code upstream} and {@code config}; used by {@code server}.
 */
@NullMarked
package dev.llmproxy.proxy.health;

import org.jspecify.annotations.NullMarked;
