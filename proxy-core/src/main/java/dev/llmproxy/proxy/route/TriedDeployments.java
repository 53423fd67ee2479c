package dev.llmproxy.proxy.route;

import java.util.Arrays;

/**
 * The deployments one call has tried, so that a retry goes elsewhere. Calls are tried on a handful of deployments at
 * most, so a linear scan over an array is the cheapest set. Thread-safety: confined to the call's event loop.
 */
public final class TriedDeployments {
    private Deployment[] tried = new Deployment[2];
    private int size;

    /** Adds {@code deployment}. */
    public void add(Deployment deployment) {
        if (size == tried.length) {
            tried = Arrays.copyOf(tried, size * 2);
        }
        tried[size++] = deployment;
    }

    /** Whether {@code deployment} was tried (by identity). */
    public boolean contains(Deployment deployment) {
        for (int i = 0; i < size; i++) {
            if (tried[i] == deployment) {
                return true;
            }
        }
        return false;
    }

    /** A new set holding the same deployments (this one is left as it is). */
    public TriedDeployments copy() {
        TriedDeployments copy = new TriedDeployments();
        copy.tried = Arrays.copyOf(tried, Math.max(2, size + 1));
        copy.size = size;
        return copy;
    }

    /** How many deployments were tried. */
    public int size() {
        return size;
    }
}
