package dev.watchdog.api;

import dev.watchdog.action.Runner;
import dev.watchdog.core.Release;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Registration;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flagger's webhooks. Its payload is {@code {name, namespace, phase, checksum, metadata}}; Flagger
 * takes 200 to 202 as yes and anything else as no. The release is the canary's: service
 * {@code metadata.service} (else the canary's name), environment {@code metadata.environment} (else
 * its namespace), version the checksum. {@code event}: Progressing registers the release (once: not
 * while one of that version is held, nor again after the watchdog rolled it back), Failed cancels it
 * (Flagger rolled the canary back itself); both within the token's scope. {@code rollback}: 200 only once the
 * watchdog rolls it back or its rollback failed, or a P0 is open. {@code confirm-promotion}: 200
 * only when healthy with nothing open, or kept by a person.
 */
final class Flagger {

    private static final Logger LOG = LoggerFactory.getLogger(Flagger.class);

    private final Store store;
    private final Runner runner;
    private final Api.RegistrationRules registration;
    private final Set<String> registering = new HashSet<>();

    Flagger(Store store, Runner runner, Api.RegistrationRules registration) {
        this.store = store;
        this.runner = runner;
        this.registration = registration;
    }

    /** What a Flagger payload names. */
    record Canary(String service, String environment, String version, String phase, Map<String, String> metadata,
                  String name, String namespace) {

        static Canary of(@Nullable JsonObject body) {
            if (body == null) {
                throw ApiException.badInput(null, "a JSON body is required: Flagger's webhook payload");
            }
            String name = text(body, "name");
            String namespace = text(body, "namespace");
            String checksum = text(body, "checksum");
            Map<String, String> metadata = new LinkedHashMap<>();
            body.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
            return new Canary(metadata.getOrDefault("service", name), metadata.getOrDefault("environment", namespace),
                    checksum, body.getString("phase", ""), metadata, name, namespace);
        }

        private static String text(JsonObject body, String field) {
            Object value = body.getValue(field);
            if (!(value instanceof String s) || s.isBlank()) {
                throw ApiException.badInput(field, field + " is required (Flagger's payload)");
            }
            return s;
        }

        String what() {
            return service + " " + version + " in " + environment;
        }
    }

    /** The canary's phase, as Flagger's event hook tells it. */
    void event(RoutingContext ctx, Canary canary) {
        Api.inScope(ctx, canary.service(), canary.environment());
        String key = canary.service() + "\n" + canary.environment() + "\n" + canary.version();
        if (canary.phase().equals("Progressing")) {
            // Answered at once: registering asks Prometheus first, which may take longer than Flagger waits.
            if (registering.add(key)) {
                register(canary).onComplete(x -> registering.remove(key))
                        .onFailure(e -> LOG.warn("flagger registration failed release=\"{}\" why=\"{}\"", canary.what(),
                                e.getMessage()));
            }
            Api.json(ctx, 202, Future.succeededFuture(answer("registering", null, canary.what())));
            return;
        }
        Api.json(ctx, 200, canary.phase().equals("Failed") ? cancel(canary, Auth.who(ctx).name())
                : Future.succeededFuture(answer("none", null, "phase " + canary.phase() + " changes nothing here")));
    }

    private Future<JsonObject> register(Canary canary) {
        return Lookup.find(store, canary.service(), canary.environment(), canary.version()).compose(found -> {
            // Flagger's events keep coming until it has read the rollback hook: a version rolled back stays so.
            if (found.isPresent() && (found.get().held() || Gate.rollingBack(found.get()))) {
                return Future.succeededFuture(answer("none", found.get().id(), "already registered"));
            }
            Release release = registration.apply(registration(canary));
            return runner.register(release).map(w -> answer("registered", w.id(), "watching " + canary.what()));
        });
    }

    private static Registration registration(Canary c) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("canary", c.name());
        labels.put("namespace", c.namespace());
        Map<String, String> m = c.metadata();
        return new Registration(c.service(), c.version(), m.get("previousVersion"), c.environment(), labels,
                duration(m.get("window")), duration(m.get("bake")), m.get("policy"), m.get("rollback"));
    }

    private static @Nullable Duration duration(@Nullable String text) {
        try {
            return text == null ? null : dev.watchdog.core.Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badInput("metadata", "metadata.window and metadata.bake are durations such as 30m");
        }
    }

    private Future<JsonObject> cancel(Canary canary, String who) {
        return Lookup.find(store, canary.service(), canary.environment(), canary.version()).compose(found -> {
            if (found.isEmpty() || !found.get().release().state().watched()) {
                return Future.succeededFuture(answer("none", found.map(Watch::id).orElse(null), "nothing watched"));
            }
            return runner.decide(found.get().id(), new Input.Cancel(who, "Flagger failed the canary and rolled it back"))
                    .map(w -> answer("cancelled", w.id(), "Flagger rolled the canary back"));
        }).onFailure(e -> LOG.warn("flagger cancel failed release=\"{}\" why=\"{}\"", canary.what(), e.getMessage()));
    }

    /** 200 when Flagger should fail the canary; 409 (no) otherwise; 404 for a release never registered. */
    void rollback(RoutingContext ctx, Canary canary) {
        Api.json(ctx, 200, found(canary).map(w -> {
            Gate gate = Gate.of(w, canary.what());
            if (!Gate.rollingBack(w)) {
                throw new ApiException(409, "no rollback: " + gate.reason(), null);
            }
            return answer("rollback", w.id(), gate.reason());
        }));
    }

    /** 200 when Flagger may promote; 409 (wait) otherwise; 404 for a release never registered. */
    void confirmPromotion(RoutingContext ctx, Canary canary) {
        Api.json(ctx, 200, found(canary).map(w -> {
            if (!Gate.promotable(w)) {
                throw new ApiException(409, "not yet: " + Gate.of(w, canary.what()).reason(), null);
            }
            return answer("promote", w.id(), "healthy, or kept by a person");
        }));
    }

    private Future<Watch> found(Canary canary) {
        return Lookup.find(store, canary.service(), canary.environment(), canary.version())
                .map((Optional<Watch> w) -> w.orElseThrow(() -> new ApiException(404, "no release of " + canary.what()
                        + " is registered", null)));
    }

    private static JsonObject answer(String action, @Nullable String release, String why) {
        return new JsonObject().put("action", action).put("release", release).put("reason", why);
    }
}
