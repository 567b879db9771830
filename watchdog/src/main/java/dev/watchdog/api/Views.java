package dev.watchdog.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.Json;
import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Incident;
import dev.watchdog.release.Release;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Threshold;
import java.util.Map;

/** The release as the API shows it: its fields, every rule's last outcome and value, the incident. */
final class Views {

    private Views() {}

    static ObjectNode release(Release release, Map<String, RuleState> states, Incident incident, RuleSet ruleSet) {
        ObjectNode node = Json.MAPPER.valueToTree(release);
        ArrayNode rules = node.putArray("rules");
        for (Rule rule : ruleSet.rules()) {
            RuleState state = states.get(rule.name());
            ObjectNode r = rules.addObject();
            r.put("name", rule.name());
            r.put("signal", Rule.label(rule.signal()));
            r.put("unit", Rule.label(rule.unit()));
            r.put("outcome", state == null ? "waiting" : state.outcome().label());
            if (state != null && state.value() != null) {
                r.put("value", state.value());
            } else {
                r.putNull("value");
            }
            if (state != null && state.baseline() != null) {
                r.put("baseline", state.baseline());
            }
            rule.baseline().ifPresent(b -> r.put("baselineOf", b.text()));
            if (rule.dryRun()) {
                r.put("dryRun", true);
            }
            ObjectNode threshold = r.putObject("threshold");
            rule.p1().map(Threshold::text).ifPresent(t -> threshold.put("p1", t));
            rule.p0().map(Threshold::text).ifPresent(t -> threshold.put("p0", t));
            if (state != null) {
                r.put("since", state.since().toString());
                if (state.message() != null) {
                    r.put("message", state.message());
                }
                if (state.series().size() > 1) {
                    r.set("series", Json.MAPPER.valueToTree(state.series()));
                }
            }
        }
        if (incident == null) {
            node.putNull("incident");
        } else {
            ObjectNode inc = Json.MAPPER.valueToTree(incident);
            inc.remove("policy");
            inc.put("open", incident.open());
            node.set("incident", inc);
        }
        return node;
    }
}
