/**
 * {@code multipart/form-data} bodies (uploads) read as they stream through: the {@code model} field found and
 * rewritten ({@link dev.llmproxy.codec.multipart.MultipartModelRewriter}), or a form's fields read and the parts a
 * caller names cut out before its file part ({@link dev.llmproxy.codec.multipart.MultipartPartFilter}), without
 * holding the file parts.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.multipart;
