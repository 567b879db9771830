package dev.watchdog.receiver;

import dev.watchdog.incident.Notification;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a person can decide from a page in a chat: acknowledge, roll back, keep the release. A P1
 * page carries all three; once acknowledged, the two decisions remain; after a decision, none. A
 * button carries its choice and the incident it is about ({@link #data}), so that a press on an old
 * page cannot decide on a newer incident.
 */
public enum Choice {
    ACK("Acknowledge"), ROLLBACK("Roll back"), KEEP("Keep the release");

    private final String label;

    Choice(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The choices a notification offers: a P1 page offers all three, anything else none. */
    public static List<Choice> offered(Notification n) {
        return n.kind().paging() && "P1".equals(n.message().severity()) && n.incidentId() != null
                ? List.of(values()) : List.of();
    }

    /** The choices left after this one was made: the two decisions after an acknowledgement, else none. */
    public List<Choice> after() {
        return this == ACK ? List.of(ROLLBACK, KEEP) : List.of();
    }

    /** What a button carries: {@code ack:rel_....1}, at most 64 bytes (Telegram's callback_data). */
    public String data(String incidentId) {
        return code() + ":" + incidentId;
    }

    /** A button's choice and incident, if it is one of ours. */
    public static Optional<Pressed> read(String data) {
        int colon = data == null ? -1 : data.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String incident = data.substring(colon + 1);
        for (Choice c : values()) {
            if (c.code().equals(data.substring(0, colon)) && incident.matches("rel_[0-9A-Z]{1,40}\\.\\d{1,6}")) {
                return Optional.of(new Pressed(c, incident));
            }
        }
        return Optional.empty();
    }

    /** A button pressed: the choice, and the incident it was offered for. */
    public record Pressed(Choice choice, String incidentId) {
        /** The release an incident id belongs to: {@code rel_X.1} is of {@code rel_X}. */
        public String releaseId() {
            return incidentId.substring(0, incidentId.lastIndexOf('.'));
        }
    }
}
