package dev.watchdog.api;

import dev.watchdog.action.Runner;
import dev.watchdog.config.People;
import dev.watchdog.config.Person;
import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.http.Hmac;
import dev.watchdog.machine.Input;
import dev.watchdog.receiver.PagerDuty;
import dev.watchdog.release.FieldText;
import dev.watchdog.release.ReleaseException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * PagerDuty's v3 webhooks: verified by {@code X-PagerDuty-Signature} (one or more {@code v1=} hex
 * HMAC-SHA256 of the body, any one under a PagerDuty receiver's webhookSecret), each event id once,
 * none that occurred more than an hour ago. An {@code incident.acknowledged} of an incident the
 * watchdog triggered acknowledges it here too, in the PagerDuty user's name (or the person mapped to
 * that user): the watchdog's ladder stops. Other events are taken and change nothing.
 */
final class PagerDutyHook {

    static final Duration WINDOW = Duration.ofHours(1);
    /** The watchdog's incident id, as the trigger's summary ends with it. */
    private static final Pattern INCIDENT = Pattern.compile("\\[(rel_[0-9A-Z]{1,40}\\.\\d{1,6})]");

    private final Supplier<WatchdogConfig> config;
    private final Runner runner;
    private final Clock clock;
    private final Replays seen;

    PagerDutyHook(Supplier<WatchdogConfig> config, Runner runner, Clock clock) {
        this.config = config;
        this.runner = runner;
        this.clock = clock;
        this.seen = new Replays(clock, WINDOW.multipliedBy(2), 10_000);
    }

    void handle(RoutingContext ctx) {
        byte[] body = SlackHook.bytes(ctx);
        verify(ctx.request().getHeader("X-PagerDuty-Signature"), body);
        JsonObject event = json(body).getJsonObject("event", new JsonObject());
        fresh(event);
        Api.json(ctx, 200, acknowledge(event));
    }

    private void verify(@Nullable String header, byte[] body) {
        boolean ok = false;
        for (Receiver r : config.get().receivers().values()) {
            if (r.channel() instanceof PagerDuty p && p.webhookSecret() != null && header != null) {
                String expected = "v1=" + Hmac.sha256Hex(p.webhookSecret().value(), body);
                for (String given : header.split(",")) {
                    ok |= Hmac.same(expected, given.strip());
                }
            }
        }
        if (!ok) {
            throw new ApiException(401, "the PagerDuty signature does not match any PagerDuty receiver's webhookSecret",
                    null);
        }
    }

    /** An event seen before, or one that occurred more than an hour ago (or ahead), is refused. */
    private void fresh(JsonObject event) {
        String id = event.getString("id", "");
        Instant at;
        try {
            at = Instant.parse(event.getString("occurred_at", ""));
        } catch (DateTimeParseException e) {
            throw ApiException.badInput("event.occurred_at", "a PagerDuty event needs occurred_at");
        }
        if (Duration.between(at, clock.instant()).abs().compareTo(WINDOW) > 0) {
            throw new ApiException(401, "the PagerDuty event occurred more than an hour ago", null);
        }
        if (id.isEmpty() || !seen.first(id)) {
            throw new ApiException(401, "this PagerDuty event was taken already (a replay)", null);
        }
    }

    private Future<JsonObject> acknowledge(JsonObject event) {
        JsonObject data = event.getJsonObject("data", new JsonObject());
        String incident = incident(data);
        if (!"incident.acknowledged".equals(event.getString("event_type")) || incident == null) {
            return Future.succeededFuture(new JsonObject().put("action", "none"));
        }
        String who = who(event.getJsonObject("agent", new JsonObject()));
        String release = incident.substring(0, incident.lastIndexOf('.'));
        return runner.watch(release).compose(w -> w.incident() == null || !w.incident().id().equals(incident)
                        ? Future.succeededFuture(new JsonObject().put("action", "none"))
                        : runner.decide(release, new Input.Ack(who, "acknowledged in PagerDuty"))
                                .map(x -> new JsonObject().put("action", "acknowledged").put("incident", incident)))
                .recover(e -> Future.succeededFuture(new JsonObject().put("action", "none").put("reason",
                        e instanceof ReleaseException ? e.getMessage() : "the watchdog could not record it")));
    }

    /** The incident's key where PagerDuty gives it, else the id our summary ends with. */
    static @Nullable String incident(JsonObject data) {
        String key = data.getString("incident_key");
        if (key != null && key.matches("rel_[0-9A-Z]{1,40}\\.\\d{1,6}")) {
            return key;
        }
        Matcher m = INCIDENT.matcher(data.getString("title", ""));
        return m.find() ? m.group(1) : null;
    }

    /** The person mapped to the PagerDuty user, else the user's name as PagerDuty gives it. */
    private String who(JsonObject agent) {
        String id = agent.getString("id", "");
        Map<String, Person> people = config.get().people();
        return People.find(people, Person::pagerduty, id).map(Map.Entry::getKey).orElseGet(() -> {
            String name = agent.getString("summary", "");
            return FieldText.problem(name, 128) == null ? name + " (PagerDuty)" : "a PagerDuty user (" + id + ")";
        });
    }

    private static JsonObject json(byte[] body) {
        try {
            return new JsonObject(Buffer.buffer(body));
        } catch (RuntimeException e) {
            throw ApiException.badInput(null, "a PagerDuty webhook is a JSON object");
        }
    }
}
