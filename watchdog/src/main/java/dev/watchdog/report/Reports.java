package dev.watchdog.report;

import dev.watchdog.release.ReleaseException;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.Store;
import io.vertx.core.Future;

/** Writes a release's incident report from the store: the one place the report meets I/O. */
public final class Reports {

    private final Store store;

    public Reports(Store store) {
        this.store = store;
    }

    /** The report of release {@code id} as it stands, judged by {@code rules}; fails with a 404 for an unknown id. */
    public Future<String> of(String id, RuleSet rules) {
        return store.watch(id).map(w -> w.orElseThrow(() -> ReleaseException.notFound(id)))
                .compose(w -> Future.all(store.events(id), store.incidents(id))
                        .map(all -> IncidentReport.markdown(w, all.resultAt(0), all.resultAt(1), rules)));
    }
}
