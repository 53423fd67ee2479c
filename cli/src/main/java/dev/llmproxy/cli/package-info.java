/** The {@code llmproxy} command: options, wiring of the modules, logging backend. */
@NullMarked
package dev.llmproxy.cli;

import org.jspecify.annotations.NullMarked;
