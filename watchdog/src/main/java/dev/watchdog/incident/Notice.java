package dev.watchdog.incident;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A message to be sent to some receivers. Its key is derived from what caused it (release,
 * incident, and the notice's place in the incident's sequence), so that it is sent once.
 */
public record Notice(String key, Kind kind, List<String> receivers, int level, @Nullable String incidentId,
                     @Nullable String detail) {

    public Notice {
        receivers = List.copyOf(receivers);
    }

    /** What the message is about. */
    public enum Kind {
        OPENED, ESCALATED, REPEATED, REESCALATED, UPGRADED, REOPENED, ACKNOWLEDGED, ACCEPTED,
        ROLLBACK_DECIDED, ROLLED_BACK, ROLLBACK_FAILED, NOT_RECOVERED, RESOLVED,
        WATCHING, CHECKPOINT, ALL_CLEAR, UNJUDGED, BLIND, SEEING, SUPERSEDED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Notices about an incident, as opposed to the release's lifecycle messages. */
        public boolean aboutIncident() {
            return !(this == WATCHING || this == CHECKPOINT || this == ALL_CLEAR || this == UNJUDGED || this == BLIND
                    || this == SEEING || this == SUPERSEDED);
        }

        /**
         * Paging notices stop the moment the incident is acknowledged, even between retries. An upgrade
         * to P0 is not one of them: a rollback is under way, and those who acknowledged must hear it.
         */
        public boolean paging() {
            return this == OPENED || this == ESCALATED || this == REPEATED || this == REESCALATED || this == REOPENED;
        }
    }
}
