package dev.watchdog.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Json;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Watch;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Threshold;
import org.jspecify.annotations.Nullable;

/** The release as the API shows it: its fields, every rule's last outcome and value, the incident, the rollback. */
final class Views {

    private Views() {}

    static ObjectNode release(Watch w, RuleSet ruleSet) {
        ObjectNode node = Json.MAPPER.valueToTree(w.release());
        ArrayNode rules = node.putArray("rules");
        for (Rule rule : ruleSet.forRelease(w.release()).rules()) {
            rules.add(rule(rule, w.rules().get(rule.name())));
        }
        Incident incident = w.incident();
        if (incident == null) {
            node.putNull("incident");
        } else {
            ObjectNode inc = Json.MAPPER.valueToTree(incident);
            inc.remove("policy");
            inc.put("open", incident.open());
            node.set("incident", inc);
        }
        if (w.rollback() != null) {
            ObjectNode rollback = Json.MAPPER.valueToTree(w.rollback());
            rollback.remove("body");
            node.set("rollback", rollback);
        }
        if (w.verification() != null) {
            node.set("verification", Json.MAPPER.valueToTree(w.verification()));
        }
        if (w.before() != null) {
            node.set("before", Json.MAPPER.valueToTree(w.before()));
        }
        return node;
    }

    private static ObjectNode rule(Rule rule, @Nullable RuleState state) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("name", rule.name());
        r.put("signal", Rule.label(rule.signal()));
        r.put("unit", Rule.label(rule.presentation().unit()));
        r.put("outcome", state == null ? "waiting" : state.outcome().label());
        if (state != null && state.value() != null) {
            r.put("value", state.value());
        } else {
            r.putNull("value");
        }
        if (state != null && state.baseline() != null) {
            r.put("baseline", state.baseline());
        }
        rule.measure().baseline().ifPresent(b -> r.put("baselineOf", b.text()));
        if (rule.dryRun()) {
            r.put("dryRun", true);
        }
        ObjectNode threshold = r.putObject("threshold");
        rule.judgement().p1().map(Threshold::text).ifPresent(t -> threshold.put("p1", t));
        rule.judgement().p0().map(Threshold::text).ifPresent(t -> threshold.put("p0", t));
        if (state != null) {
            r.put("since", state.since().toString());
            if (state.message() != null) {
                r.put("message", state.message());
            }
            if (state.evidence() != null) {
                ObjectNode evidence = Json.MAPPER.valueToTree(state.evidence());
                evidence.put("text", state.evidence().text());
                r.set("evidence", evidence);
            }
            if (state.series().size() > 1) {
                r.set("series", Json.MAPPER.valueToTree(state.series()));
            }
        }
        return r;
    }

    /** A notification and what became of it. */
    static ObjectNode notification(OutboxEntry e) {
        Notification n = ((Effect.Notify) e.effect()).notification();
        ObjectNode node = Json.MAPPER.valueToTree(n);
        node.put("status", e.status().label());
        node.put("attempts", e.attempts());
        node.put("updatedAt", e.updatedAt().toString());
        if (e.error() != null) {
            node.put("error", e.error());
        }
        return node;
    }
}
