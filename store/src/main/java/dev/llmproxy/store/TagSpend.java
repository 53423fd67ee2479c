package dev.llmproxy.store;

/**
 * Requests and spend of one request tag.
 *
 * @param tag the tag
 * @param requests how many spend-log rows carry it
 * @param spend their cost in USD
 */
public record TagSpend(String tag, long requests, double spend) {}
