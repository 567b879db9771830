package dev.watchdog.evaluation;

import java.util.List;

/** What evaluating a rule's queries gave: values, a guard that was not met, or a failure. */
public sealed interface Observation {

    /** The expression's result; empty means no data. */
    record Values(List<Series> series) implements Observation {
        public Values {
            series = List.copyOf(series);
        }
    }

    /** The guard returned nothing: too little traffic, say, to judge. */
    record GuardNotMet() implements Observation {}

    /** A query failed; the message says why, and never counts as a breach. */
    record Failed(String message) implements Observation {}
}
