/**
 * {@code multipart/form-data} bodies (uploads) read as they stream through: the {@code model} field found and
 * rewritten without holding the file parts.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.multipart;
