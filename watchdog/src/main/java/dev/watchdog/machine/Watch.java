package dev.watchdog.machine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.judge.RuleState;
import dev.watchdog.release.RollbackRecord;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything the watchdog knows about one release, and all that the state machine reads and
 * writes: the release, its rules' states, its current incident, its rollback and the verification
 * after it, the lifecycle messages already announced, and what its rules saw before it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Watch(
        Release release,
        Map<String, RuleState> rules,
        @Nullable Incident incident,
        @Nullable RollbackRecord rollback,
        @Nullable Verification verification,
        List<String> announced,
        @Nullable Before before) {

    public Watch {
        rules = rules == null ? Map.of() : rules instanceof States ? rules : States.copied(rules);
        announced = announced == null ? List.of() : List.copyOf(announced);
    }

    /**
     * The rule states as a watch keeps them: copied once, in order, and never changed, so that the
     * watches a step makes from one another share them rather than copy them at each change.
     */
    private static final class States extends AbstractMap<String, RuleState> {
        private final Map<String, RuleState> states;

        private States(Map<String, RuleState> states) {
            this.states = Collections.unmodifiableMap(states);
        }

        static States copied(Map<String, RuleState> states) {
            return new States(new LinkedHashMap<>(states));
        }

        /** Over an ordered map no one else holds or changes: kept as it is, without a copy. */
        static States owned(Map<String, RuleState> states) {
            return new States(states);
        }

        @Override
        public Set<Map.Entry<String, RuleState>> entrySet() {
            return states.entrySet();
        }

        /** The states themselves: read every tick (metrics, breaches), without an entry wrapped per state. */
        @Override
        public Collection<RuleState> values() {
            return states.values();
        }

        @Override
        public @Nullable RuleState get(Object key) {
            return states.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return states.containsKey(key);
        }

        @Override
        public int size() {
            return states.size();
        }
    }

    /** A release just registered. */
    public static Watch of(Release release) {
        return new Watch(release, Map.of(), null, null, null, List.of(), null);
    }

    public String id() {
        return release.id();
    }

    /**
     * Whether the watchdog still has work for this release: watched, a rollback in flight, an
     * incident nobody has closed (a failed rollback's, until a person decides), or a rollback whose
     * effect is being verified.
     */
    @JsonIgnore
    public boolean held() {
        return release.state().open()
                || (incident != null && incident.status() != Incident.Status.RESOLVED)
                || (verification != null && verification.state() == Verification.State.PENDING);
    }

    /** Whether the deploy script waiting for a verdict can stop waiting. */
    @JsonIgnore
    public boolean judged() {
        return release.judged();
    }

    Watch with(Release r) {
        return new Watch(r, rules, incident, rollback, verification, announced, before);
    }

    /**
     * With these rule states: an ordered map made for this watch, which no one changes after (a
     * tick's judging), kept without a copy.
     */
    Watch withRules(Map<String, RuleState> states) {
        return new Watch(release, States.owned(states), incident, rollback, verification, announced, before);
    }

    Watch with(@Nullable Incident inc) {
        return new Watch(release, rules, inc, rollback, verification, announced, before);
    }

    Watch with(RollbackRecord record) {
        return new Watch(release, rules, incident, record, verification, announced, before);
    }

    Watch with(Verification v) {
        return new Watch(release, rules, incident, rollback, v, announced, before);
    }

    Watch with(@Nullable Before b) {
        return new Watch(release, rules, incident, rollback, verification, announced, b);
    }

    Watch withAnnounced(List<String> keys) {
        return new Watch(release, rules, incident, rollback, verification, keys, before);
    }
}
