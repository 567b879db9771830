package dev.watchdog.api;

import dev.watchdog.machine.Watch;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finding the release a delivery tool means by what it knows (service, environment, version): the
 * newest such release the watchdog holds, else the newest among the last {@link #RECENT} registered.
 */
final class Lookup {

    /** How far back a release no longer held is looked for, among its service's in its environment. */
    static final int RECENT = 500;

    private Lookup() {}

    static Future<Optional<Watch>> find(Store store, String service, String environment, String version) {
        return store.held().compose(held -> {
            Optional<Watch> found = newest(held, service, environment, version);
            return found.isPresent() ? Future.succeededFuture(found)
                    : store.list(new Store.Filter(null, service, environment), RECENT).map(recent -> newest(recent, service, environment, version));
        });
    }

    private static Optional<Watch> newest(List<Watch> all, String service, String environment, String version) {
        return all.stream().filter(w -> w.release().service().equals(service)
                        && w.release().environment().equals(environment) && w.release().version().equals(version))
                .max(Comparator.comparing((Watch w) -> w.release().startedAt()).thenComparing(Watch::id));
    }
}
