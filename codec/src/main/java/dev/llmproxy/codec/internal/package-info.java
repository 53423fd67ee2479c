/**
 * Module-private machinery shared by the codec packages: an incremental JSON syntax scanner and small byte helpers.
 * Other modules must not import this package; its types are public only so that sibling codec packages can use them.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.internal;
